//! Cases on pending intents.

use std::sync::Arc;

use ohsync_engine::identity::OfficeHeartId;
use ohsync_engine::ports::{Commit, StateVersion, Store};

use super::fixtures::{commit, intent, load, scope};

fn ids(raw: &[&str]) -> Vec<OfficeHeartId> {
    raw.iter()
        .map(|id| OfficeHeartId::parse(id).unwrap())
        .collect()
}

/// Intents are added, replaced per OfficeHeart id, and removed; an id both removed and added in
/// one commit ends up added; intents are not mappings.
pub async fn intents_are_added_replaced_and_removed(store: Arc<dyn Store>) {
    let scope = scope("intents", "jan", "jan");
    let added = Commit {
        intents_added: vec![
            intent("oh-1", "v1", 1),
            intent("oh-2", "v1", 2),
            intent("oh-3", "v1", 3),
        ],
        ..Commit::default()
    };
    let version = commit(&store, &scope, StateVersion(0), added).await;
    let state = load(&store, &scope).await;
    assert_eq!(
        state.intents,
        vec![
            intent("oh-1", "v1", 1),
            intent("oh-2", "v1", 2),
            intent("oh-3", "v1", 3)
        ]
    );
    assert_eq!(state.mapping_count, 0);

    let changed = Commit {
        intents_added: vec![intent("oh-1", "v2", 11), intent("oh-4", "v1", 4)],
        intents_removed: ids(&["oh-2", "oh-4", "oh-404"]),
        ..Commit::default()
    };
    let version = commit(&store, &scope, version, changed).await;
    assert_eq!(
        load(&store, &scope).await.intents,
        vec![
            intent("oh-1", "v2", 11),
            intent("oh-3", "v1", 3),
            intent("oh-4", "v1", 4)
        ]
    );

    let untouched = Commit::default();
    let version = commit(&store, &scope, version, untouched).await;
    assert_eq!(load(&store, &scope).await.intents.len(), 3);

    let cleared = Commit {
        intents_removed: ids(&["oh-1", "oh-3", "oh-4"]),
        ..Commit::default()
    };
    commit(&store, &scope, version, cleared).await;
    assert!(load(&store, &scope).await.intents.is_empty());
}
