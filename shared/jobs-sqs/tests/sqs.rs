//! `SqsJobQueue` against SQS on the local stack (moto), with the real SDK.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_sqs::types::MessageSystemAttributeName as Attribute;
use chrono::{DateTime, Utc};
use ohsync_aws_env::test_stack::{self, FaultProxy};
use ohsync_engine::identity::UserId;
use ohsync_jobs::{Backoff, JobQueue, JobQueueError, JobTrigger, SyncJob};
use ohsync_jobs_sqs::SqsJobQueue;
use support::{attribute, drain, tick_jobs};

fn tick() -> DateTime<Utc> {
    "2026-12-01T10:05:00Z".parse().unwrap()
}

/// Entry retries without waiting, so that the failure tests stay fast.
fn quick() -> Backoff {
    Backoff {
        attempts: 3,
        base: Duration::ZERO,
        max: Duration::ZERO,
    }
}

#[tokio::test]
async fn every_job_arrives_once_with_the_user_as_group_and_its_reason_as_dedup_id() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let config = test_stack::sdk_config(&endpoint).await;
    let url = test_stack::create_fifo_queue(&config).await;
    let queue = SqsJobQueue::new(&config, &url);
    let jobs = tick_jobs(25, tick());

    queue.enqueue(&jobs).await.unwrap();

    let messages = drain(&config, &url).await;
    assert_eq!(messages.len(), 25);
    let mut seen = BTreeSet::new();
    for message in &messages {
        let job = SyncJob::from_message(message.body().unwrap()).unwrap();
        assert_eq!(
            attribute(message, Attribute::MessageGroupId),
            job.group_key()
        );
        assert_eq!(
            attribute(message, Attribute::MessageDeduplicationId),
            job.dedup_key()
        );
        assert_eq!(job.trigger, JobTrigger::Tick { tick: tick() });
        seen.insert(job.user);
    }
    assert_eq!(seen.len(), 25, "each user once");
}

#[tokio::test]
async fn the_same_tick_sent_twice_is_queued_once_and_a_sync_now_is_not_dropped() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let config = test_stack::sdk_config(&endpoint).await;
    let url = test_stack::create_fifo_queue(&config).await;
    let queue = SqsJobQueue::new(&config, &url);
    let jobs = tick_jobs(12, tick());

    queue.enqueue(&jobs).await.unwrap();
    queue.enqueue(&jobs).await.unwrap();
    let now = SyncJob {
        trigger: JobTrigger::SyncNow {
            requested_at: tick() + chrono::TimeDelta::seconds(42),
        },
        ..jobs[0].clone()
    };
    queue.enqueue(std::slice::from_ref(&now)).await.unwrap();

    // moto honours FIFO deduplication as SQS does: the repeated sends are accepted and dropped.
    let messages = drain(&config, &url).await;
    assert_eq!(messages.len(), 13);
    let bodies: Vec<SyncJob> = messages
        .iter()
        .map(|message| SyncJob::from_message(message.body().unwrap()).unwrap())
        .collect();
    assert_eq!(
        bodies.iter().filter(|job| job.user == jobs[0].user).count(),
        2
    );
    assert!(bodies.contains(&now));
}

#[tokio::test]
async fn a_users_next_job_waits_until_the_one_in_flight_is_done() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let config = test_stack::sdk_config(&endpoint).await;
    let url = test_stack::create_fifo_queue(&config).await;
    let queue = SqsJobQueue::new(&config, &url);
    let first = tick_jobs(1, tick()).remove(0);
    let second = SyncJob {
        trigger: JobTrigger::SyncNow {
            requested_at: tick() + chrono::TimeDelta::seconds(1),
        },
        ..first.clone()
    };
    let other = SyncJob {
        user: UserId::parse("someone-else").unwrap(),
        ..first.clone()
    };
    queue
        .enqueue(&[first.clone(), second, other.clone()])
        .await
        .unwrap();

    let client = aws_sdk_sqs::Client::new(&config);
    let receive_one = || async {
        client
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(1)
            .send()
            .await
            .unwrap()
            .messages
            .unwrap_or_default()
            .iter()
            .map(|message| SyncJob::from_message(message.body().unwrap()).unwrap())
            .collect::<Vec<_>>()
    };
    // The user's first job is handed out; while it is in flight, the user's second job is
    // held back (runs never overlap) and another user's job is handed out instead.
    assert_eq!(receive_one().await, [first]);
    assert_eq!(receive_one().await, [other]);
    assert_eq!(receive_one().await, []);
}

#[tokio::test]
async fn a_failed_entry_is_sent_again_and_queued_once() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let config = test_stack::sdk_config(&endpoint).await;
    let url = test_stack::create_fifo_queue(&config).await;
    let proxy = FaultProxy::start(&endpoint).await;
    proxy.fail_batch_entry("3", 2, false);
    let queue = SqsJobQueue::new(&test_stack::sdk_config(&proxy.endpoint).await, &url)
        .with_backoff(quick());

    queue.enqueue(&tick_jobs(10, tick())).await.unwrap();

    assert_eq!(proxy.calls_to("SendMessageBatch"), 3);
    assert_eq!(
        drain(&config, &url).await.len(),
        10,
        "the re-sent entry is deduplicated"
    );
}

#[tokio::test]
async fn an_entry_that_keeps_failing_is_refused_by_its_index_with_why() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let config = test_stack::sdk_config(&endpoint).await;
    let url = test_stack::create_fifo_queue(&config).await;
    let proxy = FaultProxy::start(&endpoint).await;
    // Entry ids are indexes within a batch of ten: "2" of the second batch is job 12.
    proxy.fail_batch_entry("2", u32::MAX, false);
    let queue = SqsJobQueue::new(&test_stack::sdk_config(&proxy.endpoint).await, &url)
        .with_backoff(quick());

    let error = queue
        .enqueue(&tick_jobs(13, tick())[10..])
        .await
        .unwrap_err();
    assert_eq!(
        error,
        JobQueueError::Refused(vec![(
            2,
            "InternalError: injected by the test proxy".into()
        )])
    );
    assert_eq!(proxy.calls_to("SendMessageBatch"), 3, "tried three times");

    let error = queue.enqueue(&tick_jobs(13, tick())).await.unwrap_err();
    let JobQueueError::Refused(refused) = error else {
        panic!("{error:?}");
    };
    let indexes: Vec<usize> = refused.iter().map(|(index, _)| *index).collect();
    assert_eq!(indexes, [2, 12]);
}

#[tokio::test]
async fn an_entry_failed_by_the_sender_is_refused_without_a_retry() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let config = test_stack::sdk_config(&endpoint).await;
    let url = test_stack::create_fifo_queue(&config).await;
    let proxy = FaultProxy::start(&endpoint).await;
    proxy.fail_batch_entry("0", 1, true);
    let queue = SqsJobQueue::new(&test_stack::sdk_config(&proxy.endpoint).await, &url)
        .with_backoff(quick());

    let error = queue.enqueue(&tick_jobs(4, tick())).await.unwrap_err();

    assert_eq!(
        error,
        JobQueueError::Refused(vec![(
            0,
            "InvalidParameterValue: injected by the test proxy".into()
        )])
    );
    assert_eq!(proxy.calls_to("SendMessageBatch"), 1);
}

#[tokio::test]
async fn a_missing_queue_refuses_and_an_unreachable_one_is_unavailable() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let config = test_stack::sdk_config(&endpoint).await;
    let missing = format!("{endpoint}/123456789012/ohsync-absent.fifo");
    let error = SqsJobQueue::new(&config, &missing)
        .enqueue(&tick_jobs(2, tick()))
        .await
        .unwrap_err();
    let JobQueueError::Refused(refused) = error else {
        panic!("{error:?}");
    };
    assert_eq!(refused.len(), 2);
    assert!(
        refused[0].1.contains("NonExistentQueue"),
        "{}",
        refused[0].1
    );

    // A port nothing listens on: bound, then released.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let nowhere = test_stack::sdk_config(&format!("http://{closed}")).await;
    let error = SqsJobQueue::new(&nowhere, format!("http://{closed}/123456789012/q.fifo"))
        .enqueue(&tick_jobs(2, tick()))
        .await
        .unwrap_err();
    assert!(matches!(error, JobQueueError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn nothing_to_queue_sends_nothing() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let proxy = FaultProxy::start(&endpoint).await;
    let config = test_stack::sdk_config(&proxy.endpoint).await;
    SqsJobQueue::new(&config, format!("{endpoint}/123456789012/none.fifo"))
        .enqueue(&[])
        .await
        .unwrap();
    assert_eq!(proxy.calls_to("SendMessageBatch"), 0);
}
