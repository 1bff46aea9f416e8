//! The store contract suite against the DynamoDB store on the local stack (moto), each case on
//! its own table.

mod common;

use std::sync::Arc;

use ohsync_engine::ports::Store;

async fn fresh_store() -> Option<Arc<dyn Store>> {
    common::fresh_store()
        .await
        .map(|store| Arc::new(store) as Arc<dyn Store>)
}

ohsync_store_contract::store_contract_tests!(fresh_store);
