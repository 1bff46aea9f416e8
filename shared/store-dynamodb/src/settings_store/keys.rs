//! Where the settings records and the active-users index live in the table.
//!
//! - settings record: `pk = tenant#{tenant}`, `sk = user#{user}`, so that a tenant's users are
//!   one Query (paged) without a second index;
//! - index entry: `pk = active#{shard}` (two digits), `sk = {tenant}#{user}`.
//!
//! Tenant and user ids never contain `#`, and `#` sorts below every character they may hold,
//! so `{tenant}#{user}` sorts exactly as the pair (tenant, user).

use ohsync_engine::identity::{TenantId, UserId};
use ohsync_settings::store::{SettingsStoreError, Shard};

/// The prefix of a record's sort key.
pub(super) const USER_PREFIX: &str = "user#";

/// The partition of a tenant's settings records.
pub(super) fn tenant_partition(tenant: &TenantId) -> String {
    format!("tenant#{tenant}")
}

/// The sort key of a user's settings record.
pub(super) fn record_sort(user: &UserId) -> String {
    format!("{USER_PREFIX}{user}")
}

/// The partition of one shard of the active-users index.
pub(super) fn shard_partition(shard: Shard) -> String {
    format!("active#{shard}")
}

/// The sort key of a user's index entry.
pub(super) fn entry_sort(tenant: &TenantId, user: &UserId) -> String {
    format!("{tenant}#{user}")
}

fn corrupt(what: &str, sort: &str, reason: impl std::fmt::Display) -> SettingsStoreError {
    SettingsStoreError::Corrupt(format!("{what} sort key {sort:?}: {reason}"))
}

/// The user an index entry's sort key names.
pub(super) fn parse_entry_sort(sort: &str) -> Result<(TenantId, UserId), SettingsStoreError> {
    let (tenant, user) = sort
        .split_once('#')
        .ok_or_else(|| corrupt("index entry", sort, "no separator"))?;
    Ok((
        TenantId::parse(tenant).map_err(|e| corrupt("index entry", sort, e))?,
        UserId::parse(user).map_err(|e| corrupt("index entry", sort, e))?,
    ))
}

/// The user a record's sort key names.
pub(super) fn parse_record_sort(sort: &str) -> Result<UserId, SettingsStoreError> {
    let user = sort
        .strip_prefix(USER_PREFIX)
        .ok_or_else(|| corrupt("settings record", sort, "not a user"))?;
    UserId::parse(user).map_err(|e| corrupt("settings record", sort, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_read_back_and_sort_as_the_pair() {
        let tenant = TenantId::parse("acme").unwrap();
        let user = UserId::parse("jan.de-vries@acme.nl").unwrap();
        let sort = entry_sort(&tenant, &user);
        assert_eq!(
            parse_entry_sort(&sort).unwrap(),
            (tenant.clone(), user.clone())
        );
        assert_eq!(parse_record_sort(&record_sort(&user)).unwrap(), user);
        // "acme" < "acme-2" as tenants; their entries must sort the same way.
        let longer = TenantId::parse("acme-2").unwrap();
        let zed = UserId::parse("zed").unwrap();
        assert!(entry_sort(&tenant, &zed) < entry_sort(&longer, &user));
        assert!(matches!(
            parse_entry_sort("acme"),
            Err(SettingsStoreError::Corrupt(_))
        ));
        assert!(matches!(
            parse_record_sort("settings#jan"),
            Err(SettingsStoreError::Corrupt(_))
        ));
    }
}
