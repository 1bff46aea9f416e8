//! What the DynamoDB store promises beyond the contract: requests per call (the figures in
//! docs/STORES.md), bounded retrying of throttling, unprocessed keys and unreachable endpoints,
//! take-over of a commit that died midway, retirement by TTL, and damaged items reported as
//! such.

mod common;

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::{AttributeValue, TimeToLiveStatus};
use chrono::Utc;
use ohsync_aws_env::test_stack::{FaultProxy, Refusal, THROTTLING};
use ohsync_engine::ports::{
    BindingScope, Commit, Mapping, MappingQuery, StateVersion, Store, StoreError,
};
use ohsync_store_contract::suite::fixtures::{
    by_officeheart, completed, every_id, intent, list_all, numbered, scope, sync_state, upserting,
};
use ohsync_store_dynamodb::{
    DynamoStore, Operation, RequestCounts, RetryPolicy, StoreOptions, create_table,
};

fn quick_retries(max_attempts: u32) -> StoreOptions {
    StoreOptions {
        retry: RetryPolicy {
            max_attempts,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            attempt_timeout: Duration::from_secs(30),
        },
        ..StoreOptions::default()
    }
}

fn by_items(mappings: &[Mapping]) -> MappingQuery {
    MappingQuery {
        exchange_item_ids: mappings
            .iter()
            .map(|m| m.exchange_item_id.clone())
            .collect(),
        ..MappingQuery::default()
    }
}

fn row(what: &str, counts: &RequestCounts) -> String {
    format!(
        "{what:<34} reads {:>3}  writes {:>4}  {:?}",
        counts.reads(),
        counts.writes(),
        counts.by_operation
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_per_call_meet_the_targets() {
    let Some(stack) = common::stack_endpoint() else {
        return;
    };
    let (client, table) = common::new_table(&stack).await;
    let store = DynamoStore::new(client, table);
    let scope = scope("measure", "jan", "jan");
    let mut report = Vec::new();
    let mut version = StateVersion(0);
    let mut measure = async |what: String, expect: (u64, u64), commit: Option<Commit>| {
        store.reset_requests();
        if let Some(commit) = commit {
            version = store.commit(&scope, version, &commit).await.unwrap();
        }
        let counts = store.requests();
        report.push(row(&what, &counts));
        assert_eq!((counts.reads(), counts.writes()), expect, "{what}");
    };

    let status_only = Commit {
        status: Some(completed(1)),
        ..Commit::default()
    };
    measure("commit: status only".into(), (0, 1), Some(status_only)).await;
    // New mappings: a lookup of the stored ones first, then the writes.
    let one = upserting(vec![numbered(0)]);
    measure("commit: 1 mapping".into(), (1, 1), Some(one)).await;
    let hundred = upserting((1..=100).map(numbered).collect());
    // 300 pointer writes: stepwise (claim, 12 × BatchWriteItem, count, finish).
    measure("commit: 100 mappings".into(), (2, 14), Some(hundred)).await;
    let thousand = upserting((1001..=2000).map(numbered).collect());
    // 3,000 pointer writes: 10 lookups, 120 × BatchWriteItem, count, claim, finish.
    measure("commit: 1,000 mappings".into(), (11, 122), Some(thousand)).await;
    let moved = {
        let mut moved = numbered(7);
        moved.exchange_item_id = numbered(99_999).exchange_item_id;
        Commit {
            mapping_upserts: vec![moved],
            mailbox_sync_state: Some(sync_state("next")),
            ..Commit::default()
        }
    };
    measure("commit: 1 moved mapping".into(), (1, 1), Some(moved)).await;

    store.reset_requests();
    let state = store.load(&scope).await.unwrap();
    assert_eq!(state.mapping_count, 1101);
    assert_eq!(state.version, StateVersion(5));
    report.push(row("load", &store.requests()));
    assert_eq!(store.requests().of(Operation::Query), 1);
    assert_eq!(store.requests().writes(), 0);

    for (ids, requests) in [(1u64, 1u64), (50, 1), (200, 2)] {
        let wanted: Vec<_> = (1001..1001 + ids).map(numbered).collect();
        store.reset_requests();
        let found = store
            .find_mappings(&scope, &by_items(&wanted))
            .await
            .unwrap();
        assert_eq!(found.len() as u64, ids);
        let counts = store.requests();
        report.push(row(&format!("find_mappings: {ids} ItemIds"), &counts));
        assert_eq!(counts.of(Operation::BatchGetItem), requests);
        assert_eq!(counts.writes(), 0);
    }
    let mixed = MappingQuery {
        officeheart_ids: vec![numbered(1).officeheart_id],
        exchange_item_ids: vec![numbered(2).exchange_item_id],
        exchange_uids: vec![numbered(3).exchange_uid],
    };
    store.reset_requests();
    assert_eq!(store.find_mappings(&scope, &mixed).await.unwrap().len(), 3);
    report.push(row("find_mappings: 3 ids, mixed kinds", &store.requests()));
    assert_eq!(store.requests().reads(), 1);
    store.reset_requests();
    assert!(
        store
            .find_mappings(&scope, &MappingQuery::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.requests(), RequestCounts::default());

    // Listing 1,101 mappings: one Query per page of 400, and each mapping once.
    store.reset_requests();
    let (listed, pages) = list_all(&(Arc::new(store.clone()) as Arc<dyn Store>), &scope, 10).await;
    report.push(row("list_mappings: 1,101 mappings", &store.requests()));
    assert_eq!(listed.len(), 1101);
    assert_eq!(pages, 3);
    assert_eq!(store.requests().of(Operation::Query), 3);
    assert_eq!(store.requests().reads(), 3);

    let _ = writeln!(
        std::io::stderr(),
        "DynamoDB requests per call:\n{}",
        report.join("\n")
    );
}

#[tokio::test]
async fn throttling_is_retried_with_back_off_then_reported() {
    let Some(stack) = common::stack_endpoint() else {
        return;
    };
    let proxy = FaultProxy::start(&stack).await;
    let store = common::store_through(&stack, &proxy.endpoint, quick_retries(4)).await;
    let scope = scope("throttled", "jan", "jan");

    proxy.refuse(Refusal::new(400, THROTTLING).times(3));
    assert_eq!(store.load(&scope).await.unwrap().version, StateVersion(0));
    assert_eq!(store.requests().of(Operation::Query), 4);

    store.reset_requests();
    proxy.refuse(Refusal::new(400, THROTTLING));
    let error = store
        .commit(&scope, StateVersion(0), &Commit::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, StoreError::Unavailable(detail) if detail.contains("ThrottlingException")),
        "{error:?}"
    );
    assert_eq!(store.requests().of(Operation::TransactWriteItems), 4);
    proxy.clear();
    assert_eq!(store.load(&scope).await.unwrap().version, StateVersion(0));
}

#[tokio::test]
async fn unprocessed_keys_are_asked_for_again_a_bounded_number_of_times() {
    let Some(stack) = common::stack_endpoint() else {
        return;
    };
    let proxy = FaultProxy::start(&stack).await;
    let store = common::store_through(&stack, &proxy.endpoint, quick_retries(4)).await;
    let shared: Arc<dyn Store> = Arc::new(store.clone());
    let scope = scope("unprocessed", "jan", "jan");
    let mappings: Vec<_> = (1..=3).map(numbered).collect();
    shared
        .commit(&scope, StateVersion(0), &upserting(mappings.clone()))
        .await
        .unwrap();

    proxy.hold_back_batch_get_keys(1);
    store.reset_requests();
    let found = store
        .find_mappings(&scope, &by_items(&mappings))
        .await
        .unwrap();
    assert_eq!(found.len(), 3);
    assert_eq!(store.requests().of(Operation::BatchGetItem), 3);

    let five: Vec<_> = (1..=5).map(numbered).collect();
    let error = store
        .find_mappings(&scope, &every_id(&five))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn an_unreachable_endpoint_is_unavailable_after_bounded_attempts() {
    // Nothing listens on a port just released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = common::client(&format!("http://127.0.0.1:{port}")).await;
    let store = DynamoStore::with_options(client, "absent", quick_retries(3));
    let error = store
        .load(&scope("nowhere", "jan", "jan"))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
    assert_eq!(store.requests().of(Operation::Query), 3);
}

#[tokio::test]
async fn a_commit_that_died_midway_blocks_until_its_lease_ends_then_is_repaired() {
    let Some(stack) = common::stack_endpoint() else {
        return;
    };
    let proxy = FaultProxy::start(&stack).await;
    let options = StoreOptions {
        lease_term: Duration::from_secs(1),
        ..quick_retries(2)
    };
    let store: Arc<dyn Store> =
        Arc::new(common::store_through(&stack, &proxy.endpoint, options).await);
    let scope = scope("died", "jan", "jan");
    let started = Commit {
        status: Some(completed(1)),
        ..Commit::default()
    };
    store
        .commit(&scope, StateVersion(0), &started)
        .await
        .unwrap();

    // The big commit dies after 3 of its 12 BatchWriteItem requests (75 pointer writes).
    proxy.refuse(
        Refusal::new(500, "InternalServerError")
            .of("BatchWriteItem")
            .after(3),
    );
    let big: Vec<_> = (1..=100).map(numbered).collect();
    let died = store
        .commit(&scope, StateVersion(1), &upserting(big.clone()))
        .await;
    assert!(matches!(died, Err(StoreError::Unavailable(_))), "{died:?}");
    proxy.clear();

    // While its lease holds, no commit from that version gets through, and none writes.
    let small = Commit {
        mapping_upserts: vec![numbered(500)],
        mailbox_sync_state: Some(sync_state("after")),
        ..Commit::default()
    };
    assert_eq!(
        store.commit(&scope, StateVersion(1), &small).await,
        Err(StoreError::Conflict)
    );
    assert!(
        store
            .find_mappings(&scope, &by_officeheart(&["oh-500"]))
            .await
            .unwrap()
            .is_empty()
    );

    // Once it expires, the next commit takes over and the count matches what is stored.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        store.commit(&scope, StateVersion(1), &small).await,
        Ok(StateVersion(2))
    );
    let state = store.load(&scope).await.unwrap();
    assert_eq!(state.mailbox_sync_state, Some(sync_state("after")));
    assert_eq!(state.status, Some(completed(1)));
    let everything = [big, vec![numbered(500)]].concat();
    let stored = store
        .find_mappings(&scope, &every_id(&everything))
        .await
        .unwrap();
    assert!(
        stored.len() > 1 && stored.len() < everything.len(),
        "{}",
        stored.len()
    );
    assert_eq!(state.mapping_count, stored.len() as u64);
}

#[tokio::test]
async fn retired_bindings_carry_a_ttl_until_revived() {
    let Some(stack) = common::stack_endpoint() else {
        return;
    };
    let (client, table) = common::new_table(&stack).await;
    create_table(&client, &table).await.unwrap();
    let ttl = client
        .describe_time_to_live()
        .table_name(&table)
        .send()
        .await
        .unwrap();
    let description = ttl.time_to_live_description().unwrap();
    assert_eq!(
        description.time_to_live_status(),
        Some(&TimeToLiveStatus::Enabled)
    );
    assert_eq!(description.attribute_name(), Some("expires_at"));

    let store = DynamoStore::new(client.clone(), &table);
    let dynamic: Arc<dyn Store> = Arc::new(store.clone());
    let (retired, kept) = (scope("retire", "jan", "old"), scope("retire", "jan", "new"));
    let written = Commit {
        mapping_upserts: (1..=5).map(numbered).collect(),
        intents_added: vec![intent("oh-8", "v", 8), intent("oh-9", "v", 9)],
        status: Some(completed(1)),
        ..Commit::default()
    };
    for scope in [&retired, &kept] {
        dynamic
            .commit(scope, StateVersion(0), &written)
            .await
            .unwrap();
    }

    let expires_at = async |scope: &BindingScope| {
        common::partition_items(&client, &table, scope)
            .await
            .iter()
            .map(|item| match item.get("expires_at") {
                Some(AttributeValue::N(at)) => at.parse::<i64>().ok(),
                _ => None,
            })
            .collect::<Vec<_>>()
    };

    let marked = store
        .retire_binding(&retired, Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(
        marked,
        1 + 2 + 5 * 3,
        "state, intents and three pointers per mapping"
    );
    let expected = Utc::now().timestamp() + 3600;
    let stamps = expires_at(&retired).await;
    assert_eq!(stamps.len(), 18);
    assert!(
        stamps
            .iter()
            .all(|at| at.is_some_and(|at| (at - expected).abs() <= 5)),
        "{stamps:?}"
    );
    assert!(expires_at(&kept).await.iter().all(Option::is_none));
    assert_eq!(dynamic.load(&retired).await.unwrap().mapping_count, 5);

    assert_eq!(store.revive_binding(&retired).await.unwrap(), 18);
    assert!(expires_at(&retired).await.iter().all(Option::is_none));
}

#[tokio::test]
async fn damaged_items_are_reported_as_corrupt() {
    let Some(stack) = common::stack_endpoint() else {
        return;
    };
    let (client, table) = common::new_table(&stack).await;
    let store: Arc<dyn Store> = Arc::new(DynamoStore::new(client.clone(), &table));
    let scope = scope("damaged", "jan", "jan");
    store
        .commit(&scope, StateVersion(0), &upserting(vec![numbered(1)]))
        .await
        .unwrap();
    let items = common::partition_items(&client, &table, &scope).await;
    for mut item in items {
        let damage = if item.contains_key("hash") {
            ("hash", AttributeValue::S("not bytes".into()))
        } else {
            ("status", AttributeValue::S("{\"kind\":".into()))
        };
        item.insert(damage.0.into(), damage.1);
        client
            .put_item()
            .table_name(&table)
            .set_item(Some(item))
            .send()
            .await
            .unwrap();
    }
    assert!(matches!(
        store.load(&scope).await,
        Err(StoreError::Corrupt(_))
    ));
    assert!(matches!(
        store
            .find_mappings(&scope, &by_officeheart(&["oh-1"]))
            .await,
        Err(StoreError::Corrupt(_))
    ));
}
