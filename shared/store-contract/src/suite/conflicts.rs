//! Cases on the conditional write: stale versions and racing commits.

use std::sync::Arc;

use ohsync_engine::identity::OfficeHeartId;
use ohsync_engine::ports::{BindingScope, Commit, StateVersion, Store, StoreError};

use super::fixtures::{
    aborted, commit, completed, cursor, every_id, find, intent, item_ids, load, numbered, scope,
    sync_state,
};

async fn assert_conflict(
    store: &Arc<dyn Store>,
    scope: &BindingScope,
    expected: StateVersion,
    stale: &Commit,
) {
    assert_eq!(
        store.commit(scope, expected, stale).await,
        Err(StoreError::Conflict),
        "a commit from version {expected:?} must conflict"
    );
}

/// A commit from a version other than the stored one fails with `Conflict` and changes nothing:
/// not the mappings, intents, positions, status or version.
pub async fn stale_commit_conflicts_and_writes_nothing(store: Arc<dyn Store>) {
    let scope = scope("stale", "jan", "jan");
    let first = Commit {
        mapping_upserts: vec![numbered(1), numbered(2)],
        intents_added: vec![intent("oh-7", "v1", 7)],
        unconfirmed_added: item_ids(&["AAMk-u1"]),
        mailbox_sync_state: Some(sync_state("s1")),
        agenda_cursor: Some(cursor("c1")),
        status: Some(completed(1)),
        ..Commit::default()
    };
    commit(&store, &scope, StateVersion(0), first).await;
    let before = load(&store, &scope).await;

    let mut changed = numbered(2);
    changed.exchange_item_id = numbered(20).exchange_item_id;
    let stale = Commit {
        mapping_removals: vec![numbered(1).officeheart_id],
        mapping_upserts: vec![numbered(3), changed],
        intents_added: vec![intent("oh-8", "v1", 8)],
        intents_removed: vec![OfficeHeartId::parse("oh-7").unwrap()],
        unconfirmed_added: item_ids(&["AAMk-u2"]),
        unconfirmed_removed: item_ids(&["AAMk-u1"]),
        mailbox_sync_state: Some(sync_state("s2")),
        agenda_cursor: Some(cursor("c2")),
        status: Some(aborted(2)),
    };
    for expected in [StateVersion(0), StateVersion(2), StateVersion(u64::MAX)] {
        assert_conflict(&store, &scope, expected, &stale).await;
    }

    assert_eq!(load(&store, &scope).await, before);
    let everything = every_id(&[numbered(1), numbered(2), numbered(3), numbered(20)]);
    assert_eq!(
        find(&store, &scope, &everything).await,
        vec![numbered(1), numbered(2)]
    );
}

/// A stale commit too big for one atomic write still changes nothing.
pub async fn stale_large_commit_conflicts_and_writes_nothing(store: Arc<dyn Store>) {
    let scope = scope("stale-large", "jan", "jan");
    commit(
        &store,
        &scope,
        StateVersion(0),
        Commit {
            mapping_upserts: vec![numbered(0)],
            ..Commit::default()
        },
    )
    .await;
    let before = load(&store, &scope).await;

    let many: Vec<_> = (1..=300).map(numbered).collect();
    let stale = Commit {
        mapping_removals: vec![numbered(0).officeheart_id],
        mapping_upserts: many.clone(),
        intents_added: (1..=50)
            .map(|n| intent(&format!("oh-{n}"), "v", n))
            .collect(),
        mailbox_sync_state: Some(sync_state("big")),
        ..Commit::default()
    };
    assert_conflict(&store, &scope, StateVersion(0), &stale).await;

    assert_eq!(load(&store, &scope).await, before);
    assert!(find(&store, &scope, &every_id(&many)).await.is_empty());
    assert_eq!(
        find(&store, &scope, &every_id(&[numbered(0)])).await,
        vec![numbered(0)]
    );
}

/// Racing commits from one version: exactly one wins, the others conflict, and the state is the
/// winner's alone. Repeated from each new version.
pub async fn concurrent_commits_from_one_version_have_one_winner(store: Arc<dyn Store>) {
    const RACERS: u64 = 4;
    let scope = scope("race", "jan", "jan");
    let mut version = StateVersion(0);
    let mut expected_count = 0;
    let mut expected_intents = Vec::new();
    for round in 0..3u64 {
        let racers: Vec<_> = (0..RACERS)
            .map(|racer| {
                let store = store.clone();
                let scope = scope.clone();
                let id = round * 100 + racer * 10;
                let racing = Commit {
                    mapping_upserts: (id..id + 5).map(numbered).collect(),
                    intents_added: vec![intent(&format!("oh-{id}"), "v", id)],
                    mailbox_sync_state: Some(sync_state(&format!("r{round}-{racer}"))),
                    agenda_cursor: Some(cursor(&format!("r{round}-{racer}"))),
                    status: Some(completed(id)),
                    ..Commit::default()
                };
                tokio::spawn(async move { (racer, store.commit(&scope, version, &racing).await) })
            })
            .collect();
        let mut winners = Vec::new();
        for racer in racers {
            let (racer, outcome) = racer.await.unwrap();
            match outcome {
                Ok(next) => {
                    assert_eq!(next, StateVersion(version.0 + 1));
                    winners.push(racer);
                }
                Err(error) => assert_eq!(error, StoreError::Conflict),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: winners {winners:?}");
        let winner = winners[0];
        let winner_id = round * 100 + winner * 10;
        expected_count += 5;
        expected_intents.push(intent(&format!("oh-{winner_id}"), "v", winner_id));
        expected_intents.sort_by(|a, b| a.officeheart_id.cmp(&b.officeheart_id));

        let state = load(&store, &scope).await;
        version = StateVersion(version.0 + 1);
        assert_eq!(state.version, version);
        assert_eq!(
            state.mailbox_sync_state,
            Some(sync_state(&format!("r{round}-{winner}")))
        );
        assert_eq!(
            state.agenda_cursor,
            Some(cursor(&format!("r{round}-{winner}")))
        );
        assert_eq!(state.status, Some(completed(winner_id)));
        assert_eq!(state.mapping_count, expected_count);
        assert_eq!(state.intents, expected_intents);
        for racer in 0..RACERS {
            let id = round * 100 + racer * 10;
            let written: Vec<_> = (id..id + 5).map(numbered).collect();
            let found = find(&store, &scope, &every_id(&written)).await;
            if racer == winner {
                assert_eq!(found, super::fixtures::sorted(written));
            } else {
                assert!(found.is_empty(), "a losing commit left mappings");
            }
        }
    }
}
