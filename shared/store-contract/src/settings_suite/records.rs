//! Records: round trips, conditional saves, tenant isolation, odd characters.

use std::collections::BTreeSet;
use std::sync::Arc;

use ohsync_settings::store::{SettingsStore, SettingsStoreError, Shard};

use super::fixtures::{settings, shards_listing, tenant, tenant_users, user};

/// A saved record reads back exactly, before and after an update; an unknown user reads as
/// `None`.
pub async fn records_round_trip(store: Arc<dyn SettingsStore>) {
    let (acme, jan) = (tenant("acme"), user("jan"));
    assert_eq!(store.get(&acme, &jan).await.unwrap(), None);
    let first = settings(&acme, &jan, "jan", true, 1);
    store.put(&acme, &jan, &first, None).await.unwrap();
    assert_eq!(store.get(&acme, &jan).await.unwrap(), Some(first.clone()));

    let mut second = settings(&acme, &jan, "jan.other", false, 2);
    second.server_version_seen = Some("15.1.2507.6".into());
    second.updated_at = first.updated_at + chrono::Duration::nanoseconds(1_234_567_891);
    assert_ne!(first.binding_id, second.binding_id);
    store.put(&acme, &jan, &second, Some(1)).await.unwrap();
    assert_eq!(store.get(&acme, &jan).await.unwrap(), Some(second));
    assert_eq!(store.get(&acme, &user("piet")).await.unwrap(), None);
}

/// A save over a version other than the stored one, a create over an existing record and an
/// update of a missing one conflict and change nothing — not the record, not the index.
pub async fn conditional_put_conflicts_and_writes_nothing(store: Arc<dyn SettingsStore>) {
    let (acme, jan) = (tenant("acme"), user("jan"));
    let stored = settings(&acme, &jan, "jan", true, 3);
    store.put(&acme, &jan, &stored, None).await.unwrap();

    let inactive = settings(&acme, &jan, "jan.new", false, 4);
    for expected in [None, Some(2), Some(4)] {
        assert_eq!(
            store.put(&acme, &jan, &inactive, expected).await,
            Err(SettingsStoreError::Conflict),
            "expected {expected:?}"
        );
    }
    assert_eq!(store.get(&acme, &jan).await.unwrap(), Some(stored));
    let shard = Shard::of(&acme, &jan).index();
    assert_eq!(
        shards_listing(&store, &acme, &jan).await,
        BTreeSet::from([shard]),
        "a refused save must not take the user out of the index"
    );

    let piet = user("piet");
    let missing = settings(&acme, &piet, "piet", true, 2);
    assert_eq!(
        store.put(&acme, &piet, &missing, Some(1)).await,
        Err(SettingsStoreError::Conflict)
    );
    assert_eq!(store.get(&acme, &piet).await.unwrap(), None);
    assert!(shards_listing(&store, &acme, &piet).await.is_empty());

    store.put(&acme, &jan, &inactive, Some(3)).await.unwrap();
    assert_eq!(store.get(&acme, &jan).await.unwrap(), Some(inactive));
}

/// The same user id in two tenants (one a prefix of the other) is two users: own records,
/// own index entries, own listings.
pub async fn tenants_are_isolated(store: Arc<dyn SettingsStore>) {
    let (acme, acme_nl) = (tenant("acme"), tenant("acme.nl"));
    let jan = user("jan");
    let in_acme = settings(&acme, &jan, "jan", true, 1);
    let in_acme_nl = settings(&acme_nl, &jan, "jan.nl", true, 1);
    store.put(&acme, &jan, &in_acme, None).await.unwrap();
    store.put(&acme_nl, &jan, &in_acme_nl, None).await.unwrap();
    assert_eq!(store.get(&acme, &jan).await.unwrap(), Some(in_acme.clone()));
    assert_eq!(store.get(&acme_nl, &jan).await.unwrap(), Some(in_acme_nl));

    // More users than a page in acme, inactive ones included.
    let mut expected = vec![jan.clone()];
    for n in 0..super::PAGE_SIZE + 5 {
        let other = user(&format!("user{n:03}"));
        let record = settings(&acme, &other, "x", n.is_multiple_of(3), 1);
        store.put(&acme, &other, &record, None).await.unwrap();
        expected.push(other);
    }
    expected.sort();
    assert_eq!(tenant_users(&store, &acme).await, expected);
    assert_eq!(tenant_users(&store, &acme_nl).await, vec![jan.clone()]);
    assert!(tenant_users(&store, &tenant("acm")).await.is_empty());

    let switched_off = settings(&acme, &jan, "jan", false, 2);
    store
        .put(&acme, &jan, &switched_off, Some(1))
        .await
        .unwrap();
    assert!(shards_listing(&store, &acme, &jan).await.is_empty());
    assert_eq!(shards_listing(&store, &acme_nl, &jan).await.len(), 1);
}

/// Ids at their longest with every character they allow, and record fields with quotes,
/// separators and unicode, round-trip and list exactly.
pub async fn odd_characters_round_trip(store: Arc<dyn SettingsStore>) {
    let odd_tenant = tenant(&format!("A.b-c_{}", "9".repeat(58)));
    let odd_user = user(&format!("o.b-r_i@n.{}", "x".repeat(118)));
    let mut record = settings(&odd_tenant, &odd_user, "o'brien", true, 1);
    record.secret_ref.name = "ohsync/\"ac#me\"/%20/é/🗓️".into();
    record.server_version_seen = Some("15.2 <build> & 'quoted' \\ \n".into());
    store
        .put(&odd_tenant, &odd_user, &record, None)
        .await
        .unwrap();
    assert_eq!(
        store.get(&odd_tenant, &odd_user).await.unwrap(),
        Some(record)
    );
    assert_eq!(
        tenant_users(&store, &odd_tenant).await,
        vec![odd_user.clone()]
    );
    assert_eq!(
        shards_listing(&store, &odd_tenant, &odd_user).await,
        BTreeSet::from([Shard::of(&odd_tenant, &odd_user).index()])
    );
}
