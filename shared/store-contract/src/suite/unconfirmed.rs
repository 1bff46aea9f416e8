//! Cases on unconfirmed items: the Exchange items of mappings written by a run that could not
//! store a later Exchange position.

use std::sync::Arc;

use ohsync_engine::identity::ExchangeItemId;
use ohsync_engine::ports::{Commit, StateVersion, Store};

use super::fixtures::{commit, item_ids, load, mapping, numbered, scope, sync_state};

/// Unconfirmed items are added (an id added twice is kept once), kept by commits that do not
/// name them, removed by id (an unknown id is ignored), and are neither mappings nor intents;
/// another binding of the same user sees none of them.
pub async fn unconfirmed_items_are_added_kept_and_removed(store: Arc<dyn Store>) {
    let scope = scope("unconfirmed", "jan", "jan");
    let long = format!("AAMkAD{}==", "x".repeat(1000));
    let first = Commit {
        mapping_upserts: vec![mapping("oh-1", "AAMk-1", "0400-1", 1)],
        unconfirmed_added: item_ids(&["AAMk-1", "AAMk/2+ü", &long]),
        ..Commit::default()
    };
    let version = commit(&store, &scope, StateVersion(0), first).await;
    let state = load(&store, &scope).await;
    let mut expected = item_ids(&["AAMk-1", "AAMk/2+ü", &long]);
    expected.sort();
    assert_eq!(state.unconfirmed_items, expected);
    assert_eq!(state.mapping_count, 1);
    assert!(state.intents.is_empty());

    let again = Commit {
        unconfirmed_added: item_ids(&["AAMk-1", "AAMk-3"]),
        ..Commit::default()
    };
    let version = commit(&store, &scope, version, again).await;
    let untouched = Commit {
        mapping_upserts: vec![numbered(7)],
        ..Commit::default()
    };
    let version = commit(&store, &scope, version, untouched).await;
    let mut expected = item_ids(&["AAMk-1", "AAMk-3", "AAMk/2+ü", &long]);
    expected.sort();
    assert_eq!(load(&store, &scope).await.unconfirmed_items, expected);

    let other = super::fixtures::scope("unconfirmed", "jan", "jan.other");
    assert!(load(&store, &other).await.unconfirmed_items.is_empty());

    let removed = Commit {
        mailbox_sync_state: Some(sync_state("after")),
        unconfirmed_removed: item_ids(&["AAMk-1", &long, "AAMk-404"]),
        ..Commit::default()
    };
    commit(&store, &scope, version, removed).await;
    let state = load(&store, &scope).await;
    assert_eq!(state.unconfirmed_items, item_ids(&["AAMk-3", "AAMk/2+ü"]));
    assert_eq!(state.mailbox_sync_state, Some(sync_state("after")));
    assert_eq!(state.mapping_count, 2);
}

/// A commit too big for one request (150 mappings, each with its item unconfirmed) keeps every
/// one, and one commit that stores a position forgets them all.
pub async fn many_unconfirmed_items_round_trip(store: Arc<dyn Store>) {
    let scope = scope("unconfirmed-many", "jan", "jan");
    let mappings: Vec<_> = (0..150).map(numbered).collect();
    let mut items: Vec<ExchangeItemId> = mappings
        .iter()
        .map(|mapping| mapping.exchange_item_id.clone())
        .collect();
    items.sort();
    let partial = Commit {
        mapping_upserts: mappings,
        unconfirmed_added: items.clone(),
        ..Commit::default()
    };
    let version = commit(&store, &scope, StateVersion(0), partial).await;
    let state = load(&store, &scope).await;
    assert_eq!(state.unconfirmed_items, items);
    assert_eq!(state.mapping_count, 150);

    let completed = Commit {
        mailbox_sync_state: Some(sync_state("confirmed")),
        unconfirmed_removed: items,
        ..Commit::default()
    };
    commit(&store, &scope, version, completed).await;
    let state = load(&store, &scope).await;
    assert!(state.unconfirmed_items.is_empty());
    assert_eq!(state.mailbox_sync_state, Some(sync_state("confirmed")));
}
