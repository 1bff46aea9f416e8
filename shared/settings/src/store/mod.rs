//! The settings store port: one record per user, written conditionally on its version, and an
//! index of the active users, sharded so that the scheduler reads it with concurrent requests
//! whose number does not grow with the inactive users.
//!
//! - [`SettingsStore`]: the port both backends (DynamoDB, embedded SQLite) implement.
//! - [`Shard`] and [`SHARDS`]: where a user's index entry lives.
//! - [`IndexPage`], [`ActiveUsersPage`], [`TenantUsersPage`]: paged enumeration.
//! - [`record`]: the stored text form of [`StoredSettings`](crate::StoredSettings), shared by
//!   the backends.

mod error;
mod page;
pub mod record;
mod shard;

use async_trait::async_trait;
use ohsync_engine::identity::{TenantId, UserId};

use crate::StoredSettings;

pub use error::SettingsStoreError;
pub use page::{ActiveUsersPage, IndexPage, TenantUsersPage};
pub use shard::{SHARDS, Shard};

/// Where the settings records and the active-users index are kept.
#[async_trait]
pub trait SettingsStore: Send + Sync {
    /// The user's record, `None` when never saved; one read.
    async fn get(
        &self,
        tenant: &TenantId,
        user: &UserId,
    ) -> Result<Option<StoredSettings>, SettingsStoreError>;

    /// Saves `settings` if the stored record is as expected: `None` = no record may exist,
    /// `Some(v)` = the stored `settings_version` must be `v`; otherwise
    /// [`SettingsStoreError::Conflict`] and nothing is written. In the same atomic write the
    /// user enters its shard of the active-users index when `settings.active`, and leaves it
    /// otherwise.
    async fn put(
        &self,
        tenant: &TenantId,
        user: &UserId,
        settings: &StoredSettings,
        expected_version: Option<u64>,
    ) -> Result<(), SettingsStoreError>;

    /// One page of the active users in `shard`, in (tenant, user) order; `page` is the `next`
    /// of the previous page (`None`: from the start).
    async fn active_users(
        &self,
        shard: Shard,
        page: Option<&IndexPage>,
    ) -> Result<ActiveUsersPage, SettingsStoreError>;

    /// One page of the users of `tenant` that have a record, active or not, in user order (for
    /// operators); `page` as for [`active_users`](Self::active_users).
    async fn list_tenant_users(
        &self,
        tenant: &TenantId,
        page: Option<&IndexPage>,
    ) -> Result<TenantUsersPage, SettingsStoreError>;
}
