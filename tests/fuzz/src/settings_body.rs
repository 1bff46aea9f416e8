//! Any bytes as the JSON body of the settings API's two routes that take one, sent through the
//! API's whole router (authentication, body reading, validation, the embedded store and the
//! file secrets in a temporary directory).

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, header};
use http_body_util::BodyExt;
use ohsync_engine::ports::SystemClock;
use ohsync_jobs::{JobQueue, JobQueueError, SyncJob};
use ohsync_secrets::FileSecrets;
use ohsync_settings::live::{LiveCheckReport, LiveChecker};
use ohsync_settings::{OperatorPolicy, ValidatedSettings};
use ohsync_settings_api::{ApiState, CallerTokens, router};
use ohsync_store_embedded::{EmbeddedSettingsStore, EmbeddedStore};
use secrecy::SecretString;
use tower_service::Service;

/// The caller's token (tenant `acme`).
const TOKEN: &str = "oh-acme-fuzz-5c1d9e7a3b2f";

/// The routes that read a body.
const ROUTES: [(Method, &str); 2] = [
    (Method::PUT, "/v1/tenants/acme/users/jan/exchange-settings"),
    (
        Method::POST,
        "/v1/tenants/acme/users/jan/exchange-settings/validate",
    ),
];

/// A job queue that takes everything (no route here queues).
struct AcceptingQueue;

#[async_trait]
impl JobQueue for AcceptingQueue {
    async fn enqueue(&self, _jobs: &[SyncJob]) -> Result<(), JobQueueError> {
        Ok(())
    }
}

/// A live checker that answers at once with no checks: what is fuzzed is the body, not
/// Exchange.
struct NoChecks;

#[async_trait]
impl LiveChecker for NoChecks {
    async fn check(&self, _: &ValidatedSettings, _: &SecretString) -> LiveCheckReport {
        LiveCheckReport {
            checks: Vec::new(),
            server_version: None,
            suggested_version: None,
        }
    }
}

/// The router and what it runs on, built once per process.
struct Api {
    runtime: tokio::runtime::Runtime,
    router: Router,
    _dir: tempfile::TempDir,
}

#[allow(
    clippy::expect_used,
    reason = "a fuzz harness that cannot start has nothing to report but the reason"
)]
fn api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    API.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = Arc::new(EmbeddedStore::open(&dir.path().join("data")).expect("the store"));
        let tokens = serde_json::json!({"tokens": [
            {"tenant": "acme", "sha256": CallerTokens::sha256_hex(TOKEN)},
        ]});
        let state = ApiState {
            settings: Arc::new(EmbeddedSettingsStore::sharing(&store)),
            secrets: Arc::new(FileSecrets::open(dir.path().join("secrets")).expect("secrets")),
            store,
            jobs: Arc::new(AcceptingQueue),
            live_checker: Arc::new(NoChecks),
            clock: Arc::new(SystemClock),
            operator: Arc::new(OperatorPolicy::default()),
            callers: CallerTokens::from_json(&tokens.to_string()).expect("the tokens"),
        };
        Api {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime"),
            router: router(state),
            _dir: dir,
        }
    })
}

/// Sends `data` as the body of each route; panics on a 5xx, or on an answer that is neither a
/// success nor the API's error document (a `code` and a message in both languages).
#[allow(
    clippy::expect_used,
    reason = "a request built from constants and a router that never fails"
)]
pub fn settings_body(data: &[u8]) {
    let api = api();
    for (method, path) in ROUTES {
        let request = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(data.to_vec()))
            .expect("a request from constants");
        let (status, body) = api.runtime.block_on(async {
            let response = api
                .router
                .clone()
                .call(request)
                .await
                .expect("the router is infallible");
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map(|collected| collected.to_bytes())
                .unwrap_or_default();
            (status, body)
        });
        assert!(
            !status.is_server_error(),
            "{method} {path}: {status} for {data:?}"
        );
        if status.is_client_error() {
            let document: serde_json::Value = serde_json::from_slice(&body)
                .unwrap_or_else(|_| panic!("{method} {path}: {status} without a JSON body"));
            assert!(
                document["code"].is_string()
                    && document["message"]["nl"].is_string()
                    && document["message"]["en"].is_string(),
                "{method} {path}: {status} with {document}"
            );
        }
    }
}
