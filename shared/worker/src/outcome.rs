//! What a job that ran (or was rightly skipped) came to.

use std::time::Duration;

use ohsync_engine::identity::BindingId;
use ohsync_engine::report::{PartialReason, RunOutcome, RunReport};

/// Why a job did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// The user has no settings (never saved, or deleted).
    NoSettings,
    /// The user's sync is switched off.
    Inactive,
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

/// A job the queue is done with.
#[derive(Debug, Clone)]
pub enum JobOutcome {
    /// Nothing to run.
    Skipped(SkipReason),
    /// The run ended (boxed: a report is large next to a skip).
    Ran(Box<RunSummary>),
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
