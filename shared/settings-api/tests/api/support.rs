//! The API served over a real socket on 127.0.0.1 with the embedded store and the file secrets
//! in a temporary directory, fakes of the job queue and the live checker (the project's own
//! ports), and a clock the test sets.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_engine::ports::{Clock, SecretName, SecretRef, SecretVersionId, Secrets, SecretsError};
use ohsync_jobs::{JobQueue, JobQueueError, SyncJob};
use ohsync_localized::LocalizedText;
use ohsync_secrets::FileSecrets;
use ohsync_settings::live::{CheckResult, CheckStatus, CheckStep, LiveCheckReport, LiveChecker};
use ohsync_settings::store::SettingsStore;
use ohsync_settings::{OperatorPolicy, StoredSettings, ValidatedSettings};
use ohsync_settings_api::{ApiState, CallerTokens, router};
use ohsync_store_embedded::{EmbeddedSettingsStore, EmbeddedStore};
use reqwest::{Method, RequestBuilder, Response};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use tempfile::TempDir;

/// A token of tenant `acme`.
pub const ACME_TOKEN: &str = "oh-acme-3f9c1e0b7a5d4c2e8f6a";
/// A second token of tenant `acme`.
pub const ACME_TOKEN_2: &str = "oh-acme-second-91d2c7e4b0a8";
/// A token of tenant `globex`.
pub const GLOBEX_TOKEN: &str = "oh-globex-7b2e9d4f1c6a0e3b5d8c";
/// The password the tests store.
pub const PASSWORD: &str = "Herfst2026!geheim";

/// The tokens document as a host would configure it.
pub fn tokens_document() -> String {
    json!({"tokens": [
        {"tenant": "acme", "sha256": CallerTokens::sha256_hex(ACME_TOKEN)},
        {"tenant": "acme", "sha256": CallerTokens::sha256_hex(ACME_TOKEN_2)},
        {"tenant": "globex", "sha256": CallerTokens::sha256_hex(GLOBEX_TOKEN)},
    ]})
    .to_string()
}

/// Settings that pass static validation, with `changes` applied (`null` removes a field).
pub fn settings_body(changes: Value) -> Value {
    let mut body = json!({
        "ews_url": "https://mail.officeheart.nl/EWS/Exchange.asmx",
        "exchange_version": "Exchange2016",
        "username": "jan",
        "domain": "officeheart",
        "password": PASSWORD,
    });
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            body.as_object_mut().unwrap().remove(key);
        } else {
            body[key] = value.clone();
        }
    }
    body
}

/// The job queue, recording what it is given; it can be made to fail.
#[derive(Default)]
pub struct RecordingQueue {
    pub jobs: Mutex<Vec<SyncJob>>,
    pub down: AtomicBool,
}

#[async_trait]
impl JobQueue for RecordingQueue {
    async fn enqueue(&self, jobs: &[SyncJob]) -> Result<(), JobQueueError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(JobQueueError::Unavailable("queue down for the test".into()));
        }
        self.jobs.lock().unwrap().extend_from_slice(jobs);
        Ok(())
    }
}

/// The live checker, answering a fixed report (the authentication step failed) and
/// remembering which URL and password each check was given.
#[derive(Default)]
pub struct RecordingChecker {
    pub calls: Mutex<Vec<(String, String)>>,
}

fn check(step: CheckStep, status: CheckStatus, code: Option<&'static str>) -> CheckResult {
    CheckResult {
        step,
        status,
        code,
        message: LocalizedText::new(format!("stap {step:?}"), format!("step {step:?}")),
        detail: None,
    }
}

#[async_trait]
impl LiveChecker for RecordingChecker {
    async fn check(
        &self,
        settings: &ValidatedSettings,
        password: &SecretString,
    ) -> LiveCheckReport {
        self.calls.lock().unwrap().push((
            settings.account.ews_url.as_str().to_owned(),
            password.expose_secret().to_owned(),
        ));
        LiveCheckReport {
            checks: vec![
                check(CheckStep::Dns, CheckStatus::Passed, None),
                check(CheckStep::Connection, CheckStatus::Passed, None),
                check(CheckStep::Endpoint, CheckStatus::Passed, None),
                check(
                    CheckStep::Authentication,
                    CheckStatus::Failed,
                    Some("authentication_failed"),
                ),
                check(CheckStep::EwsAccess, CheckStatus::Skipped, None),
                check(CheckStep::Calendar, CheckStatus::Skipped, None),
                check(CheckStep::ServerVersion, CheckStatus::Skipped, None),
            ],
            server_version: Some("15.1.2507.6".into()),
            suggested_version: None,
        }
    }
}

/// A clock the test moves.
pub struct TestClock(pub Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap() = at;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// The first instant the tests' clock shows.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()
}

/// A running API and its backends.
pub struct TestApi {
    pub base: String,
    pub client: reqwest::Client,
    pub settings: Arc<EmbeddedSettingsStore>,
    pub store: Arc<EmbeddedStore>,
    pub secrets: Arc<FileSecrets>,
    pub jobs: Arc<RecordingQueue>,
    pub checker: Arc<RecordingChecker>,
    pub clock: Arc<TestClock>,
    _dir: TempDir,
}

impl TestApi {
    /// Starts the API on 127.0.0.1 on a free port.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(EmbeddedStore::open(&dir.path().join("data")).unwrap());
        let settings = Arc::new(EmbeddedSettingsStore::sharing(&store));
        let secrets = Arc::new(FileSecrets::open(dir.path().join("secrets")).unwrap());
        let jobs = Arc::new(RecordingQueue::default());
        let checker = Arc::new(RecordingChecker::default());
        let clock = Arc::new(TestClock(Mutex::new(start_time())));
        let state = ApiState {
            settings: settings.clone(),
            secrets: secrets.clone(),
            store: store.clone(),
            jobs: jobs.clone(),
            live_checker: checker.clone(),
            clock: clock.clone(),
            operator: Arc::new(OperatorPolicy::default()),
            callers: CallerTokens::from_json(&tokens_document()).unwrap(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router(state)).await });
        Self {
            base,
            client: reqwest::Client::new(),
            settings,
            store,
            secrets,
            jobs,
            checker,
            clock,
            _dir: dir,
        }
    }

    /// A request to `path` with `token` as bearer token (none when `None`).
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let request = self.client.request(method, format!("{}{path}", self.base));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// `method` on a route of `user` in `acme` (`route` after the user, e.g.
    /// `/exchange-settings`), with acme's token.
    pub fn acme(&self, method: Method, user: &str, route: &str) -> RequestBuilder {
        self.request(method, &user_path("acme", user, route), Some(ACME_TOKEN))
    }

    /// Saves `body` as `user`'s settings in `acme`.
    pub async fn put(&self, user: &str, body: &Value) -> Response {
        self.acme(Method::PUT, user, "/exchange-settings")
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// The stored record of `user` in `acme`.
    pub async fn stored(&self, user: &str) -> Option<StoredSettings> {
        self.settings
            .get(&tenant("acme"), &user_id(user))
            .await
            .unwrap()
    }

    /// Whether `user`'s password secret still has a readable current version.
    pub async fn password_stored(&self, user: &str) -> Result<String, SecretsError> {
        let stored = self.stored(user).await.unwrap();
        let reference = SecretRef {
            name: SecretName::parse(&stored.secret_ref.name).unwrap(),
            version_id: SecretVersionId::parse(&stored.secret_ref.version_id).unwrap(),
        };
        self.secrets
            .read(&reference)
            .await
            .map(|value| value.expose_secret().to_owned())
    }
}

/// The path of a route of `user` in `tenant`.
pub fn user_path(tenant: &str, user: &str, route: &str) -> String {
    format!("/v1/tenants/{tenant}/users/{user}{route}")
}

pub fn tenant(id: &str) -> TenantId {
    TenantId::parse(id).unwrap()
}

pub fn user_id(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

/// An answer's status and JSON body.
pub async fn json_of(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
    };
    (status, body)
}
