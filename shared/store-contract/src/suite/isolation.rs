//! Cases on isolation between tenants, users and bindings.

use std::sync::Arc;

use ohsync_engine::ports::{BindingState, Commit, StateVersion, Store};

use super::fixtures::{
    commit, completed, cursor, every_id, find, intent, load, numbered, scope, sync_state,
};

/// The same ids under another tenant, another user or another binding of the same user are
/// invisible, and each scope has its own version.
pub async fn tenants_users_and_bindings_are_isolated(store: Arc<dyn Store>) {
    let home = scope("acme", "jan", "jan");
    let scopes = [
        home.clone(),
        scope("globex", "jan", "jan"),
        scope("acme", "piet", "jan"),
        scope("acme", "jan", "jan.second-account"),
    ];
    let mappings: Vec<_> = (1..=3).map(numbered).collect();
    let written = Commit {
        mapping_upserts: mappings.clone(),
        intents_added: vec![intent("oh-1", "v1", 1)],
        mailbox_sync_state: Some(sync_state("home")),
        agenda_cursor: Some(cursor("home")),
        status: Some(completed(1)),
        ..Commit::default()
    };
    commit(&store, &home, StateVersion(0), written).await;
    let home_state = load(&store, &home).await;

    for other in &scopes[1..] {
        assert_eq!(
            load(&store, other).await,
            BindingState::default(),
            "{other:?}"
        );
        assert!(find(&store, other, &every_id(&mappings)).await.is_empty());
    }
    for (n, other) in scopes[1..].iter().enumerate() {
        let own = Commit {
            mapping_upserts: vec![numbered(1 + n as u64 * 10)],
            mailbox_sync_state: Some(sync_state(&format!("other-{n}"))),
            ..Commit::default()
        };
        commit(&store, other, StateVersion(0), own).await;
    }
    assert_eq!(load(&store, &home).await, home_state);
    assert_eq!(find(&store, &home, &every_id(&mappings)).await, mappings);
    for (n, other) in scopes[1..].iter().enumerate() {
        let state = load(&store, other).await;
        assert_eq!(
            state.mailbox_sync_state,
            Some(sync_state(&format!("other-{n}")))
        );
        assert_eq!(state.mapping_count, 1);
        assert!(state.intents.is_empty());
        let own = numbered(1 + n as u64 * 10);
        assert_eq!(
            find(
                &store,
                other,
                &every_id(&[mappings.clone(), vec![own.clone()]].concat())
            )
            .await,
            vec![own]
        );
    }
}
