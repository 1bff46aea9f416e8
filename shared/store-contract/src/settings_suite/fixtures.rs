//! Settings records and ids the cases build on, and whole-index reads; public so that
//! backends' own tests build the same way.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_settings::store::{IndexPage, SettingsStore, Shard};
use ohsync_settings::{ExchangeSettingsInput, OperatorPolicy, SecretRef, StoredSettings, validate};
use serde_json::json;
use tokio::task::JoinSet;

/// A tenant id.
pub fn tenant(raw: &str) -> TenantId {
    TenantId::parse(raw).unwrap()
}

/// A user id.
pub fn user(raw: &str) -> UserId {
    UserId::parse(raw).unwrap()
}

/// A valid record for `user` of `tenant` at `version`, active or not; the Windows account
/// name follows `account`, so records of different accounts differ.
pub fn settings(
    tenant: &TenantId,
    user: &UserId,
    account: &str,
    active: bool,
    version: u64,
) -> StoredSettings {
    let input: ExchangeSettingsInput = serde_json::from_value(json!({
        "active": active,
        "ews_url": "https://mail.officeheart.nl/EWS/Exchange.asmx",
        "exchange_version": "Exchange2016",
        "username": account,
        "domain": "officeheart",
        "password": "Herfst2026!geheim",
    }))
    .unwrap();
    let validated = validate(input, &OperatorPolicy::default()).unwrap();
    let secret = SecretRef {
        name: format!("ohsync/{tenant}/{user}/exchange"),
        version_id: format!("v{version}"),
    };
    let at = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
    let mut record = StoredSettings::new(tenant, user, &validated, secret, at).unwrap();
    record.settings_version = version;
    record
}

/// `count` users of `tenant` whose index entries fall in `shard`, named from `stem`.
pub fn users_in_shard(tenant: &TenantId, shard: Shard, stem: &str, count: usize) -> Vec<UserId> {
    (0..)
        .map(|n| user(&format!("{stem}{n}")))
        .filter(|candidate| Shard::of(tenant, candidate) == shard)
        .take(count)
        .collect()
}

/// Creates a record (version 1) for each user, `active` or not, eight saves in flight.
pub async fn create_all(
    store: &Arc<dyn SettingsStore>,
    users: &[(TenantId, UserId)],
    active: bool,
) {
    let mut saves = JoinSet::new();
    for (tenant, user) in users {
        if saves.len() >= 8 {
            saves.join_next().await.unwrap().unwrap();
        }
        let (store, tenant, user) = (store.clone(), tenant.clone(), user.clone());
        saves.spawn(async move {
            let record = settings(&tenant, &user, "jan", active, 1);
            store.put(&tenant, &user, &record, None).await.unwrap();
        });
    }
    while let Some(saved) = saves.join_next().await {
        saved.unwrap();
    }
}

/// Every page of `shard`, checking that no page exceeds the suite's page size.
pub async fn shard_pages(
    store: &Arc<dyn SettingsStore>,
    shard: Shard,
) -> Vec<Vec<(TenantId, UserId)>> {
    let mut pages = Vec::new();
    let mut next: Option<IndexPage> = None;
    loop {
        let page = store.active_users(shard, next.as_ref()).await.unwrap();
        assert!(
            page.users.len() <= super::PAGE_SIZE as usize,
            "page too long"
        );
        pages.push(page.users);
        next = page.next;
        if next.is_none() {
            return pages;
        }
    }
}

/// Every active user in `shard`, in the order listed.
pub async fn shard_users(store: &Arc<dyn SettingsStore>, shard: Shard) -> Vec<(TenantId, UserId)> {
    shard_pages(store, shard)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// The shards listing the user (as a set of shard numbers).
pub async fn shards_listing(
    store: &Arc<dyn SettingsStore>,
    tenant: &TenantId,
    user: &UserId,
) -> BTreeSet<u32> {
    let mut found = BTreeSet::new();
    for shard in Shard::all() {
        let users = shard_users(store, shard).await;
        if users.iter().any(|(t, u)| t == tenant && u == user) {
            found.insert(shard.index());
        }
    }
    found
}

/// Every user of `tenant` with a record, through all pages.
pub async fn tenant_users(store: &Arc<dyn SettingsStore>, tenant: &TenantId) -> Vec<UserId> {
    let mut users = Vec::new();
    let mut next: Option<IndexPage> = None;
    loop {
        let page = store
            .list_tenant_users(tenant, next.as_ref())
            .await
            .unwrap();
        assert!(
            page.users.len() <= super::PAGE_SIZE as usize,
            "page too long"
        );
        users.extend(page.users);
        next = page.next;
        if next.is_none() {
            return users;
        }
    }
}
