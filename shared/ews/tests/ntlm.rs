//! NTLM over real TLS sockets against sspi's acceptor: channel binding, wrong credentials, and the
//! one connection the client owns — kept under load, replaced when the server closes it or forgets
//! the logon, and logged on again each time.

// Test code: a failed unwrap is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ohsync_ews::error::EwsError;
use ohsync_ews::{EwsClient, ExchangeVersion, NtlmAuth, RetryPolicy, TransportConfig};
use secrecy::SecretString;
use support::ntlm::{AfterLogon, ntlm_server, tls_server_end_point};
use support::{PASSWORD, Request, TestServer, assert_no_password, self_signed, transport_config};

fn ntlm_client(url: &str, password: &str) -> EwsClient {
    let trusting = TransportConfig {
        insecure_tls_hosts: vec!["localhost".into()],
        ..transport_config()
    };
    let ntlm = NtlmAuth::new("OFFICEHEART", "jan", SecretString::from(password)).unwrap();
    EwsClient::builder(url, ntlm, ExchangeVersion::Exchange2016)
        .transport(trusting)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

/// A server that demands the channel binding of its own certificate, and a client for it.
async fn bound_server_and_client(after_logon: AfterLogon) -> (TestServer, EwsClient) {
    let certificate = self_signed(&["localhost"]);
    let binding = tls_server_end_point(&certificate);
    let server = ntlm_server(&certificate, PASSWORD, Some(binding), after_logon).await;
    let client = ntlm_client(&server.https_url("localhost"), PASSWORD);
    (server, client)
}

/// The NTLM message type (1 negotiate, 3 authenticate) a request carries, if any.
fn ntlm_message_type(request: &Request) -> Option<u8> {
    let token = request.header("Authorization")?.strip_prefix("NTLM ")?;
    STANDARD.decode(token).ok()?.get(8).copied()
}

/// Which connection carried each request.
fn connections_of(requests: &[Request]) -> Vec<usize> {
    requests.iter().map(|request| request.connection).collect()
}

#[tokio::test]
async fn ntlm_with_channel_binding_authenticates_the_connection_once() {
    let (server, client) = bound_server_and_client(AfterLogon::StayOpen).await;
    client.get_calendar_folder().await.unwrap();
    client.get_calendar_folder().await.unwrap();
    let requests = server.requests();
    assert_eq!(
        requests.len(),
        3,
        "negotiate, authenticate + body, then the body alone"
    );
    assert_eq!(server.connections(), 1);
    assert_eq!(ntlm_message_type(&requests[0]), Some(1));
    assert_eq!(ntlm_message_type(&requests[1]), Some(3));
    assert!(requests[2].header("Authorization").is_none());
}

#[tokio::test]
async fn ntlm_binding_to_another_certificate_is_rejected() {
    let certificate = self_signed(&["localhost"]);
    let other = self_signed(&["localhost"]);
    let server = ntlm_server(
        &certificate,
        PASSWORD,
        Some(tls_server_end_point(&other)),
        AfterLogon::StayOpen,
    )
    .await;
    let err = ntlm_client(&server.https_url("localhost"), PASSWORD)
        .get_calendar_folder()
        .await
        .unwrap_err();
    assert!(
        matches!(err, EwsError::AuthFailed { scheme: "NTLM" }),
        "{err:?}"
    );
}

#[tokio::test]
async fn ntlm_with_a_wrong_password_is_an_auth_error() {
    let certificate = self_signed(&["localhost"]);
    let server = ntlm_server(
        &certificate,
        "the-real-password",
        Some(tls_server_end_point(&certificate)),
        AfterLogon::StayOpen,
    )
    .await;
    let err = ntlm_client(&server.https_url("localhost"), PASSWORD)
        .get_calendar_folder()
        .await
        .unwrap_err();
    assert!(
        matches!(err, EwsError::AuthFailed { scheme: "NTLM" }),
        "{err:?}"
    );
    assert_no_password(&err);
    assert_eq!(
        server.requests().len(),
        2,
        "one handshake per request: the refused authenticate is not repeated"
    );
}

#[tokio::test]
async fn a_connection_closed_with_the_answer_is_replaced_by_a_new_logon() {
    let (server, client) = bound_server_and_client(AfterLogon::CloseAnnounced).await;
    client.get_calendar_folder().await.unwrap();
    client.get_calendar_folder().await.unwrap();
    let requests = server.requests();
    assert_eq!(
        connections_of(&requests),
        [0, 0, 1, 1],
        "the new connection starts with a handshake, not with a body bound to fail"
    );
    assert_eq!(ntlm_message_type(&requests[2]), Some(1));
    assert!(requests[2].body.is_empty());
    assert!(requests[3].body_text().contains("GetFolder"));
}

#[tokio::test]
async fn a_connection_the_server_closed_between_requests_is_replaced_by_a_new_logon() {
    let (server, client) = bound_server_and_client(AfterLogon::CloseSilently).await;
    for _ in 0..3 {
        client.get_calendar_folder().await.unwrap();
        // The server's close reaches the client while the connection is idle.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let requests = server.requests();
    assert_eq!(server.connections(), 3);
    assert_eq!(connections_of(&requests), [0, 0, 1, 1, 2, 2]);
    let types: Vec<_> = requests.iter().map(ntlm_message_type).collect();
    assert_eq!(
        types,
        [Some(1), Some(3), Some(1), Some(3), Some(1), Some(3)]
    );
}

#[tokio::test]
async fn a_401_on_the_logged_on_connection_leads_to_one_new_logon_on_a_new_connection() {
    let (server, client) = bound_server_and_client(AfterLogon::Forget).await;
    client.get_calendar_folder().await.unwrap();
    client.get_calendar_folder().await.unwrap();
    let requests = server.requests();
    assert_eq!(
        connections_of(&requests),
        [0, 0, 0, 1, 1],
        "401 to the body alone, then a handshake on a fresh connection"
    );
    assert!(requests[2].header("Authorization").is_none());
    assert_eq!(ntlm_message_type(&requests[3]), Some(1));
    assert_eq!(ntlm_message_type(&requests[4]), Some(3));
}

/// Keeps a worker thread busy in short bursts, yielding between them, until `stop` is set.
async fn spin_and_yield(stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        let burst = Instant::now() + Duration::from_micros(300);
        while Instant::now() < burst {
            std::hint::spin_loop();
        }
        tokio::task::yield_now().await;
    }
}

/// The regression test for the defect of issue #2: with a pooled HTTP client on a loaded
/// two-worker runtime, a request could start before the previous connection was back in the
/// pool, so an NTLM authenticate message left on another connection than its challenge came on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ntlm_keeps_its_one_connection_on_a_loaded_runtime() {
    const REQUESTS: usize = 120;
    let (server, client) = bound_server_and_client(AfterLogon::StayOpen).await;
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (0..4)
        .map(|_| tokio::spawn(spin_and_yield(Arc::clone(&stop))))
        .collect();

    let mut failures = Vec::new();
    for _ in 0..REQUESTS {
        if let Err(error) = client.get_calendar_folder().await {
            failures.push(error.code());
        }
    }

    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }
    assert!(failures.is_empty(), "failed requests: {failures:?}");
    assert_eq!(server.connections(), 1, "one TCP connection for everything");
    assert_eq!(
        server.requests().len(),
        REQUESTS + 1,
        "one handshake (negotiate, authenticate + body), then the bodies alone"
    );
}
