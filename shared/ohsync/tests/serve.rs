//! `ohsync serve` over real sockets: the Exchange and OfficeHeart simulators, the settings API
//! over HTTP, the embedded store and the secrets file in a temporary data directory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use ohsync::config::{CallerTokenEntry, ConfigFile, OFFICEHEART_TOKEN_VAR, ServeConfig};
use ohsync::run_event::RunEvent;
use ohsync::serve::Serve;
use ohsync_engine::report::RunOutcome;
use ohsync_ews_sim::{EwsSimulator, ItemPatch, RunningSim, SimConfig, SimUser};
use ohsync_officeheart::AppointmentData;
use ohsync_oh_sim::Simulator;
use ohsync_settings_api::CallerTokens;
use ohsync_worker::JobOutcome;
use tempfile::TempDir;

use support::next_event;

const API_TOKEN: &str = "acme-api-token";
const AGENDA_TOKEN: &str = "acme-agenda-token";
const PASSWORD: &str = "Geheim!1";
const SMTP: &str = "jan@ohsim.example";

struct Setup {
    ews: RunningSim,
    oh: Simulator,
    data: TempDir,
    oh_tenant: ohsync_officeheart::TenantId,
    oh_user: ohsync_officeheart::UserId,
}

impl Setup {
    async fn start() -> Self {
        let ews = EwsSimulator::start(
            SimConfig::default().with_user(SimUser::new("OHSIM", "jan", PASSWORD, SMTP)),
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let oh_tenant = ohsync_officeheart::TenantId::new("acme").unwrap();
        let oh = Simulator::start(
            ohsync_oh_sim::SimConfig::new().grant(oh_tenant.clone(), AGENDA_TOKEN),
        )
        .await
        .unwrap();
        Self {
            ews,
            oh,
            data: TempDir::new().unwrap(),
            oh_tenant,
            oh_user: ohsync_officeheart::UserId::new("jan").unwrap(),
        }
    }

    fn config(&self, max_run_seconds: i64, grace_seconds: u64) -> ServeConfig {
        let file = ConfigFile {
            data_dir: Some(self.data.path().to_owned()),
            listen: Some("127.0.0.1:0".to_owned()),
            interval_seconds: Some(3600),
            workers: Some(2),
            max_run_seconds: Some(max_run_seconds),
            shutdown_grace_seconds: Some(grace_seconds),
            officeheart_url: Some(self.oh.url()),
            allow_private_hosts: Some("127.0.0.1".to_owned()),
            allow_http_hosts: Some("127.0.0.1".to_owned()),
            caller_tokens: vec![CallerTokenEntry {
                tenant: "acme".to_owned(),
                sha256: CallerTokens::sha256_hex(API_TOKEN),
            }],
            ..ConfigFile::default()
        };
        ServeConfig::resolve(file, |var| {
            (var == OFFICEHEART_TOKEN_VAR).then(|| AGENDA_TOKEN.to_owned())
        })
        .unwrap()
    }

    fn oh_seed(&self, subject: &str, start: DateTime<Utc>) {
        self.oh
            .seed(&self.oh_tenant, &self.oh_user, oh_data(subject, start));
    }

    fn oh_subjects(&self) -> Vec<String> {
        let mut subjects: Vec<String> = self
            .oh
            .appointments(&self.oh_tenant, &self.oh_user)
            .into_iter()
            .map(|appointment| appointment.data.subject)
            .collect();
        subjects.sort();
        subjects
    }

    fn ex_create(&self, subject: &str, start: DateTime<Utc>) {
        self.ews
            .mailbox(SMTP)
            .unwrap()
            .create(
                &ItemPatch::new()
                    .subject(subject)
                    .start(start)
                    .end(start + TimeDelta::hours(1)),
            )
            .unwrap();
    }

    fn ex_subjects(&self) -> Vec<String> {
        let mut subjects: Vec<String> = self
            .ews
            .mailbox(SMTP)
            .unwrap()
            .items()
            .into_iter()
            .filter_map(|item| item.subject)
            .collect();
        subjects.sort();
        subjects
    }
}

fn at(days: i64, hour: i64) -> DateTime<Utc> {
    Utc::now().duration_trunc(TimeDelta::days(1)).unwrap()
        + TimeDelta::days(days)
        + TimeDelta::hours(hour)
}

fn oh_data(subject: &str, start: DateTime<Utc>) -> AppointmentData {
    AppointmentData {
        location: "Kamer 2".to_owned(),
        body: "Offerte bespreken.".to_owned(),
        reminder_minutes: Some(15),
        ..AppointmentData::new(
            subject,
            ohsync_officeheart::Schedule::timed(
                start.fixed_offset(),
                (start + TimeDelta::hours(1)).fixed_offset(),
            )
            .unwrap(),
            chrono_tz::Europe::Amsterdam,
        )
    }
}

fn user_url(serve: &Serve, tail: &str) -> String {
    format!("http://{}/v1/tenants/acme/users/jan/{tail}", serve.addr())
}

/// Registers jan's Exchange settings through the API, as OfficeHeart does.
async fn register(serve: &Serve, setup: &Setup) {
    let answer = reqwest::Client::new()
        .put(user_url(serve, "exchange-settings"))
        .bearer_auth(API_TOKEN)
        .json(&serde_json::json!({
            "ews_url": setup.ews.url(),
            "exchange_version": "Exchange2016",
            "domain": "OHSIM",
            "username": "jan",
            "password": PASSWORD,
        }))
        .send()
        .await
        .unwrap();
    let status = answer.status();
    assert_eq!(status, 201, "{}", answer.text().await.unwrap());
}

async fn sync_now(serve: &Serve) {
    let answer = reqwest::Client::new()
        .post(user_url(serve, "sync-now"))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202);
}

/// Asks for runs until one completes; returns how many runs were busy first.
async fn sync_until_completed(serve: &Serve, within: Duration) -> u32 {
    let mut events = serve.events();
    let started = std::time::Instant::now();
    let mut busy = 0;
    loop {
        assert!(started.elapsed() < within, "no completed run in {within:?}");
        sync_now(serve).await;
        loop {
            if let RunEvent::Finished { result, .. } = next_event(&mut events).await {
                match (*result).unwrap() {
                    JobOutcome::Ran(summary) if summary.report.outcome == RunOutcome::Completed => {
                        return busy;
                    }
                    JobOutcome::Ran(summary) => {
                        assert_eq!(summary.report.outcome, RunOutcome::Busy, "{summary:?}");
                        busy += 1;
                    }
                    other => panic!("not run: {other:?}"),
                }
                break;
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

#[tokio::test]
async fn an_appointment_added_on_each_side_appears_on_the_other_after_sync_now() {
    let setup = Setup::start().await;
    let serve = Serve::start(setup.config(120, 30)).await.unwrap();
    register(&serve, &setup).await;
    setup.oh_seed("Uit OfficeHeart", at(1, 9));
    setup.ex_create("Uit Outlook", at(2, 14));

    let busy = sync_until_completed(&serve, Duration::from_secs(60)).await;

    assert_eq!(busy, 0);
    let both = vec!["Uit OfficeHeart".to_owned(), "Uit Outlook".to_owned()];
    assert_eq!(setup.oh_subjects(), both);
    assert_eq!(setup.ex_subjects(), both);
    let status: serde_json::Value = reqwest::Client::new()
        .get(user_url(&serve, "sync-status"))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["active"], true, "{status}");
    assert!(!serve.stop().await.runs_cut_off);
}

#[tokio::test]
async fn stopping_in_the_middle_of_a_run_and_starting_again_loses_and_duplicates_nothing() {
    let setup = Setup::start().await;
    for day in 0..40 {
        setup.oh_seed(&format!("OH {day:02}"), at(day, 9));
        setup.ex_create(&format!("EX {day:02}"), at(day, 15));
    }
    // Slow Exchange down so that the run is surely in flight when serve stops.
    setup.ews.faults().set_latency(Duration::from_millis(150));
    // The Lambda-length maximum run time: a lease of 16 minutes, which the restart must not
    // wait out (serve holds its data directory alone, so the cut-off run is known dead).
    let serve = Serve::start(setup.config(900, 0)).await.unwrap();
    register(&serve, &setup).await;
    let mut events = serve.events();
    sync_now(&serve).await;
    assert!(matches!(
        next_event(&mut events).await,
        RunEvent::Started { .. }
    ));
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(
        serve.stop().await.runs_cut_off,
        "the run was still in flight"
    );

    setup.ews.faults().set_latency(Duration::ZERO);
    let serve = Serve::start(setup.config(900, 0)).await.unwrap();
    assert_eq!(
        sync_until_completed(&serve, Duration::from_secs(60)).await,
        0,
        "the first run after the restart resumes the cut-off run's work"
    );

    let expected: Vec<String> = (0..40)
        .flat_map(|day| [format!("EX {day:02}"), format!("OH {day:02}")])
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        setup.oh_subjects(),
        expected,
        "OfficeHeart: all 80, once each"
    );
    assert_eq!(setup.ex_subjects(), expected, "Exchange: all 80, once each");
    serve.stop().await;
}

#[tokio::test]
async fn a_second_serve_on_the_same_data_directory_is_refused_until_the_first_stops() {
    let setup = Setup::start().await;
    let serve = Serve::start(setup.config(900, 0)).await.unwrap();
    let refused = Serve::start(setup.config(900, 0)).await.unwrap_err();
    assert_eq!(refused.code(), "data_dir_in_use", "{refused}");
    assert!(
        refused.text_nl().contains("gegevensmap"),
        "{}",
        refused.text_nl()
    );
    serve.stop().await;
    let again = Serve::start(setup.config(900, 0)).await.unwrap();
    again.stop().await;
}
