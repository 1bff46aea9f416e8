//! The settings store contract suite against the DynamoDB settings store on the local stack
//! (moto), each case on its own table, through the proxy that passes one request at a time.

mod common;

use std::sync::Arc;
use std::time::Duration;

use ohsync_aws_env::test_stack::FaultProxy;
use ohsync_settings::store::SettingsStore;
use ohsync_store_contract::settings_suite::PAGE_SIZE;
use ohsync_store_dynamodb::{DynamoSettingsStore, RetryPolicy, SettingsOptions};

async fn fresh_store() -> Option<Arc<dyn SettingsStore>> {
    let stack = common::stack_endpoint()?;
    let proxy = FaultProxy::start(&stack).await;
    let (_, table) = common::new_table(&stack).await;
    // moto ignores the client request token, so a transaction retried after a slow answer
    // (moto copies the table on every transaction) would fail its own condition there; a long
    // attempt timeout keeps that moto artefact out of the contract.
    let options = SettingsOptions {
        page_size: PAGE_SIZE,
        retry: RetryPolicy {
            attempt_timeout: Duration::from_secs(120),
            ..RetryPolicy::default()
        },
    };
    let store =
        DynamoSettingsStore::with_options(common::client(&proxy.endpoint).await, table, options);
    Some(Arc::new(store))
}

ohsync_store_contract::settings_store_contract_tests!(fresh_store);
