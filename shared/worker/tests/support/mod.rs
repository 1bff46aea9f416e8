//! One user's world for the worker's tests: the Exchange simulator (NTLM over a socket), the
//! OfficeHeart simulator, the embedded store with its settings store, the file secrets behind
//! the cache, and a worker over them.
#![allow(dead_code, reason = "each test binary uses a different part")]
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_engine::ports::{BindingScope, BindingState, SecretName, Secrets, Store, SystemClock};
use ohsync_ews::RetryPolicy;
use ohsync_ews_sim::{EwsSimulator, ItemPatch, MailboxHandle, RunningSim, SimConfig, SimUser};
use ohsync_jobs::{JobTrigger, SyncJob};
use ohsync_officeheart::{Appointment, AppointmentData};
use ohsync_oh_sim::Simulator;
use ohsync_secrets::{CachedSecrets, FileSecrets};
use ohsync_settings::store::SettingsStore;
use ohsync_settings::{ExchangeSettingsInput, OperatorPolicy, SecretRef, StoredSettings, validate};
use ohsync_store_embedded::{EmbeddedSettingsStore, EmbeddedStore};
use ohsync_worker::{SyncWorker, WorkerConfig, WorkerPorts};
use secrecy::SecretString;
use tempfile::TempDir;

pub const PASSWORD: &str = "Geheim!1";
pub const SMTP: &str = "jan@ohsim.example";
const TOKEN: &str = "acme-agenda-token";

/// The world of user `jan` of tenant `acme`.
pub struct World {
    pub ews: RunningSim,
    pub oh: Simulator,
    pub store: Arc<EmbeddedStore>,
    pub settings: Arc<EmbeddedSettingsStore>,
    pub secrets: Arc<CachedSecrets<FileSecrets>>,
    pub worker: SyncWorker,
    pub tenant: TenantId,
    pub user: UserId,
    pub operator: OperatorPolicy,
    _dir: TempDir,
}

/// EWS retries short enough for tests.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 2,
        max_total_wait: Duration::from_millis(100),
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
    }
}

impl World {
    /// Both calendars empty, no settings saved yet.
    pub async fn start() -> Self {
        let ews = EwsSimulator::start(
            SimConfig::default().with_user(SimUser::new("OHSIM", "jan", PASSWORD, SMTP)),
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let oh_tenant = ohsync_officeheart::TenantId::new("acme").unwrap();
        let oh = Simulator::start(ohsync_oh_sim::SimConfig::new().grant(oh_tenant, TOKEN))
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(EmbeddedStore::open(&dir.path().join("data")).unwrap());
        let settings = Arc::new(EmbeddedSettingsStore::sharing(&store));
        let secrets = Arc::new(CachedSecrets::new(
            FileSecrets::open(dir.path().join("secrets")).unwrap(),
        ));
        let operator = OperatorPolicy::parse("127.0.0.1", "127.0.0.1").unwrap();
        let mut config = WorkerConfig::new(
            oh.url().parse().unwrap(),
            SecretString::from(TOKEN),
            operator.clone(),
        );
        config.ews_retry = quick_retries();
        config.max_run_time = TimeDelta::minutes(2);
        let worker = SyncWorker::new(
            WorkerPorts {
                settings: settings.clone(),
                store: store.clone(),
                secrets: secrets.clone(),
                clock: Arc::new(SystemClock),
            },
            config,
        );
        Self {
            ews,
            oh,
            store,
            settings,
            secrets,
            worker,
            tenant: TenantId::parse("acme").unwrap(),
            user: UserId::parse("jan").unwrap(),
            operator,
            _dir: dir,
        }
    }

    /// Saves settings for jan at `ews_url` with `password`, as the settings API would.
    pub async fn save_settings(
        &self,
        ews_url: &str,
        password: &str,
        active: bool,
    ) -> StoredSettings {
        let input = ExchangeSettingsInput {
            active: Some(active),
            ews_url: Some(ews_url.to_owned()),
            exchange_version: Some("Exchange2016".into()),
            username: Some("jan".into()),
            domain: Some("OHSIM".into()),
            password: Some(SecretString::from(password)),
            ..ExchangeSettingsInput::default()
        };
        let validated = validate(input, &self.operator).unwrap();
        let written = self
            .secrets
            .write(
                &SecretName::exchange_password(&self.tenant, &self.user),
                validated.password.as_ref().unwrap(),
            )
            .await
            .unwrap();
        let secret = SecretRef {
            name: written.name.to_string(),
            version_id: written.version_id.to_string(),
        };
        let previous = self.settings.get(&self.tenant, &self.user).await.unwrap();
        let record = match &previous {
            None => StoredSettings::new(&self.tenant, &self.user, &validated, secret, Utc::now()),
            Some(old) => old.updated(
                &self.tenant,
                &self.user,
                &validated,
                Some(secret),
                Utc::now(),
            ),
        }
        .unwrap();
        self.settings
            .put(
                &self.tenant,
                &self.user,
                &record,
                previous.map(|old| old.settings_version),
            )
            .await
            .unwrap();
        record
    }

    /// Settings with the right password at the simulator.
    pub async fn save_good_settings(&self) -> StoredSettings {
        self.save_settings(&self.ews.url(), PASSWORD, true).await
    }

    /// A tick job for jan.
    pub fn job(&self) -> SyncJob {
        SyncJob {
            tenant: self.tenant.clone(),
            user: self.user.clone(),
            trigger: JobTrigger::Tick { tick: Utc::now() },
        }
    }

    /// A deadline well away.
    pub fn deadline(&self) -> DateTime<Utc> {
        Utc::now() + TimeDelta::minutes(5)
    }

    /// The binding state of `settings`' binding, as stored.
    pub async fn state(&self, settings: &StoredSettings) -> BindingState {
        self.store
            .load(&BindingScope {
                tenant: self.tenant.clone(),
                user: self.user.clone(),
                binding: settings.binding_id.clone(),
            })
            .await
            .unwrap()
    }

    pub fn ex(&self) -> MailboxHandle {
        self.ews.mailbox(SMTP).unwrap()
    }

    pub fn ex_create(&self, subject: &str, start: DateTime<Utc>) {
        self.ex()
            .create(
                &ItemPatch::new()
                    .subject(subject)
                    .start(start)
                    .end(start + TimeDelta::hours(1)),
            )
            .unwrap();
    }

    pub fn ex_subjects(&self) -> Vec<String> {
        let mut subjects: Vec<String> = self
            .ex()
            .items()
            .into_iter()
            .filter_map(|item| item.subject)
            .collect();
        subjects.sort();
        subjects
    }

    pub fn oh_seed(&self, subject: &str, start: DateTime<Utc>) -> Appointment {
        self.oh.seed(
            &ohsync_officeheart::TenantId::new("acme").unwrap(),
            &ohsync_officeheart::UserId::new("jan").unwrap(),
            oh_data(subject, start),
        )
    }

    pub fn oh_subjects(&self) -> Vec<String> {
        let mut subjects: Vec<String> = self
            .oh
            .appointments(
                &ohsync_officeheart::TenantId::new("acme").unwrap(),
                &ohsync_officeheart::UserId::new("jan").unwrap(),
            )
            .into_iter()
            .map(|appointment| appointment.data.subject)
            .collect();
        subjects.sort();
        subjects
    }
}

/// A whole hour `days` from now.
pub fn at(days: i64) -> DateTime<Utc> {
    Utc::now().duration_trunc(TimeDelta::hours(1)).unwrap() + TimeDelta::days(days)
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
