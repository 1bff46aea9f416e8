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

use chrono::Utc;
use ohsync_engine::executor::ProgressSink;
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_engine::ports::{Secrets, Store, SystemClock};
use ohsync_engine::report::RunReport;
use ohsync_jobs::{JobQueue, JobTrigger, SyncJob};
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
    /// Where `sync-now` queues a job for the deployment's workers, when there are any.
    queue: Option<Arc<dyn JobQueue>>,
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
            queue: None,
        })
    }

    /// The commands over the AWS deployment the environment names, read as the Lambda
    /// functions read theirs (`OHSYNC_STATE_TABLE`, `OHSYNC_OFFICEHEART_URL`,
    /// `OHSYNC_OFFICEHEART_TOKEN_SECRET`, optionally `OHSYNC_SYNC_QUEUE_URL`, the AWS SDK's own
    /// variables): DynamoDB, Secrets Manager and, for `sync-now`, the SQS job queue.
    #[cfg(feature = "aws")]
    pub async fn aws(env: &ohsync_aws_env::Environment) -> Result<Self, ohsync_aws_env::EnvError> {
        let sdk = ohsync_aws_env::sdk_config(env).await?;
        let table = env.required(
            ohsync_store_dynamodb::TABLE_VARIABLE,
            "the DynamoDB table with settings and sync state",
        )?;
        let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
        let worker = ohsync_worker::aws::worker_from_env(env, &sdk).await?;
        let queue = env
            .optional(ohsync_jobs_sqs::QUEUE_URL_VAR)?
            .map(|url| Arc::new(ohsync_jobs_sqs::SqsJobQueue::new(&sdk, url)) as Arc<dyn JobQueue>);
        Ok(Self {
            settings: Arc::new(ohsync_store_dynamodb::DynamoSettingsStore::new(
                dynamodb.clone(),
                table,
            )),
            store: Arc::new(ohsync_store_dynamodb::DynamoStore::new(dynamodb, table)),
            worker,
            queue,
        })
    }

    /// Whether `sync-now` queues the job for the deployment's workers instead of running it.
    pub fn queues_sync_now(&self) -> bool {
        self.queue.is_some()
    }

    /// `ohsync sync-now` against a deployment: queues one job for an active user, as the
    /// settings API's `sync-now` does.
    pub async fn queue_sync_now(&self, tenant: &TenantId, user: &UserId) -> Result<(), OpsError> {
        let Some(queue) = &self.queue else {
            return Err(OpsError::Store("no job queue is configured".to_owned()));
        };
        let status = self.status(tenant, user).await?;
        if !status.line.settings.active {
            return Err(OpsError::Skipped {
                who: format!("{tenant}/{user}"),
                reason: ohsync_worker::SkipReason::Inactive,
            });
        }
        let job = sync_now_job(tenant, user);
        queue
            .enqueue(&[job])
            .await
            .map_err(|error| OpsError::Store(error.to_string()))
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
        let job = sync_now_job(tenant, user);
        // The run may take as long as a worker's; the worker keeps its margin before this.
        let deadline = Utc::now() + self.worker.config().max_run_time;
        match self.worker.run_job_with(&job, deadline, &mode).await {
            Ok(JobOutcome::Ran(summary)) => Ok(*summary),
            Ok(JobOutcome::Skipped(reason)) => Err(OpsError::Skipped {
                who: format!("{tenant}/{user}"),
                reason,
            }),
            Ok(JobOutcome::Deferred(reason)) => Err(OpsError::Deferred {
                who: format!("{tenant}/{user}"),
                reason,
            }),
            Err(failure) => Err(OpsError::Failed(failure)),
        }
    }
}

fn sync_now_job(tenant: &TenantId, user: &UserId) -> SyncJob {
    SyncJob {
        tenant: tenant.clone(),
        user: user.clone(),
        trigger: JobTrigger::SyncNow {
            requested_at: Utc::now(),
        },
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
