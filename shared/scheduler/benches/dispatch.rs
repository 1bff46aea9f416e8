//! Scheduler dispatch of 10,000 active users (DESIGN §8: under 20 s): the users are written
//! into the DynamoDB settings store's table on moto (not timed), then one `dispatch_tick` reads
//! the 16 index shards from moto and queues the jobs through `SqsJobQueue` — the real SQS
//! client — on an SQS endpoint on 127.0.0.1 that answers every SendMessageBatch after a fixed
//! latency (20 ms by default, `OHSYNC_BENCH_SQS_LATENCY_MS`), as SQS does inside a region.
//!
//! Not moto's queue: moto checks every message sent by recomputing the queue's attributes over
//! every message it holds (three scans per message), so a tick against it measures moto, not
//! the scheduler — 15 jobs/s on a FIFO queue at 1,000 users, 62 jobs/s on a standard queue,
//! each with a drainer. The endpoint here speaks SQS's JSON protocol for SendMessageBatch
//! alone, checks that every entry names its group and deduplication id, and counts each job
//! and the calls it had in flight at once. FIFO behaviour itself is tested against moto in
//! `ohsync-jobs-sqs`.
//!
//! The seed writes the store's items with BatchWriteItem, 25 at a time, instead of one
//! `SettingsStore::put` transaction per user: moto copies the whole table for every item of a
//! TransactWriteItems (to roll back), so 10,000 puts would take hours. The bench then reads two
//! users back through the store and dispatches exactly the users written, which fails loudly
//! should the store's layout ever differ from the seed's.
//!
//! ```sh
//! infra/local/with-stack.sh cargo bench -p ohsync-scheduler --bench dispatch
//! ```
//! `OHSYNC_BENCH_USERS` changes the number of users.
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark reports failure by panicking"
)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use chrono::TimeDelta;
use futures::stream::{self, StreamExt};
use md5::{Digest, Md5};
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

/// An SQS endpoint for SendMessageBatch alone: answers after `latency`, counts the jobs per
/// message group and the calls in flight at once.
#[derive(Default)]
struct SqsEndpoint {
    latency: Duration,
    jobs_per_group: Mutex<HashMap<String, u32>>,
    calls: AtomicUsize,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

impl SqsEndpoint {
    /// Serves on a free 127.0.0.1 port; answers the endpoint's URL.
    async fn start(self: &Arc<Self>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = axum::Router::new()
            .route("/", axum::routing::post(send_message_batch))
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{address}")
    }

    /// Forgets the counts of the previous tick.
    fn reset(&self) {
        self.jobs_per_group.lock().unwrap().clear();
        self.calls.store(0, Ordering::SeqCst);
        self.most_in_flight.store(0, Ordering::SeqCst);
    }
}

async fn send_message_batch(
    axum::extract::State(endpoint): axum::extract::State<Arc<SqsEndpoint>>,
    headers: axum::http::HeaderMap,
    body: String,
) -> impl axum::response::IntoResponse {
    assert_eq!(
        headers.get("x-amz-target").and_then(|v| v.to_str().ok()),
        Some("AmazonSQS.SendMessageBatch")
    );
    let now = endpoint.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    endpoint.most_in_flight.fetch_max(now, Ordering::SeqCst);
    endpoint.calls.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(endpoint.latency).await;
    let request: serde_json::Value = serde_json::from_str(&body).unwrap();
    let entries = request["Entries"].as_array().unwrap();
    let successful: Vec<serde_json::Value> = entries
        .iter()
        .map(|entry| {
            let group = entry["MessageGroupId"].as_str().unwrap();
            assert!(entry["MessageDeduplicationId"].is_string(), "{entry}");
            *endpoint
                .jobs_per_group
                .lock()
                .unwrap()
                .entry(group.to_owned())
                .or_default() += 1;
            let digest = Md5::digest(entry["MessageBody"].as_str().unwrap().as_bytes());
            serde_json::json!({
                "Id": entry["Id"],
                "MessageId": uuid::Uuid::new_v4().to_string(),
                "MD5OfMessageBody": format!("{digest:x}"),
            })
        })
        .collect();
    endpoint.in_flight.fetch_sub(1, Ordering::SeqCst);
    (
        [("content-type", "application/x-amz-json-1.0")],
        serde_json::json!({ "Successful": successful, "Failed": [] }).to_string(),
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let Some(moto) = test_stack::endpoint_or_skip() else {
        return;
    };
    let count: usize = std::env::var("OHSYNC_BENCH_USERS")
        .ok()
        .and_then(|raw| raw.parse().ok())
        .unwrap_or(10_000);
    // moto answers one request at a time (Python): with 16 shards' queries and 4 seeding
    // batches in flight an attempt may wait longer than the SDK's defaults allow.
    let config = test_stack::sdk_config(&moto)
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

    let latency_ms: u64 = std::env::var("OHSYNC_BENCH_SQS_LATENCY_MS")
        .ok()
        .and_then(|raw| raw.parse().ok())
        .unwrap_or(20);
    let sqs = Arc::new(SqsEndpoint {
        latency: Duration::from_millis(latency_ms),
        ..SqsEndpoint::default()
    });
    let sqs_config = test_stack::sdk_config(&sqs.start().await).await;
    let queue = SqsJobQueue::new(
        &sqs_config,
        "https://sqs.eu-west-1.amazonaws.com/123456789012/ohsync-sync-jobs.fifo",
    );
    let options = DispatchOptions::default();
    for (round, at) in [tick(), tick() + TimeDelta::minutes(5)]
        .into_iter()
        .enumerate()
    {
        store.reset_requests();
        sqs.reset();

        let started = Instant::now();
        let report = dispatch_tick(&store, &queue, at, &options).await;
        let elapsed = started.elapsed();

        assert!(report.is_complete(), "{report:?}");
        assert_eq!(report.jobs_queued, count as u64);
        let groups = sqs.jobs_per_group.lock().unwrap().clone();
        assert_eq!(groups.len(), count, "one message group per user");
        assert!(
            groups.values().all(|&jobs| jobs == 1),
            "every job sent once"
        );
        let requests = store.requests();
        println!(
            "tick {}: {} users dispatched in {:.2} s ({:.0} jobs/s) with {latency_ms} ms per SQS \
             call; DynamoDB Query {}, SQS SendMessageBatch {} (at most {} at once)",
            round + 1,
            report.jobs_queued,
            elapsed.as_secs_f64(),
            report.jobs_queued as f64 / elapsed.as_secs_f64(),
            requests.of(Operation::Query),
            sqs.calls.load(Ordering::SeqCst),
            sqs.most_in_flight.load(Ordering::SeqCst),
        );
    }
}
