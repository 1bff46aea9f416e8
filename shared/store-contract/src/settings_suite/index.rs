//! The active-users index: kept in step with the records, paged, and sharded without gaps or
//! doubles.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ohsync_engine::identity::{TenantId, UserId};
use ohsync_settings::store::{SettingsStore, Shard};

use super::fixtures::{
    create_all, settings, shard_pages, shard_users, shards_listing, tenant, user, users_in_shard,
};

/// Saving active puts the user in its own shard only; saving inactive takes it out; saving
/// active again puts it back. A user created inactive is never listed.
pub async fn active_toggling_moves_the_user_in_and_out_of_the_index(store: Arc<dyn SettingsStore>) {
    let (acme, jan, piet) = (tenant("acme"), user("jan"), user("piet"));
    let own = BTreeSet::from([Shard::of(&acme, &jan).index()]);
    store
        .put(&acme, &jan, &settings(&acme, &jan, "jan", true, 1), None)
        .await
        .unwrap();
    assert_eq!(shards_listing(&store, &acme, &jan).await, own);

    store
        .put(
            &acme,
            &jan,
            &settings(&acme, &jan, "jan", false, 2),
            Some(1),
        )
        .await
        .unwrap();
    assert!(shards_listing(&store, &acme, &jan).await.is_empty());

    // Saving inactive twice leaves nothing behind either.
    store
        .put(
            &acme,
            &jan,
            &settings(&acme, &jan, "jan", false, 3),
            Some(2),
        )
        .await
        .unwrap();
    assert!(shards_listing(&store, &acme, &jan).await.is_empty());

    store
        .put(&acme, &jan, &settings(&acme, &jan, "jan", true, 4), Some(3))
        .await
        .unwrap();
    store
        .put(&acme, &jan, &settings(&acme, &jan, "jan", true, 5), Some(4))
        .await
        .unwrap();
    assert_eq!(shards_listing(&store, &acme, &jan).await, own);

    store
        .put(
            &acme,
            &piet,
            &settings(&acme, &piet, "piet", false, 1),
            None,
        )
        .await
        .unwrap();
    assert!(shards_listing(&store, &acme, &piet).await.is_empty());
}

/// A shard of 1,000 active users (and inactive ones beside them) pages through in order, each
/// active user exactly once, no page longer than the page size.
pub async fn shard_of_a_thousand_users_pages_through(store: Arc<dyn SettingsStore>) {
    let paging = tenant("paging");
    let shard = Shard::new(5).unwrap();
    let users = users_in_shard(&paging, shard, "user", 1_100);
    let (active, inactive) = users.split_at(1_000);
    let with_tenant = |users: &[UserId]| -> Vec<(TenantId, UserId)> {
        users.iter().map(|u| (paging.clone(), u.clone())).collect()
    };
    create_all(&store, &with_tenant(active), true).await;
    create_all(&store, &with_tenant(inactive), false).await;

    let pages = shard_pages(&store, shard).await;
    assert!(
        pages.len() >= 1_000 / super::PAGE_SIZE as usize,
        "{} pages",
        pages.len()
    );
    let listed: Vec<_> = pages.into_iter().flatten().collect();
    let mut expected = with_tenant(active);
    expected.sort();
    assert_eq!(listed, expected);
}

/// Across all shards, every active user of several tenants is listed exactly once, in the
/// shard its hash names; inactive users nowhere.
pub async fn every_active_user_is_in_exactly_one_shard(store: Arc<dyn SettingsStore>) {
    let mut active = Vec::new();
    let mut inactive = Vec::new();
    for tenant_name in ["acme", "acme-2", "beta"] {
        let tenant = tenant(tenant_name);
        for n in 0u32..60 {
            let entry = (tenant.clone(), user(&format!("u{n}@{tenant_name}.nl")));
            if n.is_multiple_of(4) {
                inactive.push(entry);
            } else {
                active.push(entry);
            }
        }
    }
    create_all(&store, &active, true).await;
    create_all(&store, &inactive, false).await;

    let mut seen = BTreeMap::new();
    for shard in Shard::all() {
        for entry in shard_users(&store, shard).await {
            assert_eq!(Shard::of(&entry.0, &entry.1), shard, "{entry:?} in {shard}");
            *seen.entry(entry).or_insert(0) += 1;
        }
    }
    let expected: BTreeMap<_, _> = active.into_iter().map(|entry| (entry, 1)).collect();
    assert_eq!(seen, expected);
    let used_shards: BTreeSet<_> = seen.keys().map(|(t, u)| Shard::of(t, u)).collect();
    assert!(used_shards.len() > 8, "135 users fill most shards");
}
