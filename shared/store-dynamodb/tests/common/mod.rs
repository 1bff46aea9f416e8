//! The local stack for the DynamoDB tests: moto at `OHSYNC_TEST_AWS_ENDPOINT`, a fresh table per
//! test (so tests run in parallel), reached through `ohsync_aws_env::test_stack::FaultProxy`.
#![allow(dead_code, reason = "each test binary uses a different part")]
#![allow(
    clippy::unwrap_used,
    reason = "test support: a failure is a failed test"
)]

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use ohsync_aws_env::test_stack::FaultProxy;
use ohsync_engine::ports::BindingScope;
use ohsync_store_dynamodb::{DynamoStore, StoreOptions, create_table};

/// moto's address, or `None` (after saying so) when the stack is not running; with
/// `OHSYNC_REQUIRE_STACK=1` a missing stack fails the test instead.
pub use ohsync_aws_env::test_stack::endpoint_or_skip as stack_endpoint;

/// A client for `endpoint` (the stack's, or a proxy in front of it).
pub async fn client(endpoint: &str) -> Client {
    Client::new(&ohsync_aws_env::test_stack::sdk_config(endpoint).await)
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
