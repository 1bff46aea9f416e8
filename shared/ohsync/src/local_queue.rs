//! The job queue of one machine: in memory, with a user's jobs coalesced while one waits.
//!
//! Nothing is lost when the process stops: a queued job is only a request to run, and the next
//! tick queues every active user again.

use std::collections::{HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use ohsync_jobs::{JobQueue, JobQueueError, SyncJob};
use tokio::sync::Notify;

#[derive(Debug, Default)]
struct Waiting {
    jobs: VecDeque<SyncJob>,
    /// The group keys of `jobs`: one waiting job per user is enough, as a run reads every
    /// change since the last one.
    users: HashSet<String>,
    closed: bool,
}

/// An in-memory [`JobQueue`] that keeps at most one waiting job per user.
#[derive(Debug, Default)]
pub struct LocalJobQueue {
    waiting: Mutex<Waiting>,
    ready: Notify,
}

impl LocalJobQueue {
    /// An empty, open queue.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Waiting> {
        // Every update below completes under the lock; a panic elsewhere cannot leave it torn.
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next job, waiting for one; `None` once the queue is closed and empty.
    pub async fn next(&self) -> Option<SyncJob> {
        loop {
            let ready = self.ready.notified();
            {
                let mut waiting = self.lock();
                if let Some(job) = waiting.jobs.pop_front() {
                    waiting.users.remove(&job.group_key());
                    return Some(job);
                }
                if waiting.closed {
                    return None;
                }
            }
            ready.await;
        }
    }

    /// Refuses new jobs and wakes every waiter; jobs already queued are still handed out.
    pub fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_waiters();
    }

    /// How many jobs wait.
    pub fn len(&self) -> usize {
        self.lock().jobs.len()
    }

    /// Whether no job waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl JobQueue for LocalJobQueue {
    async fn enqueue(&self, jobs: &[SyncJob]) -> Result<(), JobQueueError> {
        {
            let mut waiting = self.lock();
            if waiting.closed {
                return Err(JobQueueError::Unavailable(
                    "the process is shutting down".to_owned(),
                ));
            }
            for job in jobs {
                if waiting.users.insert(job.group_key()) {
                    waiting.jobs.push_back(job.clone());
                }
            }
        }
        self.ready.notify_waiters();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use chrono::DateTime;
    use ohsync_engine::identity::{TenantId, UserId};
    use ohsync_jobs::JobTrigger;

    use super::*;

    fn job(user: &str, tick: i64) -> SyncJob {
        SyncJob {
            tenant: TenantId::parse("acme").unwrap(),
            user: UserId::parse(user).unwrap(),
            trigger: JobTrigger::Tick {
                tick: DateTime::from_timestamp(tick, 0).unwrap(),
            },
        }
    }

    #[tokio::test]
    async fn a_waiting_user_is_queued_once_and_again_after_it_is_taken() {
        let queue = LocalJobQueue::new();
        queue
            .enqueue(&[job("jan", 0), job("piet", 0), job("jan", 300)])
            .await
            .unwrap();
        assert_eq!(queue.len(), 2);
        assert_eq!(queue.next().await.unwrap(), job("jan", 0));
        queue.enqueue(&[job("jan", 600)]).await.unwrap();
        assert_eq!(queue.next().await.unwrap(), job("piet", 0));
        assert_eq!(queue.next().await.unwrap(), job("jan", 600));
        assert!(queue.is_empty());
    }

    #[tokio::test]
    async fn a_waiting_worker_wakes_for_a_job_and_ends_when_closed() {
        let queue = Arc::new(LocalJobQueue::new());
        let worker = {
            let queue = Arc::clone(&queue);
            tokio::spawn(async move {
                let mut taken = Vec::new();
                while let Some(job) = queue.next().await {
                    taken.push(job);
                }
                taken
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        queue.enqueue(&[job("jan", 0)]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        queue.close();
        let taken = tokio::time::timeout(Duration::from_secs(5), worker)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(taken, vec![job("jan", 0)]);
        assert!(matches!(
            queue.enqueue(&[job("piet", 0)]).await,
            Err(JobQueueError::Unavailable(_))
        ));
    }
}
