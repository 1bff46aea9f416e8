//! The settings table and the statements on it.

use ohsync_engine::identity::{TenantId, UserId};
use ohsync_settings::StoredSettings;
use ohsync_settings::store::{
    ActiveUsersPage, IndexPage, SettingsStoreError, Shard, TenantUsersPage, record,
};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::error::store_error;

/// The settings table (schema version 2). The partial index is the active-users index: only
/// active rows, ordered by shard, tenant and user, which is the order pages are read in.
pub(crate) const SCHEMA: &str = "
CREATE TABLE settings (
    tenant TEXT NOT NULL,
    user TEXT NOT NULL,
    settings_version INTEGER NOT NULL,
    active INTEGER NOT NULL,
    shard INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (tenant, user)
) WITHOUT ROWID;
CREATE INDEX settings_active_by_shard ON settings (shard, tenant, user) WHERE active = 1;
";

fn sqlite(error: rusqlite::Error) -> SettingsStoreError {
    store_error(error).into()
}

/// A version as SQLite stores it (a signed 64-bit integer).
fn stored_version(version: u64) -> Result<i64, SettingsStoreError> {
    i64::try_from(version)
        .map_err(|_| SettingsStoreError::Corrupt(format!("settings version {version} too large")))
}

/// The user's record.
pub(super) fn get(
    connection: &mut Connection,
    tenant: &TenantId,
    user: &UserId,
) -> Result<Option<StoredSettings>, SettingsStoreError> {
    let stored: Option<String> = connection
        .prepare_cached("SELECT record FROM settings WHERE tenant = ?1 AND user = ?2")
        .map_err(sqlite)?
        .query_row(params![tenant.as_str(), user.as_str()], |row| row.get(0))
        .optional()
        .map_err(sqlite)?;
    stored.as_deref().map(record::decode).transpose()
}

/// Writes the record if the stored version is `expected`.
pub(super) fn put(
    connection: &mut Connection,
    tenant: &TenantId,
    user: &UserId,
    settings: &StoredSettings,
    expected: Option<u64>,
) -> Result<(), SettingsStoreError> {
    let text = record::encode(settings)?;
    let version = stored_version(settings.settings_version)?;
    // IMMEDIATE takes the write lock before the version is read: check and write are one step.
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sqlite)?;
    let current: Option<i64> = transaction
        .prepare_cached("SELECT settings_version FROM settings WHERE tenant = ?1 AND user = ?2")
        .map_err(sqlite)?
        .query_row(params![tenant.as_str(), user.as_str()], |row| row.get(0))
        .optional()
        .map_err(sqlite)?;
    let as_expected = match (current, expected) {
        (None, None) => true,
        (Some(current), Some(expected)) => Some(current) == i64::try_from(expected).ok(),
        _ => false,
    };
    if !as_expected {
        return Err(SettingsStoreError::Conflict);
    }
    transaction
        .prepare_cached(
            "INSERT INTO settings (tenant, user, settings_version, active, shard, record)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (tenant, user) DO UPDATE SET settings_version = excluded.settings_version,
                 active = excluded.active, shard = excluded.shard, record = excluded.record",
        )
        .map_err(sqlite)?
        .execute(params![
            tenant.as_str(),
            user.as_str(),
            version,
            settings.active,
            Shard::of(tenant, user).index(),
            text
        ])
        .map_err(sqlite)?;
    transaction.commit().map_err(sqlite)
}

fn corrupt_id(error: impl std::fmt::Display) -> SettingsStoreError {
    SettingsStoreError::Corrupt(format!("stored id: {error}"))
}

/// One page of the active users in `shard`. The next page is named only when this one is
/// full, so the last page of a shard that fills its last page exactly is empty.
pub(super) fn active_users(
    connection: &mut Connection,
    shard: Shard,
    page: Option<&IndexPage>,
    limit: u32,
) -> Result<ActiveUsersPage, SettingsStoreError> {
    // '' sorts before every id, so "after ('', '')" is the start.
    let (after_tenant, after_user) = page.map_or(("", ""), |page| {
        (page.tenant().as_str(), page.user().as_str())
    });
    let mut statement = connection
        .prepare_cached(
            "SELECT tenant, user FROM settings
             WHERE active = 1 AND shard = ?1 AND (tenant, user) > (?2, ?3)
             ORDER BY tenant, user LIMIT ?4",
        )
        .map_err(sqlite)?;
    let rows = statement
        .query_map(
            params![shard.index(), after_tenant, after_user, limit],
            |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
        )
        .map_err(sqlite)?;
    let mut users = Vec::new();
    for row in rows {
        let (tenant, user) = row.map_err(sqlite)?;
        users.push((
            TenantId::parse(&tenant).map_err(corrupt_id)?,
            UserId::parse(&user).map_err(corrupt_id)?,
        ));
    }
    let next = full(users.len(), limit)
        .then(|| users.last())
        .flatten()
        .map(|(tenant, user)| IndexPage::after(tenant.clone(), user.clone()));
    Ok(ActiveUsersPage { users, next })
}

/// One page of the users of `tenant`.
pub(super) fn tenant_users(
    connection: &mut Connection,
    tenant: &TenantId,
    page: Option<&IndexPage>,
    limit: u32,
) -> Result<TenantUsersPage, SettingsStoreError> {
    let after = page.map_or("", |page| page.user().as_str());
    let mut statement = connection
        .prepare_cached(
            "SELECT user FROM settings WHERE tenant = ?1 AND user > ?2 ORDER BY user LIMIT ?3",
        )
        .map_err(sqlite)?;
    let rows = statement
        .query_map(params![tenant.as_str(), after, limit], |row| {
            row.get::<_, String>(0)
        })
        .map_err(sqlite)?;
    let mut users = Vec::new();
    for row in rows {
        users.push(UserId::parse(&row.map_err(sqlite)?).map_err(corrupt_id)?);
    }
    let next = full(users.len(), limit)
        .then(|| users.last())
        .flatten()
        .map(|user| IndexPage::after(tenant.clone(), user.clone()));
    Ok(TenantUsersPage { users, next })
}

fn full(found: usize, limit: u32) -> bool {
    u32::try_from(found).is_ok_and(|found| found >= limit)
}
