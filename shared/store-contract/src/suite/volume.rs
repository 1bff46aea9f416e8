//! Cases on size and on the characters ids may hold.

use std::sync::Arc;

use ohsync_engine::identity::{ExchangeItemId, OfficeHeartId};
use ohsync_engine::ports::{Commit, MappingQuery, StateVersion, Store};

use super::fixtures::{
    by_item, by_officeheart, by_uid, commit, completed, cursor, every_id, find, load, mapping,
    numbered, scope, sorted, sync_state, upserting,
};

/// One commit of 1,000 mappings round-trips, and a second commit removing half and moving a
/// tenth of them leaves exactly the expected lookups.
pub async fn thousand_mappings_round_trip(store: Arc<dyn Store>) {
    let scope = scope("volume", "jan", "jan");
    let all: Vec<_> = (1..=1000).map(numbered).collect();
    let first = Commit {
        mapping_upserts: all.clone(),
        mailbox_sync_state: Some(sync_state("initial")),
        agenda_cursor: Some(cursor("initial")),
        status: Some(completed(1)),
        ..Commit::default()
    };
    let version = commit(&store, &scope, StateVersion(0), first).await;
    let state = load(&store, &scope).await;
    assert_eq!(state.mapping_count, 1000);
    assert_eq!(state.mailbox_sync_state, Some(sync_state("initial")));
    let by_officeheart_ids = MappingQuery {
        officeheart_ids: all.iter().map(|m| m.officeheart_id.clone()).collect(),
        ..MappingQuery::default()
    };
    assert_eq!(
        find(&store, &scope, &by_officeheart_ids).await,
        sorted(all.clone())
    );
    let by_item_ids = MappingQuery {
        exchange_item_ids: all.iter().map(|m| m.exchange_item_id.clone()).collect(),
        ..MappingQuery::default()
    };
    assert_eq!(
        find(&store, &scope, &by_item_ids).await,
        sorted(all.clone())
    );

    let moved: Vec<_> = all[500..600]
        .iter()
        .map(|m| {
            let mut moved = m.clone();
            moved.exchange_item_id =
                ExchangeItemId::parse(&format!("moved-{}", m.officeheart_id)).unwrap();
            moved
        })
        .collect();
    let second = Commit {
        mapping_removals: all[..500]
            .iter()
            .map(|m| m.officeheart_id.clone())
            .collect(),
        mapping_upserts: moved.clone(),
        mailbox_sync_state: Some(sync_state("second")),
        ..Commit::default()
    };
    commit(&store, &scope, version, second).await;
    let state = load(&store, &scope).await;
    assert_eq!(state.mapping_count, 500);
    assert_eq!(state.mailbox_sync_state, Some(sync_state("second")));
    assert!(
        find(&store, &scope, &every_id(&all[..500]))
            .await
            .is_empty()
    );
    let old_item_ids = MappingQuery {
        exchange_item_ids: all[500..600]
            .iter()
            .map(|m| m.exchange_item_id.clone())
            .collect(),
        ..MappingQuery::default()
    };
    assert!(find(&store, &scope, &old_item_ids).await.is_empty());
    let expected = sorted([moved.clone(), all[600..].to_vec()].concat());
    assert_eq!(find(&store, &scope, &every_id(&all)).await, expected);
    assert_eq!(find(&store, &scope, &every_id(&moved)).await, sorted(moved));
}

/// Ids holding key separators, percent signs, quotes, unicode, and the longest ids the engine
/// accepts round-trip and are found by exact match only, in scopes with unusual user names.
pub async fn odd_characters_in_ids_round_trip(store: Arc<dyn Store>) {
    let scope = scope("acme-nl_2.0", "jan.de-vries@acme.nl", "j.de.vries");
    let odd = vec![
        mapping("a#b", "x#y:z", "u#1:2", 1),
        mapping("a", "x", "u", 2),
        mapping("a#", "x#", "u#", 3),
        mapping("afspraak:é€😀", "AAMk/+=%2F\"'\\", "040000€😀:#", 4),
        mapping("50%_off*?[]", "ídéntïté", "{uid}", 5),
        mapping(
            &"😀".repeat(256),
            &"I".repeat(1024),
            &format!("{}é", "U".repeat(2047)),
            6,
        ),
    ];
    commit(&store, &scope, StateVersion(0), upserting(odd.clone())).await;
    assert_eq!(load(&store, &scope).await.mapping_count, odd.len() as u64);
    for m in &odd {
        for query in [
            by_officeheart(&[m.officeheart_id.as_str()]),
            by_item(&[m.exchange_item_id.as_str()]),
            by_uid(&[m.exchange_uid.as_str()]),
        ] {
            assert_eq!(
                find(&store, &scope, &query).await,
                vec![m.clone()],
                "{query:?}"
            );
        }
    }
    assert!(
        find(
            &store,
            &scope,
            &by_officeheart(&["a#b#", "A", "a:b", "afspraak"])
        )
        .await
        .is_empty()
    );
    assert!(
        find(&store, &scope, &by_item(&["x#y", "%2F", "X"]))
            .await
            .is_empty()
    );
    assert_eq!(
        find(&store, &scope, &every_id(&odd)).await,
        sorted(odd.clone())
    );

    let removal = Commit {
        mapping_removals: vec![OfficeHeartId::parse("a#").unwrap()],
        ..Commit::default()
    };
    commit(&store, &scope, StateVersion(1), removal).await;
    assert_eq!(
        find(&store, &scope, &by_officeheart(&["a", "a#b"]))
            .await
            .len(),
        2
    );
    assert!(find(&store, &scope, &by_uid(&["u#"])).await.is_empty());
}
