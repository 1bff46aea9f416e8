//! What the scheduler's tests share: settings records to seed, an in-memory queue that records,
//! refuses and measures, and a settings store whose index reads fail on demand.
#![allow(dead_code, reason = "each test binary uses a different part")]
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_jobs::{JobQueue, JobQueueError, SyncJob};
use ohsync_settings::store::{
    ActiveUsersPage, IndexPage, SettingsStore, SettingsStoreError, Shard, TenantUsersPage,
};
use ohsync_settings::{ExchangeSettingsInput, OperatorPolicy, SecretRef, StoredSettings, validate};
use secrecy::SecretString;

/// A settings record for `user`, active or not.
pub fn settings(tenant: &TenantId, user: &UserId, active: bool) -> StoredSettings {
    let input = ExchangeSettingsInput {
        active: Some(active),
        ews_url: Some("https://mail.example.com/EWS/Exchange.asmx".into()),
        exchange_version: Some("Exchange2016".into()),
        username: Some(user.as_str().replace(['@', '.'], "-")),
        domain: Some("acme".into()),
        password: Some(SecretString::from("Geheim!1")),
        ..ExchangeSettingsInput::default()
    };
    let validated = validate(input, &OperatorPolicy::default()).unwrap();
    let secret = SecretRef {
        name: format!("ohsync/{tenant}/{user}/exchange"),
        version_id: "v1".into(),
    };
    StoredSettings::new(tenant, user, &validated, secret, Utc::now()).unwrap()
}

/// `count` users of tenant `acme`, named `user-0000`, `user-0001`, …
pub fn users(count: usize) -> Vec<(TenantId, UserId)> {
    let tenant = TenantId::parse("acme").unwrap();
    (0..count)
        .map(|n| {
            (
                tenant.clone(),
                UserId::parse(&format!("user-{n:04}")).unwrap(),
            )
        })
        .collect()
}

/// Saves every user, active or not.
pub async fn seed(store: &dyn SettingsStore, users: &[(TenantId, UserId)], active: bool) {
    for (tenant, user) in users {
        store
            .put(tenant, user, &settings(tenant, user, active), None)
            .await
            .unwrap();
    }
}

/// The tick the tests dispatch.
pub fn tick() -> DateTime<Utc> {
    "2026-12-01T10:05:00Z".parse().unwrap()
}

/// A queue in memory: records what it takes, refuses chosen users or everything, and measures
/// how many calls were in flight at once.
#[derive(Default)]
pub struct MemoryQueue {
    pub jobs: Mutex<Vec<SyncJob>>,
    pub calls: AtomicU32,
    refuse: Mutex<BTreeSet<String>>,
    unavailable: Mutex<bool>,
    delay: Mutex<Duration>,
    in_flight: AtomicUsize,
    pub most_in_flight: AtomicUsize,
}

impl MemoryQueue {
    /// Refuses every job of `user`.
    pub fn refuse(&self, user: &UserId) {
        self.refuse.lock().unwrap().insert(user.to_string());
    }

    /// Answers every call as unreachable.
    pub fn go_down(&self) {
        *self.unavailable.lock().unwrap() = true;
    }

    /// Makes each call take `delay`.
    pub fn slow_down(&self, delay: Duration) {
        *self.delay.lock().unwrap() = delay;
    }

    /// How many jobs each user got.
    pub fn jobs_per_user(&self) -> HashMap<(TenantId, UserId), usize> {
        let mut counts = HashMap::new();
        for job in self.jobs.lock().unwrap().iter() {
            *counts
                .entry((job.tenant.clone(), job.user.clone()))
                .or_default() += 1;
        }
        counts
    }
}

#[async_trait]
impl JobQueue for MemoryQueue {
    async fn enqueue(&self, jobs: &[SyncJob]) -> Result<(), JobQueueError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_in_flight.fetch_max(now, Ordering::SeqCst);
        let delay = *self.delay.lock().unwrap();
        tokio::time::sleep(delay).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        if *self.unavailable.lock().unwrap() {
            return Err(JobQueueError::Unavailable("connection refused".into()));
        }
        let refuse = self.refuse.lock().unwrap().clone();
        let mut refused = Vec::new();
        for (index, job) in jobs.iter().enumerate() {
            if refuse.contains(job.user.as_str()) {
                refused.push((index, "InternalError: injected".to_owned()));
            } else {
                self.jobs.lock().unwrap().push(job.clone());
            }
        }
        if refused.is_empty() {
            Ok(())
        } else {
            Err(JobQueueError::Refused(refused))
        }
    }
}

/// A settings store whose index reads of one shard fail: the first `failures` times, or
/// always; every other call goes to the store inside.
pub struct FlakyIndex<S> {
    pub inner: S,
    pub shard: Shard,
    pub failures: AtomicU32,
    pub error: SettingsStoreError,
    pub reads: AtomicU32,
}

impl<S> FlakyIndex<S> {
    pub fn new(inner: S, shard: Shard, failures: u32, error: SettingsStoreError) -> Self {
        Self {
            inner,
            shard,
            failures: AtomicU32::new(failures),
            error,
            reads: AtomicU32::new(0),
        }
    }
}

#[async_trait]
impl<S: SettingsStore> SettingsStore for FlakyIndex<S> {
    async fn get(
        &self,
        tenant: &TenantId,
        user: &UserId,
    ) -> Result<Option<StoredSettings>, SettingsStoreError> {
        self.inner.get(tenant, user).await
    }

    async fn put(
        &self,
        tenant: &TenantId,
        user: &UserId,
        settings: &StoredSettings,
        expected_version: Option<u64>,
    ) -> Result<(), SettingsStoreError> {
        self.inner
            .put(tenant, user, settings, expected_version)
            .await
    }

    async fn active_users(
        &self,
        shard: Shard,
        page: Option<&IndexPage>,
    ) -> Result<ActiveUsersPage, SettingsStoreError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        if shard == self.shard
            && self
                .failures
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
        {
            return Err(self.error.clone());
        }
        self.inner.active_users(shard, page).await
    }

    async fn list_tenant_users(
        &self,
        tenant: &TenantId,
        page: Option<&IndexPage>,
    ) -> Result<TenantUsersPage, SettingsStoreError> {
        self.inner.list_tenant_users(tenant, page).await
    }
}
