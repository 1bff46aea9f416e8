//! The sandbox's live feed: one readable line per run.

use chrono::Local;
use ohsync_worker::{JobOutcome, outcome_name};

use crate::ops::render::counts;
use crate::run_event::RunEvent;

/// The line for a finished run; `None` for a run starting.
pub fn feed_line(event: &RunEvent) -> Option<String> {
    let RunEvent::Finished {
        tenant,
        user,
        result,
    } = event
    else {
        return None;
    };
    let time = Local::now().format("%H:%M:%S");
    let who = format!("{tenant}/{user}");
    Some(match result.as_ref() {
        Ok(JobOutcome::Ran(summary)) => {
            let report = &summary.report;
            format!(
                "{time} {who:<12} {:<17} {}   conflicts {}   errors {}{}   ({:.1} s)",
                outcome_name(&report.outcome),
                counts(&report.counts),
                report.conflicts.len(),
                report.errors.len(),
                report
                    .errors
                    .first()
                    .map(|error| format!(" (first: {:?}: {})", error.code, error.detail))
                    .unwrap_or_default(),
                summary.duration.as_secs_f64(),
            )
        }
        Ok(JobOutcome::Skipped(reason)) => format!("{time} {who:<12} skipped: {reason:?}"),
        Ok(JobOutcome::Deferred(reason)) => format!(
            "{time} {who:<12} deferred: {} ({})",
            reason.name(),
            reason.host()
        ),
        Err(failure) => format!(
            "{time} {who:<12} failed: {} ({})",
            failure.cause().code.as_str(),
            failure.cause().detail
        ),
    })
}
