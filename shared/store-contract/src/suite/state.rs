//! Cases on the state record: defaults, round trips, versions, positions and status.

use std::sync::Arc;

use ohsync_engine::ports::{BindingState, Commit, StateVersion, Store};

use super::fixtures::{
    aborted, by_officeheart, commit, completed, cursor, every_id, find, intent, item_ids, load,
    numbered, scope, sync_state,
};

/// A binding never written loads as the default state at version 0 and has no mappings.
pub async fn fresh_binding_loads_as_default(store: Arc<dyn Store>) {
    let scope = scope("fresh", "jan", "jan");
    assert_eq!(load(&store, &scope).await, BindingState::default());
    assert_eq!(load(&store, &scope).await.version, StateVersion(0));
    let mapping = numbered(1);
    assert!(find(&store, &scope, &every_id(&[mapping])).await.is_empty());
    assert!(find(&store, &scope, &Default::default()).await.is_empty());
}

/// Everything one commit writes is what the next load and lookup read.
pub async fn commit_round_trips_through_load(store: Arc<dyn Store>) {
    let scope = scope("roundtrip", "jan", "jan");
    let mappings = vec![numbered(1), numbered(2), numbered(3)];
    let mut unknown_version = numbered(4);
    unknown_version.exchange_change_key = None;
    let written = Commit {
        mapping_removals: Vec::new(),
        mapping_upserts: [mappings.clone(), vec![unknown_version.clone()]].concat(),
        intents_added: vec![intent("oh-9", "v9", 9), intent("oh-8", "v8", 8)],
        intents_removed: Vec::new(),
        unconfirmed_added: item_ids(&["AAMk-u2", "AAMk-u1"]),
        unconfirmed_removed: Vec::new(),
        mailbox_sync_state: Some(sync_state("first")),
        agenda_cursor: Some(cursor("first")),
        status: Some(completed(3)),
    };
    let version = commit(&store, &scope, StateVersion(0), written).await;

    let state = load(&store, &scope).await;
    assert_eq!(
        state,
        BindingState {
            version,
            mailbox_sync_state: Some(sync_state("first")),
            agenda_cursor: Some(cursor("first")),
            mapping_count: 4,
            intents: vec![intent("oh-8", "v8", 8), intent("oh-9", "v9", 9)],
            unconfirmed_items: item_ids(&["AAMk-u1", "AAMk-u2"]),
            status: Some(completed(3)),
        }
    );
    let all = [mappings, vec![unknown_version]].concat();
    assert_eq!(find(&store, &scope, &every_id(&all)).await, all);
}

/// Every commit, even one that changes nothing but the status, adds exactly one to the version.
pub async fn versions_advance_by_one_per_commit(store: Arc<dyn Store>) {
    let scope = scope("versions", "jan", "jan");
    let mut version = StateVersion(0);
    for seed in 0..5 {
        let status_only = Commit {
            status: Some(completed(seed)),
            ..Commit::default()
        };
        version = commit(&store, &scope, version, status_only).await;
        assert_eq!(load(&store, &scope).await.version, version);
    }
    assert_eq!(version, StateVersion(5));
    version = commit(&store, &scope, version, Commit::default()).await;
    assert_eq!(load(&store, &scope).await.version, version);
    assert_eq!(load(&store, &scope).await.status, Some(completed(4)));
}

/// Sync positions change only when a commit sets them; each advances on its own.
pub async fn positions_advance_only_when_set(store: Arc<dyn Store>) {
    let scope = scope("positions", "jan", "jan");
    let both = Commit {
        mailbox_sync_state: Some(sync_state("s1")),
        agenda_cursor: Some(cursor("c1")),
        ..Commit::default()
    };
    let version = commit(&store, &scope, StateVersion(0), both).await;
    let neither = Commit {
        mapping_upserts: vec![numbered(1)],
        status: Some(completed(1)),
        ..Commit::default()
    };
    let version = commit(&store, &scope, version, neither).await;
    let state = load(&store, &scope).await;
    assert_eq!(state.mailbox_sync_state, Some(sync_state("s1")));
    assert_eq!(state.agenda_cursor, Some(cursor("c1")));

    let mailbox_only = Commit {
        mailbox_sync_state: Some(sync_state("s2")),
        ..Commit::default()
    };
    let version = commit(&store, &scope, version, mailbox_only).await;
    let state = load(&store, &scope).await;
    assert_eq!(state.mailbox_sync_state, Some(sync_state("s2")));
    assert_eq!(state.agenda_cursor, Some(cursor("c1")));

    let agenda_only = Commit {
        agenda_cursor: Some(cursor("c2")),
        ..Commit::default()
    };
    commit(&store, &scope, version, agenda_only).await;
    let state = load(&store, &scope).await;
    assert_eq!(state.mailbox_sync_state, Some(sync_state("s2")));
    assert_eq!(state.agenda_cursor, Some(cursor("c2")));
    assert_eq!(state.mapping_count, 1);
    assert_eq!(state.status, Some(completed(1)));
}

/// A status round-trips exactly (outcome, counts, coded errors, nanoseconds), is replaced by the
/// next one, and stays when a commit sets none.
pub async fn status_round_trips(store: Arc<dyn Store>) {
    let scope = scope("status", "jan", "jan");
    let first = Commit {
        status: Some(aborted(1)),
        ..Commit::default()
    };
    let version = commit(&store, &scope, StateVersion(0), first).await;
    assert_eq!(load(&store, &scope).await.status, Some(aborted(1)));

    let second = Commit {
        status: Some(completed(2)),
        ..Commit::default()
    };
    let version = commit(&store, &scope, version, second).await;
    assert_eq!(load(&store, &scope).await.status, Some(completed(2)));

    let mappings_only = Commit {
        mapping_upserts: vec![numbered(5)],
        ..Commit::default()
    };
    commit(&store, &scope, version, mappings_only).await;
    let state = load(&store, &scope).await;
    assert_eq!(state.status, Some(completed(2)));
    assert_eq!(
        find(&store, &scope, &by_officeheart(&["oh-5"])).await,
        vec![numbered(5)]
    );
}
