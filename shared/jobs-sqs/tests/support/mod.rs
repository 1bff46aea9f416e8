//! The local stack for the SQS tests: a way to read every message of a queue back, and the
//! jobs of a tick.
#![allow(dead_code, reason = "each test binary uses a different part")]
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

use aws_config::SdkConfig;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{Message, MessageSystemAttributeName};
use chrono::{DateTime, Utc};
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_jobs::{JobTrigger, SyncJob};

/// Every message in the queue, received and deleted (so that a FIFO group's next message
/// becomes visible), with its system attributes.
pub async fn drain(config: &SdkConfig, queue_url: &str) -> Vec<Message> {
    let client = Client::new(config);
    let mut all = Vec::new();
    loop {
        let received = client
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .unwrap();
        let messages = received.messages.unwrap_or_default();
        if messages.is_empty() {
            return all;
        }
        for message in &messages {
            client
                .delete_message()
                .queue_url(queue_url)
                .receipt_handle(message.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
        all.extend(messages);
    }
}

/// A system attribute of a received message.
pub fn attribute(message: &Message, name: MessageSystemAttributeName) -> &str {
    message.attributes().unwrap()[&name].as_str()
}

/// The tick jobs of `count` users of tenant `acme`.
pub fn tick_jobs(count: usize, tick: DateTime<Utc>) -> Vec<SyncJob> {
    (0..count)
        .map(|n| SyncJob {
            tenant: TenantId::parse("acme").unwrap(),
            user: UserId::parse(&format!("user-{n:03}")).unwrap(),
            trigger: JobTrigger::Tick { tick },
        })
        .collect()
}
