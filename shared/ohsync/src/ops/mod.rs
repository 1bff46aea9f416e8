//! The operator commands of `ohsync` (`users`, `status`, `sync-now`, `dry-run`, `validate`)
//! against the configured store, through the same ports `serve` uses. Each command returns
//! what it found; [`render`] turns that into the text the command prints, so that tests check
//! both.

mod error;
mod listing;
pub mod render;
mod validate;

pub use error::OpsError;
pub use listing::{UserLine, UserStatus};
pub use validate::{ValidateArgs, validate};

use std::sync::Arc;

use chrono::{TimeDelta, Utc};
use ohsync_engine::executor::ProgressSink;
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_engine::ports::{Secrets, Store, SystemClock};
use ohsync_engine::report::RunReport;
use ohsync_jobs::{JobTrigger, SyncJob};
use ohsync_secrets::{CachedSecrets, FileSecrets};
use ohsync_settings::store::SettingsStore;
use ohsync_store_embedded::{EmbeddedSettingsStore, EmbeddedStore};
use ohsync_worker::{JobOutcome, RunMode, RunSummary, SyncWorker, WorkerPorts};

use crate::config::ServeConfig;
use crate::serve::{SECRETS_DIR, ServeError, worker_config};

/// The ports the commands work through.
pub struct Ops {
    settings: Arc<dyn SettingsStore>,
    store: Arc<dyn Store>,
    worker: SyncWorker,
    max_run_time: TimeDelta,
}

impl std::fmt::Debug for Ops {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ops").finish_non_exhaustive()
    }
}

impl Ops {
    /// The commands over `serve`'s embedded store and secrets file under the configured data
    /// directory. A running `serve` may share them: SQLite serialises the writes, and the
    /// engine's intents and versioned commits keep one user's runs from overlapping.
    pub fn embedded(config: &ServeConfig) -> Result<Self, ServeError> {
        let store = EmbeddedStore::open(&config.data_dir)?;
        let settings: Arc<dyn SettingsStore> = Arc::new(EmbeddedSettingsStore::sharing(&store));
        let store: Arc<dyn Store> = Arc::new(store);
        let secrets: Arc<dyn Secrets> = Arc::new(CachedSecrets::new(FileSecrets::open(
            config.data_dir.join(SECRETS_DIR),
        )?));
        let worker = SyncWorker::new(
            WorkerPorts {
                settings: settings.clone(),
                store: store.clone(),
                secrets,
                clock: Arc::new(SystemClock),
            },
            worker_config(config),
        );
        Ok(Self {
            settings,
            store,
            worker,
            max_run_time: config.max_run_time,
        })
    }

    /// `ohsync users`: the users of `tenant` (active or not), or every active user.
    pub async fn users(&self, tenant: Option<&TenantId>) -> Result<Vec<UserLine>, OpsError> {
        listing::users(self.settings.as_ref(), self.store.as_ref(), tenant).await
    }

    /// `ohsync status TENANT/USER`: the user's settings and last run.
    pub async fn status(&self, tenant: &TenantId, user: &UserId) -> Result<UserStatus, OpsError> {
        listing::status(self.settings.as_ref(), self.store.as_ref(), tenant, user).await
    }

    /// `ohsync sync-now TENANT/USER`: one run now, in this process, telling `progress`.
    pub async fn sync_now(
        &self,
        tenant: &TenantId,
        user: &UserId,
        progress: Option<ProgressSink>,
    ) -> Result<RunSummary, OpsError> {
        self.run(
            tenant,
            user,
            RunMode {
                dry_run: false,
                progress,
            },
        )
        .await
    }

    /// `ohsync dry-run TENANT/USER`: reads both sides and plans; writes nothing.
    pub async fn dry_run(&self, tenant: &TenantId, user: &UserId) -> Result<RunReport, OpsError> {
        let summary = self
            .run(
                tenant,
                user,
                RunMode {
                    dry_run: true,
                    progress: None,
                },
            )
            .await?;
        Ok(summary.report)
    }

    async fn run(
        &self,
        tenant: &TenantId,
        user: &UserId,
        mode: RunMode,
    ) -> Result<RunSummary, OpsError> {
        let job = SyncJob {
            tenant: tenant.clone(),
            user: user.clone(),
            trigger: JobTrigger::SyncNow {
                requested_at: Utc::now(),
            },
        };
        // The run may take as long as a worker's; the worker keeps its margin before this.
        let deadline = Utc::now() + self.max_run_time;
        match self.worker.run_job_with(&job, deadline, &mode).await {
            Ok(JobOutcome::Ran(summary)) => Ok(*summary),
            Ok(JobOutcome::Skipped(reason)) => Err(OpsError::Skipped {
                who: format!("{tenant}/{user}"),
                reason,
            }),
            Err(failure) => Err(OpsError::Failed(failure)),
        }
    }
}

/// `TENANT/USER` as typed on the command line.
pub fn parse_user(raw: &str) -> Result<(TenantId, UserId), OpsError> {
    let bad = || OpsError::BadUser(raw.to_owned());
    let (tenant, user) = raw.split_once('/').ok_or_else(bad)?;
    Ok((
        TenantId::parse(tenant).map_err(|_| bad())?,
        UserId::parse(user).map_err(|_| bad())?,
    ))
}
