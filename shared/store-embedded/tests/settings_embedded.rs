//! What the embedded settings store promises beyond the contract: the binding store and the
//! settings store share one file, the active-users index is an index (no table scan), and damaged
//! records are reported as such.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

use std::sync::Arc;

use ohsync_engine::ports::{Commit, StateVersion, Store};
use ohsync_settings::store::{SettingsStore, SettingsStoreError, Shard};
use ohsync_store_contract::settings_suite::fixtures::{settings, tenant, user};
use ohsync_store_contract::suite::fixtures::{completed, scope};
use ohsync_store_embedded::{DATABASE_FILE, EmbeddedSettingsStore, EmbeddedStore};
use tempfile::TempDir;

fn raw(dir: &TempDir) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).unwrap()
}

#[tokio::test]
async fn bindings_and_settings_share_one_file() {
    let dir = TempDir::new().unwrap();
    let bindings = EmbeddedStore::open(dir.path()).unwrap();
    let settings_store = EmbeddedSettingsStore::sharing(&bindings);
    let scope = scope("acme", "jan", "jan");
    let status_only = Commit {
        status: Some(completed(1)),
        ..Commit::default()
    };
    bindings
        .commit(&scope, StateVersion(0), &status_only)
        .await
        .unwrap();
    let (acme, jan) = (tenant("acme"), user("jan"));
    let record = settings(&acme, &jan, "jan", true, 1);
    settings_store
        .put(&acme, &jan, &record, None)
        .await
        .unwrap();
    drop((bindings, settings_store));

    let reopened = EmbeddedSettingsStore::open(dir.path()).unwrap();
    assert_eq!(reopened.get(&acme, &jan).await.unwrap(), Some(record));
    let bindings = EmbeddedStore::open(dir.path()).unwrap();
    assert_eq!(
        bindings.load(&scope).await.unwrap().version,
        StateVersion(1)
    );
    let rows: i64 = raw(&dir)
        .query_row("SELECT count(*) FROM settings", [], |row| row.get(0))
        .unwrap();
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn the_index_is_read_through_the_partial_index_not_a_scan() {
    let dir = TempDir::new().unwrap();
    drop(EmbeddedSettingsStore::open(dir.path()).unwrap());
    let plan: Vec<String> = raw(&dir)
        .prepare(
            "EXPLAIN QUERY PLAN SELECT tenant, user FROM settings
             WHERE active = 1 AND shard = ?1 AND (tenant, user) > (?2, ?3)
             ORDER BY tenant, user LIMIT ?4",
        )
        .unwrap()
        .query_map(rusqlite::params![3, "", "", 10], |row| row.get(3))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let plan = plan.join("\n");
    assert!(plan.contains("settings_active_by_shard"), "{plan}");
    assert!(
        !plan.contains("TEMP B-TREE"),
        "sorted by the index itself: {plan}"
    );
}

#[tokio::test]
async fn damaged_records_are_reported_as_corrupt() {
    let dir = TempDir::new().unwrap();
    let store = Arc::new(EmbeddedSettingsStore::open(dir.path()).unwrap());
    let (acme, jan) = (tenant("acme"), user("jan"));
    store
        .put(&acme, &jan, &settings(&acme, &jan, "jan", true, 1), None)
        .await
        .unwrap();
    raw(&dir)
        .execute("UPDATE settings SET record = '{\"active\": tru'", [])
        .unwrap();
    assert!(matches!(
        store.get(&acme, &jan).await,
        Err(SettingsStoreError::Corrupt(_))
    ));
    raw(&dir)
        .execute("UPDATE settings SET user = 'not a user id'", [])
        .unwrap();
    assert!(matches!(
        store.active_users(Shard::of(&acme, &jan), None).await,
        Err(SettingsStoreError::Corrupt(_))
    ));
}
