//! The DynamoDB store.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use chrono::Utc;
use ohsync_engine::ports::{
    BindingScope, BindingState, Commit, ListingToken, Mapping, MappingPage, MappingQuery,
    StateVersion, Store, StoreError,
};

use crate::config::DynamoConfig;
use crate::requests::{RequestCounter, RequestCounts};
use crate::retry::RetryPolicy;
use crate::{commit, listing, read, retire};

/// How the store retries and how long a stepwise commit's lease holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// Retrying of throttled, failed or partly answered requests.
    pub retry: RetryPolicy,
    /// How long a commit too big for one transaction holds the binding; a commit that dies
    /// midway blocks the binding's commits this long. Default: 15 minutes, the longest a
    /// Lambda invocation runs.
    pub lease_term: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            lease_term: Duration::from_secs(15 * 60),
        }
    }
}

/// What every request needs.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) client: Client,
    pub(crate) table: String,
    pub(crate) policy: RetryPolicy,
    pub(crate) lease_term: Duration,
    pub(crate) requests: RequestCounter,
}

/// The binding store in one DynamoDB table. Cheap to clone; clones share the client and the
/// request counter.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    inner: Arc<Inner>,
}

impl DynamoStore {
    /// The store in `table`, with the default options.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self::with_options(client, table, StoreOptions::default())
    }

    /// The store in `table`. The client's own retries are switched off and its attempt timeout
    /// set from the retry policy: the adapter retries (bounded, with back-off, and counted)
    /// itself.
    pub fn with_options(client: Client, table: impl Into<String>, options: StoreOptions) -> Self {
        let policy = options.retry;
        let config = client.config();
        let timeouts = config
            .timeout_config()
            .map(TimeoutConfig::to_builder)
            .unwrap_or_default()
            .operation_attempt_timeout(policy.attempt_timeout)
            .build();
        let config = config
            .to_builder()
            .retry_config(RetryConfig::disabled())
            .timeout_config(timeouts)
            .build();
        Self {
            inner: Arc::new(Inner {
                client: Client::from_conf(config),
                table: table.into(),
                policy,
                lease_term: options.lease_term,
                requests: RequestCounter::default(),
            }),
        }
    }

    /// The store the configuration names, with a client from the AWS environment.
    pub async fn connect(config: &DynamoConfig) -> Self {
        Self::new(config.client().await, config.table.clone())
    }

    /// What every request needs, for the other stores kept in the same table.
    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }

    /// The table.
    pub fn table(&self) -> &str {
        &self.inner.table
    }

    /// The requests sent since creation or the last reset.
    pub fn requests(&self) -> RequestCounts {
        self.inner.requests.snapshot()
    }

    /// Starts counting requests from zero.
    pub fn reset_requests(&self) {
        self.inner.requests.reset();
    }

    /// Marks every item of the binding to be deleted by DynamoDB's TTL once `ttl` has passed
    /// (TTL deletes lazily, typically within days; until then the items stay readable).
    /// Answers how many items were marked.
    pub async fn retire_binding(
        &self,
        scope: &BindingScope,
        ttl: Duration,
    ) -> Result<u64, StoreError> {
        let ttl = i64::try_from(ttl.as_secs())
            .map_err(|_| StoreError::Unavailable("retirement period too long".into()))?;
        let expires_at = Utc::now().timestamp().saturating_add(ttl);
        retire::mark(&self.inner, scope, Some(expires_at)).await
    }

    /// Undoes a retirement, for a binding that becomes current again before its items expire.
    /// Answers how many items were unmarked.
    pub async fn revive_binding(&self, scope: &BindingScope) -> Result<u64, StoreError> {
        retire::mark(&self.inner, scope, None).await
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn load(&self, scope: &BindingScope) -> Result<BindingState, StoreError> {
        read::load(&self.inner, scope).await
    }

    async fn find_mappings(
        &self,
        scope: &BindingScope,
        query: &MappingQuery,
    ) -> Result<Vec<Mapping>, StoreError> {
        read::find_mappings(&self.inner, scope, query).await
    }

    async fn list_mappings(
        &self,
        scope: &BindingScope,
        page: Option<&ListingToken>,
    ) -> Result<MappingPage, StoreError> {
        listing::list_mappings(&self.inner, scope, page).await
    }

    async fn commit(
        &self,
        scope: &BindingScope,
        expected: StateVersion,
        commit: &Commit,
    ) -> Result<StateVersion, StoreError> {
        commit::commit(&self.inner, scope, expected, commit).await
    }
}
