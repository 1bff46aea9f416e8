//! A running simulator with one tenant, and a client for it.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeDelta};
use ohsync_officeheart::{
    AppointmentData, ClientConfig, IdempotencyKey, OfficeHeartClient, Schedule, SecretString,
    ShowAs, TenantId, UserId,
};
use ohsync_oh_sim::{SimConfig, Simulator};

pub const TOKEN: &str = "acme-token-7f3a";
pub const OTHER_TOKEN: &str = "globex-token-91c2";

pub fn acme() -> TenantId {
    TenantId::new("acme").unwrap()
}

pub fn globex() -> TenantId {
    TenantId::new("globex").unwrap()
}

pub fn user() -> UserId {
    UserId::new("jdevries").unwrap()
}

pub struct Fixture {
    pub sim: Simulator,
    pub client: OfficeHeartClient,
}

/// A simulator that knows acme's and globex's tokens, and a client acting for acme.
pub async fn start() -> Fixture {
    let sim = Simulator::start(
        SimConfig::new()
            .grant(acme(), TOKEN)
            .grant(globex(), OTHER_TOKEN),
    )
    .await
    .unwrap();
    let client = client(&sim, |_| {});
    Fixture { sim, client }
}

/// A client for acme with `adjust` applied to the default configuration.
pub fn client(sim: &Simulator, adjust: impl FnOnce(&mut ClientConfig)) -> OfficeHeartClient {
    let mut config = ClientConfig::new(sim.url().parse().unwrap());
    adjust(&mut config);
    OfficeHeartClient::new(config, acme(), SecretString::from(TOKEN)).unwrap()
}

pub fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

/// A one-hour meeting starting `hours` after 2026-03-02 08:00 (Amsterdam).
pub fn meeting(subject: &str, hours: i64) -> AppointmentData {
    let start = at("2026-03-02T08:00:00+01:00") + TimeDelta::hours(hours);
    AppointmentData {
        subject: subject.to_owned(),
        location: "Utrecht".to_owned(),
        body: "Offerte bespreken.".to_owned(),
        schedule: Schedule::timed(start, start + TimeDelta::hours(1)).unwrap(),
        time_zone: chrono_tz::Europe::Amsterdam,
        private: false,
        show_as: ShowAs::Busy,
        reminder_minutes: Some(15),
        categories: vec!["Klant".to_owned()],
        recurrence: None,
        exceptions: Vec::new(),
        external_ref: Some(format!("uid-{subject}")),
    }
}

pub fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::new(text).unwrap()
}

/// Long enough for a loaded 2-core machine, short enough to keep the suite quick.
pub const SHORT_TIMEOUT: Duration = Duration::from_millis(300);
