//! Paged reads: a shard of the active-users index, and a tenant's records. Each page is one
//! strongly consistent Query on one partition, so a user saved active is listed at once.

use aws_sdk_dynamodb::types::AttributeValue;
use ohsync_engine::identity::TenantId;
use ohsync_settings::store::{
    ActiveUsersPage, IndexPage, SettingsStoreError, Shard, TenantUsersPage,
};

use super::keys;
use crate::item::{self, Item};
use crate::keys::SK;
use crate::query::{one_page, partition_query};
use crate::store::Inner;

fn sort_of(found: &Item) -> Result<&str, SettingsStoreError> {
    match found.get(SK) {
        Some(AttributeValue::S(sort)) => Ok(sort),
        _ => Err(SettingsStoreError::Corrupt(
            "an item without a string sort key".into(),
        )),
    }
}

/// One page of the active users in `shard`.
pub(super) async fn active_users(
    inner: &Inner,
    shard: Shard,
    page: Option<&IndexPage>,
    limit: i32,
) -> Result<ActiveUsersPage, SettingsStoreError> {
    let partition = keys::shard_partition(shard);
    let start =
        page.map(|page| item::key(&partition, &keys::entry_sort(page.tenant(), page.user())));
    let request = partition_query(inner, &partition, None).limit(limit);
    let output = one_page(inner, &request, start).await?;
    let users = output
        .items()
        .iter()
        .map(|found| keys::parse_entry_sort(sort_of(found)?))
        .collect::<Result<Vec<_>, _>>()?;
    let next = output
        .last_evaluated_key()
        .map(|last| {
            let (tenant, user) = keys::parse_entry_sort(sort_of(last)?)?;
            Ok::<_, SettingsStoreError>(IndexPage::after(tenant, user))
        })
        .transpose()?;
    Ok(ActiveUsersPage { users, next })
}

/// One page of the users of `tenant` that have a record; only the keys are read back.
pub(super) async fn tenant_users(
    inner: &Inner,
    tenant: &TenantId,
    page: Option<&IndexPage>,
    limit: i32,
) -> Result<TenantUsersPage, SettingsStoreError> {
    let partition = keys::tenant_partition(tenant);
    // The position's user within this tenant: a page of one tenant is never resumed in another.
    let start = page.map(|page| item::key(&partition, &keys::record_sort(page.user())));
    let request = partition_query(inner, &partition, Some(keys::USER_PREFIX))
        .projection_expression("#sk")
        .limit(limit);
    let output = one_page(inner, &request, start).await?;
    let users = output
        .items()
        .iter()
        .map(|found| keys::parse_record_sort(sort_of(found)?))
        .collect::<Result<Vec<_>, _>>()?;
    let next = output
        .last_evaluated_key()
        .map(|last| {
            let user = keys::parse_record_sort(sort_of(last)?)?;
            Ok::<_, SettingsStoreError>(IndexPage::after(tenant.clone(), user))
        })
        .transpose()?;
    Ok(TenantUsersPage { users, next })
}
