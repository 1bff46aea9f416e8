//! `ohsync serve`: the settings API, the scheduler and the worker pool in one process, over the
//! embedded store and the local secrets file, with a graceful shutdown.

use std::fs::{File, TryLockError};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use ohsync_engine::ports::{Secrets, Store, SystemClock};
use ohsync_live_check::EwsLiveChecker;
use ohsync_secrets::{CachedSecrets, FileSecrets, FileSecretsError};
use ohsync_settings::store::SettingsStore;
use ohsync_settings_api::{ApiState, router};
use ohsync_store_embedded::{EmbeddedSettingsStore, EmbeddedStore, OpenError, UserRunLocks};
use ohsync_worker::{SyncWorker, WorkerConfig, WorkerPorts};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use crate::config::ServeConfig;
use crate::host_limits::HostLimits;
use crate::local_queue::LocalJobQueue;
use crate::run_event::RunEvent;
use crate::schedule_loop::schedule;
use crate::worker_pool::{PoolThread, WorkerPool};

/// The secrets file's directory under the data directory.
pub const SECRETS_DIR: &str = "secrets";
/// The file under the data directory that the one `serve` using it holds locked.
pub const LOCK_FILE: &str = "serve.lock";

/// Why `serve` could not start; each has a stable code and Dutch and English text.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The embedded store could not be opened.
    #[error("cannot open the store: {0}")]
    Store(#[from] OpenError),
    /// The secrets file could not be opened.
    #[error("cannot open the secrets file: {0}")]
    Secrets(#[from] FileSecretsError),
    /// The worker thread could not be started.
    #[error("cannot start the workers: {0}")]
    Workers(#[source] std::io::Error),
    /// Another `serve` uses the data directory.
    #[error("another ohsync serve uses the data directory {}", data_dir.display())]
    DataDirInUse {
        /// The data directory.
        data_dir: PathBuf,
    },
    /// The data directory's lock file could not be created or locked.
    #[error("cannot lock the data directory {}: {source}", data_dir.display())]
    DataDirUnlockable {
        /// The data directory.
        data_dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The API's address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl ServeError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Store(_) => "store_unavailable",
            Self::Secrets(_) => "secrets_unavailable",
            Self::Workers(_) => "workers_unavailable",
            Self::DataDirInUse { .. } => "data_dir_in_use",
            Self::DataDirUnlockable { .. } => "data_dir_unlockable",
            Self::Listen { .. } => "listen_failed",
        }
    }

    /// The message in Dutch.
    pub fn text_nl(&self) -> String {
        match self {
            Self::Store(error) => format!("de opslag kan niet geopend worden: {error}"),
            Self::Secrets(error) => {
                format!("het bestand met wachtwoorden kan niet geopend worden: {error}")
            }
            Self::Workers(error) => format!("de workers kunnen niet starten: {error}"),
            Self::DataDirInUse { data_dir } => format!(
                "een andere ohsync serve gebruikt de gegevensmap {}",
                data_dir.display()
            ),
            Self::DataDirUnlockable { data_dir, source } => format!(
                "de gegevensmap {} kan niet vergrendeld worden: {source}",
                data_dir.display()
            ),
            Self::Listen { addr, source } => format!("kan niet luisteren op {addr}: {source}"),
        }
    }
}

/// How a stop went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shutdown {
    /// Whether runs were still in flight when the grace period ended and were cut off.
    pub runs_cut_off: bool,
}

/// A running `serve`: stop it with [`Serve::stop`].
#[derive(Debug)]
pub struct Serve {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: JoinHandle<Shutdown>,
    events: broadcast::Sender<RunEvent>,
}

impl Serve {
    /// Opens the store and secrets under the data directory, binds the API and starts the
    /// scheduler and the workers.
    pub async fn start(config: ServeConfig) -> Result<Self, ServeError> {
        let store = EmbeddedStore::open(&config.data_dir)?;
        // Held until the last run has stopped: while it is, no other serve uses this store,
        // so every intent recorded before now is a dead process's and resumes at once.
        let lock = lock_data_dir(&config.data_dir)?;
        let started_at = Utc::now();
        let settings: Arc<dyn SettingsStore> = Arc::new(EmbeddedSettingsStore::sharing(&store));
        let store: Arc<dyn Store> = Arc::new(store);
        let secrets: Arc<dyn Secrets> = Arc::new(CachedSecrets::new(FileSecrets::open(
            config.data_dir.join(SECRETS_DIR),
        )?));
        let queue = Arc::new(LocalJobQueue::new());
        let mut worker_config = worker_config(&config);
        worker_config.intents_dead_before = Some(started_at);
        let api = ApiState {
            settings: settings.clone(),
            secrets: secrets.clone(),
            store: store.clone(),
            jobs: queue.clone(),
            live_checker: Arc::new(EwsLiveChecker::new(
                config.operator.clone(),
                worker_config.transport.clone(),
            )),
            clock: Arc::new(SystemClock),
            operator: Arc::new(config.operator.clone()),
            callers: config.callers.clone(),
        };
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| ServeError::Listen {
                addr: config.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Listen {
            addr: config.listen,
            source,
        })?;
        let (events, _) = broadcast::channel(1024);
        let pool = Arc::new(WorkerPool {
            queue: queue.clone(),
            worker: SyncWorker::new(
                WorkerPorts {
                    settings: settings.clone(),
                    store,
                    secrets,
                    clock: Arc::new(SystemClock),
                },
                worker_config,
            ),
            settings: settings.clone(),
            locks: UserRunLocks::new(),
            hosts: HostLimits::new(config.runs_per_exchange_host),
            max_run_time: config.max_run_time,
            events: events.clone(),
        });
        let (stop, stopping) = watch::channel(false);
        let workers = pool
            .spawn_thread(config.workers, stopping.clone())
            .map_err(ServeError::Workers)?;
        let scheduler = tokio::spawn(schedule(
            settings,
            queue.clone(),
            config.interval,
            stopping.clone(),
        ));
        let mut api_stopping = stopping.clone();
        let api = tokio::spawn(async move {
            let stopped = async move {
                let _ = api_stopping.wait_for(|stop| *stop).await;
            };
            axum::serve(listener, router(api))
                .with_graceful_shutdown(stopped)
                .await
        });
        tracing::info!(%addr, workers = config.workers, interval_s = config.interval.as_secs(),
            data_dir = %config.data_dir.display(), "ohsync serve started");
        let grace = config.shutdown_grace;
        let task = tokio::spawn(async move {
            let _lock = lock;
            let mut stopping = stopping;
            let _ = stopping.wait_for(|stop| *stop).await;
            if let Ok(Err(error)) = api.await {
                tracing::warn!(%error, "the settings API ended with an error");
            }
            let _ = scheduler.await;
            queue.close();
            finish_runs(workers, grace).await
        });
        Ok(Self {
            addr,
            stop,
            task,
            events,
        })
    }

    /// The address the settings API listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A feed of runs starting and ending from now on.
    pub fn events(&self) -> broadcast::Receiver<RunEvent> {
        self.events.subscribe()
    }

    /// Stops the API and the scheduler, lets runs in flight finish within the grace period and
    /// cuts off the rest.
    pub async fn stop(self) -> Shutdown {
        let _ = self.stop.send(true);
        self.task.await.unwrap_or(Shutdown { runs_cut_off: true })
    }
}

/// Locks `data_dir` for this process (the lock ends with the returned file).
fn lock_data_dir(data_dir: &Path) -> Result<File, ServeError> {
    let unlockable = |source| ServeError::DataDirUnlockable {
        data_dir: data_dir.to_path_buf(),
        source,
    };
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data_dir.join(LOCK_FILE))
        .map_err(unlockable)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(ServeError::DataDirInUse {
            data_dir: data_dir.to_path_buf(),
        }),
        Err(TryLockError::Error(source)) => Err(unlockable(source)),
    }
}

/// The worker's configuration on one machine.
pub(crate) fn worker_config(config: &ServeConfig) -> WorkerConfig {
    let mut worker = WorkerConfig::new(
        config.officeheart_url.clone(),
        config.officeheart_token.clone(),
        config.operator.clone(),
    );
    worker.max_run_time = config.max_run_time;
    // A short maximum run time (tests, small installations) keeps a quarter of it as the
    // margin rather than the Lambda's 40 s, which would leave no time to run.
    worker.safety_margin = worker.safety_margin.min(config.max_run_time / 4);
    worker.transport.insecure_tls_hosts = config.insecure_tls_hosts.clone();
    // No CloudWatch agent reads stdout here; the run's log line carries the same counts.
    worker.emit_metrics = false;
    worker
}

async fn finish_runs(workers: PoolThread, grace: Duration) -> Shutdown {
    tracing::info!(
        grace_s = grace.as_secs(),
        "stopping: runs in flight may finish"
    );
    let PoolThread { mut done, cut_off } = workers;
    if tokio::time::timeout(grace, &mut done).await.is_ok() {
        tracing::info!("stopped: every run finished");
        return Shutdown {
            runs_cut_off: false,
        };
    }
    let _ = cut_off.send(());
    let _ = done.await;
    tracing::warn!(
        "stopped: runs still in flight were cut off; this is safe, the engine commits each step \
         atomically and the next start resumes where they stopped"
    );
    Shutdown { runs_cut_off: true }
}

/// Runs `serve` until Ctrl-C or SIGTERM, then stops it gracefully.
pub async fn serve_until_signal(config: ServeConfig) -> Result<Shutdown, ServeError> {
    let serve = Serve::start(config).await?;
    shutdown_signal().await;
    Ok(serve.stop().await)
}

/// Ctrl-C, or SIGTERM on Unix.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
