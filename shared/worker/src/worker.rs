//! [`SyncWorker`]: a queued job to one user's sync run.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use chrono::{DateTime, Utc};
use ohsync_engine::executor::{ProgressSink, RunOptions, SyncPorts, run_user_sync};
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_engine::ports::{BindingScope, Clock, Commit, Secrets, Store};
use ohsync_engine::report::{ActionCounts, RunError, RunOutcome, RunStatus, SideCounts};
use ohsync_jobs::{ExchangeHost, HostSlots, JobTrigger, SlotHolder, SlotLease, SyncJob};
use ohsync_officeheart::{ClientConfig, OfficeHeartClient};
use ohsync_officeheart_agenda::OfficeHeartAgenda;
use ohsync_settings::StoredSettings;
use ohsync_settings::store::SettingsStore;
use tracing::Instrument;

use crate::account;
use crate::config::WorkerConfig;
use crate::failure::{FailureCode, JobFailure};
use crate::metrics::{deferral_metrics, run_metrics};
use crate::outcome::{DeferReason, JobOutcome, RunSummary, SkipReason, outcome_name};

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
    /// The per-host run slots shared with the other workers, if runs are capped per host.
    host_slots: Option<Arc<dyn HostSlots>>,
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
            host_slots: None,
        }
    }

    /// Caps the runs against one Exchange host at `config.runs_per_exchange_host` over every
    /// worker sharing `slots`: a job whose host is full is [`JobOutcome::Deferred`].
    pub fn with_host_slots(mut self, slots: Arc<dyn HostSlots>) -> Self {
        self.host_slots = Some(slots);
        self
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
            Ok(JobOutcome::Deferred(reason)) => tracing::info!(
                reason = reason.name(),
                host = %reason.host(),
                detail = ?reason,
                "job deferred"
            ),
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
        let lease = match self.take_host_slot(job, &settings).await {
            Ok(lease) => lease,
            Err(reason) => {
                if self.config.emit_metrics && !mode.dry_run {
                    deferral_metrics(&job.tenant, &job.user, &reason).emit();
                }
                return Ok(JobOutcome::Deferred(reason));
            }
        };
        let result = self
            .run_with_settings(job, settings, run_deadline, mode)
            .await;
        if let Some(lease) = lease {
            self.free_host_slot(&lease).await;
        }
        result
    }

    /// A slot of the user's Exchange host, if runs are capped per host (`None`: not capped,
    /// or the URL names no host); the reason to defer the job when none is free.
    async fn take_host_slot(
        &self,
        job: &SyncJob,
        settings: &StoredSettings,
    ) -> Result<Option<SlotLease>, DeferReason> {
        let Some(slots) = &self.host_slots else {
            return Ok(None);
        };
        let Some(host) = settings.account.ews_url.as_url().host_str() else {
            return Ok(None);
        };
        let host = ExchangeHost::new(host);
        let cap = self.config.runs_per_exchange_host.max(1);
        let now = self.ports.clock.now();
        // The slot frees itself when its lease ends, as the engine's intents do: the longest
        // a run can live plus the margin for clocks that differ.
        let lease_until = now + self.config.max_run_time + RunOptions::LEASE_MARGIN;
        match slots
            .try_acquire(&host, cap, &SlotHolder::for_job(job), now, lease_until)
            .await
        {
            Ok(Some(lease)) => Ok(Some(lease)),
            Ok(None) => Err(DeferReason::HostFull { host, cap }),
            Err(error) => Err(DeferReason::SlotsUnavailable {
                host,
                detail: error.to_string(),
            }),
        }
    }

    /// Frees the run's host slot; one that cannot be freed now frees itself when its lease
    /// ends, so this only logs.
    async fn free_host_slot(&self, lease: &SlotLease) {
        let Some(slots) = &self.host_slots else {
            return;
        };
        match slots.release(lease).await {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                host = %lease.host,
                slot = lease.slot,
                "the host slot was taken over before the run ended (its lease had run out)"
            ),
            Err(error) => tracing::warn!(
                host = %lease.host,
                slot = lease.slot,
                %error,
                "the host slot could not be freed; it frees itself when its lease ends"
            ),
        }
    }

    /// The run itself, once the settings are read and the host slot is held.
    async fn run_with_settings(
        &self,
        job: &SyncJob,
        settings: StoredSettings,
        run_deadline: DateTime<Utc>,
        mode: &RunMode,
    ) -> Result<JobOutcome, JobFailure> {
        let reference = account::password_ref(&job.tenant, &job.user, &settings)?;
        let password = match self.ports.secrets.read(&reference).await {
            Ok(password) => password,
            Err(error) => {
                let failure = JobFailure::from_secrets(&error);
                if !mode.dry_run {
                    self.record_failure(job, &settings, &failure).await;
                }
                return Err(failure);
            }
        };
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

    /// Records `failure` as the user's last run when it has an engine code (the password could
    /// not be read), as a run that failed would: one load and one status-only commit. A status
    /// that cannot be written is only logged; the job's failure is what the queue acts on.
    async fn record_failure(&self, job: &SyncJob, settings: &StoredSettings, failure: &JobFailure) {
        let cause = failure.cause();
        let FailureCode::Run(code) = cause.code else {
            return;
        };
        let scope = BindingScope {
            tenant: job.tenant.clone(),
            user: job.user.clone(),
            binding: settings.binding_id.clone(),
        };
        let status = RunStatus {
            finished_at: self.ports.clock.now(),
            outcome: RunOutcome::Failed,
            counts: ActionCounts::default(),
            conflicts: SideCounts::default(),
            errors: vec![RunError {
                code,
                detail: cause.detail.clone(),
            }],
        };
        let commit = Commit {
            status: Some(status),
            ..Commit::default()
        };
        let written = match self.ports.store.load(&scope).await {
            Ok(state) => {
                self.ports
                    .store
                    .commit(&scope, state.version, &commit)
                    .await
            }
            Err(error) => Err(error),
        };
        if let Err(error) = written {
            tracing::warn!(%error, "the failure could not be recorded in the user's status");
        }
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
