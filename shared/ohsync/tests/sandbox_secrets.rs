//! A whole sandbox session — settings saved, validated with the right and a wrong password,
//! read back, a run that fails (EWS blocked) and one that completes, the status — with every
//! log line at TRACE (and every span's opening and closing) and every HTTP answer captured:
//! neither the Exchange password (right or wrong), nor the OfficeHeart token, nor the caller's
//! token appears in any of them. A test binary of its own, so that the subscriber is the global
//! one and sees every thread.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports failure"
)]

mod support;

use std::time::Duration;

use ohsync::run_event::RunEvent;
use ohsync::sandbox::{DOMAIN, PASSWORD, Sandbox, TENANT};
use ohsync_telemetry::CapturedOutput;
use ohsync_worker::JobOutcome;
use reqwest::Method;

use support::finished_run_of;

/// The token the sandbox gives ohsync at its OfficeHeart simulator.
const AGENDA_TOKEN: &str = "demo-agenda-token";
/// A wrong password, tried through the live check.
const WRONG_PASSWORD: &str = "Verkeerd-Wachtwoord-7";

/// Calls the settings API as the demo tenant; answers the status line, headers and body.
async fn call(
    sandbox: &Sandbox,
    method: Method,
    route: &str,
    body: Option<serde_json::Value>,
) -> String {
    let mut request = reqwest::Client::new()
        .request(
            method.clone(),
            format!("{}/v1/tenants/{TENANT}/users/jan{route}", sandbox.api_url()),
        )
        .bearer_auth(&sandbox.api_token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let head = format!(
        "{method} {route} {} {:?}",
        response.status(),
        response.headers()
    );
    format!("{head}\n{}", response.text().await.unwrap())
}

/// Asks for a run of jan and waits for its end; answers whether it completed.
async fn run_jan(sandbox: &Sandbox, answers: &mut Vec<String>) -> bool {
    let mut events = sandbox.serve.events();
    answers.push(call(sandbox, Method::POST, "/sync-now", None).await);
    match finished_run_of(&mut events, "jan").await {
        RunEvent::Finished { result, .. } => matches!(
            result.as_ref(),
            Ok(JobOutcome::Ran(summary)) if summary.report.errors.is_empty()
        ),
        other => panic!("not the end of a run: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_a_log_line_or_an_answer_in_a_whole_sandbox_session() {
    let captured = CapturedOutput::install_global().unwrap();

    let sandbox = Sandbox::start(Duration::from_secs(3600), |_| {})
        .await
        .unwrap();
    let settings = |password: &str| {
        serde_json::json!({
            "ews_url": sandbox.ews.url(),
            "exchange_version": "Exchange2016",
            "domain": DOMAIN,
            "username": "jan",
            "password": password,
        })
    };
    let mut answers = vec![
        call(
            &sandbox,
            Method::POST,
            "/exchange-settings/validate",
            Some(settings(PASSWORD)),
        )
        .await,
        call(
            &sandbox,
            Method::POST,
            "/exchange-settings/validate",
            Some(settings(WRONG_PASSWORD)),
        )
        .await,
        call(&sandbox, Method::GET, "/exchange-settings", None).await,
    ];
    assert!(
        answers[1].contains("authentication"),
        "the wrong password fails the live check: {}",
        answers[1]
    );

    assert!(sandbox.ews.set_ews_blocked(&format!("{DOMAIN}\\jan"), true));
    assert!(
        !run_jan(&sandbox, &mut answers).await,
        "a run with EWS blocked fails"
    );
    assert!(
        sandbox
            .ews
            .set_ews_blocked(&format!("{DOMAIN}\\jan"), false)
    );
    assert!(
        run_jan(&sandbox, &mut answers).await,
        "a run after unblocking completes"
    );
    answers.push(call(&sandbox, Method::GET, "/sync-status", None).await);
    let caller_token = sandbox.api_token.clone();
    sandbox.stop().await;

    let logs = captured.text();
    assert!(
        logs.contains("request answered"),
        "the capture works: {logs}"
    );
    assert!(
        logs.contains("tenant=demo") && logs.contains("user=jan"),
        "the runs' spans are captured: {logs}"
    );
    assert!(
        logs.contains("mailbox_access_blocked")
            || answers
                .iter()
                .any(|answer| answer.contains("mailbox_access_blocked")),
        "the failed run's code is in the capture: {answers:#?}"
    );
    for secret in [
        PASSWORD,
        WRONG_PASSWORD,
        AGENDA_TOKEN,
        caller_token.as_str(),
    ] {
        for line in logs.lines() {
            assert!(!line.contains(secret), "{secret} logged: {line}");
        }
        for answer in &answers {
            assert!(!answer.contains(secret), "{secret} answered: {answer}");
        }
    }
}
