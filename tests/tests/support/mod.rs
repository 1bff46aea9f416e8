//! One user's world for end-to-end runs: the Exchange simulator (NTLM over a socket) behind
//! `EwsMailbox`, the OfficeHeart simulator behind `OfficeHeartAgenda`, a binding store of the
//! chosen backend (seen through `ObservedStore`) and a clock — and helpers that act as the user
//! on either side. [`on_every_store!`] writes each scenario once and runs it on every backend.

// Each test binary uses part of this module; a panic is how a test reports failure.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, DurationRound, NaiveDate, TimeDelta, Utc};
use ohsync_e2e::observed_store::ObservedStore;
use ohsync_e2e::store_backend::{OpenStore, StoreBackend};
use ohsync_engine::executor::{RunOptions, SyncPorts, run_user_sync};
use ohsync_engine::identity::{BindingAccount, BindingId, TenantId, UserId};
use ohsync_engine::ports::{
    Agenda, AgendaItem, BindingScope, BindingState, Clock, Continuation, ExchangeItem, Mailbox,
    Mapping, MappingQuery,
};
use ohsync_engine::reconcile::SyncPolicy;
use ohsync_engine::report::RunReport;
use ohsync_engine::testkit::FakeClock;
use ohsync_ews::model::ItemShape;
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

/// An Exchange account on the simulator: what the settings screen holds for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    pub domain: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub smtp: &'static str,
}

/// The account `jan` of tenant `acme` syncs with first.
pub const JAN: Account = Account {
    domain: "OHSIM",
    username: "jan",
    password: "Geheim!1",
    smtp: "jan@ohsim.example",
};

/// The mailbox `jan` moves to: another Exchange user on the same server.
pub const JAN_NEW: Account = Account {
    domain: "OHSIM",
    username: "jdevries",
    password: "Nieuw!22",
    smtp: "j.devries@ohsim.example",
};

const TOKEN: &str = "acme-agenda-token";

/// Both calendars, the store and the clock of user `jan` of tenant `acme`.
pub struct World {
    pub ews: RunningSim,
    pub oh: Simulator,
    pub mailbox: Arc<EwsMailbox>,
    pub agenda: Arc<OfficeHeartAgenda>,
    pub store: Arc<ObservedStore>,
    pub clock: Arc<FakeClock>,
    pub tenant: TenantId,
    pub user: UserId,
    pub account: Account,
    pub binding: BindingId,
    pub policy: SyncPolicy,
    pub backend: StoreBackend,
    opened: OpenStore,
    retry: RetryPolicy,
    oh_tenant: ohsync_officeheart::TenantId,
    oh_user: ohsync_officeheart::UserId,
}

/// Whether `backend` can run here; for DynamoDB without the local stack this says
/// "skipped: no local stack" (and fails when `OHSYNC_REQUIRE_STACK=1`).
pub fn store_available(backend: StoreBackend) -> bool {
    backend != StoreBackend::DynamoDb || ohsync_e2e::local_stack::endpoint().unwrap().is_some()
}

/// Expands `async fn scenario(backend: StoreBackend)` items, named in the invocation, into one
/// `#[tokio::test]` per scenario in each of the modules `fake`, `embedded` and `dynamodb`.
#[macro_export]
macro_rules! on_every_store {
    ($($scenario:ident),+ $(,)?) => {
        $crate::on_every_store!(@backend fake, Fake, $($scenario),+);
        $crate::on_every_store!(@backend embedded, Embedded, $($scenario),+);
        $crate::on_every_store!(@backend dynamodb, DynamoDb, $($scenario),+);
    };
    (@backend $module:ident, $backend:ident, $($scenario:ident),+) => {
        mod $module {
            use ohsync_e2e::store_backend::StoreBackend;
            $(
                #[tokio::test]
                async fn $scenario() {
                    if $crate::support::store_available(StoreBackend::$backend) {
                        super::$scenario(StoreBackend::$backend).await;
                    }
                }
            )+
        }
    };
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
    /// An Exchange 2016 mailbox and an OfficeHeart agenda, both empty, over `backend`.
    pub async fn start(backend: StoreBackend) -> Self {
        Self::start_with(backend, quick_retries()).await
    }

    /// As [`World::start`], with the EWS client's retry policy.
    pub async fn start_with(backend: StoreBackend, retry: RetryPolicy) -> Self {
        let mut config = SimConfig::default();
        for account in [JAN, JAN_NEW] {
            config = config.with_user(SimUser::new(
                account.domain,
                account.username,
                account.password,
                account.smtp,
            ));
        }
        let ews = EwsSimulator::start(config, "127.0.0.1:0").await.unwrap();
        let mailbox = Arc::new(mailbox_for(&ews, JAN, retry.clone()));

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
        let binding = binding_of(&tenant, &user, &ews.url(), JAN);
        let opened = backend.open().await.unwrap().unwrap();
        Self {
            ews,
            oh,
            mailbox,
            agenda,
            store: Arc::new(ObservedStore::new(opened.store.clone())),
            clock: Arc::new(FakeClock::new(Utc::now())),
            tenant,
            user,
            account: JAN,
            binding,
            policy: SyncPolicy::default(),
            backend,
            opened,
            retry,
            oh_tenant,
            oh_user,
        }
    }

    /// The user changes the Exchange account on the settings screen: from now on the world syncs
    /// with `account`'s mailbox, under the binding that account derives.
    pub fn switch_account(&mut self, account: Account) {
        self.mailbox = Arc::new(mailbox_for(&self.ews, account, self.retry.clone()));
        self.binding = binding_of(&self.tenant, &self.user, &self.ews.url(), account);
        self.account = account;
    }

    /// The process dies and a new one starts: the store is opened afresh from where it keeps
    /// its data (the embedded store's file), with a new recorder.
    pub fn restart_store(&mut self) {
        self.store = Arc::new(ObservedStore::new(self.opened.reopen().unwrap()));
    }

    /// The scope of the world's current binding.
    pub fn scope(&self) -> BindingScope {
        self.scope_of(&self.binding)
    }

    /// The scope of `binding` for this user.
    pub fn scope_of(&self, binding: &BindingId) -> BindingScope {
        BindingScope {
            tenant: self.tenant.clone(),
            user: self.user.clone(),
            binding: binding.clone(),
        }
    }

    /// The current binding's state as stored, read past the recorder.
    pub async fn stored_state(&self) -> BindingState {
        self.state_of(&self.binding).await
    }

    /// `binding`'s state as stored, read past the recorder.
    pub async fn state_of(&self, binding: &BindingId) -> BindingState {
        self.store
            .unobserved()
            .load(&self.scope_of(binding))
            .await
            .unwrap()
    }

    /// `binding`'s mappings of the given OfficeHeart appointments, read past the recorder.
    pub async fn mappings_of(&self, binding: &BindingId, ids: &[AppointmentId]) -> Vec<Mapping> {
        let query = MappingQuery {
            officeheart_ids: ids
                .iter()
                .map(|id| ohsync_engine::identity::OfficeHeartId::parse(id.as_str()).unwrap())
                .collect(),
            ..MappingQuery::default()
        };
        self.store
            .unobserved()
            .find_mappings(&self.scope_of(binding), &query)
            .await
            .unwrap()
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

    /// An EWS client of the world's account, to look at the calendar as Outlook shows it.
    pub fn ews_client(&self) -> EwsClient {
        client_for(&self.ews, self.account, quick_retries())
    }

    /// What Outlook shows for `days` from `from` on: (start, subject) of every single and
    /// occurrence, in order.
    pub async fn outlook_view(
        &self,
        from: DateTime<Utc>,
        days: i64,
    ) -> Vec<(DateTime<Utc>, String)> {
        let page = self
            .ews_client()
            .find_calendar_view(from, from + TimeDelta::days(days), 100, ItemShape::Summary)
            .await
            .unwrap();
        let mut shown: Vec<(DateTime<Utc>, String)> = page
            .items
            .into_iter()
            .map(|item| {
                (
                    item.start.unwrap().to_utc(),
                    item.subject.unwrap_or_default(),
                )
            })
            .collect();
        shown.sort();
        shown
    }

    pub fn ex(&self) -> MailboxHandle {
        self.ews.mailbox(self.account.smtp).unwrap()
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

    /// The Exchange item with `subject` (there must be one).
    pub fn ex_named(&self, subject: &str) -> ItemSnapshot {
        self.ex_all()
            .into_iter()
            .find(|item| item.subject.as_deref() == Some(subject))
            .unwrap_or_else(|| panic!("no Exchange item {subject:?}"))
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

    /// Both sides are in sync ([`World::assert_in_sync`]) and one more run changes nothing: the
    /// echoes of the last run's writes are recognised, not synced back.
    pub async fn assert_settled(&self) -> Vec<(AgendaItem, ExchangeItem)> {
        let pairs = self.assert_in_sync().await;
        let quiet = self.run().await;
        assert!(
            quiet.counts.is_empty(),
            "a run after the sync still wrote: {quiet:?}"
        );
        pairs
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
        let query = MappingQuery {
            officeheart_ids: agenda_items.iter().map(|item| item.id.clone()).collect(),
            ..MappingQuery::default()
        };
        let mappings: HashMap<_, Mapping> = self
            .store
            .unobserved()
            .find_mappings(&self.scope(), &query)
            .await
            .unwrap()
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
        assert_eq!(
            self.stored_state().await.mapping_count,
            agenda_items.len() as u64,
            "no mapping is left over"
        );
        let uids: Vec<_> = exchange.values().map(|item| item.key.uid.clone()).collect();
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
                // A ref to an item of another mailbox (an account used before) is inert; a ref to
                // another item of this mailbox would be a wrong link.
                if let Some(external_ref) = item.external_ref.as_ref().filter(|r| uids.contains(r))
                {
                    assert_eq!(external_ref, &twin.key.uid);
                }
                (item, twin)
            })
            .collect()
    }
}

/// An EWS client for `account` on the simulator, behind the mailbox adapter.
fn mailbox_for(ews: &RunningSim, account: Account, retry: RetryPolicy) -> EwsMailbox {
    EwsMailbox::new(client_for(ews, account, retry), MailboxSettings::default())
}

/// An EWS client for `account` on the simulator.
fn client_for(ews: &RunningSim, account: Account, retry: RetryPolicy) -> EwsClient {
    let auth = NtlmAuth::new(
        account.domain,
        account.username,
        SecretString::from(account.password),
    )
    .unwrap();
    EwsClient::builder(ews.url(), auth, ExchangeVersion::Exchange2016)
        .transport(TransportConfig {
            allow_http_hosts: vec!["127.0.0.1".into()],
            address_policy: AddressPolicy::new("127.0.0.1".parse().unwrap()),
            ..TransportConfig::default()
        })
        .retry(retry)
        .batch_size(RunOptions::DEFAULT_EXCHANGE_BATCH_SIZE)
        .build()
        .unwrap()
}

/// The binding `account` derives for the user at `url`.
fn binding_of(tenant: &TenantId, user: &UserId, url: &str, account: Account) -> BindingId {
    BindingId::derive(&BindingAccount {
        tenant,
        user,
        ews_url: url,
        domain: account.domain,
        username: account.username,
        mailbox: None,
    })
    .unwrap()
}

/// `date` at `hour`:00 in Amsterdam, as an instant.
pub fn amsterdam(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    date.and_hms_opt(hour, 0, 0)
        .unwrap()
        .and_local_timezone(chrono_tz::Europe::Amsterdam)
        .unwrap()
        .to_utc()
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
        location: "Kamer 2".to_owned(),
        body: "Offerte bespreken.\nTweede regel.".to_owned(),
        reminder_minutes: Some(15),
        categories: vec!["Klant".to_owned()],
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
