//! What one tick did, and the metrics it leaves.

use std::time::Duration;

use chrono::{DateTime, Utc};
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_settings::store::{SettingsStoreError, Shard};
use ohsync_telemetry::{MetricsRecord, Unit};

/// A job the queue did not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedJob {
    /// The tenant.
    pub tenant: TenantId,
    /// The user.
    pub user: UserId,
    /// Why, as the queue said.
    pub reason: String,
}

/// A shard whose index could not be read to its end; the users of the pages read before the
/// failure were dispatched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardFailure {
    /// The shard.
    pub shard: Shard,
    /// Reads tried for the failing page.
    pub attempts: u32,
    /// The last error.
    pub error: SettingsStoreError,
}

/// The account of one tick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchReport {
    /// The tick the jobs were queued for.
    pub tick: DateTime<Utc>,
    /// Active users found in the index.
    pub users_found: u64,
    /// Jobs the queue took.
    pub jobs_queued: u64,
    /// Calls to the queue (one SendMessageBatch each on SQS, retries of entries aside).
    pub batches: u64,
    /// Reads of index pages, retries included.
    pub index_reads: u64,
    /// Jobs the queue refused, with why.
    pub refused: Vec<RefusedJob>,
    /// Shards that could not be read to their end.
    pub shard_failures: Vec<ShardFailure>,
    /// How long the tick took.
    pub duration: Duration,
}

/// The CloudWatch namespace of every ohsync metric.
const NAMESPACE: &str = "ohsync";

impl DispatchReport {
    /// An empty report for `tick`.
    pub(crate) fn new(tick: DateTime<Utc>) -> Self {
        Self {
            tick,
            users_found: 0,
            jobs_queued: 0,
            batches: 0,
            index_reads: 0,
            refused: Vec::new(),
            shard_failures: Vec::new(),
            duration: Duration::ZERO,
        }
    }

    /// Whether every active user got a job.
    pub fn is_complete(&self) -> bool {
        self.refused.is_empty() && self.shard_failures.is_empty()
    }

    /// The tick as Embedded Metric Format, dimension `Function=scheduler`.
    pub fn metrics(&self) -> MetricsRecord {
        let count = |value: u64| value as f64;
        MetricsRecord::new(NAMESPACE)
            .dimension("Function", "scheduler")
            .add("UsersFound", Unit::Count, count(self.users_found))
            .add("JobsQueued", Unit::Count, count(self.jobs_queued))
            .add("JobsRefused", Unit::Count, self.refused.len() as f64)
            .add("QueueBatches", Unit::Count, count(self.batches))
            .add("IndexReads", Unit::Count, count(self.index_reads))
            .add(
                "ShardReadFailures",
                Unit::Count,
                self.shard_failures.len() as f64,
            )
            .add(
                "DispatchDuration",
                Unit::Milliseconds,
                self.duration.as_secs_f64() * 1_000.0,
            )
            .property("tick", self.tick.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn the_metrics_carry_every_count_of_the_tick() {
        let mut report = DispatchReport::new("2026-12-01T10:05:00Z".parse().unwrap());
        report.users_found = 25;
        report.jobs_queued = 24;
        report.batches = 4;
        report.index_reads = 17;
        report.refused.push(RefusedJob {
            tenant: TenantId::parse("acme").unwrap(),
            user: UserId::parse("jan").unwrap(),
            reason: "InternalError".into(),
        });
        report.duration = Duration::from_millis(1_250);
        assert!(!report.is_complete());

        let lines = report.metrics().lines();
        let line: Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(line["Function"], "scheduler");
        assert_eq!(line["UsersFound"], 25.0);
        assert_eq!(line["JobsQueued"], 24.0);
        assert_eq!(line["JobsRefused"], 1.0);
        assert_eq!(line["QueueBatches"], 4.0);
        assert_eq!(line["IndexReads"], 17.0);
        assert_eq!(line["ShardReadFailures"], 0.0);
        assert_eq!(line["DispatchDuration"], 1_250.0);
        assert_eq!(line["tick"], "2026-12-01T10:05:00+00:00");
        assert!(line.get("jan").is_none() && !lines[0].contains("\"jan\""));
    }
}
