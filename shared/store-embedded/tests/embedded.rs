//! What the embedded store promises beyond the contract: durability across reopening,
//! retirement and purging, damaged data reported as such, and many concurrent tasks.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use ohsync_engine::ports::{BindingState, Commit, StateVersion, Store, StoreError};
use ohsync_store_contract::suite::fixtures::{by_officeheart, numbered, sync_state};
use ohsync_store_embedded::{DATABASE_FILE, EmbeddedStore, OpenError};
use tempfile::TempDir;

fn scope(user: &str) -> ohsync_engine::ports::BindingScope {
    ohsync_store_contract::suite::fixtures::scope("acme", user, "jan")
}

fn with_mapping(n: u64) -> Commit {
    Commit {
        mapping_upserts: vec![numbered(n)],
        mailbox_sync_state: Some(sync_state(&n.to_string())),
        ..Commit::default()
    }
}

fn oh(n: u64) -> ohsync_engine::ports::MappingQuery {
    by_officeheart(&[numbered(n).officeheart_id.as_str()])
}

#[tokio::test]
async fn a_reopened_store_has_everything_committed() {
    let dir = TempDir::new().unwrap();
    let scope = scope("jan");
    let before = {
        let store = EmbeddedStore::open(&dir.path().join("data")).unwrap();
        store
            .commit(&scope, StateVersion(0), &with_mapping(1))
            .await
            .unwrap();
        store.load(&scope).await.unwrap()
    };
    let reopened = EmbeddedStore::open(&dir.path().join("data")).unwrap();
    assert!(dir.path().join("data").join(DATABASE_FILE).is_file());
    assert_eq!(reopened.load(&scope).await.unwrap(), before);
    assert_eq!(before.version, StateVersion(1));
    assert_eq!(
        reopened.find_mappings(&scope, &oh(1)).await.unwrap(),
        vec![numbered(1)]
    );
}

#[tokio::test]
async fn retired_bindings_are_purged_after_their_ttl_unless_revived() {
    let dir = TempDir::new().unwrap();
    let store = EmbeddedStore::open(dir.path()).unwrap();
    let (old, revived, current) = (scope("old"), scope("revived"), scope("current"));
    for scope in [&old, &revived, &current] {
        store
            .commit(scope, StateVersion(0), &with_mapping(1))
            .await
            .unwrap();
    }
    assert!(
        !store
            .retire_binding(&scope("never-written"), Duration::ZERO)
            .await
            .unwrap()
    );
    assert!(
        store
            .retire_binding(&old, Duration::from_secs(3600))
            .await
            .unwrap()
    );
    assert!(
        store
            .retire_binding(&revived, Duration::from_secs(3600))
            .await
            .unwrap()
    );
    assert!(store.revive_binding(&revived).await.unwrap());

    assert_eq!(
        store.purge_expired(Utc::now()).await.unwrap(),
        0,
        "not yet expired"
    );
    let later = Utc::now() + TimeDelta::hours(2);
    assert_eq!(store.purge_expired(later).await.unwrap(), 1);

    assert_eq!(store.load(&old).await.unwrap(), BindingState::default());
    assert!(store.find_mappings(&old, &oh(1)).await.unwrap().is_empty());
    for kept in [&revived, &current] {
        assert_eq!(store.load(kept).await.unwrap().mapping_count, 1);
    }
    // A purged binding starts again from version 0.
    store
        .commit(&old, StateVersion(0), &with_mapping(2))
        .await
        .unwrap();
}

#[tokio::test]
async fn damaged_records_are_reported_as_corrupt() {
    let dir = TempDir::new().unwrap();
    let store = EmbeddedStore::open(dir.path()).unwrap();
    let scope = scope("jan");
    store
        .commit(&scope, StateVersion(0), &with_mapping(1))
        .await
        .unwrap();
    let raw = rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
    raw.execute("UPDATE binding SET status = '{\"kind\":'", [])
        .unwrap();
    raw.execute("UPDATE mapping SET content_hash = x'00'", [])
        .unwrap();
    assert!(matches!(
        store.load(&scope).await,
        Err(StoreError::Corrupt(_))
    ));
    assert!(matches!(
        store.find_mappings(&scope, &oh(1)).await,
        Err(StoreError::Corrupt(_))
    ));
}

#[tokio::test]
async fn a_newer_schema_or_an_unusable_directory_is_refused() {
    let dir = TempDir::new().unwrap();
    drop(EmbeddedStore::open(dir.path()).unwrap());
    let raw = rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
    raw.pragma_update(None, "user_version", 9).unwrap();
    drop(raw);
    assert!(matches!(
        EmbeddedStore::open(dir.path()),
        Err(OpenError::NewerSchema {
            found: 9,
            known: 4,
            ..
        })
    ));

    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    assert!(matches!(
        EmbeddedStore::open(&file.join("data")),
        Err(OpenError::DataDirectory { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_tasks_share_one_store() {
    let dir = TempDir::new().unwrap();
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let users: Vec<_> = (0..64).map(|n| scope(&format!("user{n}"))).collect();
    let tasks: Vec<_> = users
        .iter()
        .cloned()
        .map(|scope| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut version = StateVersion(0);
                for n in 1..=5 {
                    version = store.commit(&scope, version, &with_mapping(n)).await?;
                    store.find_mappings(&scope, &oh(n)).await?;
                }
                Ok::<_, StoreError>(version)
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), Ok(StateVersion(5)));
    }
    for scope in &users {
        assert_eq!(store.load(scope).await.unwrap().mapping_count, 5);
    }
}
