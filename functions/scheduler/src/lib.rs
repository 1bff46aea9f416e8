//! The scheduler Lambda function's handler: an EventBridge scheduled event becomes one tick
//! ([`ohsync_scheduler::tick_of`] its time), and [`ohsync_scheduler::dispatch_tick`] queues a
//! job per active user on the SQS FIFO queue. The binary (`src/main.rs`) only builds this from
//! the environment and hands it to the Lambda runtime.
//!
//! A tick that left users without a job (a shard not read, jobs refused) ends in an error, so
//! that Lambda's retry of the asynchronous invocation dispatches it again: the jobs already
//! queued carry the same deduplication ids and are not queued twice.

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::TimeDelta;
use lambda_runtime::{Diagnostic, LambdaEvent};
use ohsync_aws_env::{EnvError, Environment};
use ohsync_jobs::JobQueue;
use ohsync_jobs_sqs::{QUEUE_URL_VAR, SqsJobQueue};
use ohsync_scheduler::{DEFAULT_PERIOD, DispatchOptions, DispatchReport, dispatch_tick, tick_of};
use ohsync_settings::store::SettingsStore;
use ohsync_store_dynamodb::{DynamoSettingsStore, TABLE_VARIABLE};
use serde::Serialize;

/// The schedule's period in minutes (default 5; it must match the EventBridge rule's rate).
pub const PERIOD_MINUTES_VAR: &str = "OHSYNC_SCHEDULE_MINUTES";
/// Queue calls in flight at most (default 16).
pub const MAX_IN_FLIGHT_VAR: &str = "OHSYNC_DISPATCH_IN_FLIGHT";

/// A tick that left active users without a job.
#[derive(Debug, thiserror::Error)]
#[error(
    "tick {tick}: {refused} job(s) refused and {failed_shards} shard(s) unread; {queued} of {found} users queued"
)]
pub struct IncompleteTick {
    /// The tick.
    pub tick: String,
    /// Users found.
    pub found: u64,
    /// Jobs queued.
    pub queued: u64,
    /// Jobs refused.
    pub refused: usize,
    /// Shards not read to their end.
    pub failed_shards: usize,
}

impl From<IncompleteTick> for Diagnostic {
    fn from(error: IncompleteTick) -> Self {
        Self {
            error_type: "IncompleteTick".to_owned(),
            error_message: error.to_string(),
        }
    }
}

/// What the function answers for a complete tick (it shows in the invocation's log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TickSummary {
    /// The tick, RFC 3339.
    pub tick: String,
    /// Active users found.
    pub users_found: u64,
    /// Jobs queued.
    pub jobs_queued: u64,
    /// Queue calls made.
    pub batches: u64,
    /// How long the dispatch took, in milliseconds.
    pub duration_ms: u64,
}

/// The scheduler: the settings store's index, the job queue, and how to dispatch.
pub struct Scheduler {
    settings: Arc<dyn SettingsStore>,
    queue: Arc<dyn JobQueue>,
    options: DispatchOptions,
    period: TimeDelta,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("options", &self.options)
            .field("period", &self.period)
            .finish_non_exhaustive()
    }
}

impl Scheduler {
    /// A scheduler over these ports.
    pub fn new(
        settings: Arc<dyn SettingsStore>,
        queue: Arc<dyn JobQueue>,
        options: DispatchOptions,
        period: TimeDelta,
    ) -> Self {
        Self {
            settings,
            queue,
            options,
            period,
        }
    }

    /// The scheduler the environment describes: the table ([`TABLE_VARIABLE`]), the queue
    /// ([`QUEUE_URL_VAR`]), and optionally [`PERIOD_MINUTES_VAR`] and [`MAX_IN_FLIGHT_VAR`].
    pub fn from_env(env: &Environment, sdk: &SdkConfig) -> Result<Self, EnvError> {
        let table = env.required(TABLE_VARIABLE, "the DynamoDB table with the settings")?;
        let queue_url = env.required(QUEUE_URL_VAR, "the URL of the SQS FIFO job queue")?;
        let defaults = DispatchOptions::default();
        let minutes = env.positive_or(PERIOD_MINUTES_VAR, DEFAULT_PERIOD.num_minutes())?;
        let max_in_flight = env.positive_or(MAX_IN_FLIGHT_VAR, defaults.max_in_flight)?;
        Ok(Self::new(
            Arc::new(DynamoSettingsStore::new(
                aws_sdk_dynamodb::Client::new(sdk),
                table,
            )),
            Arc::new(SqsJobQueue::new(sdk, queue_url)),
            DispatchOptions {
                max_in_flight,
                ..defaults
            },
            TimeDelta::minutes(minutes),
        ))
    }

    /// Dispatches the tick `event` stands for; the EMF metrics go to stdout.
    pub async fn handle(
        &self,
        event: LambdaEvent<EventBridgeEvent>,
    ) -> Result<TickSummary, IncompleteTick> {
        // A scheduled event always carries its time; without one, the invocation's own time
        // is the best guess of the tick meant.
        let time = event.payload.time.unwrap_or_else(chrono::Utc::now);
        let tick = tick_of(time, self.period);
        let report = dispatch_tick(
            self.settings.as_ref(),
            self.queue.as_ref(),
            tick,
            &self.options,
        )
        .await;
        report.metrics().emit();
        summary(&report)
    }
}

fn summary(report: &DispatchReport) -> Result<TickSummary, IncompleteTick> {
    if !report.is_complete() {
        return Err(IncompleteTick {
            tick: report.tick.to_rfc3339(),
            found: report.users_found,
            queued: report.jobs_queued,
            refused: report.refused.len(),
            failed_shards: report.shard_failures.len(),
        });
    }
    Ok(TickSummary {
        tick: report.tick.to_rfc3339(),
        users_found: report.users_found,
        jobs_queued: report.jobs_queued,
        batches: report.batches,
        duration_ms: u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX),
    })
}
