//! Cases on mapping lookups: each id kind, mixes, replaced and removed mappings.

use std::sync::Arc;

use ohsync_engine::identity::OfficeHeartId;
use ohsync_engine::ports::{Commit, MappingQuery, StateVersion, Store};

use super::fixtures::{
    by_item, by_officeheart, by_uid, commit, every_id, find, load, mapping, numbered, scope,
    upserting,
};

/// Each mapping is found by its OfficeHeart id, its ItemId and its UID alone.
pub async fn mappings_are_found_by_each_id_kind(store: Arc<dyn Store>) {
    let scope = scope("kinds", "jan", "jan");
    let mappings: Vec<_> = (1..=3).map(numbered).collect();
    commit(&store, &scope, StateVersion(0), upserting(mappings.clone())).await;
    for mapping in &mappings {
        let queries = [
            by_officeheart(&[mapping.officeheart_id.as_str()]),
            by_item(&[mapping.exchange_item_id.as_str()]),
            by_uid(&[mapping.exchange_uid.as_str()]),
        ];
        for query in queries {
            assert_eq!(find(&store, &scope, &query).await, vec![mapping.clone()]);
        }
    }
    let unknown = numbered(4);
    assert!(find(&store, &scope, &every_id(&[unknown])).await.is_empty());
}

/// One query mixing all three id kinds finds every match once, whichever and however many of
/// its ids are named, and ignores unknown ids.
pub async fn mixed_query_finds_each_mapping_once(store: Arc<dyn Store>) {
    let scope = scope("mixed", "jan", "jan");
    let m: Vec<_> = (1..=6).map(numbered).collect();
    commit(&store, &scope, StateVersion(0), upserting(m.clone())).await;
    let unknown = numbered(99);
    let query = MappingQuery {
        officeheart_ids: vec![
            m[0].officeheart_id.clone(),
            m[3].officeheart_id.clone(),
            m[4].officeheart_id.clone(),
            m[4].officeheart_id.clone(),
            unknown.officeheart_id.clone(),
        ],
        exchange_item_ids: vec![
            m[1].exchange_item_id.clone(),
            m[3].exchange_item_id.clone(),
            unknown.exchange_item_id.clone(),
        ],
        exchange_uids: vec![
            m[2].exchange_uid.clone(),
            m[3].exchange_uid.clone(),
            unknown.exchange_uid.clone(),
        ],
    };
    assert_eq!(find(&store, &scope, &query).await, m[..5].to_vec());
}

/// An id of one kind never finds a mapping that has the same text as an id of another kind,
/// nor one whose id merely starts with it.
pub async fn id_kinds_do_not_collide(store: Arc<dyn Store>) {
    let scope = scope("collide", "jan", "jan");
    let a = mapping("X", "Y", "Z", 1);
    let b = mapping("Y", "Z", "X", 2);
    let c = mapping("X#", "Y#", "Z#", 3);
    commit(
        &store,
        &scope,
        StateVersion(0),
        upserting(vec![a.clone(), b.clone(), c.clone()]),
    )
    .await;
    assert_eq!(
        find(&store, &scope, &by_officeheart(&["X"])).await,
        vec![a.clone()]
    );
    assert_eq!(
        find(&store, &scope, &by_officeheart(&["Y"])).await,
        vec![b.clone()]
    );
    assert_eq!(
        find(&store, &scope, &by_item(&["Y"])).await,
        vec![a.clone()]
    );
    assert_eq!(
        find(&store, &scope, &by_item(&["Z"])).await,
        vec![b.clone()]
    );
    assert_eq!(find(&store, &scope, &by_uid(&["X"])).await, vec![b]);
    assert_eq!(find(&store, &scope, &by_uid(&["Z"])).await, vec![a]);
    assert_eq!(find(&store, &scope, &by_uid(&["Z#"])).await, vec![c]);
    assert!(find(&store, &scope, &by_item(&["X"])).await.is_empty());
    assert!(
        find(&store, &scope, &by_officeheart(&["Z"]))
            .await
            .is_empty()
    );
}

/// A mapping upserted with a new ItemId and UID is found by the new ids only.
pub async fn replaced_mapping_drops_its_old_ids(store: Arc<dyn Store>) {
    let scope = scope("replaced", "jan", "jan");
    let old = numbered(1);
    let version = commit(
        &store,
        &scope,
        StateVersion(0),
        upserting(vec![old.clone()]),
    )
    .await;
    let new = mapping("oh-1", "AAMk-moved=", "uid-recreated", 2);
    commit(&store, &scope, version, upserting(vec![new.clone()])).await;

    assert!(
        find(&store, &scope, &by_item(&[old.exchange_item_id.as_str()]))
            .await
            .is_empty()
    );
    assert!(
        find(&store, &scope, &by_uid(&[old.exchange_uid.as_str()]))
            .await
            .is_empty()
    );
    for query in [
        by_officeheart(&["oh-1"]),
        by_item(&["AAMk-moved="]),
        by_uid(&["uid-recreated"]),
        every_id(&[old, new.clone()]),
    ] {
        assert_eq!(find(&store, &scope, &query).await, vec![new.clone()]);
    }
    assert_eq!(load(&store, &scope).await.mapping_count, 1);
}

/// Within one commit an ItemId and a UID may pass from one mapping to another, and a removed
/// mapping's ids may be taken by another: lookups follow the final state, whatever the order.
pub async fn item_id_passed_between_mappings_in_one_commit(store: Arc<dyn Store>) {
    let scope = scope("handover", "jan", "jan");
    let a = mapping("a", "item-A", "uid-A", 1);
    let b = mapping("b", "item-B", "uid-B", 2);
    let c = mapping("c", "item-C", "uid-C", 3);
    let version = commit(&store, &scope, StateVersion(0), upserting(vec![a, b, c])).await;

    let b_takes_a = mapping("b", "item-A", "uid-A", 4);
    let a_moves_on = mapping("a", "item-D", "uid-B", 5);
    let d_takes_c = mapping("d", "item-C", "uid-C", 6);
    let handover = Commit {
        mapping_removals: vec![OfficeHeartId::parse("c").unwrap()],
        mapping_upserts: vec![b_takes_a.clone(), d_takes_c.clone(), a_moves_on.clone()],
        ..Commit::default()
    };
    commit(&store, &scope, version, handover).await;

    let expect = [
        (by_item(&["item-A"]), vec![b_takes_a.clone()]),
        (by_uid(&["uid-A"]), vec![b_takes_a.clone()]),
        (by_item(&["item-B"]), vec![]),
        (by_uid(&["uid-B"]), vec![a_moves_on.clone()]),
        (by_item(&["item-D"]), vec![a_moves_on.clone()]),
        (by_item(&["item-C"]), vec![d_takes_c.clone()]),
        (by_uid(&["uid-C"]), vec![d_takes_c.clone()]),
        (by_officeheart(&["c"]), vec![]),
    ];
    for (query, found) in expect {
        assert_eq!(find(&store, &scope, &query).await, found, "{query:?}");
    }
    assert_eq!(load(&store, &scope).await.mapping_count, 3);
}

/// Removed mappings are found by none of their ids; removing an unknown id is harmless; a
/// removal and an upsert of one id in one commit leave the upserted mapping.
pub async fn removed_mappings_are_gone(store: Arc<dyn Store>) {
    let scope = scope("removed", "jan", "jan");
    let m: Vec<_> = (1..=3).map(numbered).collect();
    let version = commit(&store, &scope, StateVersion(0), upserting(m.clone())).await;
    let mut renewed = numbered(2);
    renewed.exchange_item_id = numbered(22).exchange_item_id;
    let removal = Commit {
        mapping_removals: vec![
            m[0].officeheart_id.clone(),
            m[1].officeheart_id.clone(),
            OfficeHeartId::parse("oh-404").unwrap(),
        ],
        mapping_upserts: vec![renewed.clone()],
        ..Commit::default()
    };
    let version = commit(&store, &scope, version, removal).await;

    assert!(find(&store, &scope, &every_id(&m[..1])).await.is_empty());
    assert_eq!(
        find(&store, &scope, &every_id(&m)).await,
        vec![renewed.clone(), m[2].clone()]
    );
    assert!(
        find(&store, &scope, &by_item(&[m[1].exchange_item_id.as_str()]))
            .await
            .is_empty()
    );
    assert_eq!(load(&store, &scope).await.mapping_count, 2);

    let rest = Commit {
        mapping_removals: vec![renewed.officeheart_id, m[2].officeheart_id.clone()],
        ..Commit::default()
    };
    commit(&store, &scope, version, rest).await;
    assert!(find(&store, &scope, &every_id(&m)).await.is_empty());
    assert!(
        find(
            &store,
            &scope,
            &by_item(&[numbered(22).exchange_item_id.as_str()])
        )
        .await
        .is_empty()
    );
    assert_eq!(load(&store, &scope).await.mapping_count, 0);
}
