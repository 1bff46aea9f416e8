//! What a job that ran (or was rightly skipped) came to.

use std::time::Duration;

use ohsync_engine::identity::BindingId;
use ohsync_engine::report::{PartialReason, RunOutcome, RunReport};
use ohsync_jobs::ExchangeHost;

/// Why a job did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// The user has no settings (never saved, or deleted).
    NoSettings,
    /// The user's sync is switched off.
    Inactive,
}

/// Why a job was not started now, to be handed out again later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeferReason {
    /// Every one of the host's slots is held by another run.
    HostFull {
        /// The user's Exchange host.
        host: ExchangeHost,
        /// Runs allowed at once against it.
        cap: u32,
    },
    /// The slots could not be read; no run starts without one, or the cap would not hold.
    SlotsUnavailable {
        /// The user's Exchange host.
        host: ExchangeHost,
        /// What the slot store answered.
        detail: String,
    },
}

impl DeferReason {
    /// A stable name for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Self::HostFull { .. } => "host_full",
            Self::SlotsUnavailable { .. } => "slots_unavailable",
        }
    }

    /// The host the job waits for.
    pub fn host(&self) -> &ExchangeHost {
        match self {
            Self::HostFull { host, .. } | Self::SlotsUnavailable { host, .. } => host,
        }
    }
}

impl std::fmt::Display for DeferReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::HostFull { host, cap } => write!(
                f,
                "the Exchange server {host} already has {cap} runs at once"
            ),
            Self::SlotsUnavailable { host, detail } => write!(
                f,
                "the run slots of the Exchange server {host} could not be read: {detail}"
            ),
        }
    }
}

/// A run that ended, in whatever way the engine reports (completed, partial, a tripped
/// guard, another run busy): the status records it, and the queue is done with the job.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The binding that was synced.
    pub binding: BindingId,
    /// The engine's report.
    pub report: RunReport,
    /// How long the run took.
    pub duration: Duration,
}

/// What became of a job that did not fail.
#[derive(Debug, Clone)]
pub enum JobOutcome {
    /// Nothing to run; the queue is done with the job.
    Skipped(SkipReason),
    /// The run ended (boxed: a report is large next to a skip); the queue is done with the job.
    Ran(Box<RunSummary>),
    /// Not started, nothing written, no status recorded: the queue should hand the job out
    /// again later. Not a failure.
    Deferred(DeferReason),
}

/// A stable name for a run outcome, for logs and metrics.
pub fn outcome_name(outcome: &RunOutcome) -> &'static str {
    match outcome {
        RunOutcome::Completed => "completed",
        RunOutcome::Partial(PartialReason::Deadline) => "partial_deadline",
        RunOutcome::Partial(PartialReason::WorkLeft) => "partial_work_left",
        RunOutcome::Aborted(_) => "aborted",
        RunOutcome::Busy => "busy",
        RunOutcome::LostRace => "lost_race",
        RunOutcome::Failed => "failed",
        RunOutcome::DryRun => "dry_run",
    }
}
