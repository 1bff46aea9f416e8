//! The local stack for the DynamoDB tests: moto at `OHSYNC_TEST_AWS_ENDPOINT`, a fresh table per
//! test (so tests run in parallel), and a fault-injecting proxy.
#![allow(dead_code, reason = "each test binary uses a different part")]
#![allow(
    clippy::unwrap_used,
    reason = "test support: a failure is a failed test"
)]

pub mod fault_proxy;

use fault_proxy::FaultProxy;
use std::io::Write;

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::AttributeValue;
use ohsync_engine::ports::BindingScope;
use ohsync_store_dynamodb::{DynamoStore, StoreOptions, create_table};

/// moto's address, or `None` (after saying so) when the stack is not running; with
/// `OHSYNC_REQUIRE_STACK=1` a missing stack fails the test instead.
pub fn stack_endpoint() -> Option<String> {
    if let Ok(endpoint) = std::env::var("OHSYNC_TEST_AWS_ENDPOINT") {
        return Some(endpoint);
    }
    assert_ne!(
        std::env::var("OHSYNC_REQUIRE_STACK").as_deref(),
        Ok("1"),
        "OHSYNC_REQUIRE_STACK=1 but OHSYNC_TEST_AWS_ENDPOINT is not set"
    );
    // Straight to stderr: the test harness would swallow print! output of a passing test.
    let _ = writeln!(
        std::io::stderr(),
        "skipped: no local stack (OHSYNC_TEST_AWS_ENDPOINT is not set; infra/local/test.sh sets it)"
    );
    None
}

/// A client for `endpoint`; moto accepts any credentials, and these are used when the
/// environment has none.
pub async fn client(endpoint: &str) -> Client {
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "eu-west-1".into());
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(region));
    if std::env::var("AWS_ACCESS_KEY_ID").is_err() {
        loader = loader.credentials_provider(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "ohsync-tests",
        ));
    }
    Client::new(&loader.load().await)
}

/// A new, uniquely named table at `endpoint` (the stack's, or a proxy in front of it).
pub async fn new_table(endpoint: &str) -> (Client, String) {
    let client = client(endpoint).await;
    let table = format!("ohsync-test-{}", uuid::Uuid::new_v4().simple());
    create_table(&client, &table).await.unwrap();
    (client, table)
}

/// A store on a fresh table of the local stack, reached through a proxy that passes one
/// request at a time: DynamoDB applies each request atomically, moto does not lock (two
/// concurrent conditional writes can both pass their condition there).
pub async fn fresh_store() -> Option<DynamoStore> {
    let stack = stack_endpoint()?;
    let proxy = FaultProxy::start(&stack).await;
    Some(store_through(&stack, &proxy.endpoint, StoreOptions::default()).await)
}

/// A store on a fresh table of `stack`, reached through `endpoint` (a proxy).
pub async fn store_through(stack: &str, endpoint: &str, options: StoreOptions) -> DynamoStore {
    let (_, table) = new_table(stack).await;
    DynamoStore::with_options(client(endpoint).await, table, options)
}

/// An item as the SDK gives it.
pub type Item = HashMap<String, AttributeValue>;

/// Every item of the scope's partition, read directly (the layout of docs/STORES.md).
pub async fn partition_items(client: &Client, table: &str, scope: &BindingScope) -> Vec<Item> {
    let partition = format!("binding#{}#{}#{}", scope.tenant, scope.user, scope.binding);
    client
        .query()
        .table_name(table)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", AttributeValue::S(partition))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default()
}
