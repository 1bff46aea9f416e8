//! `dispatch_tick` on the local stack: the DynamoDB settings store and the SQS FIFO queue
//! adapter on moto, with the real SDK.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use std::collections::BTreeSet;

use chrono::TimeDelta;
use ohsync_aws_env::test_stack;
use ohsync_jobs::{JobTrigger, SyncJob};
use ohsync_jobs_sqs::SqsJobQueue;
use ohsync_scheduler::{DispatchOptions, dispatch_tick};
use ohsync_store_dynamodb::{DynamoSettingsStore, create_table};
use support::{seed, tick, users};

#[tokio::test]
async fn a_tick_queues_one_job_per_active_user_and_a_second_delivery_adds_none() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let config = test_stack::sdk_config(&endpoint).await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&config);
    let table = format!("ohsync-test-{}", uuid::Uuid::new_v4().simple());
    create_table(&dynamodb, &table).await.unwrap();
    let settings = DynamoSettingsStore::new(dynamodb, &table);
    let all = users(30);
    seed(&settings, &all[..25], true).await;
    seed(&settings, &all[25..], false).await;
    let sqs = aws_sdk_sqs::Client::new(&config);
    let url = ohsync_aws_env::test_stack::create_fifo_queue(&config).await;
    let queue = SqsJobQueue::new(&config, &url);
    let options = DispatchOptions::default();

    let first = dispatch_tick(&settings, &queue, tick(), &options).await;
    let again = dispatch_tick(&settings, &queue, tick(), &options).await;
    let next = dispatch_tick(&settings, &queue, tick() + TimeDelta::minutes(5), &options).await;

    for report in [&first, &again, &next] {
        assert!(report.is_complete(), "{report:?}");
        assert_eq!(report.users_found, 25);
        assert_eq!(report.jobs_queued, 25);
    }
    let mut jobs = Vec::new();
    loop {
        let received = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap()
            .messages
            .unwrap_or_default();
        if received.is_empty() {
            break;
        }
        for message in received {
            jobs.push(SyncJob::from_message(message.body().unwrap()).unwrap());
            sqs.delete_message()
                .queue_url(&url)
                .receipt_handle(message.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
    }
    // The second delivery of the tick was deduplicated by the queue; the next tick was not.
    assert_eq!(jobs.len(), 50);
    let ticks: BTreeSet<_> = jobs
        .iter()
        .map(|job| match job.trigger {
            JobTrigger::Tick { tick } => tick,
            JobTrigger::SyncNow { .. } => panic!("{job:?}"),
        })
        .collect();
    assert_eq!(
        ticks,
        BTreeSet::from([tick(), tick() + TimeDelta::minutes(5)])
    );
    let users: BTreeSet<_> = jobs.iter().map(|job| job.user.clone()).collect();
    let active: BTreeSet<_> = all[..25].iter().map(|(_, user)| user.clone()).collect();
    assert_eq!(users, active, "inactive users get no job");
}
