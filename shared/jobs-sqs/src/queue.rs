//! [`SqsJobQueue`]: the job queue port over one SQS FIFO queue.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_sqs::Client;
use ohsync_jobs::{Backoff, JobQueue, JobQueueError, SyncJob};

use crate::batch::{self, MAX_ENTRIES};

/// The variable holding the queue's URL in the functions' environment.
pub const QUEUE_URL_VAR: &str = "OHSYNC_SYNC_QUEUE_URL";

/// The longest one SendMessageBatch attempt may take, where the SDK configuration sets none.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest one SendMessageBatch may take with the SDK's retries, where none is set.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// Sync jobs on an SQS FIFO queue. Cheap to clone; clones share the client.
#[derive(Clone)]
pub struct SqsJobQueue {
    client: Client,
    queue_url: String,
    backoff: Backoff,
}

impl fmt::Debug for SqsJobQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqsJobQueue")
            .field("queue_url", &self.queue_url)
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

impl SqsJobQueue {
    /// The FIFO queue at `queue_url`, reached with `config` (region, credentials, endpoint,
    /// the SDK's retries of whole requests) plus a time limit per attempt and per call where
    /// `config` sets none, so that a tick never hangs on SQS. Failed entries are tried
    /// [`Backoff::default`] times.
    pub fn new(config: &SdkConfig, queue_url: impl Into<String>) -> Self {
        let defaults = TimeoutConfig::builder()
            .operation_attempt_timeout(ATTEMPT_TIMEOUT)
            .operation_timeout(CALL_TIMEOUT);
        let timeouts = match config.timeout_config() {
            Some(given) => given.to_builder().take_unset_from(defaults).build(),
            None => defaults.build(),
        };
        let client_config = aws_sdk_sqs::config::Builder::from(config)
            .timeout_config(timeouts)
            .build();
        Self {
            client: Client::from_conf(client_config),
            queue_url: queue_url.into(),
            backoff: Backoff::default(),
        }
    }

    /// The same queue with another back-off for failed entries.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The queue's URL.
    pub fn queue_url(&self) -> &str {
        &self.queue_url
    }
}

#[async_trait]
impl JobQueue for SqsJobQueue {
    /// Sends the jobs in batches of ten, one batch after another (a caller that wants many
    /// batches in flight, as the scheduler does, calls with ten jobs at a time).
    async fn enqueue(&self, jobs: &[SyncJob]) -> Result<(), JobQueueError> {
        let mut refused = Vec::new();
        let mut unreachable = true;
        for (number, chunk) in jobs.chunks(MAX_ENTRIES).enumerate() {
            let offset = number * MAX_ENTRIES;
            let result = batch::send(&self.client, &self.queue_url, chunk, &self.backoff).await;
            unreachable &= result.unreachable;
            refused.extend(
                result
                    .refused
                    .into_iter()
                    .map(|(index, reason)| (offset + index, reason)),
            );
        }
        match refused.first() {
            None => Ok(()),
            Some((_, reason)) if unreachable && refused.len() == jobs.len() => {
                Err(JobQueueError::Unavailable(reason.clone()))
            }
            Some(_) => Err(JobQueueError::Refused(refused)),
        }
    }
}
