//! What a worker needs beyond its ports: where OfficeHeart is, what the operator allows, and
//! how long a run may take.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use ohsync_engine::executor::RunOptions;
use ohsync_ews::{RetryPolicy, TransportConfig};
use ohsync_settings::OperatorPolicy;
use secrecy::SecretString;
use url::Url;

/// The environment variable (functions and `ohsync serve`) with the OfficeHeart agenda API's
/// root URL.
pub const OFFICEHEART_URL_VAR: &str = "OHSYNC_OFFICEHEART_URL";

/// Runs at once against one Exchange host when the operator does not say: a few users of one
/// on-premises server sync side by side, without every worker at it.
pub const DEFAULT_RUNS_PER_EXCHANGE_HOST: u32 = 4;

/// The worker's configuration.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The OfficeHeart agenda API's root.
    pub officeheart_url: Url,
    /// ohsync's bearer token for the OfficeHeart agenda API.
    pub officeheart_token: SecretString,
    /// Which private hosts and plain-http hosts the operator allows for EWS.
    pub operator: OperatorPolicy,
    /// EWS network settings (time limits, extra trust); the address policy and the http
    /// allow-list come from [`Self::operator`] for each run.
    pub transport: TransportConfig,
    /// EWS retries within one run.
    pub ews_retry: RetryPolicy,
    /// Items per Exchange request.
    pub batch_size: usize,
    /// The longest a run can live: the worker function's timeout. The engine derives the
    /// intent lease from it, so that a crashed run's binding resumes soon after.
    pub max_run_time: TimeDelta,
    /// How long before the caller's deadline the run stops starting new work. It must cover
    /// the longest step already under way: one EWS request ([`Self::transport`]'s request
    /// timeout, 25 s by default here) or one OfficeHeart call (30 s), plus the final commit.
    pub safety_margin: TimeDelta,
    /// Whether each run writes its Embedded Metric Format record to stdout: on Lambda
    /// CloudWatch turns it into metrics; on one machine nothing reads it.
    pub emit_metrics: bool,
    /// Runs at once against one Exchange host, over every worker sharing the host slots
    /// (`SyncWorker::with_host_slots`); unused without them.
    pub runs_per_exchange_host: u32,
    /// Intents recorded before this instant are a dead process's (see
    /// `RunOptions::intents_dead_before`): set by `ohsync serve`, which holds its data
    /// directory alone; `None` on Lambda.
    pub intents_dead_before: Option<DateTime<Utc>>,
}

impl WorkerConfig {
    /// The defaults: EWS requests limited to 25 s, the EWS client's retries,
    /// [`RunOptions::DEFAULT_EXCHANGE_BATCH_SIZE`] items per Exchange request, runs of at most 15 minutes (the Lambda maximum), a 40-second margin and
    /// [`DEFAULT_RUNS_PER_EXCHANGE_HOST`].
    pub fn new(
        officeheart_url: Url,
        officeheart_token: SecretString,
        operator: OperatorPolicy,
    ) -> Self {
        Self {
            officeheart_url,
            officeheart_token,
            operator,
            transport: TransportConfig {
                request_timeout: Duration::from_secs(25),
                ..TransportConfig::default()
            },
            ews_retry: RetryPolicy::default(),
            batch_size: RunOptions::DEFAULT_EXCHANGE_BATCH_SIZE,
            max_run_time: TimeDelta::minutes(15),
            safety_margin: TimeDelta::seconds(40),
            emit_metrics: true,
            runs_per_exchange_host: DEFAULT_RUNS_PER_EXCHANGE_HOST,
            intents_dead_before: None,
        }
    }
}
