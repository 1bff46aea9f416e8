//! The store contract suite against the embedded (SQLite) store, each case on its own file.

use std::sync::Arc;

use ohsync_engine::ports::Store;
use ohsync_store_embedded::EmbeddedStore;

async fn fresh_store() -> Option<Arc<dyn Store>> {
    // Kept under cargo's per-target scratch folder: the store must outlive this function.
    let dir = tempfile::Builder::new()
        .prefix("contract-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap_or_else(|e| panic!("scratch directory: {e}"))
        .keep();
    let store = EmbeddedStore::open(&dir).unwrap_or_else(|e| panic!("open the store: {e}"));
    Some(Arc::new(store))
}

ohsync_store_contract::store_contract_tests!(fresh_store);
