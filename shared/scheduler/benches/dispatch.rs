//! Scheduler dispatch of 10,000 active users against the local stack (DESIGN §8: under 20 s):
//! the users are written into the DynamoDB settings store's table on moto (not timed), then one
//! `dispatch_tick` reads the 16 index shards and queues the jobs on an SQS FIFO queue on moto.
//!
//! Workers take the jobs off the queue while the tick dispatches, as on AWS: moto's FIFO queue
//! recomputes the queue's attributes over every message it holds for each message it adds, so
//! a queue that only fills makes every send slower (hours for 10,000 messages). A drainer
//! receives and deletes during the tick and counts what arrived.
//!
//! The seed writes the store's items with BatchWriteItem, 25 at a time, instead of one
//! `SettingsStore::put` transaction per user: moto copies the whole table for every item of a
//! TransactWriteItems (to roll back), so 10,000 puts would take hours. The bench then reads two
//! users back through the store and dispatches exactly the users written, which fails loudly
//! should the store's layout ever differ from the seed's.
//!
//! ```sh
//! OHSYNC_TEST_AWS_ENDPOINT=http://127.0.0.1:PORT cargo bench -p ohsync-scheduler --bench dispatch
//! ```
//! `OHSYNC_BENCH_USERS` changes the number of users.
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark reports failure by panicking"
)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aws_config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use aws_sdk_sqs::types::DeleteMessageBatchRequestEntry;
use chrono::TimeDelta;
use futures::stream::{self, StreamExt};
use ohsync_aws_env::test_stack;
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_jobs_sqs::SqsJobQueue;
use ohsync_scheduler::{DispatchOptions, dispatch_tick};
use ohsync_settings::store::{SettingsStore, Shard, record};
use ohsync_store_dynamodb::{DynamoSettingsStore, Operation, create_table};
use support::{settings, tick, users};

/// BatchWriteItem requests in flight while seeding.
const SEED_IN_FLIGHT: usize = 4;

/// The settings record and the index entry of an active user, as the store lays them out
/// (docs/STORES.md).
fn items(tenant: &TenantId, user: &UserId) -> [WriteRequest; 2] {
    let text = |value: String| AttributeValue::S(value);
    let record = record::encode(&settings(tenant, user, true)).unwrap();
    let shard = Shard::of(tenant, user);
    [
        [
            ("pk", text(format!("tenant#{tenant}"))),
            ("sk", text(format!("user#{user}"))),
            ("settings", text(record)),
            ("settings_version", AttributeValue::N("1".into())),
        ]
        .as_slice(),
        [
            ("pk", text(format!("active#{shard}"))),
            ("sk", text(format!("{tenant}#{user}"))),
        ]
        .as_slice(),
    ]
    .map(|attributes| {
        let item = attributes
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect();
        let put = PutRequest::builder().set_item(Some(item)).build().unwrap();
        WriteRequest::builder().put_request(put).build()
    })
}

/// Writes every user's items, 25 per BatchWriteItem, until none is left unprocessed.
async fn seed(client: &aws_sdk_dynamodb::Client, table: &str, all: &[(TenantId, UserId)]) {
    let requests: Vec<WriteRequest> = all
        .iter()
        .flat_map(|(tenant, user)| items(tenant, user))
        .collect();
    stream::iter(requests.chunks(25))
        .map(|chunk| async move {
            let mut pending = chunk.to_vec();
            while !pending.is_empty() {
                let output = client
                    .batch_write_item()
                    .request_items(table, pending)
                    .send()
                    .await
                    .unwrap();
                pending = output
                    .unprocessed_items
                    .and_then(|mut left| left.remove(table))
                    .unwrap_or_default();
            }
        })
        .buffer_unordered(SEED_IN_FLIGHT)
        .collect::<Vec<()>>()
        .await;
}

/// Receives and deletes messages until `stop` is set and the queue is empty; answers how many
/// arrived.
async fn drain(sqs: aws_sdk_sqs::Client, url: String, stop: Arc<AtomicBool>) -> usize {
    let mut received = 0;
    loop {
        let stopping = stop.load(Ordering::SeqCst);
        let messages = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap()
            .messages
            .unwrap_or_default();
        if messages.is_empty() {
            if stopping {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        received += messages.len();
        let entries = messages
            .iter()
            .enumerate()
            .map(|(index, message)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(index.to_string())
                    .receipt_handle(message.receipt_handle().unwrap())
                    .build()
                    .unwrap()
            })
            .collect();
        sqs.delete_message_batch()
            .queue_url(&url)
            .set_entries(Some(entries))
            .send()
            .await
            .unwrap();
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let count: usize = std::env::var("OHSYNC_BENCH_USERS")
        .ok()
        .and_then(|raw| raw.parse().ok())
        .unwrap_or(10_000);
    // moto answers one request at a time (Python): under 16 batches in flight an attempt may
    // wait longer than the queue adapter's 5-second default, which is meant for SQS.
    let config = test_stack::sdk_config(&endpoint)
        .await
        .into_builder()
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_secs(60))
                .operation_timeout(Duration::from_secs(120))
                .build(),
        )
        .build();
    let dynamodb = aws_sdk_dynamodb::Client::new(&config);
    let table = format!("ohsync-bench-{}", uuid::Uuid::new_v4().simple());
    create_table(&dynamodb, &table).await.unwrap();
    let seeding = Instant::now();
    let all = users(count);
    seed(&dynamodb, &table, &all).await;
    let store = DynamoSettingsStore::new(dynamodb, &table);
    for (tenant, user) in [&all[0], &all[count - 1]] {
        let stored = store.get(tenant, user).await.unwrap().unwrap();
        assert!(stored.active && stored.settings_version == 1, "{stored:?}");
    }
    println!(
        "seeded {count} active users in {:.1} s (not timed below)",
        seeding.elapsed().as_secs_f64()
    );

    let sqs = aws_sdk_sqs::Client::new(&config);
    let options = DispatchOptions::default();
    for (round, at) in [tick(), tick() + TimeDelta::minutes(5)]
        .into_iter()
        .enumerate()
    {
        let url = ohsync_aws_env::test_stack::create_fifo_queue(&config).await;
        let queue = SqsJobQueue::new(&config, &url);
        store.reset_requests();
        let stop = Arc::new(AtomicBool::new(false));
        let drainer = tokio::spawn(drain(sqs.clone(), url.clone(), stop.clone()));

        let started = Instant::now();
        let report = dispatch_tick(&store, &queue, at, &options).await;
        let elapsed = started.elapsed();

        stop.store(true, Ordering::SeqCst);
        let arrived = drainer.await.unwrap();
        assert!(report.is_complete(), "{report:?}");
        assert_eq!(report.jobs_queued, count as u64);
        assert_eq!(arrived, count, "every job arrived once");
        let requests = store.requests();
        println!(
            "tick {}: {} users dispatched in {:.2} s ({:.0} jobs/s); DynamoDB Query {}, \
             SQS SendMessageBatch {}; jobs received from the queue: {arrived}",
            round + 1,
            report.jobs_queued,
            elapsed.as_secs_f64(),
            report.jobs_queued as f64 / elapsed.as_secs_f64(),
            requests.of(Operation::Query),
            report.batches,
        );
    }
}
