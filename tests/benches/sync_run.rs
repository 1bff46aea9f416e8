//! Sync-run figures against the simulators as separate processes, each request delayed 20 ms
//! (DESIGN §8): (a) a run with no changes — EWS, OfficeHeart and store requests; (b) the first
//! sync of 1,000 OfficeHeart appointments into an empty mailbox — EWS and OfficeHeart calls, wall
//! time and the bench process's peak memory; (c) the same with 10,000 appointments, for memory.
//! On the embedded store, and on DynamoDB when `OHSYNC_TEST_AWS_ENDPOINT` names the local stack.
//!
//! `cargo bench -p ohsync-e2e --bench sync_run` (builds the simulators in release mode first if
//! they are missing). `SYNC_RUN_LARGE=0` leaves out (c). Every case runs in a child process.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark: a failure stops it with the reason"
)]

#[path = "sync_run/memory.rs"]
mod memory;
#[path = "sync_run/simulators.rs"]
mod simulators;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use ohsync_e2e::observed_store::ObservedStore;
use ohsync_e2e::store_backend::{OpenStore, StoreBackend};
use ohsync_engine::executor::{RunOptions, SyncPorts, run_user_sync};
use ohsync_engine::identity::{BindingAccount, BindingId, TenantId, UserId};
use ohsync_engine::ports::SystemClock;
use ohsync_engine::reconcile::SyncPolicy;
use ohsync_engine::report::{RunOutcome, RunReport};
use ohsync_ews::transport::AddressPolicy;
use ohsync_ews::{EwsClient, ExchangeVersion, NtlmAuth, TransportConfig};
use ohsync_ews_mailbox::{EwsMailbox, MailboxSettings};
use ohsync_officeheart::{
    AppointmentData, ClientConfig, IdempotencyKey, OfficeHeartClient, SecretString,
};
use ohsync_officeheart_agenda::OfficeHeartAgenda;
use simulators::{EWS_DOMAIN, EWS_PASSWORD, EWS_USER, Simulators, TENANT, TOKEN};

const LATENCY: Duration = Duration::from_millis(20);
const OH_USER: &str = "jan";

/// What one measured run cost.
struct Figures {
    ews: simulators::EwsCounts,
    officeheart: u64,
    store_reads: usize,
    store_writes: usize,
    dynamodb: Option<String>,
    wall: Duration,
    peak_kib: Option<u64>,
}

impl Figures {
    fn print(&self, label: &str) {
        println!("{label}");
        println!(
            "  EWS requests: {} {:?} (+ {} NTLM handshakes)",
            self.ews.requests(),
            self.ews.operations,
            self.ews.handshakes
        );
        println!("  OfficeHeart requests: {}", self.officeheart);
        println!(
            "  store calls: {} reads, {} writes",
            self.store_reads, self.store_writes
        );
        if let Some(dynamodb) = &self.dynamodb {
            println!("  DynamoDB requests: {dynamodb}");
        }
        println!("  wall time: {:.3} s", self.wall.as_secs_f64());
        match self.peak_kib {
            Some(kib) => println!(
                "  peak RSS of the bench process: {:.1} MiB",
                kib as f64 / 1024.0
            ),
            None => println!("  peak RSS: not available"),
        }
    }
}

/// One user's worker, as the sync-worker builds it, against the simulators.
struct Worker {
    sims: Simulators,
    ports: SyncPorts,
    store: Arc<ObservedStore>,
    opened: OpenStore,
    tenant: TenantId,
    user: UserId,
    binding: BindingId,
}

impl Worker {
    /// Simulators with `appointments` OfficeHeart appointments and an empty mailbox; `None` when
    /// the backend is not available here.
    async fn start(backend: StoreBackend, appointments: u32) -> Option<Self> {
        let opened = backend.open().await.unwrap()?;
        let sims = Simulators::start(LATENCY);
        let oh_tenant = ohsync_officeheart::TenantId::new(TENANT).unwrap();
        let oh_user = ohsync_officeheart::UserId::new(OH_USER).unwrap();
        let client = OfficeHeartClient::new(
            ClientConfig::new(sims.oh_url.parse().unwrap()),
            oh_tenant,
            SecretString::from(TOKEN),
        )
        .unwrap();
        seed(&client, &oh_user, appointments).await;
        sims.set_officeheart_latency(LATENCY).await;
        let agenda = Arc::new(OfficeHeartAgenda::new(client, oh_user));

        let auth = NtlmAuth::new(EWS_DOMAIN, EWS_USER, SecretString::from(EWS_PASSWORD)).unwrap();
        let ews = EwsClient::builder(sims.ews_url.clone(), auth, ExchangeVersion::Exchange2016)
            .transport(TransportConfig {
                allow_http_hosts: vec!["127.0.0.1".into()],
                address_policy: AddressPolicy::new("127.0.0.1".parse().unwrap()),
                ..TransportConfig::default()
            })
            .build()
            .unwrap();
        let mailbox = Arc::new(EwsMailbox::new(ews, MailboxSettings::default()));

        let tenant = TenantId::parse(TENANT).unwrap();
        let user = UserId::parse(OH_USER).unwrap();
        let binding = BindingId::derive(&BindingAccount {
            tenant: &tenant,
            user: &user,
            ews_url: &sims.ews_url,
            domain: EWS_DOMAIN,
            username: EWS_USER,
            mailbox: None,
        })
        .unwrap();
        let store = Arc::new(ObservedStore::new(opened.store.clone()));
        let ports = SyncPorts {
            mailbox,
            agenda,
            store: store.clone(),
            clock: Arc::new(SystemClock),
        };
        Some(Self {
            sims,
            ports,
            store,
            opened,
            tenant,
            user,
            binding,
        })
    }

    /// One run with everything counted; the peak memory is the run's own.
    async fn measured_run(&mut self) -> (RunReport, Figures) {
        let ews_before = self.sims.ews_counts().await;
        let oh_before = self.sims.officeheart_requests().await;
        self.store.reset();
        self.opened.reset_dynamodb_requests();
        let options = RunOptions::new(
            self.binding.clone(),
            SyncPolicy::default(),
            Utc::now() + TimeDelta::minutes(10),
        );
        let peak_reset = memory::reset_peak();
        let started = Instant::now();
        let report = run_user_sync(&self.ports, &self.tenant, &self.user, &options).await;
        let wall = started.elapsed();
        let peak_kib = memory::peak_kib().filter(|_| peak_reset);
        let figures = Figures {
            ews: self.sims.ews_counts().await.since(&ews_before),
            officeheart: self.sims.officeheart_requests().await - oh_before,
            store_reads: self.store.reads(),
            store_writes: self.store.writes(),
            dynamodb: self.opened.dynamodb_requests().map(|requests| {
                format!(
                    "{} reads, {} writes {:?}",
                    requests.reads(),
                    requests.writes(),
                    requests.by_operation
                )
            }),
            wall,
            peak_kib,
        };
        (report, figures)
    }
}

/// A whole hour `days` from now plus `hour` hours.
fn at(days: i64, hour: i64) -> DateTime<Utc> {
    Utc::now().duration_trunc(TimeDelta::hours(1)).unwrap()
        + TimeDelta::days(days)
        + TimeDelta::hours(hour)
}

async fn seed(client: &OfficeHeartClient, user: &ohsync_officeheart::UserId, appointments: u32) {
    for n in 0..appointments {
        let start = at(i64::from(n % 300), i64::from(n % 9));
        let data = AppointmentData {
            subject: format!("Afspraak {n}"),
            location: "Kamer 2".to_owned(),
            body: "Offerte bespreken.\nTweede regel.".to_owned(),
            schedule: ohsync_officeheart::Schedule::timed(
                start.fixed_offset(),
                (start + TimeDelta::hours(1)).fixed_offset(),
            )
            .unwrap(),
            time_zone: chrono_tz::Europe::Amsterdam,
            private: false,
            show_as: ohsync_officeheart::ShowAs::Busy,
            reminder_minutes: Some(15),
            categories: vec!["Klant".to_owned()],
            recurrence: None,
            exceptions: Vec::new(),
            external_ref: None,
        };
        let key = IdempotencyKey::new(format!("bench-seed-{n}")).unwrap();
        client.create_appointment(user, &key, &data).await.unwrap();
    }
}

/// (b) and then (a): the first sync of `appointments`, a run that reads back its echoes, and a
/// run with no changes.
async fn first_sync_then_quiet(backend: StoreBackend, appointments: u32) {
    let Some(mut worker) = Worker::start(backend, appointments).await else {
        return;
    };
    let (report, figures) = worker.measured_run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(report.counts.created.exchange, appointments);
    figures.print(&format!(
        "[{}] first sync of {appointments} OfficeHeart appointments into an empty mailbox",
        backend.name()
    ));
    let (echoes, _) = worker.measured_run().await;
    assert_eq!(echoes.outcome, RunOutcome::Completed, "{echoes:?}");
    let (quiet, figures) = worker.measured_run().await;
    assert_eq!(quiet.outcome, RunOutcome::Completed, "{quiet:?}");
    assert!(quiet.counts.is_empty(), "{quiet:?}");
    figures.print(&format!(
        "[{}] a run with no changes ({appointments} mappings)",
        backend.name()
    ));
}

/// Names the one case a child process of this bench runs (`embedded:1000`, …).
const CASE_VAR: &str = "SYNC_RUN_CASE";

/// Each case runs in a process of its own: a case's peak memory must not include what the
/// allocator kept from the cases before it (a 10,000-item run measured after the DynamoDB
/// cases in one process read 64.7 MiB, on its own 59.1 MiB).
#[tokio::main]
async fn main() {
    if let Ok(case) = std::env::var(CASE_VAR) {
        let (backend, appointments) = case
            .split_once(':')
            .expect("SYNC_RUN_CASE is BACKEND:COUNT");
        let backend = match backend {
            "dynamodb" => StoreBackend::DynamoDb,
            _ => StoreBackend::Embedded,
        };
        first_sync_then_quiet(backend, appointments.parse().expect("a count")).await;
        return;
    }
    simulators::binaries();
    println!(
        "each EWS and OfficeHeart request is delayed {} ms",
        LATENCY.as_millis()
    );
    let mut cases = vec!["embedded:1000", "dynamodb:1000"];
    if std::env::var("SYNC_RUN_LARGE").as_deref() != Ok("0") {
        cases.push("embedded:10000");
    }
    let bench = std::env::current_exe().expect("the bench's own path");
    for case in cases {
        let status = std::process::Command::new(&bench)
            .args(std::env::args_os().skip(1))
            .env(CASE_VAR, case)
            .status()
            .expect("a case process starts");
        assert!(status.success(), "case {case}: {status}");
    }
}
