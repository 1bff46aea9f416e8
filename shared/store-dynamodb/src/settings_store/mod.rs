//! The settings store in the binding store's table: settings records per tenant partition and
//! the sharded active-users index, written together in one transaction.
//!
//! Calls: `get` is one GetItem; `put` one TransactWriteItems (the record, conditional on its
//! version, and the index entry's put or delete); `active_users` and `list_tenant_users` one
//! Query per page (no Scan). Layout and figures: `docs/STORES.md`.

mod keys;
mod pages;
mod put;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_settings::StoredSettings;
use ohsync_settings::store::{
    ActiveUsersPage, IndexPage, SettingsStore, SettingsStoreError, Shard, TenantUsersPage, record,
};

use crate::config::DynamoConfig;
use crate::item::{self, Item};
use crate::requests::{Operation, RequestCounts};
use crate::retry::{RetryPolicy, classify, retrying};
use crate::store::{DynamoStore, StoreOptions};

/// Record: the settings as JSON (`ohsync_settings::store::record`).
const SETTINGS: &str = "settings";
/// Record: the settings version every save is conditional on.
const SETTINGS_VERSION: &str = "settings_version";

/// How the settings store retries and how long its pages are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingsOptions {
    /// Retrying of throttled or failed requests.
    pub retry: RetryPolicy,
    /// Users per page at most. Default 1,000: at 10,000 active users a shard (≈ 625) is one
    /// page.
    pub page_size: u32,
}

impl Default for SettingsOptions {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            page_size: 1_000,
        }
    }
}

/// The settings store in one DynamoDB table (the binding store's). Cheap to clone; clones
/// share the client and the request counter.
#[derive(Debug, Clone)]
pub struct DynamoSettingsStore {
    store: DynamoStore,
    page_size: i32,
}

impl DynamoSettingsStore {
    /// The store in `table`, with the default options.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self::with_options(client, table, SettingsOptions::default())
    }

    /// The store in `table`; the client's own retries are switched off as for
    /// [`DynamoStore::with_options`].
    pub fn with_options(
        client: Client,
        table: impl Into<String>,
        options: SettingsOptions,
    ) -> Self {
        let store_options = StoreOptions {
            retry: options.retry,
            ..StoreOptions::default()
        };
        Self {
            store: DynamoStore::with_options(client, table, store_options),
            page_size: i32::try_from(options.page_size.max(1)).unwrap_or(i32::MAX),
        }
    }

    /// The store the configuration names, with a client from the AWS environment.
    pub async fn connect(config: &DynamoConfig) -> Self {
        Self::new(config.client().await, config.table.clone())
    }

    /// The table.
    pub fn table(&self) -> &str {
        self.store.table()
    }

    /// The requests sent since creation or the last reset.
    pub fn requests(&self) -> RequestCounts {
        self.store.requests()
    }

    /// Starts counting requests from zero.
    pub fn reset_requests(&self) {
        self.store.reset_requests();
    }
}

/// The settings a record item holds.
fn settings_of(found: &Item) -> Result<StoredSettings, SettingsStoreError> {
    match found.get(SETTINGS) {
        Some(AttributeValue::S(text)) => record::decode(text),
        _ => Err(SettingsStoreError::Corrupt(format!(
            "settings record without a {SETTINGS} string"
        ))),
    }
}

#[async_trait]
impl SettingsStore for DynamoSettingsStore {
    async fn get(
        &self,
        tenant: &TenantId,
        user: &UserId,
    ) -> Result<Option<StoredSettings>, SettingsStoreError> {
        let inner = self.store.inner();
        let key = item::key(&keys::tenant_partition(tenant), &keys::record_sort(user));
        let output = retrying(&inner.policy, &inner.requests, Operation::GetItem, || {
            let request = inner
                .client
                .get_item()
                .table_name(&inner.table)
                .set_key(Some(key.clone()))
                .consistent_read(true);
            async move { request.send().await.map_err(classify) }
        })
        .await?;
        output.item.as_ref().map(settings_of).transpose()
    }

    async fn put(
        &self,
        tenant: &TenantId,
        user: &UserId,
        settings: &StoredSettings,
        expected_version: Option<u64>,
    ) -> Result<(), SettingsStoreError> {
        put::put(self.store.inner(), tenant, user, settings, expected_version).await
    }

    async fn active_users(
        &self,
        shard: Shard,
        page: Option<&IndexPage>,
    ) -> Result<ActiveUsersPage, SettingsStoreError> {
        pages::active_users(self.store.inner(), shard, page, self.page_size).await
    }

    async fn list_tenant_users(
        &self,
        tenant: &TenantId,
        page: Option<&IndexPage>,
    ) -> Result<TenantUsersPage, SettingsStoreError> {
        pages::tenant_users(self.store.inner(), tenant, page, self.page_size).await
    }
}
