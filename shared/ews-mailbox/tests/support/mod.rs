//! A simulated Exchange server on 127.0.0.1 and an [`EwsMailbox`] talking NTLM to it.

// Each test binary uses part of this module; a panic is how a test reports failure.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use ohsync_engine::appointment::{Appointment, Categories, Schedule, ShowAs, Text, TimedSpan};
use ohsync_engine::identity::OhsyncTag;
use ohsync_engine::ports::{Continuation, ItemSummary, Mailbox, MailboxSyncState, NewExchangeItem};
use ohsync_engine::window::WindowBounds;
use ohsync_ews::transport::AddressPolicy;
use ohsync_ews::{EwsClient, ExchangeVersion, NtlmAuth, RetryPolicy, TransportConfig};
use ohsync_ews_mailbox::{EwsMailbox, MailboxSettings};
use ohsync_ews_sim::{EwsSimulator, RunningSim, ServerVersion, SimConfig, SimUser};
use secrecy::SecretString;

pub const PASSWORD: &str = "Geheim!1";
pub const JAN: &str = "jan@ohsim.example";
pub const BOSS: &str = "boss@ohsim.example";

/// jan (a plain user) and boss (who may impersonate), on a simulated `version` server.
pub async fn start(version: ServerVersion) -> RunningSim {
    let config = SimConfig::default()
        .with_server_version(version)
        .with_user(SimUser::new("OHSIM", "jan", PASSWORD, JAN))
        .with_user(SimUser::new("OHSIM", "boss", "pw-boss", BOSS).with_impersonation());
    EwsSimulator::start(config, "127.0.0.1:0").await.unwrap()
}

/// Retries quick enough for tests; a test of throttling passes its own policy.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

/// A client for `account` (`DOMAIN\name`) stating `version`.
pub fn client_for(
    url: &str,
    account: &str,
    password: &str,
    version: ExchangeVersion,
    retry: RetryPolicy,
) -> ohsync_ews::EwsClientBuilder {
    let auth = NtlmAuth::new("", account, SecretString::from(password)).unwrap();
    EwsClient::builder(url, auth, version)
        .transport(TransportConfig {
            allow_http_hosts: vec!["127.0.0.1".into()],
            address_policy: AddressPolicy::new("127.0.0.1".parse().unwrap()),
            request_timeout: Duration::from_secs(20),
            ..TransportConfig::default()
        })
        .retry(retry)
}

/// jan's own calendar, stating `version`.
pub fn mailbox_with(sim: &RunningSim, version: ExchangeVersion, retry: RetryPolicy) -> EwsMailbox {
    let client = client_for(&sim.url(), r"OHSIM\jan", PASSWORD, version, retry)
        .build()
        .unwrap();
    EwsMailbox::new(client, MailboxSettings::default())
}

/// jan's own calendar on an Exchange 2016 server.
pub fn mailbox(sim: &RunningSim) -> EwsMailbox {
    mailbox_with(sim, ExchangeVersion::Exchange2016, quick_retries())
}

/// Now, to whole seconds (Exchange keeps no fractions).
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap()
}

/// The default window around now: 30 days back, 365 ahead.
pub fn window() -> WindowBounds {
    WindowBounds {
        start: now() - TimeDelta::days(30),
        end: now() + TimeDelta::days(365),
    }
}

/// A timed appointment `days` from now, with every field filled in.
pub fn appointment(subject: &str, days: i64) -> Appointment {
    let start = now() + TimeDelta::days(days);
    Appointment {
        subject: Text::new(subject),
        location: Text::new("Kamer 2, Utrecht"),
        body: Text::new("Agenda:\n- offerte <concept> & planning\n- café"),
        schedule: Schedule::Timed(TimedSpan::new(start, start + TimeDelta::minutes(90)).unwrap()),
        time_zone: chrono_tz::Europe::Amsterdam,
        private: true,
        show_as: ShowAs::Tentative,
        reminder_minutes: Some(10),
        categories: Categories::new(["Klant", "Rood & blauw"]),
        recurrence: None,
    }
}

pub fn tag(id: &str) -> OhsyncTag {
    format!("acme:{id}").parse().unwrap()
}

pub fn new_item(id: &str, appointment: Appointment) -> NewExchangeItem {
    NewExchangeItem {
        tag: tag(id),
        appointment,
    }
}

/// Every page of a window listing: the items, the position it ends at, and the page count.
pub async fn list_all(
    mailbox: &EwsMailbox,
    window: &WindowBounds,
) -> (Vec<ItemSummary>, MailboxSyncState, usize) {
    let mut items = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = mailbox.list_window(window, token.as_ref()).await.unwrap();
        pages += 1;
        items.extend(page.items);
        match page.continuation {
            Continuation::NextPage(next) => token = Some(next),
            Continuation::Done(state) => return (items, state, pages),
        }
    }
}
