//! What the DynamoDB settings store promises beyond the contract: requests per call, the
//! index enumeration of 10,000 active users (the figures in docs/STORES.md), the item layout,
//! bounded retrying of throttled saves, and damaged records reported as such.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use ohsync_aws_env::test_stack::{FaultProxy, Refusal, THROTTLING};
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_settings::store::{SettingsStore, SettingsStoreError, Shard};
use ohsync_store_contract::settings_suite::fixtures::{settings, tenant, user};
use ohsync_store_dynamodb::{DynamoSettingsStore, Operation, RetryPolicy, SettingsOptions};
use tokio::task::JoinSet;

fn quick_retries(max_attempts: u32) -> SettingsOptions {
    SettingsOptions {
        retry: RetryPolicy {
            max_attempts,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            attempt_timeout: Duration::from_secs(30),
        },
        ..SettingsOptions::default()
    }
}

async fn item(client: &Client, table: &str, pk: &str, sk: &str) -> Option<common::Item> {
    client
        .get_item()
        .table_name(table)
        .key("pk", AttributeValue::S(pk.into()))
        .key("sk", AttributeValue::S(sk.into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_per_call_and_the_item_layout() {
    let Some(stack) = common::stack_endpoint() else {
        return;
    };
    let (client, table) = common::new_table(&stack).await;
    let store = DynamoSettingsStore::new(client.clone(), table.clone());
    let (acme, jan) = (tenant("acme"), user("jan@acme.nl"));
    let shard = Shard::of(&acme, &jan);
    let entry = (format!("active#{shard}"), "acme#jan@acme.nl");

    store.reset_requests();
    assert_eq!(store.get(&acme, &jan).await.unwrap(), None);
    assert_eq!(store.requests().of(Operation::GetItem), 1);
    assert_eq!(store.requests().writes(), 0);

    store.reset_requests();
    let record = settings(&acme, &jan, "jan", true, 1);
    store.put(&acme, &jan, &record, None).await.unwrap();
    assert_eq!(store.requests().of(Operation::TransactWriteItems), 1);
    assert_eq!(store.requests().reads(), 0);
    let stored = item(&client, &table, "tenant#acme", "user#jan@acme.nl")
        .await
        .unwrap();
    assert_eq!(
        stored.get("settings_version"),
        Some(&AttributeValue::N("1".into()))
    );
    assert!(item(&client, &table, &entry.0, entry.1).await.is_some());

    store.reset_requests();
    let stale = settings(&acme, &jan, "jan", false, 2);
    assert_eq!(
        store.put(&acme, &jan, &stale, Some(7)).await,
        Err(SettingsStoreError::Conflict)
    );
    assert_eq!(
        store.requests().of(Operation::TransactWriteItems),
        1,
        "no retry of a conflict"
    );
    store.put(&acme, &jan, &stale, Some(1)).await.unwrap();
    assert!(item(&client, &table, &entry.0, entry.1).await.is_none());

    store.reset_requests();
    let page = store.active_users(shard, None).await.unwrap();
    assert!(page.users.is_empty() && page.next.is_none());
    let listed = store.list_tenant_users(&acme, None).await.unwrap();
    assert_eq!(listed.users, vec![jan]);
    assert_eq!(store.requests().of(Operation::Query), 2);
    assert_eq!(store.requests().writes(), 0);
}

/// Writes index entries as `put` does (`active#{shard}`, `{tenant}#{user}`), 25 per
/// BatchWriteItem, eight requests in flight: 10,000 saves through transactions would take moto
/// most of an hour (it copies the table per transaction).
async fn seed_index(client: &Client, table: &str, users: &[(TenantId, UserId)]) {
    let mut writes = JoinSet::new();
    for chunk in users.chunks(25) {
        if writes.len() >= 8 {
            writes.join_next().await.unwrap().unwrap();
        }
        let requests: Vec<_> = chunk
            .iter()
            .map(|(tenant, user)| {
                let put = PutRequest::builder()
                    .item(
                        "pk",
                        AttributeValue::S(format!("active#{}", Shard::of(tenant, user))),
                    )
                    .item("sk", AttributeValue::S(format!("{tenant}#{user}")))
                    .build()
                    .unwrap();
                WriteRequest::builder().put_request(put).build()
            })
            .collect();
        let (client, table) = (client.clone(), table.to_owned());
        writes.spawn(async move {
            let output = client
                .batch_write_item()
                .request_items(table, requests)
                .send()
                .await
                .unwrap();
            assert!(output.unprocessed_items.unwrap_or_default().is_empty());
        });
    }
    while let Some(done) = writes.join_next().await {
        done.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_active_users_are_one_query_per_shard() {
    let Some(stack) = common::stack_endpoint() else {
        return;
    };
    let (client, table) = common::new_table(&stack).await;
    let users: Vec<_> = (0..10_000)
        .map(|n| {
            let tenant = tenant(&format!("tenant{}", n % 40));
            (tenant, user(&format!("user{n}@example.nl")))
        })
        .collect();
    seed_index(&client, &table, &users).await;
    // moto answers one request at a time: under load the 16th Query may wait longer than the
    // default attempt timeout for the 15 before it.
    let patient = SettingsOptions {
        retry: RetryPolicy {
            attempt_timeout: Duration::from_secs(120),
            ..RetryPolicy::default()
        },
        ..SettingsOptions::default()
    };
    let store = Arc::new(DynamoSettingsStore::with_options(client, table, patient));

    let alone = Instant::now();
    let first = store
        .active_users(Shard::new(0).unwrap(), None)
        .await
        .unwrap();
    let alone = alone.elapsed();
    assert!(first.next.is_none(), "one page per shard");
    store.reset_requests();

    let started = Instant::now();
    let mut reads = JoinSet::new();
    for shard in Shard::all() {
        let store = store.clone();
        reads.spawn(async move {
            let mut found = Vec::new();
            let mut next = None;
            loop {
                let page = store.active_users(shard, next.as_ref()).await.unwrap();
                found.extend(page.users);
                next = page.next;
                if next.is_none() {
                    return found;
                }
            }
        });
    }
    let mut listed = Vec::new();
    while let Some(shard) = reads.join_next().await {
        listed.extend(shard.unwrap());
    }
    let elapsed = started.elapsed();
    let distinct: BTreeSet<_> = listed.iter().cloned().collect();
    assert_eq!(listed.len(), 10_000);
    assert_eq!(distinct, users.into_iter().collect());
    // Every shard holds about 625 entries, under the 1,000 of a page.
    assert_eq!(
        store.requests().of(Operation::Query),
        u64::from(ohsync_settings::store::SHARDS)
    );
    let _ = writeln!(
        std::io::stderr(),
        "enumerated 10,000 active users over {} shards: {:?} (one shard alone: {:?}), requests {:?}",
        ohsync_settings::store::SHARDS,
        elapsed,
        alone,
        store.requests().by_operation
    );
}

#[tokio::test]
async fn throttled_saves_are_retried_then_reported() {
    let Some(stack) = common::stack_endpoint() else {
        return;
    };
    let proxy = FaultProxy::start(&stack).await;
    let (_, table) = common::new_table(&stack).await;
    let store = DynamoSettingsStore::with_options(
        common::client(&proxy.endpoint).await,
        table,
        quick_retries(4),
    );
    let (acme, jan) = (tenant("acme"), user("jan"));

    proxy.refuse(Refusal::new(400, THROTTLING).times(3));
    store
        .put(&acme, &jan, &settings(&acme, &jan, "jan", true, 1), None)
        .await
        .unwrap();
    assert_eq!(store.requests().of(Operation::TransactWriteItems), 4);

    store.reset_requests();
    proxy.refuse(Refusal::new(400, THROTTLING));
    let error = store.get(&acme, &jan).await.unwrap_err();
    assert!(
        matches!(&error, SettingsStoreError::Unavailable(detail) if detail.contains("ThrottlingException")),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(store.requests().of(Operation::GetItem), 4);
    proxy.clear();
    assert!(store.get(&acme, &jan).await.unwrap().is_some());
}

#[tokio::test]
async fn damaged_records_and_entries_are_reported_as_corrupt() {
    let Some(stack) = common::stack_endpoint() else {
        return;
    };
    let (client, table) = common::new_table(&stack).await;
    let store = DynamoSettingsStore::new(client.clone(), table.clone());
    let (acme, jan) = (tenant("acme"), user("jan"));
    let put = |pk: String, sk: &str, settings: Option<&str>| {
        let mut request = client
            .put_item()
            .table_name(&table)
            .item("pk", AttributeValue::S(pk))
            .item("sk", AttributeValue::S(sk.into()));
        if let Some(settings) = settings {
            request = request.item("settings", AttributeValue::S(settings.into()));
        }
        request.send()
    };
    put("tenant#acme".into(), "user#jan", Some("{\"active\": tru"))
        .await
        .unwrap();
    assert!(matches!(
        store.get(&acme, &jan).await,
        Err(SettingsStoreError::Corrupt(_))
    ));
    put("tenant#acme".into(), "user#jan", None).await.unwrap();
    assert!(matches!(
        store.get(&acme, &jan).await,
        Err(SettingsStoreError::Corrupt(_))
    ));
    let shard = Shard::new(0).unwrap();
    put(format!("active#{shard}"), "no-separator", None)
        .await
        .unwrap();
    assert!(matches!(
        store.active_users(shard, None).await,
        Err(SettingsStoreError::Corrupt(_))
    ));
}
