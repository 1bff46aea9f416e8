//! The contract suite against the engine's in-memory fake store, the reference semantics.

use std::sync::Arc;

use ohsync_engine::ports::Store;
use ohsync_engine::testkit::{FakeStore, Faults};

async fn fresh_store() -> Option<Arc<dyn Store>> {
    Some(Arc::new(FakeStore::new(Arc::new(Faults::default()))))
}

ohsync_store_contract::store_contract_tests!(fresh_store);
