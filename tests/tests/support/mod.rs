//! One user's world for end-to-end runs: the Exchange simulator (NTLM over a socket) behind
//! `EwsMailbox`, the OfficeHeart simulator behind `OfficeHeartAgenda`, the engine's in-memory
//! store and a clock — and helpers that act as the user on either side.

// Each test binary uses part of this module; a panic is how a test reports failure.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use ohsync_engine::executor::{RunOptions, SyncPorts, run_user_sync};
use ohsync_engine::identity::{BindingAccount, BindingId, TenantId, UserId};
use ohsync_engine::ports::{
    Agenda, AgendaItem, Clock, Continuation, ExchangeItem, Mailbox, Mapping,
};
use ohsync_engine::reconcile::SyncPolicy;
use ohsync_engine::report::RunReport;
use ohsync_engine::testkit::{FakeClock, FakeStore, Faults};
use ohsync_ews::transport::AddressPolicy;
use ohsync_ews::{EwsClient, ExchangeVersion, NtlmAuth, RetryPolicy, TransportConfig};
use ohsync_ews_mailbox::{EwsMailbox, MailboxSettings};
use ohsync_ews_sim::{
    EwsSimulator, ItemPatch, ItemSnapshot, MailboxHandle, RunningSim, SimConfig, SimUser,
};
use ohsync_officeheart::{
    Appointment, AppointmentData, AppointmentId, ClientConfig, OfficeHeartClient, SecretString,
};
use ohsync_officeheart_agenda::OfficeHeartAgenda;
use ohsync_oh_sim::Simulator;

pub const JAN: &str = "jan@ohsim.example";
const PASSWORD: &str = "Geheim!1";
const TOKEN: &str = "acme-agenda-token";

/// Both calendars, the store and the clock of user `jan` of tenant `acme`.
pub struct World {
    pub ews: RunningSim,
    pub oh: Simulator,
    pub mailbox: Arc<EwsMailbox>,
    pub agenda: Arc<OfficeHeartAgenda>,
    pub store: Arc<FakeStore>,
    pub clock: Arc<FakeClock>,
    pub tenant: TenantId,
    pub user: UserId,
    pub binding: BindingId,
    pub policy: SyncPolicy,
    oh_tenant: ohsync_officeheart::TenantId,
    oh_user: ohsync_officeheart::UserId,
}

/// Retries short enough for tests, as many as the client's default.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

impl World {
    /// An Exchange 2016 mailbox and an OfficeHeart agenda, both empty.
    pub async fn start() -> Self {
        Self::start_with(quick_retries(), 100).await
    }

    /// As [`World::start`], with the EWS client's retry policy and batch size.
    pub async fn start_with(retry: RetryPolicy, ews_batch_size: usize) -> Self {
        let ews = EwsSimulator::start(
            SimConfig::default().with_user(SimUser::new("OHSIM", "jan", PASSWORD, JAN)),
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let auth = NtlmAuth::new("OHSIM", "jan", SecretString::from(PASSWORD)).unwrap();
        let client = EwsClient::builder(ews.url(), auth, ExchangeVersion::Exchange2016)
            .transport(TransportConfig {
                allow_http_hosts: vec!["127.0.0.1".into()],
                address_policy: AddressPolicy::new("127.0.0.1".parse().unwrap()),
                ..TransportConfig::default()
            })
            .retry(retry)
            .batch_size(ews_batch_size)
            .build()
            .unwrap();
        let mailbox = Arc::new(EwsMailbox::new(client, MailboxSettings::default()));

        let oh_tenant = ohsync_officeheart::TenantId::new("acme").unwrap();
        let oh_user = ohsync_officeheart::UserId::new("jan").unwrap();
        let oh = Simulator::start(ohsync_oh_sim::SimConfig::new().grant(oh_tenant.clone(), TOKEN))
            .await
            .unwrap();
        let client = OfficeHeartClient::new(
            ClientConfig::new(oh.url().parse().unwrap()),
            oh_tenant.clone(),
            SecretString::from(TOKEN),
        )
        .unwrap();
        let agenda = Arc::new(OfficeHeartAgenda::new(client, oh_user.clone()));

        let tenant = TenantId::parse("acme").unwrap();
        let user = UserId::parse("jan").unwrap();
        let url = ews.url();
        let binding = BindingId::derive(&BindingAccount {
            tenant: &tenant,
            user: &user,
            ews_url: &url,
            domain: "OHSIM",
            username: "jan",
            mailbox: None,
        })
        .unwrap();
        Self {
            ews,
            oh,
            mailbox,
            agenda,
            store: Arc::new(FakeStore::new(Arc::new(Faults::default()))),
            clock: Arc::new(FakeClock::new(Utc::now())),
            tenant,
            user,
            binding,
            policy: SyncPolicy::default(),
            oh_tenant,
            oh_user,
        }
    }

    pub fn ports(&self) -> SyncPorts {
        SyncPorts {
            mailbox: self.mailbox.clone(),
            agenda: self.agenda.clone(),
            store: self.store.clone(),
            clock: self.clock.clone(),
        }
    }

    /// The engine's defaults with the world's policy and a deadline ten minutes on.
    pub fn options(&self) -> RunOptions {
        RunOptions::new(
            self.binding.clone(),
            self.policy,
            self.clock.now() + TimeDelta::minutes(10),
        )
    }

    pub async fn run(&self) -> RunReport {
        self.run_with(&self.options()).await
    }

    pub async fn run_with(&self, options: &RunOptions) -> RunReport {
        run_user_sync(&self.ports(), &self.tenant, &self.user, options).await
    }

    // --- OfficeHeart, as the user would use it ---

    pub fn oh_seed(&self, data: AppointmentData) -> Appointment {
        self.oh.seed(&self.oh_tenant, &self.oh_user, data)
    }

    pub fn oh_edit(&self, id: &AppointmentId, edit: impl FnOnce(&mut AppointmentData)) {
        self.oh
            .edit(&self.oh_tenant, &self.oh_user, id, edit)
            .unwrap();
    }

    pub fn oh_remove(&self, id: &AppointmentId) {
        assert!(self.oh.remove(&self.oh_tenant, &self.oh_user, id));
    }

    pub fn oh_all(&self) -> Vec<Appointment> {
        self.oh.appointments(&self.oh_tenant, &self.oh_user)
    }

    pub fn oh_subjects(&self) -> Vec<String> {
        let mut subjects: Vec<String> = self
            .oh_all()
            .into_iter()
            .map(|appointment| appointment.data.subject)
            .collect();
        subjects.sort();
        subjects
    }

    // --- Exchange, as the user would use Outlook ---

    pub fn ex(&self) -> MailboxHandle {
        self.ews.mailbox(JAN).unwrap()
    }

    pub fn ex_create(&self, subject: &str, start: DateTime<Utc>) -> ItemSnapshot {
        self.ex()
            .create(
                &ItemPatch::new()
                    .subject(subject)
                    .location("Utrecht")
                    .body("In Outlook gemaakt.")
                    .start(start)
                    .end(start + TimeDelta::hours(1)),
            )
            .unwrap()
    }

    pub fn ex_all(&self) -> Vec<ItemSnapshot> {
        self.ex().items()
    }

    pub fn ex_subjects(&self) -> Vec<String> {
        let mut subjects: Vec<String> = self
            .ex_all()
            .into_iter()
            .filter_map(|item| item.subject)
            .collect();
        subjects.sort();
        subjects
    }

    /// Both sides hold the same appointments, one to one through the stored mappings, with
    /// equal content; returns the pairs. Reads through the adapters, after any counting.
    pub async fn assert_in_sync(&self) -> Vec<(AgendaItem, ExchangeItem)> {
        let window = self.policy.window.bounds(self.clock.now());
        let mut agenda_items = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .agenda
                .list_window(&window, token.as_ref())
                .await
                .unwrap();
            agenda_items.extend(page.items);
            match page.continuation {
                Continuation::NextPage(next) => token = Some(next),
                Continuation::Done(_) => break,
            }
        }
        let mut ids = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .mailbox
                .list_window(&window, token.as_ref())
                .await
                .unwrap();
            ids.extend(page.items.into_iter().map(|item| item.key.item_id));
            match page.continuation {
                Continuation::NextPage(next) => token = Some(next),
                Continuation::Done(_) => break,
            }
        }
        let mut exchange: HashMap<_, _> = self
            .mailbox
            .get_items(&ids)
            .await
            .unwrap()
            .into_iter()
            .map(|item| {
                let item = item.unwrap();
                (item.key.item_id.clone(), item)
            })
            .collect();
        let mappings: HashMap<_, Mapping> = self
            .store
            .mappings(&self.binding)
            .into_iter()
            .map(|mapping| (mapping.officeheart_id.clone(), mapping))
            .collect();
        assert_eq!(
            agenda_items.len(),
            exchange.len(),
            "both sides hold as many appointments"
        );
        assert_eq!(
            mappings.len(),
            agenda_items.len(),
            "every appointment is linked"
        );
        agenda_items
            .into_iter()
            .map(|item| {
                let mapping = &mappings[&item.id];
                let twin = exchange
                    .remove(&mapping.exchange_item_id)
                    .unwrap_or_else(|| panic!("{} is linked to a missing item", item.id));
                assert_eq!(item.appointment, twin.appointment, "{}", item.id);
                if let Some(tag) = &twin.tag {
                    assert_eq!(tag.officeheart_id, item.id);
                }
                if let Some(external_ref) = &item.external_ref {
                    assert_eq!(external_ref, &twin.key.uid);
                }
                (item, twin)
            })
            .collect()
    }
}

/// A whole hour `days` from now, plus `hour` hours: whole seconds, as Exchange keeps them.
pub fn at(days: i64, hour: i64) -> DateTime<Utc> {
    Utc::now().duration_trunc(TimeDelta::hours(1)).unwrap()
        + TimeDelta::days(days)
        + TimeDelta::hours(hour)
}

/// An OfficeHeart appointment of an hour, with every field filled in.
pub fn oh_data(subject: &str, start: DateTime<Utc>) -> AppointmentData {
    AppointmentData {
        subject: subject.to_owned(),
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
        external_ref: None,
    }
}
