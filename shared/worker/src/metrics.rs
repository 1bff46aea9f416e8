//! The Embedded Metric Format record of one run.

use std::time::Duration;

use ohsync_engine::identity::{BindingId, TenantId, UserId};
use ohsync_engine::report::{RunOutcome, RunReport};
use ohsync_telemetry::{MetricsRecord, Unit};

use crate::outcome::{DeferReason, outcome_name};

/// The CloudWatch namespace of every ohsync metric.
const NAMESPACE: &str = "ohsync";

/// The metric of a job deferred for its Exchange host, dimension `Function=sync-worker`:
/// `RunsDeferred` 1; tenant, user, host and reason as properties.
pub fn deferral_metrics(tenant: &TenantId, user: &UserId, reason: &DeferReason) -> MetricsRecord {
    MetricsRecord::new(NAMESPACE)
        .dimension("Function", "sync-worker")
        .add("RunsDeferred", Unit::Count, 1.0)
        .property("tenant", tenant.as_str())
        .property("user", user.as_str())
        .property("host", reason.host().as_str())
        .property("reason", reason.name())
}

/// The metrics of one run, dimension `Function=sync-worker`: the run and its duration, items
/// created, updated and deleted per side, conflicts, tripped guards, errors in all and per
/// code (`Errors.<code>`). Tenant, user, binding and outcome are properties, never dimensions
/// (a dimension per user would be a billed metric per user).
pub fn run_metrics(
    tenant: &TenantId,
    user: &UserId,
    binding: &BindingId,
    report: &RunReport,
    duration: Duration,
) -> MetricsRecord {
    let counts = &report.counts;
    let count = |value: u32| f64::from(value);
    let flag = |on: bool| if on { 1.0 } else { 0.0 };
    let mut record = MetricsRecord::new(NAMESPACE)
        .dimension("Function", "sync-worker")
        .add("Runs", Unit::Count, 1.0)
        .add(
            "RunsFailed",
            Unit::Count,
            flag(report.outcome == RunOutcome::Failed),
        )
        .add(
            "RunDuration",
            Unit::Milliseconds,
            duration.as_secs_f64() * 1_000.0,
        )
        .add(
            "CreatedInExchange",
            Unit::Count,
            count(counts.created.exchange),
        )
        .add(
            "CreatedInOfficeHeart",
            Unit::Count,
            count(counts.created.officeheart),
        )
        .add(
            "UpdatedInExchange",
            Unit::Count,
            count(counts.updated.exchange),
        )
        .add(
            "UpdatedInOfficeHeart",
            Unit::Count,
            count(counts.updated.officeheart),
        )
        .add(
            "DeletedInExchange",
            Unit::Count,
            count(counts.deleted.exchange),
        )
        .add(
            "DeletedInOfficeHeart",
            Unit::Count,
            count(counts.deleted.officeheart),
        )
        .add("Conflicts", Unit::Count, report.conflicts.len() as f64)
        .add(
            "GuardsTripped",
            Unit::Count,
            flag(matches!(report.outcome, RunOutcome::Aborted(_))),
        )
        .add("Errors", Unit::Count, report.errors.len() as f64)
        .property("tenant", tenant.as_str())
        .property("user", user.as_str())
        .property("binding", binding.to_string())
        .property("outcome", outcome_name(&report.outcome));
    for error in &report.errors {
        record = record.add(format!("Errors.{}", error.code.as_str()), Unit::Count, 1.0);
    }
    record
}
