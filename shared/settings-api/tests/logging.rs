//! The password and the bearer token never reach a log line or an answer. A test binary of
//! its own, so that the subscriber is the global one and sees every thread.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports failure"
)]

#[allow(
    dead_code,
    reason = "this binary uses only part of the API tests' support"
)]
#[path = "api/support.rs"]
mod support;

use ohsync_telemetry::CapturedOutput;
use reqwest::Method;
use serde_json::json;

use support::{ACME_TOKEN, PASSWORD, TestApi, settings_body};

#[tokio::test]
async fn no_password_or_token_reaches_a_log_line_or_an_answer() {
    let captured = CapturedOutput::install_global().unwrap();

    let api = TestApi::start().await;
    let mut answers = Vec::new();
    let calls = [
        (
            Method::PUT,
            "/exchange-settings",
            Some(settings_body(json!({}))),
        ),
        (
            Method::PUT,
            "/exchange-settings",
            Some(settings_body(json!({"domain": "officeheart.local"}))),
        ),
        (
            Method::PUT,
            "/exchange-settings",
            Some(json!({"password": 918273645})),
        ),
        (
            Method::POST,
            "/exchange-settings/validate",
            Some(settings_body(json!({}))),
        ),
        (
            Method::POST,
            "/exchange-settings/validate",
            Some(settings_body(json!({"password": null}))),
        ),
        (Method::GET, "/exchange-settings", None),
        (Method::GET, "/sync-status", None),
    ];
    for (method, route, body) in calls {
        let mut request = api.acme(method, "jan", route);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let headers = format!("{:?}", response.headers());
        answers.push(format!("{headers} {}", response.text().await.unwrap()));
    }
    let unauthenticated = api
        .request(
            Method::GET,
            "/v1/openapi.json",
            Some(&format!("{ACME_TOKEN}x")),
        )
        .send()
        .await
        .unwrap();
    answers.push(unauthenticated.text().await.unwrap());
    assert_eq!(
        api.checker.calls.lock().unwrap().len(),
        2,
        "both checks ran"
    );

    let logs = captured.text();
    assert!(
        logs.contains("request answered"),
        "the capture works: {logs}"
    );
    assert!(logs.contains("tenant=acme user=jan"), "{logs}");
    assert!(
        logs.contains("route=/v1/tenants/{tenant}/users/{user}/exchange-settings/validate"),
        "{logs}"
    );
    for secret in [PASSWORD, "918273645", ACME_TOKEN] {
        for line in logs.lines() {
            assert!(!line.contains(secret), "{secret} logged: {line}");
        }
        for answer in &answers {
            assert!(!answer.contains(secret), "{secret} answered: {answer}");
        }
    }
}
