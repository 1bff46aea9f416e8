//! The settings store in the binding store's SQLite file, on the same connection: one row per
//! user holding the record, its version, whether it is active and its shard; a partial index
//! over the active rows by shard is the active-users index, so it is kept in step with the
//! records by SQLite itself and never grows with inactive users.

mod rows;

use std::path::Path;

use async_trait::async_trait;
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_settings::StoredSettings;
use ohsync_settings::store::{
    ActiveUsersPage, IndexPage, SettingsStore, SettingsStoreError, Shard, TenantUsersPage,
};

use crate::error::OpenError;
use crate::store::EmbeddedStore;

pub(crate) use rows::SCHEMA;

/// Users per page at most, unless set otherwise.
const DEFAULT_PAGE_SIZE: u32 = 1_000;

/// The settings store in a SQLite file. Cheap to clone; clones share the connection (with
/// the binding store it was made from, if any).
#[derive(Debug, Clone)]
pub struct EmbeddedSettingsStore {
    store: EmbeddedStore,
    page_size: u32,
}

impl EmbeddedSettingsStore {
    /// The settings store in the same file and on the same connection as `store`.
    pub fn sharing(store: &EmbeddedStore) -> Self {
        Self {
            store: store.clone(),
            page_size: DEFAULT_PAGE_SIZE,
        }
    }

    /// Opens (creating when missing) the store under `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, OpenError> {
        Ok(Self::sharing(&EmbeddedStore::open(data_dir)?))
    }

    /// The same store, handing out at most `page_size` users per page (at least one).
    pub fn with_page_size(self, page_size: u32) -> Self {
        Self {
            page_size: page_size.max(1),
            ..self
        }
    }
}

#[async_trait]
impl SettingsStore for EmbeddedSettingsStore {
    async fn get(
        &self,
        tenant: &TenantId,
        user: &UserId,
    ) -> Result<Option<StoredSettings>, SettingsStoreError> {
        let (tenant, user) = (tenant.clone(), user.clone());
        self.store
            .blocking(move |connection| rows::get(connection, &tenant, &user))
            .await
    }

    async fn put(
        &self,
        tenant: &TenantId,
        user: &UserId,
        settings: &StoredSettings,
        expected_version: Option<u64>,
    ) -> Result<(), SettingsStoreError> {
        let (tenant, user, settings) = (tenant.clone(), user.clone(), settings.clone());
        self.store
            .blocking(move |connection| {
                rows::put(connection, &tenant, &user, &settings, expected_version)
            })
            .await
    }

    async fn active_users(
        &self,
        shard: Shard,
        page: Option<&IndexPage>,
    ) -> Result<ActiveUsersPage, SettingsStoreError> {
        let (page, limit) = (page.cloned(), self.page_size);
        self.store
            .blocking(move |connection| rows::active_users(connection, shard, page.as_ref(), limit))
            .await
    }

    async fn list_tenant_users(
        &self,
        tenant: &TenantId,
        page: Option<&IndexPage>,
    ) -> Result<TenantUsersPage, SettingsStoreError> {
        let (tenant, page, limit) = (tenant.clone(), page.cloned(), self.page_size);
        self.store
            .blocking(move |connection| {
                rows::tenant_users(connection, &tenant, page.as_ref(), limit)
            })
            .await
    }
}
