//! The settings store contract suite against the embedded (SQLite) settings store, each case
//! on its own file.

use std::sync::Arc;

use ohsync_settings::store::SettingsStore;
use ohsync_store_contract::settings_suite::PAGE_SIZE;
use ohsync_store_embedded::EmbeddedSettingsStore;

async fn fresh_store() -> Option<Arc<dyn SettingsStore>> {
    // Kept under cargo's per-target scratch folder: the store must outlive this function.
    let dir = tempfile::Builder::new()
        .prefix("settings-contract-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap_or_else(|e| panic!("scratch directory: {e}"))
        .keep();
    let store = EmbeddedSettingsStore::open(&dir)
        .unwrap_or_else(|e| panic!("open the store: {e}"))
        .with_page_size(PAGE_SIZE);
    Some(Arc::new(store))
}

ohsync_store_contract::settings_store_contract_tests!(fresh_store);
