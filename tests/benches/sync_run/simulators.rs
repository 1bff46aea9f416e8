//! The Exchange and OfficeHeart simulators as child processes (so that the bench process's memory
//! is the worker's alone), and their request counts: the Exchange simulator's from its request
//! log on stderr, the OfficeHeart simulator's from its `/_sim/stats` route.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde::Deserialize;

/// The Exchange account the bench syncs with.
pub const EWS_DOMAIN: &str = "OHSIM";
/// Its user name.
pub const EWS_USER: &str = "jan";
/// Its password.
pub const EWS_PASSWORD: &str = "Geheim!1";
/// The OfficeHeart tenant.
pub const TENANT: &str = "acme";
/// The OfficeHeart bearer token.
pub const TOKEN: &str = "acme-bench-token";

/// The two simulator binaries, built in release mode when missing.
pub fn binaries() -> (PathBuf, PathBuf) {
    // The bench runs as TARGET/release/deps/sync_run-HASH; the binaries sit in TARGET/release.
    let exe = std::env::current_exe().unwrap();
    let release = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
    let ews = release.join("ews-sim");
    let oh = release.join("oh-sim");
    if !ews.exists() || !oh.exists() {
        eprintln!(
            "building the simulators: cargo build -p ohsync-ews-sim -p ohsync-oh-sim --release"
        );
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = Command::new(cargo)
            .args([
                "build",
                "-p",
                "ohsync-ews-sim",
                "-p",
                "ohsync-oh-sim",
                "--release",
            ])
            .status()
            .unwrap();
        assert!(status.success(), "building the simulators failed");
    }
    (ews, oh)
}

/// A child process that is killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `command` and answers the child and the URL it prints on its first stdout line.
fn spawn(mut command: Command) -> (Child, String) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    (child, url.trim().to_owned())
}

#[derive(Debug, Default)]
struct LogCounts {
    operations: BTreeMap<String, u64>,
    handshakes: u64,
    barriers: HashSet<String>,
}

/// What the Exchange simulator logged, counted as its lines arrive.
#[derive(Debug, Default)]
struct EwsLog {
    counts: Mutex<LogCounts>,
    changed: Condvar,
}

impl EwsLog {
    fn take(&self, line: &str) {
        let mut counts = self.counts.lock().unwrap();
        if line.contains(" request ") {
            if let Some(operation) = field(line, "operation=") {
                *counts.operations.entry(operation.to_owned()).or_default() += 1;
            }
        } else if line.contains("NTLM challenge sent") {
            counts.handshakes += 1;
        } else if let Some(path) = field(line, "path=") {
            counts.barriers.insert(path.to_owned());
        }
        self.changed.notify_all();
    }
}

fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let start = line.find(name)? + name.len();
    line[start..].split_whitespace().next()
}

/// EWS requests per operation, and NTLM handshakes (401 challenges).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EwsCounts {
    /// SOAP requests per operation.
    pub operations: BTreeMap<String, u64>,
    /// NTLM challenges sent (one per new connection).
    pub handshakes: u64,
}

impl EwsCounts {
    /// SOAP requests of every operation.
    pub fn requests(&self) -> u64 {
        self.operations.values().sum()
    }

    /// What happened since `before`.
    pub fn since(&self, before: &Self) -> Self {
        let operations = self
            .operations
            .iter()
            .map(|(name, count)| {
                let earlier = before.operations.get(name).copied().unwrap_or(0);
                (name.clone(), count - earlier)
            })
            .filter(|(_, count)| *count > 0)
            .collect();
        Self {
            operations,
            handshakes: self.handshakes - before.handshakes,
        }
    }
}

#[derive(Debug, Deserialize)]
struct RouteCount {
    route: String,
    count: u64,
}

/// Both simulators, running until dropped.
pub struct Simulators {
    /// The EWS endpoint.
    pub ews_url: String,
    /// The OfficeHeart API's base URL.
    pub oh_url: String,
    log: Arc<EwsLog>,
    barriers: u64,
    http: reqwest::Client,
    _processes: [Process; 2],
}

impl Simulators {
    /// Starts both; every EWS request waits `ews_latency`. OfficeHeart's latency is set later
    /// (see [`Simulators::set_officeheart_latency`]) so that seeding goes fast.
    pub fn start(ews_latency: Duration) -> Self {
        let (ews_bin, oh_bin) = binaries();
        let mut ews = Command::new(ews_bin);
        ews.env("RUST_LOG", "info").args([
            "--listen",
            "127.0.0.1:0",
            "--user",
            &format!("{EWS_DOMAIN}\\{EWS_USER}:{EWS_PASSWORD}:{EWS_USER}@ohsim.example"),
            "--latency-ms",
            &ews_latency.as_millis().to_string(),
        ]);
        let (mut ews_child, ews_url) = spawn(ews);
        let log = Arc::new(EwsLog::default());
        let stderr = ews_child.stderr.take().unwrap();
        let reader_log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                reader_log.take(&line);
            }
        });
        let mut oh = Command::new(oh_bin);
        oh.env("RUST_LOG", "warn").env("OH_SIM_TOKEN", TOKEN).args([
            "--listen",
            "127.0.0.1:0",
            "--tenant",
            TENANT,
        ]);
        let (oh_child, oh_url) = spawn(oh);
        Self {
            ews_url,
            oh_url,
            log,
            barriers: 0,
            http: reqwest::Client::new(),
            _processes: [Process(ews_child), Process(oh_child)],
        }
    }

    /// The EWS requests logged so far, every line up to now included: a request to a path the
    /// simulator does not serve is logged after them, and the counts are read once it shows.
    pub async fn ews_counts(&mut self) -> EwsCounts {
        self.barriers += 1;
        let path = format!("/bench-barrier-{}", self.barriers);
        let base = self.ews_url.split("/EWS/").next().unwrap().to_owned();
        self.http.get(format!("{base}{path}")).send().await.unwrap();
        let counts = self.log.counts.lock().unwrap();
        let (counts, timeout) = self
            .log
            .changed
            .wait_timeout_while(counts, Duration::from_secs(10), |counts| {
                !counts.barriers.contains(&path)
            })
            .unwrap();
        assert!(!timeout.timed_out(), "the simulator's log stopped");
        EwsCounts {
            operations: counts.operations.clone(),
            handshakes: counts.handshakes,
        }
    }

    /// OfficeHeart API requests so far (the simulator's own `/_sim` routes left out).
    pub async fn officeheart_requests(&self) -> u64 {
        let routes: Vec<RouteCount> = self
            .http
            .get(format!("{}/_sim/stats", self.oh_url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        routes
            .iter()
            .filter(|route| !route.route.starts_with("/_sim"))
            .map(|route| route.count)
            .sum()
    }

    /// Delays every OfficeHeart API request by `latency` from now on.
    pub async fn set_officeheart_latency(&self, latency: Duration) {
        self.http
            .put(format!("{}/_sim/faults", self.oh_url))
            .bearer_auth(TOKEN)
            .json(&serde_json::json!({ "latency_ms": latency.as_millis() as u64 }))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
    }
}
