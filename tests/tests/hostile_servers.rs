//! A whole sync run against a hostile "Exchange" on 127.0.0.1 — a gigantic body, a slow drip,
//! invalid UTF-8, broken XML, an entity expansion, an external entity, a redirect to the
//! metadata address, a TLS certificate for another name: each run ends within a few seconds
//! with a stable code, writes nothing to either calendar and stores no position or mapping,
//! and the next run against the real server syncs everything, once. The same for a hostile
//! "OfficeHeart": a gigantic body, a slow drip, invalid UTF-8, broken and deeply nested JSON,
//! a redirect to the metadata address.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

/// The EWS tests' scripted server and test certificates.
#[path = "../../shared/ews/tests/support/server.rs"]
mod hostile;
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use ohsync_e2e::store_backend::StoreBackend;
use ohsync_engine::executor::{SyncPorts, run_user_sync};
use ohsync_engine::report::{ErrorCode, RunOutcome, RunReport};
use ohsync_ews::{BasicAuth, EwsClient, ExchangeVersion, RetryPolicy, TransportConfig};
use ohsync_ews_mailbox::{EwsMailbox, MailboxSettings};
use ohsync_officeheart::{ClientConfig, OfficeHeartClient};
use ohsync_officeheart_agenda::OfficeHeartAgenda;
use secrecy::SecretString;

use hostile::{Reply, TestServer, ca_and_leaf, tls_config, transport_config};
use support::{World, at, oh_data};

/// How a hostile server answers every request.
#[derive(Debug, Clone, Copy)]
enum Hostility {
    GiganticBody,
    SlowDrip,
    InvalidUtf8,
    BrokenXml,
    EntityExpansion,
    ExternalEntity,
    RedirectToMetadata,
    CertificateForAnotherName,
}

const ENTITY_EXPANSION: &str = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:SyncFolderItemsResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>&e;</m:SyncState><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange><m:Changes/></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse></s:Body></s:Envelope>"#;

const EXTERNAL_ENTITY: &str = r#"<?xml version="1.0"?>
<!DOCTYPE s [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:SyncFolderItemsResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>&xxe;</m:SyncState><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange><m:Changes/></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse></s:Body></s:Envelope>"#;

impl Hostility {
    const ALL: [Self; 8] = [
        Self::GiganticBody,
        Self::SlowDrip,
        Self::InvalidUtf8,
        Self::BrokenXml,
        Self::EntityExpansion,
        Self::ExternalEntity,
        Self::RedirectToMetadata,
        Self::CertificateForAnotherName,
    ];

    /// The run's code and what its detail names (the EWS client's own code, where it has one).
    fn expected(self) -> (ErrorCode, &'static str) {
        match self {
            Self::GiganticBody => (ErrorCode::MailboxRejected, "EWS_RESPONSE_TOO_LARGE"),
            Self::SlowDrip => (ErrorCode::MailboxUnavailable, "timed out after 1s"),
            Self::InvalidUtf8 | Self::BrokenXml | Self::EntityExpansion | Self::ExternalEntity => {
                (ErrorCode::MailboxRejected, "EWS_MALFORMED_RESPONSE")
            }
            Self::RedirectToMetadata => (ErrorCode::MailboxRejected, "EWS_REDIRECTED"),
            Self::CertificateForAnotherName => (ErrorCode::MailboxRejected, "EWS_TLS_WRONG_HOST"),
        }
    }

    fn reply(self) -> Reply {
        match self {
            // 256 MiB announced by streaming, against a 1 MiB cap.
            Self::GiganticBody => Reply::Stream {
                chunk: vec![b' '; 64 * 1024],
                count: 4096,
            },
            // A byte every 200 ms for 20 s.
            Self::SlowDrip => Reply::Drip {
                chunk: b" ".to_vec(),
                every: Duration::from_millis(200),
                count: 100,
            },
            Self::InvalidUtf8 => Reply::Respond {
                status: 200,
                headers: vec![("Content-Type".into(), "text/xml; charset=utf-8".into())],
                body: b"<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>\xc3\x28\xff\xfe</s:Body></s:Envelope>".to_vec(),
            },
            Self::BrokenXml => Reply::xml(
                200,
                "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><m:SyncFolderItemsResponse>",
            ),
            Self::EntityExpansion => Reply::xml(200, ENTITY_EXPANSION),
            Self::ExternalEntity => Reply::xml(200, EXTERNAL_ENTITY),
            Self::RedirectToMetadata => Reply::status(
                302,
                &[("Location", "http://169.254.169.254/latest/meta-data/")],
            ),
            Self::CertificateForAnotherName => Reply::xml(200, "never sent"),
        }
    }
}

/// The hostile server and an EWS mailbox pointed at it: Basic over http to 127.0.0.1 (over TLS
/// with a certificate for another name, trusted through its CA, for that case), a 1 MiB cap,
/// a 1-second request limit and no retries.
async fn hostile_mailbox(hostility: Hostility) -> (TestServer, EwsMailbox) {
    let reply = move |_: &hostile::Request, _: usize| hostility.reply();
    let mut transport = TransportConfig {
        request_timeout: Duration::from_secs(1),
        max_response_bytes: 1024 * 1024,
        ..transport_config()
    };
    let (server, url) = if matches!(hostility, Hostility::CertificateForAnotherName) {
        let (ca, leaf) = ca_and_leaf(&["mail.example"], false);
        transport.extra_root_certificates_pem = vec![ca.pem.clone()];
        let server = TestServer::scripted_tls(Some(tls_config(&leaf)), reply).await;
        let url = server.https_url("localhost");
        (server, url)
    } else {
        let server = TestServer::scripted(reply).await;
        let url = server.http_url();
        (server, url)
    };
    let auth = BasicAuth::new("OHSIM\\jan", SecretString::from("Geheim!1")).unwrap();
    let client = EwsClient::builder(&url, auth, ExchangeVersion::Exchange2016)
        .transport(transport)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    (server, EwsMailbox::new(client, MailboxSettings::default()))
}

/// A world with one appointment on each side, never synced.
async fn world() -> World {
    let world = World::start(StoreBackend::Embedded).await;
    world.oh_seed(oh_data("Uit OfficeHeart", at(1, 9)));
    world.ex_create("Uit Outlook", at(2, 13));
    world
}

/// Runs with `ports` (one side hostile) and checks that the run failed fast with `expected`
/// (its code, and what its detail names) after at most two requests to `server`, that nothing
/// was written or stored; then runs against the real servers and checks they are in sync.
async fn hostile_run_then_a_good_one(
    world: &World,
    ports: &SyncPorts,
    server: &TestServer,
    case: &str,
    expected: (ErrorCode, &str),
) {
    let started = Instant::now();
    let report: RunReport =
        run_user_sync(ports, &world.tenant, &world.user, &world.options()).await;
    let took = started.elapsed();

    assert!(
        took < Duration::from_secs(5),
        "{case}: the run took {took:?}"
    );
    assert_eq!(report.outcome, RunOutcome::Failed, "{case}: {report:?}");
    let error = report.errors.first().unwrap();
    println!(
        "{case}: {} after {took:?}: {}",
        error.code.as_str(),
        error.detail
    );
    assert_eq!(error.code, expected.0, "{case}: {error:?}");
    assert!(error.detail.contains(expected.1), "{case}: {error:?}");
    assert!(
        server.requests().len() <= 2,
        "{case}: no retry storm: {} requests",
        server.requests().len()
    );
    assert_eq!(world.oh_subjects(), ["Uit OfficeHeart"], "{case}");
    assert_eq!(world.ex_subjects(), ["Uit Outlook"], "{case}");
    let state = world.stored_state().await;
    assert!(
        state.mailbox_sync_state.is_none()
            && state.agenda_cursor.is_none()
            && state.mapping_count == 0
            && state.intents.is_empty(),
        "{case}: {state:?}"
    );

    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{case}: {report:?}");
    assert_eq!(world.oh_subjects(), ["Uit OfficeHeart", "Uit Outlook"]);
    assert_eq!(world.ex_subjects(), ["Uit OfficeHeart", "Uit Outlook"]);
    world.assert_in_sync().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_exchange_ends_the_run_in_bounded_time_writes_nothing_and_the_next_run_is_fine() {
    for hostility in Hostility::ALL {
        let world = world().await;
        let (server, mailbox) = hostile_mailbox(hostility).await;
        let ports = SyncPorts {
            mailbox: Arc::new(mailbox),
            ..world.ports()
        };
        let case = format!("Exchange {hostility:?}");
        hostile_run_then_a_good_one(&world, &ports, &server, &case, hostility.expected()).await;
    }
}

/// How a hostile OfficeHeart answers every request, and what the run says of it.
fn officeheart_hostilities() -> Vec<(&'static str, Reply, (ErrorCode, &'static str))> {
    let json = |body: &[u8]| Reply::Respond {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_vec(),
    };
    vec![
        (
            "gigantic body",
            Reply::Stream {
                chunk: vec![b' '; 64 * 1024],
                count: 4096,
            },
            (
                ErrorCode::AgendaRejected,
                "the response exceeds 1048576 bytes",
            ),
        ),
        (
            "slow drip",
            Reply::Drip {
                chunk: b" ".to_vec(),
                every: Duration::from_millis(200),
                count: 100,
            },
            (
                ErrorCode::AgendaUnavailable,
                "no answer from OfficeHeart in time",
            ),
        ),
        (
            "invalid UTF-8",
            json(b"{\"appointments\": [\"\xc3\x28\xff\"]}"),
            (ErrorCode::AgendaRejected, "invalid unicode code point"),
        ),
        (
            "broken JSON",
            json(b"{\"appointments\": [{\"id\": "),
            (ErrorCode::AgendaRejected, "EOF while parsing"),
        ),
        (
            "deeply nested JSON",
            json(&[b"{\"appointments\": ".as_slice(), &[b'['; 100_000]].concat()),
            (ErrorCode::AgendaRejected, "does not follow the contract"),
        ),
        (
            "redirect to the metadata address",
            Reply::status(
                302,
                &[("Location", "http://169.254.169.254/latest/meta-data/")],
            ),
            (ErrorCode::AgendaRejected, "unexpected HTTP status 302"),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_officeheart_ends_the_run_in_bounded_time_writes_nothing_and_the_next_run_is_fine()
 {
    for (case, reply, expected) in officeheart_hostilities() {
        let world = world().await;
        let server = TestServer::scripted(move |_, _| reply.clone()).await;
        let config = ClientConfig {
            request_timeout: Duration::from_secs(1),
            max_response_bytes: 1024 * 1024,
            ..ClientConfig::new(format!("http://{}/", server.addr).parse().unwrap())
        };
        let client = OfficeHeartClient::new(
            config,
            ohsync_officeheart::TenantId::new("acme").unwrap(),
            SecretString::from("acme-agenda-token"),
        )
        .unwrap();
        let ports = SyncPorts {
            agenda: Arc::new(OfficeHeartAgenda::new(
                client,
                ohsync_officeheart::UserId::new("jan").unwrap(),
            )),
            ..world.ports()
        };
        let case = format!("OfficeHeart {case}");
        hostile_run_then_a_good_one(&world, &ports, &server, &case, expected).await;
    }
}
