//! [`SyncWorker`]: a queued job to one user's sync run.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use chrono::{DateTime, Utc};
use ohsync_engine::executor::{ProgressSink, RunOptions, SyncPorts, run_user_sync};
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_engine::ports::{Clock, Secrets, Store};
use ohsync_engine::report::RunOutcome;
use ohsync_jobs::{JobTrigger, SyncJob};
use ohsync_officeheart::{ClientConfig, OfficeHeartClient};
use ohsync_officeheart_agenda::OfficeHeartAgenda;
use ohsync_settings::store::SettingsStore;
use tracing::Instrument;

use crate::account;
use crate::config::WorkerConfig;
use crate::failure::{FailureCode, JobFailure};
use crate::metrics::run_metrics;
use crate::outcome::{JobOutcome, RunSummary, SkipReason, outcome_name};

/// The ports a worker reads and writes through.
#[derive(Clone)]
pub struct WorkerPorts {
    /// The users' settings.
    pub settings: Arc<dyn SettingsStore>,
    /// The binding store (sync state, mappings, status).
    pub store: Arc<dyn Store>,
    /// Where the passwords are; put a `CachedSecrets` in front, so that a warm worker reads
    /// each password version once.
    pub secrets: Arc<dyn Secrets>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for WorkerPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WorkerPorts")
    }
}

/// How a job runs beyond the queue's defaults (the operator commands of `ohsync`).
#[derive(Debug, Clone, Default)]
pub struct RunMode {
    /// Plan only: read both sides, reconcile, return the plan in the report, write nothing.
    pub dry_run: bool,
    /// Who is told of the run's progress.
    pub progress: Option<ProgressSink>,
}

/// Runs queued sync jobs. One per process: it keeps the OfficeHeart connection pool between
/// jobs.
pub struct SyncWorker {
    ports: WorkerPorts,
    config: WorkerConfig,
    /// Made with the first job (a client names a tenant); later jobs share its pool.
    officeheart: Mutex<Option<OfficeHeartClient>>,
}

impl fmt::Debug for SyncWorker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncWorker")
            .field("officeheart_url", &self.config.officeheart_url.as_str())
            .finish_non_exhaustive()
    }
}

impl SyncWorker {
    /// A worker over `ports` with `config`.
    pub fn new(ports: WorkerPorts, config: WorkerConfig) -> Self {
        Self {
            ports,
            config,
            officeheart: Mutex::new(None),
        }
    }

    /// The worker's configuration.
    pub fn config(&self) -> &WorkerConfig {
        &self.config
    }

    /// Runs the job a queue message carries; a message that is not a job is
    /// [`FailureCode::MessageMalformed`], not retryable (it will never parse).
    pub async fn run_message(
        &self,
        body: &str,
        deadline: DateTime<Utc>,
    ) -> Result<JobOutcome, JobFailure> {
        let job = SyncJob::from_message(body).map_err(|error| {
            tracing::warn!(%error, "a queue message is not a sync job");
            JobFailure::non_retryable(FailureCode::MessageMalformed, error.to_string())
        })?;
        self.run_job(&job, deadline).await
    }

    /// Runs `job`; `deadline` is when the caller must be done (the Lambda deadline). The run
    /// starts no new work after `deadline` minus the configured safety margin.
    pub async fn run_job(
        &self,
        job: &SyncJob,
        deadline: DateTime<Utc>,
    ) -> Result<JobOutcome, JobFailure> {
        self.run_job_with(job, deadline, &RunMode::default()).await
    }

    /// Runs `job` as [`Self::run_job`] does, in `mode`.
    pub async fn run_job_with(
        &self,
        job: &SyncJob,
        deadline: DateTime<Utc>,
        mode: &RunMode,
    ) -> Result<JobOutcome, JobFailure> {
        let span = tracing::info_span!(
            "sync_run",
            tenant = %job.tenant,
            user = %job.user,
            trigger = trigger_name(&job.trigger),
            binding = tracing::field::Empty,
        );
        let result = self.run(job, deadline, mode).instrument(span.clone()).await;
        span.in_scope(|| match &result {
            Ok(JobOutcome::Skipped(reason)) => tracing::info!(?reason, "job skipped"),
            Ok(JobOutcome::Ran(summary)) => tracing::info!(
                outcome = outcome_name(&summary.report.outcome),
                created_exchange = summary.report.counts.created.exchange,
                created_officeheart = summary.report.counts.created.officeheart,
                updated_exchange = summary.report.counts.updated.exchange,
                updated_officeheart = summary.report.counts.updated.officeheart,
                deleted_exchange = summary.report.counts.deleted.exchange,
                deleted_officeheart = summary.report.counts.deleted.officeheart,
                conflicts = summary.report.conflicts.len(),
                errors = summary.report.errors.len(),
                duration_ms = summary.duration.as_millis() as u64,
                "run finished"
            ),
            Err(failure) => tracing::warn!(
                code = failure.cause().code.as_str(),
                detail = %failure.cause().detail,
                retryable = failure.is_retryable(),
                "job failed"
            ),
        });
        result
    }

    async fn run(
        &self,
        job: &SyncJob,
        deadline: DateTime<Utc>,
        mode: &RunMode,
    ) -> Result<JobOutcome, JobFailure> {
        let run_deadline = deadline - self.config.safety_margin;
        if self.ports.clock.now() >= run_deadline {
            return Err(JobFailure::retryable(
                FailureCode::StartedTooLate,
                format!(
                    "less than {} s before the deadline",
                    self.config.safety_margin.num_seconds()
                ),
            ));
        }
        let settings = match self.ports.settings.get(&job.tenant, &job.user).await {
            Ok(Some(settings)) if settings.active => settings,
            Ok(Some(_)) => return Ok(JobOutcome::Skipped(SkipReason::Inactive)),
            Ok(None) => return Ok(JobOutcome::Skipped(SkipReason::NoSettings)),
            Err(error) => return Err(JobFailure::from_settings(&error)),
        };
        tracing::Span::current().record("binding", tracing::field::display(&settings.binding_id));
        let reference = account::password_ref(&job.tenant, &job.user, &settings)?;
        let password = self
            .ports
            .secrets
            .read(&reference)
            .await
            .map_err(|error| JobFailure::from_secrets(&error))?;
        let mailbox = account::mailbox(&settings, password, &self.config)?;
        let agenda = self.agenda(&job.tenant, &job.user)?;
        let ports = SyncPorts {
            mailbox: Arc::new(mailbox),
            agenda: Arc::new(agenda),
            store: self.ports.store.clone(),
            clock: self.ports.clock.clone(),
        };
        let mut options = RunOptions::new(
            settings.binding_id.clone(),
            settings.sync_policy(),
            run_deadline,
        )
        .with_max_run_time(self.config.max_run_time);
        options.exchange_batch_size = self.config.batch_size;
        options.dry_run = mode.dry_run;
        options.progress = mode.progress.clone();
        options.intents_dead_before = self.config.intents_dead_before;

        let started = Instant::now();
        let report = run_user_sync(&ports, &job.tenant, &job.user, &options).await;
        let duration = started.elapsed();
        if self.config.emit_metrics && !mode.dry_run {
            run_metrics(
                &job.tenant,
                &job.user,
                &settings.binding_id,
                &report,
                duration,
            )
            .emit();
        }
        if report.outcome == RunOutcome::Failed
            && let Some(error) = report.errors.last()
        {
            return Err(JobFailure::from_run(error));
        }
        Ok(JobOutcome::Ran(Box::new(RunSummary {
            binding: settings.binding_id,
            report,
            duration,
        })))
    }

    /// The user's OfficeHeart agenda, over the worker's shared client.
    fn agenda(&self, tenant: &TenantId, user: &UserId) -> Result<OfficeHeartAgenda, JobFailure> {
        let invalid =
            |detail: String| JobFailure::non_retryable(FailureCode::SettingsInvalid, detail);
        let oh_tenant = ohsync_officeheart::TenantId::new(tenant.as_str())
            .map_err(|error| invalid(format!("tenant for OfficeHeart: {error}")))?;
        let oh_user = ohsync_officeheart::UserId::new(user.as_str())
            .map_err(|error| invalid(format!("user for OfficeHeart: {error}")))?;
        let token = self.config.officeheart_token.clone();
        let mut shared = self
            .officeheart
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let client = match shared.as_ref() {
            Some(base) => base.for_tenant(oh_tenant, token),
            None => OfficeHeartClient::new(
                ClientConfig::new(self.config.officeheart_url.clone()),
                oh_tenant,
                token,
            ),
        }
        .map_err(|error| {
            JobFailure::non_retryable(FailureCode::AgendaConfigInvalid, error.to_string())
        })?;
        shared.get_or_insert_with(|| client.clone());
        Ok(OfficeHeartAgenda::new(client, oh_user))
    }
}

fn trigger_name(trigger: &JobTrigger) -> &'static str {
    match trigger {
        JobTrigger::Tick { .. } => "tick",
        JobTrigger::SyncNow { .. } => "sync_now",
    }
}
