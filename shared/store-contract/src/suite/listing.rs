//! Cases on listing every mapping of a binding page by page.

use std::collections::HashSet;
use std::sync::Arc;

use ohsync_engine::ports::{Commit, StateVersion, Store};

use super::fixtures::{
    commit, completed, intent, list_all, load, numbered, scope, sorted, sync_state, upserting,
};

/// A binding never written and a binding written without mappings both list as one empty page.
pub async fn empty_binding_lists_nothing(store: Arc<dyn Store>) {
    let never = scope("listing", "never", "never");
    assert_eq!(list_all(&store, &never, 1).await, (Vec::new(), 1));
    let bare = scope("listing", "bare", "bare");
    let positions_only = Commit {
        mailbox_sync_state: Some(sync_state("bare")),
        status: Some(completed(1)),
        ..Commit::default()
    };
    commit(&store, &bare, StateVersion(0), positions_only).await;
    assert_eq!(list_all(&store, &bare, 1).await, (Vec::new(), 1));
}

/// 1,000 mappings are listed each exactly once across the pages, without the intents or the
/// state, and after removing some the listing holds exactly the rest.
pub async fn thousand_mappings_are_listed_once(store: Arc<dyn Store>) {
    let scope = scope("listing", "jan", "jan");
    let all: Vec<_> = (1..=1000).map(numbered).collect();
    let first = Commit {
        mapping_upserts: all.clone(),
        intents_added: vec![intent("oh-intent", "v1", 1)],
        mailbox_sync_state: Some(sync_state("listing")),
        ..Commit::default()
    };
    let version = commit(&store, &scope, StateVersion(0), first).await;
    let (listed, _pages) = list_all(&store, &scope, 1001).await;
    let distinct: HashSet<_> = listed.iter().map(|m| m.officeheart_id.clone()).collect();
    assert_eq!(distinct.len(), listed.len(), "a mapping was listed twice");
    assert_eq!(listed, sorted(all.clone()));

    let removal = Commit {
        mapping_removals: all[..300]
            .iter()
            .map(|m| m.officeheart_id.clone())
            .collect(),
        ..Commit::default()
    };
    commit(&store, &scope, version, removal).await;
    assert_eq!(load(&store, &scope).await.mapping_count, 700);
    assert_eq!(
        list_all(&store, &scope, 1001).await.0,
        sorted(all[300..].to_vec())
    );
}

/// Each binding lists only its own mappings, also when other tenants, users and bindings hold
/// the same ids.
pub async fn listing_is_isolated_between_bindings(store: Arc<dyn Store>) {
    let scopes = [
        scope("listed-acme", "jan", "jan"),
        scope("listed-globex", "jan", "jan"),
        scope("listed-acme", "piet", "jan"),
        scope("listed-acme", "jan", "jan.second-account"),
    ];
    let shared: Vec<_> = (1..=3).map(numbered).collect();
    for (n, each) in scopes.iter().enumerate() {
        let own = numbered(100 + n as u64);
        let written = [shared.clone(), vec![own]].concat();
        commit(&store, each, StateVersion(0), upserting(written)).await;
    }
    for (n, each) in scopes.iter().enumerate() {
        let own = numbered(100 + n as u64);
        let expected = sorted([shared.clone(), vec![own]].concat());
        assert_eq!(list_all(&store, each, 10).await.0, expected, "{each:?}");
    }
}
