//! The worker pool: tasks that take jobs from the [`LocalJobQueue`] and run them, never one user
//! twice at once ([`UserRunLocks`]) and never more than the cap against one Exchange host
//! ([`HostLimits`]).

use std::sync::Arc;

use chrono::{TimeDelta, Utc};
use ohsync_jobs::SyncJob;
use ohsync_settings::store::SettingsStore;
use ohsync_store_embedded::UserRunLocks;
use ohsync_worker::SyncWorker;
use tokio::sync::{broadcast, oneshot, watch};
use tokio::task::{JoinSet, LocalSet};

use crate::host_limits::HostLimits;
use crate::local_queue::LocalJobQueue;
use crate::run_event::RunEvent;

/// What every worker task shares.
pub(crate) struct WorkerPool {
    pub(crate) queue: Arc<LocalJobQueue>,
    pub(crate) worker: SyncWorker,
    pub(crate) settings: Arc<dyn SettingsStore>,
    pub(crate) locks: UserRunLocks,
    pub(crate) hosts: HostLimits,
    pub(crate) max_run_time: TimeDelta,
    pub(crate) events: broadcast::Sender<RunEvent>,
}

/// The pool's thread: ends when every worker has, and reports that on `done`.
#[derive(Debug)]
pub(crate) struct PoolThread {
    pub(crate) done: oneshot::Receiver<()>,
    pub(crate) cut_off: oneshot::Sender<()>,
}

impl WorkerPool {
    /// Runs `workers` worker tasks on a thread of their own, on one current-thread runtime.
    /// The engine's run future cannot be proven `Send` for every lifetime (rust-lang/rust#102211),
    /// so it cannot go to `tokio::spawn`; the tasks still run concurrently, as runs wait on I/O.
    /// Sending on `cut_off` aborts the runs still in flight.
    pub(crate) fn spawn_thread(
        self: Arc<Self>,
        workers: usize,
        stopping: watch::Receiver<bool>,
    ) -> std::io::Result<PoolThread> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (done_tx, done) = oneshot::channel();
        let (cut_off, cut_off_rx) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("ohsync-workers".to_owned())
            .spawn(move || {
                LocalSet::new().block_on(&runtime, async move {
                    let mut tasks = JoinSet::new();
                    for _ in 0..workers {
                        tasks.spawn_local(self.clone().work(stopping.clone()));
                    }
                    tokio::select! {
                        _ = async { while tasks.join_next().await.is_some() {} } => {}
                        Ok(()) = cut_off_rx => {
                            tasks.abort_all();
                            while tasks.join_next().await.is_some() {}
                        }
                    }
                });
                // Nobody waiting is fine: the process is ending.
                let _ = done_tx.send(());
            })?;
        Ok(PoolThread { done, cut_off })
    }

    /// One worker task: takes jobs until the queue is closed and empty or `stopping` is set;
    /// a job taken after the stop is dropped, as the next start's first tick queues it again.
    pub(crate) async fn work(self: Arc<Self>, mut stopping: watch::Receiver<bool>) {
        loop {
            let job = tokio::select! {
                biased;
                _ = stopping.wait_for(|stop| *stop) => return,
                job = self.queue.next() => job,
            };
            let Some(job) = job else { return };
            if *stopping.borrow() {
                return;
            }
            self.run(job).await;
        }
    }

    async fn run(&self, job: SyncJob) {
        let _user = self.locks.acquire(&job.tenant, &job.user).await;
        let _host = match self.exchange_host(&job).await {
            Some(host) => Some(self.hosts.acquire(&host).await),
            None => None,
        };
        // Nobody listening is fine: the feed is optional.
        let _ = self.events.send(RunEvent::Started {
            tenant: job.tenant.clone(),
            user: job.user.clone(),
        });
        let result = self
            .worker
            .run_job(&job, Utc::now() + self.max_run_time)
            .await;
        let _ = self.events.send(RunEvent::Finished {
            tenant: job.tenant,
            user: job.user,
            result: Box::new(result),
        });
    }

    /// The host of the user's Exchange server; `None` when the settings cannot be read, in
    /// which case the worker skips or fails the job without contacting any host.
    async fn exchange_host(&self, job: &SyncJob) -> Option<String> {
        let settings = self.settings.get(&job.tenant, &job.user).await.ok()??;
        settings
            .account
            .ews_url
            .as_url()
            .host_str()
            .map(str::to_owned)
    }
}
