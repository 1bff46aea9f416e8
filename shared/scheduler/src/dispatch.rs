//! [`dispatch_tick`]: every shard at once, each page's users queued in batches while the next
//! page is read, with at most [`DispatchOptions::max_in_flight`] queue calls at a time.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::future::join_all;
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_jobs::{Backoff, JobQueue, JobQueueError, JobTrigger, SyncJob};
use ohsync_settings::store::{SettingsStore, Shard};
use tokio::sync::Semaphore;
use tracing::Instrument;

use crate::report::{DispatchReport, RefusedJob, ShardFailure};
use crate::shard::read_page;

/// How a tick dispatches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DispatchOptions {
    /// Jobs per queue call: 10, the most one SQS SendMessageBatch takes.
    pub batch_size: usize,
    /// Queue calls in flight at most, over all shards.
    pub max_in_flight: usize,
    /// How a failed index read is retried before its shard is reported.
    pub index_reads: Backoff,
}

impl Default for DispatchOptions {
    /// 10 jobs per batch, 16 batches in flight, index reads tried 3 times (waits below 100
    /// and 200 ms).
    fn default() -> Self {
        Self {
            batch_size: 10,
            max_in_flight: 16,
            index_reads: Backoff {
                attempts: 3,
                base: Duration::from_millis(100),
                max: Duration::from_secs(1),
            },
        }
    }
}

/// Queues one job for `tick` per active user: the [`SHARDS`](ohsync_settings::store::SHARDS)
/// shards of the index are read concurrently, each paged to its end; each page's users go out
/// in batches of [`DispatchOptions::batch_size`] while the shard's next page is read. A shard
/// whose read keeps failing is reported and the others still dispatch; a batch the queue
/// refuses is reported per job. Never fails as a whole: everything is in the report.
pub async fn dispatch_tick(
    settings: &dyn SettingsStore,
    queue: &dyn JobQueue,
    tick: DateTime<Utc>,
    options: &DispatchOptions,
) -> DispatchReport {
    let span = tracing::info_span!("dispatch_tick", tick = %tick.to_rfc3339());
    async {
        let started = Instant::now();
        let dispatcher = Dispatcher {
            settings,
            queue,
            tick,
            options,
            permits: Semaphore::new(options.max_in_flight.max(1)),
        };
        let shards = join_all(Shard::all().map(|shard| dispatcher.shard(shard))).await;
        let mut report = DispatchReport::new(tick);
        for shard in shards {
            shard.add_to(&mut report);
        }
        report.duration = started.elapsed();
        log(&report);
        report
    }
    .instrument(span)
    .await
}

struct Dispatcher<'a> {
    settings: &'a dyn SettingsStore,
    queue: &'a dyn JobQueue,
    tick: DateTime<Utc>,
    options: &'a DispatchOptions,
    permits: Semaphore,
}

/// What one shard's dispatch did.
#[derive(Default)]
struct ShardOutcome {
    users_found: u64,
    jobs_queued: u64,
    batches: u64,
    index_reads: u64,
    refused: Vec<RefusedJob>,
    failure: Option<ShardFailure>,
}

impl ShardOutcome {
    fn add_to(self, report: &mut DispatchReport) {
        report.users_found += self.users_found;
        report.jobs_queued += self.jobs_queued;
        report.batches += self.batches;
        report.index_reads += self.index_reads;
        report.refused.extend(self.refused);
        report.shard_failures.extend(self.failure);
    }
}

impl Dispatcher<'_> {
    async fn shard(&self, shard: Shard) -> ShardOutcome {
        let mut outcome = ShardOutcome::default();
        let mut read = read_page(self.settings, shard, None, &self.options.index_reads).await;
        loop {
            outcome.index_reads += u64::from(read.attempts);
            let page = match read.page {
                Ok(ref page) => page,
                Err(error) => {
                    outcome.failure = Some(ShardFailure {
                        shard,
                        attempts: read.attempts,
                        error,
                    });
                    return outcome;
                }
            };
            let users = read.users();
            outcome.users_found += users.len() as u64;
            let next = async {
                match &page.next {
                    Some(position) => Some(
                        read_page(
                            self.settings,
                            shard,
                            Some(position),
                            &self.options.index_reads,
                        )
                        .await,
                    ),
                    None => None,
                }
            };
            let (sent, next) = tokio::join!(self.send_all(users), next);
            for batch in sent {
                outcome.batches += 1;
                outcome.jobs_queued += batch.queued;
                outcome.refused.extend(batch.refused);
            }
            match next {
                Some(next) => read = next,
                None => return outcome,
            }
        }
    }

    /// Queues a job for each of `users`, in batches, each waiting for a permit.
    async fn send_all(&self, users: &[(TenantId, UserId)]) -> Vec<BatchOutcome> {
        let batches = users
            .chunks(self.options.batch_size.max(1))
            .map(|batch| self.send(batch));
        join_all(batches).await
    }

    async fn send(&self, users: &[(TenantId, UserId)]) -> BatchOutcome {
        let jobs: Vec<SyncJob> = users
            .iter()
            .map(|(tenant, user)| SyncJob {
                tenant: tenant.clone(),
                user: user.clone(),
                trigger: JobTrigger::Tick { tick: self.tick },
            })
            .collect();
        // The semaphore is never closed, so acquiring only waits; without a permit the batch
        // would still be sent, one over the bound.
        let _permit = self.permits.acquire().await.ok();
        let refused: Vec<(usize, String)> = match self.queue.enqueue(&jobs).await {
            Ok(()) => Vec::new(),
            Err(JobQueueError::Refused(refused)) => refused
                .into_iter()
                .filter(|(index, _)| *index < jobs.len())
                .collect(),
            Err(JobQueueError::Unavailable(reason)) => (0..jobs.len())
                .map(|index| (index, reason.clone()))
                .collect(),
        };
        BatchOutcome {
            queued: (jobs.len() - refused.len()) as u64,
            refused: refused
                .into_iter()
                .map(|(index, reason)| RefusedJob {
                    tenant: jobs[index].tenant.clone(),
                    user: jobs[index].user.clone(),
                    reason,
                })
                .collect(),
        }
    }
}

struct BatchOutcome {
    queued: u64,
    refused: Vec<RefusedJob>,
}

/// Refused jobs named in the log at most; the count says how many there were.
const REFUSALS_LOGGED: usize = 5;

fn log(report: &DispatchReport) {
    for failure in &report.shard_failures {
        tracing::warn!(
            shard = %failure.shard,
            attempts = failure.attempts,
            error = %failure.error,
            "an index shard could not be read to its end"
        );
    }
    for refused in report.refused.iter().take(REFUSALS_LOGGED) {
        tracing::warn!(
            tenant = %refused.tenant,
            user = %refused.user,
            reason = %refused.reason,
            "the queue refused a job"
        );
    }
    tracing::info!(
        users_found = report.users_found,
        jobs_queued = report.jobs_queued,
        jobs_refused = report.refused.len(),
        batches = report.batches,
        index_reads = report.index_reads,
        shard_failures = report.shard_failures.len(),
        duration_ms = report.duration.as_millis() as u64,
        "tick dispatched"
    );
}
