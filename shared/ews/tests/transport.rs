//! The client over real sockets against small servers on 127.0.0.1: redirects, size cap,
//! timeouts, HTTP statuses, retries, outcome-unknown writes, TLS trust and the address policy
//! (NTLM has its own file, `ntlm.rs`).

// Test code: a failed unwrap is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{TimeZone, Utc};
use ohsync_ews::error::{EwsError, Phase, TlsProblem};
use ohsync_ews::model::{CalendarField, CalendarFolder, NewCalendarItem, OhsyncTag};
use ohsync_ews::{
    Authenticator, BasicAuth, EwsClient, ExchangeVersion, NtlmAuth, RetryPolicy, TransportConfig,
};
use secrecy::SecretString;
use support::{
    GET_FOLDER_OK, PASSWORD, Reply, TestServer, assert_no_password, ca_and_leaf, self_signed,
    server_busy_fault, tls_config, transport_config as config,
};

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        max_total_wait: Duration::from_secs(5),
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    }
}

fn basic() -> BasicAuth {
    BasicAuth::new("OFFICEHEART\\jan", SecretString::from(PASSWORD)).unwrap()
}

fn client_with(
    url: &str,
    auth: impl Authenticator + 'static,
    config: TransportConfig,
    retry: RetryPolicy,
) -> EwsClient {
    EwsClient::builder(url, auth, ExchangeVersion::Exchange2016)
        .transport(config)
        .retry(retry)
        .build()
        .unwrap()
}

fn client(server: &TestServer, retry: RetryPolicy) -> EwsClient {
    client_with(&server.http_url(), basic(), config(), retry)
}

fn new_item() -> NewCalendarItem {
    NewCalendarItem {
        fields: vec![
            CalendarField::Subject("Overleg".into()),
            CalendarField::Start(Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()),
            CalendarField::End(Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap()),
            CalendarField::OhsyncTag(OhsyncTag::new("acme", "42").unwrap()),
        ],
    }
}

#[tokio::test]
async fn redirect_is_not_followed_and_names_the_location_host() {
    let server = TestServer::scripted(|_, _| {
        Reply::status(
            302,
            &[("Location", "https://login.evil.example/EWS/Exchange.asmx")],
        )
    })
    .await;
    let err = client(&server, fast_retry())
        .get_calendar_folder()
        .await
        .unwrap_err();
    let EwsError::Redirected {
        status,
        location_host,
    } = &err
    else {
        panic!("expected a redirect error, got {err:?}")
    };
    assert_eq!(
        (*status, location_host.as_deref()),
        (302, Some("login.evil.example"))
    );
    assert_eq!(err.code(), "EWS_REDIRECTED");
    assert_eq!(server.requests().len(), 1, "the redirect was not followed");
}

#[tokio::test]
async fn response_over_the_cap_is_cut_off_while_streaming() {
    let server = TestServer::scripted(|_, _| Reply::Stream {
        chunk: vec![b' '; 64 * 1024],
        count: 4096,
    })
    .await;
    let limited = TransportConfig {
        max_response_bytes: 256 * 1024,
        ..config()
    };
    let started = Instant::now();
    let err = client_with(&server.http_url(), basic(), limited, RetryPolicy::none())
        .get_calendar_folder()
        .await
        .unwrap_err();
    assert!(
        matches!(err, EwsError::ResponseTooLarge { limit: 262_144 }),
        "{err:?}"
    );
    assert_eq!(err.code(), "EWS_RESPONSE_TOO_LARGE");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the 256 MiB body was not read to the end"
    );
}

#[tokio::test]
async fn declared_length_over_the_cap_is_refused_before_reading() {
    let server = TestServer::scripted(|_, _| Reply::xml(200, &" ".repeat(300_000))).await;
    let limited = TransportConfig {
        max_response_bytes: 100_000,
        ..config()
    };
    let err = client_with(&server.http_url(), basic(), limited, RetryPolicy::none())
        .get_calendar_folder()
        .await
        .unwrap_err();
    assert!(
        matches!(err, EwsError::ResponseTooLarge { limit: 100_000 }),
        "{err:?}"
    );
}

#[tokio::test]
async fn slow_server_times_out() {
    let server = TestServer::scripted(|_, _| Reply::Stall(Duration::from_secs(10))).await;
    let quick = TransportConfig {
        request_timeout: Duration::from_millis(300),
        ..config()
    };
    let started = Instant::now();
    let err = client_with(&server.http_url(), basic(), quick, RetryPolicy::none())
        .get_calendar_folder()
        .await
        .unwrap_err();
    assert!(
        matches!(err, EwsError::Timeout { phase: Phase::MaybeDelivered, after } if after == Duration::from_millis(300)),
        "{err:?}"
    );
    assert_eq!(err.code(), "EWS_TIMEOUT");
    assert!(err.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_slow_drip_is_cut_off_by_the_request_timeout() {
    // Headers at once, then one byte every 200 ms for 20 s: each read is quick, the whole
    // answer is not; the time limit is the request's, not each read's.
    let server = TestServer::scripted(|_, _| Reply::Drip {
        chunk: b" ".to_vec(),
        every: Duration::from_millis(200),
        count: 100,
    })
    .await;
    let quick = TransportConfig {
        request_timeout: Duration::from_millis(800),
        ..config()
    };
    let started = Instant::now();
    let err = client_with(&server.http_url(), basic(), quick, RetryPolicy::none())
        .get_calendar_folder()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "EWS_TIMEOUT", "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn http_401_is_an_auth_error_without_the_password() {
    let server = TestServer::scripted(|_, _| {
        Reply::status(401, &[("WWW-Authenticate", "Basic realm=\"ews\"")])
    })
    .await;
    let err = client(&server, fast_retry())
        .get_calendar_folder()
        .await
        .unwrap_err();
    assert!(
        matches!(err, EwsError::AuthFailed { scheme: "Basic" }),
        "{err:?}"
    );
    assert_eq!(err.code(), "EWS_AUTH_FAILED");
    assert!(!err.is_retryable());
    assert_no_password(&err);
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "authentication failures are not retried");
    let expected = format!(
        "Basic {}",
        STANDARD.encode(format!("OFFICEHEART\\jan:{PASSWORD}"))
    );
    assert_eq!(requests[0].header("Authorization"), Some(expected.as_str()));
}

#[tokio::test]
async fn http_401_without_ntlm_names_the_offered_schemes() {
    let server =
        TestServer::scripted(|_, _| Reply::status(401, &[("WWW-Authenticate", "Negotiate")])).await;
    let ntlm = NtlmAuth::new("OFFICEHEART", "jan", SecretString::from(PASSWORD)).unwrap();
    let err = client_with(&server.http_url(), ntlm, config(), fast_retry())
        .get_calendar_folder()
        .await
        .unwrap_err();
    let EwsError::AuthSchemeNotOffered { scheme, offered } = &err else {
        panic!("expected AuthSchemeNotOffered, got {err:?}")
    };
    assert_eq!(
        (*scheme, offered.as_slice()),
        ("NTLM", ["Negotiate".to_owned()].as_slice())
    );
    assert_eq!(err.code(), "EWS_AUTH_METHOD_UNSUPPORTED");
    assert_no_password(&err);
}

#[tokio::test]
async fn http_403_is_blocked_by_policy() {
    let server = TestServer::scripted(|_, _| Reply::status(403, &[])).await;
    let err = client(&server, fast_retry())
        .get_calendar_folder()
        .await
        .unwrap_err();
    assert!(matches!(err, EwsError::BlockedByPolicy), "{err:?}");
    assert_eq!(err.code(), "EWS_BLOCKED_BY_POLICY");
    assert!(err.user_message().nl.contains("EWS"));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn http_503_is_retried_until_it_succeeds() {
    let server = TestServer::scripted(|_, n| {
        if n < 2 {
            Reply::status(503, &[("Retry-After", "0")])
        } else {
            Reply::xml(200, GET_FOLDER_OK)
        }
    })
    .await;
    let client = client(&server, fast_retry());
    let folder = client.get_calendar_folder().await.unwrap();
    assert_eq!(folder.display_name.as_deref(), Some("Agenda"));
    assert_eq!(folder.total_count, Some(3));
    assert_eq!(server.requests().len(), 3);
    let server_version = client.server_version().unwrap();
    assert_eq!(
        server_version.highest_request_version(),
        Some(ExchangeVersion::Exchange2016)
    );
}

#[tokio::test]
async fn http_503_past_the_retry_budget_is_returned_with_its_retry_after() {
    let server = TestServer::scripted(|_, _| Reply::status(503, &[("Retry-After", "120")])).await;
    let err = client(&server, fast_retry())
        .get_calendar_folder()
        .await
        .unwrap_err();
    assert!(err.is_throttled());
    assert_eq!(err.code(), "EWS_THROTTLED");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(
        server.requests().len(),
        1,
        "a two-minute wait does not fit a five-second budget"
    );
}

#[tokio::test]
async fn server_busy_with_a_short_back_off_is_retried() {
    let server = TestServer::scripted(|_, n| {
        if n == 0 {
            Reply::xml(500, &server_busy_fault(40))
        } else {
            Reply::xml(200, GET_FOLDER_OK)
        }
    })
    .await;
    let started = Instant::now();
    client(&server, fast_retry())
        .get_calendar_folder()
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(40),
        "waited the server's back-off"
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn server_busy_with_a_long_back_off_stops_at_once() {
    let server = TestServer::scripted(|_, _| Reply::xml(500, &server_busy_fault(297_749))).await;
    let started = Instant::now();
    let err = client(&server, fast_retry())
        .get_calendar_folder()
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(err.code(), "EWS_THROTTLED");
    assert_eq!(err.retry_after(), Some(Duration::from_millis(297_749)));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn create_on_a_dropped_connection_is_outcome_unknown_and_sent_once() {
    let server = TestServer::scripted(|_, _| Reply::Drop).await;
    let results = client(&server, fast_retry())
        .create_items(&[new_item()])
        .await;
    assert_eq!(results.len(), 1);
    let err = results[0].as_ref().unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert_eq!(err.code(), "EWS_OUTCOME_UNKNOWN");
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "a create is never blindly repeated");
    assert!(
        requests[0]
            .body_text()
            .contains("<t:Value>acme:42</t:Value>")
    );
}

#[tokio::test]
async fn create_that_times_out_is_outcome_unknown() {
    let server = TestServer::scripted(|_, _| Reply::Stall(Duration::from_secs(10))).await;
    let quick = TransportConfig {
        request_timeout: Duration::from_millis(300),
        ..config()
    };
    let results = client_with(&server.http_url(), basic(), quick, fast_retry())
        .create_items(&[new_item(), new_item()])
        .await;
    for result in &results {
        let err = result.as_ref().unwrap_err();
        let EwsError::OutcomeUnknown { operation, cause } = err else {
            panic!("expected OutcomeUnknown, got {err:?}")
        };
        assert_eq!(*operation, "CreateItem");
        assert!(matches!(**cause, EwsError::Timeout { .. }));
    }
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn read_on_a_dropped_connection_is_retried() {
    let server = TestServer::scripted(|_, n| {
        if n == 0 {
            Reply::Drop
        } else {
            Reply::xml(200, GET_FOLDER_OK)
        }
    })
    .await;
    let folder = client(&server, fast_retry())
        .get_calendar_folder()
        .await
        .unwrap();
    assert_eq!(folder.folder_id.id, "AQMkCal");
    assert_eq!(server.requests().len(), 2);
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn connection_refused_is_classified() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let url = format!("http://127.0.0.1:{port}/EWS/Exchange.asmx");
    let err = client_with(&url, basic(), config(), RetryPolicy::none())
        .get_calendar_folder()
        .await
        .unwrap_err();
    assert!(matches!(err, EwsError::ConnectionRefused { .. }), "{err:?}");
    assert_eq!(err.code(), "EWS_CONNECTION_REFUSED");
}

#[tokio::test]
async fn unresolvable_host_is_a_dns_failure() {
    let err = client_with(
        "https://ohsync-no-such-host.invalid/EWS/Exchange.asmx",
        basic(),
        config(),
        RetryPolicy::none(),
    )
    .get_calendar_folder()
    .await
    .unwrap_err();
    assert!(
        matches!(&err, EwsError::Dns { host, .. } if host == "ohsync-no-such-host.invalid"),
        "{err:?}"
    );
    assert_eq!(err.code(), "EWS_DNS_FAILED");
}

#[tokio::test]
async fn plain_http_is_refused_unless_allowed_for_the_host() {
    let err = EwsClient::builder(
        "http://mail.example/EWS/Exchange.asmx",
        basic(),
        ExchangeVersion::Exchange2016,
    )
    .build()
    .unwrap_err();
    assert_eq!(err.code(), "EWS_INVALID_CONFIG");
}

#[tokio::test]
async fn one_connection_is_kept_alive_across_calls() {
    let server = TestServer::scripted(|_, _| Reply::xml(200, GET_FOLDER_OK)).await;
    let client = client(&server, fast_retry());
    for _ in 0..3 {
        client.get_calendar_folder().await.unwrap();
    }
    assert_eq!(server.requests().len(), 3);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn untrusted_certificate_is_refused_unless_the_host_is_allow_listed() {
    let certificate = self_signed(&["localhost"]);
    let server = TestServer::scripted_tls(Some(tls_config(&certificate)), |_, _| {
        Reply::xml(200, GET_FOLDER_OK)
    })
    .await;
    let url = server.https_url("localhost");
    let err = client_with(&url, basic(), config(), RetryPolicy::none())
        .get_calendar_folder()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, EwsError::Tls { problem: TlsProblem::Untrusted, host, .. } if host == "localhost"),
        "{err:?}"
    );
    assert_eq!(err.code(), "EWS_TLS_UNTRUSTED");

    let allow_listed = TransportConfig {
        insecure_tls_hosts: vec!["LOCALHOST".into()],
        ..config()
    };
    let folder = client_with(&url, basic(), allow_listed, RetryPolicy::none())
        .get_calendar_folder()
        .await
        .unwrap();
    assert_eq!(folder.display_name.as_deref(), Some("Agenda"));
}

/// Reads the calendar folder over https from a server presenting a leaf certificate for `hosts`
/// (expired or not), signed by a CA the client trusts.
async fn folder_over_tls_with_trusted_ca(
    hosts: &[&str],
    expired: bool,
) -> Result<CalendarFolder, EwsError> {
    let (ca, leaf) = ca_and_leaf(hosts, expired);
    let server = TestServer::scripted_tls(Some(tls_config(&leaf)), |_, _| {
        Reply::xml(200, GET_FOLDER_OK)
    })
    .await;
    let trusting = TransportConfig {
        extra_root_certificates_pem: vec![ca.pem.clone()],
        ..config()
    };
    client_with(
        &server.https_url("localhost"),
        basic(),
        trusting,
        RetryPolicy::none(),
    )
    .get_calendar_folder()
    .await
}

#[tokio::test]
async fn certificate_for_another_host_is_a_wrong_host_error() {
    let err = folder_over_tls_with_trusted_ca(&["mail.example"], false)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            EwsError::Tls {
                problem: TlsProblem::WrongHost,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "EWS_TLS_WRONG_HOST");
}

#[tokio::test]
async fn expired_certificate_is_reported_as_expired_and_a_valid_one_works() {
    let err = folder_over_tls_with_trusted_ca(&["localhost"], true)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            EwsError::Tls {
                problem: TlsProblem::Expired,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "EWS_TLS_EXPIRED");

    folder_over_tls_with_trusted_ca(&["localhost"], false)
        .await
        .unwrap();
}

fn create_response(messages: &[String]) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:CreateItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>{}</m:ResponseMessages></m:CreateItemResponse></s:Body></s:Envelope>"#,
        messages.concat()
    )
}

fn created(id: &str) -> String {
    format!(
        r#"<m:CreateItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items><t:CalendarItem><t:ItemId Id="{id}" ChangeKey="CK-{id}"/></t:CalendarItem></m:Items></m:CreateItemResponseMessage>"#
    )
}

fn failed(code: &str, values: &str) -> String {
    format!(
        r#"<m:CreateItemResponseMessage ResponseClass="Error"><m:MessageText>failed</m:MessageText><m:ResponseCode>{code}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey><m:MessageXml>{values}</m:MessageXml><m:Items/></m:CreateItemResponseMessage>"#
    )
}

#[tokio::test]
async fn a_batch_throttled_item_by_item_is_retried_as_a_whole() {
    let server = TestServer::scripted(|_, n| {
        let busy = failed(
            "ErrorServerBusy",
            r#"<t:Value Name="BackOffMilliseconds">20</t:Value>"#,
        );
        if n == 0 {
            Reply::xml(200, &create_response(&[busy.clone(), busy]))
        } else {
            Reply::xml(200, &create_response(&[created("A"), created("B")]))
        }
    })
    .await;
    let results = client(&server, fast_retry())
        .create_items(&[new_item(), new_item()])
        .await;
    let ids: Vec<_> = results
        .iter()
        .map(|r| r.as_ref().unwrap().id.clone())
        .collect();
    assert_eq!(ids, ["A", "B"]);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn per_item_failures_do_not_fail_the_batch() {
    let server = TestServer::scripted(|_, _| {
        Reply::xml(
            200,
            &create_response(&[
                failed("ErrorItemNotFound", ""),
                created("B"),
                failed("ErrorServerBusy", ""),
            ]),
        )
    })
    .await;
    let results = client(&server, fast_retry())
        .create_items(&[new_item(), new_item(), new_item()])
        .await;
    assert_eq!(
        results[0].as_ref().unwrap_err().code(),
        "EWS_ITEM_NOT_FOUND"
    );
    assert_eq!(
        results[1].as_ref().unwrap().change_key.as_deref(),
        Some("CK-B")
    );
    assert!(
        results[2].as_ref().unwrap_err().is_throttled(),
        "a throttled item is the caller's to retry"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "a partly done batch is never resent"
    );
}

#[tokio::test]
async fn batches_are_split_and_a_failed_batch_stops_the_rest() {
    let server = TestServer::scripted(|request, n| {
        if n == 0 {
            assert_eq!(request.body_text().matches("<t:CalendarItem>").count(), 2);
            Reply::xml(200, &create_response(&[created("A"), created("B")]))
        } else {
            Reply::status(403, &[])
        }
    })
    .await;
    let client = EwsClient::builder(server.http_url(), basic(), ExchangeVersion::Exchange2016)
        .transport(config())
        .retry(fast_retry())
        .batch_size(2)
        .build()
        .unwrap();
    let mut invalid = new_item();
    invalid
        .fields
        .retain(|field| !matches!(field, CalendarField::End(_)));
    let items = [
        new_item(),
        invalid,
        new_item(),
        new_item(),
        new_item(),
        new_item(),
    ];
    let results = client.create_items(&items).await;
    let codes: Vec<_> = results
        .iter()
        .map(|r| r.as_ref().map_or_else(|e| e.code(), |_| "OK"))
        .collect();
    assert_eq!(
        codes,
        [
            "OK",
            "EWS_INVALID_INPUT",
            "OK",
            "EWS_BLOCKED_BY_POLICY",
            "EWS_BLOCKED_BY_POLICY",
            "EWS_BLOCKED_BY_POLICY"
        ]
    );
    assert!(matches!(
        results[5].as_ref().unwrap_err(),
        EwsError::NotAttempted { .. }
    ));
    assert!(matches!(
        results[3].as_ref().unwrap_err(),
        EwsError::BlockedByPolicy
    ));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn html_error_page_with_500_is_a_server_error() {
    let server =
        TestServer::scripted(|_, _| Reply::xml(500, "<html><body>Runtime Error</body></html>"))
            .await;
    let err = client(&server, fast_retry())
        .get_calendar_folder()
        .await
        .unwrap_err();
    assert!(
        matches!(err, EwsError::HttpStatus { status: 500, .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "EWS_SERVER_ERROR");
}

#[tokio::test]
async fn the_default_address_policy_refuses_a_loopback_endpoint_before_any_http() {
    let server = TestServer::scripted(|_, _| Reply::xml(200, GET_FOLDER_OK)).await;
    let default_policy = TransportConfig {
        allow_http_hosts: vec!["127.0.0.1".into()],
        ..TransportConfig::default()
    };

    let err = client_with(
        &server.http_url(),
        basic(),
        default_policy,
        RetryPolicy::none(),
    )
    .get_calendar_folder()
    .await
    .unwrap_err();

    assert_eq!(err.code(), "EWS_ADDRESS_REFUSED", "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(server.requests().len(), 0, "no HTTP reached the server");
    assert_eq!(
        server.connections(),
        0,
        "a refused literal address is not even connected to"
    );
}

#[tokio::test]
async fn a_server_that_never_completes_tls_hits_the_connect_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts TCP connections and holds them without ever answering the TLS client hello.
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            held.push(tcp);
        }
    });
    let quick = TransportConfig {
        connect_timeout: Duration::from_millis(300),
        ..config()
    };
    let started = Instant::now();
    let err = client_with(
        &format!("https://127.0.0.1:{port}/EWS/Exchange.asmx"),
        basic(),
        quick,
        RetryPolicy::none(),
    )
    .get_calendar_folder()
    .await
    .unwrap_err();
    holder.abort();
    assert!(
        matches!(err, EwsError::Timeout { phase: Phase::NotSent, after } if after == Duration::from_millis(300)),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn requests_carry_the_host_agent_anchor_mailbox_and_soap_content_type() {
    let server = TestServer::scripted(|_, _| Reply::xml(200, GET_FOLDER_OK)).await;
    let client = EwsClient::builder(server.http_url(), basic(), ExchangeVersion::Exchange2016)
        .transport(config())
        .impersonate("piet@officeheart.example")
        .build()
        .unwrap();
    client.get_calendar_folder().await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.method, "POST");
    let host = format!("127.0.0.1:{}", server.addr.port());
    assert_eq!(request.header("Host"), Some(host.as_str()));
    assert_eq!(
        request.header("User-Agent"),
        Some(concat!("ohsync/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(
        request.header("X-AnchorMailbox"),
        Some("piet@officeheart.example")
    );
    assert_eq!(
        request.header("Content-Type"),
        Some("text/xml; charset=utf-8")
    );
    let length = request.body.len().to_string();
    assert_eq!(request.header("Content-Length"), Some(length.as_str()));
}
