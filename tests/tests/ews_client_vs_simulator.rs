//! The EWS client against the Exchange simulator over real sockets: two independent implementations
//! of EWS (and of NTLM) checking each other.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a panic is how a test reports failure"
)]

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use ohsync_ews::client::RetryPolicy;
use ohsync_ews::model::{CalendarField, FieldUpdate, ItemChange, ItemShape, SyncChange};
use ohsync_ews::transport::AddressPolicy;
use ohsync_ews::{
    BasicAuth, EwsClient, EwsError, ExchangeVersion, NewCalendarItem, NtlmAuth, OhsyncTag,
    TransportConfig,
};
use ohsync_ews_sim::{EwsSimulator, RunningSim, ServerVersion, SimConfig, SimUser};
use secrecy::SecretString;

const PASSWORD: &str = "Welkom01!geheim";

fn user() -> SimUser {
    SimUser::new("OFFICEHEART", "jan", PASSWORD, "jan@officeheart.example")
}

async fn simulator(version: ServerVersion) -> RunningSim {
    let config = SimConfig::default()
        .with_user(user())
        .with_server_version(version);
    EwsSimulator::start(config, "127.0.0.1:0").await.unwrap()
}

fn plain_http() -> TransportConfig {
    TransportConfig {
        allow_http_hosts: vec!["127.0.0.1".to_owned()],
        request_timeout: Duration::from_secs(10),
        address_policy: loopback_allowed(),
        ..TransportConfig::default()
    }
}

/// The simulator listens on loopback, which the default address policy refuses.
fn loopback_allowed() -> AddressPolicy {
    AddressPolicy::new("127.0.0.1".parse().unwrap())
}

fn ntlm(domain: &str, password: &str) -> NtlmAuth {
    NtlmAuth::new(domain, "jan", SecretString::from(password)).unwrap()
}

fn client(sim: &RunningSim, version: ExchangeVersion) -> EwsClient {
    EwsClient::builder(sim.url(), ntlm("OFFICEHEART", PASSWORD), version)
        .transport(plain_http())
        .build()
        .unwrap()
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn meeting(subject: &str, start: DateTime<Utc>, officeheart_id: &str) -> NewCalendarItem {
    NewCalendarItem {
        fields: vec![
            CalendarField::Subject(subject.to_owned()),
            CalendarField::Location("Utrecht".to_owned()),
            CalendarField::Start(start),
            CalendarField::End(start + TimeDelta::hours(1)),
            CalendarField::StartTimeZone("W. Europe Standard Time".to_owned()),
            CalendarField::EndTimeZone("W. Europe Standard Time".to_owned()),
            CalendarField::OhsyncTag(OhsyncTag::new("acme", officeheart_id).unwrap()),
        ],
    }
}

#[tokio::test]
async fn ntlm_authenticates_and_the_server_version_is_read_from_the_header() {
    let sim = simulator(ServerVersion::Exchange2019).await;
    let client = client(&sim, ExchangeVersion::Exchange2016);

    let folder = client.get_calendar_folder().await.unwrap();

    assert!(!folder.folder_id.id.is_empty());
    let server = client.server_version().unwrap();
    assert_eq!((server.major, server.minor), (15, 2));
    assert_eq!(
        server.highest_request_version(),
        Some(ExchangeVersion::Exchange2016)
    );
}

#[tokio::test]
async fn a_wrong_password_or_domain_is_an_auth_failure_that_never_shows_the_password() {
    let sim = simulator(ServerVersion::Exchange2016).await;
    for (domain, password) in [("OFFICEHEART", "wrong-password"), ("ELDERS", PASSWORD)] {
        let client = EwsClient::builder(
            sim.url(),
            ntlm(domain, password),
            ExchangeVersion::Exchange2016,
        )
        .transport(plain_http())
        .build()
        .unwrap();

        let error = client.get_calendar_folder().await.unwrap_err();

        assert_eq!(error.code(), "EWS_AUTH_FAILED", "{domain}: {error}");
        assert!(!error.is_retryable());
        let shown = format!("{error} {error:?} {}", error.user_message().en);
        assert!(!shown.contains(password), "password leaked: {shown}");
    }
}

#[tokio::test]
async fn basic_authentication_reads_the_calendar() {
    let sim = simulator(ServerVersion::Exchange2016).await;
    let auth = BasicAuth::new("OFFICEHEART\\jan", SecretString::from(PASSWORD)).unwrap();
    let client = EwsClient::builder(sim.url(), auth, ExchangeVersion::Exchange2016)
        .transport(plain_http())
        .build()
        .unwrap();

    assert!(client.get_calendar_folder().await.is_ok());
}

#[tokio::test]
async fn items_are_created_synced_read_updated_found_and_deleted() {
    let sim = simulator(ServerVersion::Exchange2016).await;
    let client = client(&sim, ExchangeVersion::Exchange2016);
    let start = at("2026-12-07T08:00:00Z");
    let items: Vec<_> = (0..3)
        .map(|n| {
            meeting(
                &format!("Overleg <{n}> & \"zo\""),
                start + TimeDelta::days(n),
                &format!("oh-{n}"),
            )
        })
        .collect();

    let created: Vec<_> = client
        .create_items(&items)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let first = client
        .sync_folder_items_all(None, 512, ItemShape::Relevance)
        .await
        .unwrap();
    let state = first.last().unwrap().sync_state.clone();
    let read = client.get_items(&created).await;

    assert_eq!(
        first.iter().map(|page| page.changes.len()).sum::<usize>(),
        3
    );
    assert!(
        first.iter().flat_map(|page| &page.changes).all(
            |change| matches!(change, SyncChange::Create(item) if item.ohsync_tag().is_some())
        )
    );
    let item = read[1].as_ref().unwrap();
    assert_eq!(item.subject.as_deref(), Some("Overleg <1> & \"zo\""));
    assert_eq!(item.location.as_deref(), Some("Utrecht"));
    assert_eq!(item.start.unwrap(), start + TimeDelta::days(1));
    assert_eq!(item.ohsync_tag().unwrap().to_string(), "acme:oh-1");
    assert!(item.uid.as_deref().is_some_and(|uid| !uid.is_empty()));

    let updated = client
        .update_items(&[ItemChange {
            item_id: created[0].clone(),
            updates: vec![FieldUpdate::Set(CalendarField::Subject(
                "Verzet".to_owned(),
            ))],
        }])
        .await;
    let new_id = updated[0].as_ref().unwrap().item_id.clone();
    assert_ne!(
        new_id.change_key, created[0].change_key,
        "every write makes a new ChangeKey"
    );
    client.delete_items(&[created[2].clone()]).await[0]
        .as_ref()
        .unwrap();
    let later = client
        .sync_folder_items(Some(&state), 512, ItemShape::Relevance)
        .await
        .unwrap();

    assert_eq!(later.changes.len(), 2, "{:?}", later.changes);
    assert!(later.changes.iter().any(|change| matches!(change, SyncChange::Update(item) if item.item_id.as_ref().map(|id| &id.id) == Some(&created[0].id))));
    assert!(
        later
            .changes
            .iter()
            .any(|change| matches!(change, SyncChange::Delete(id) if id.id == created[2].id))
    );

    let found = client
        .find_by_tag(&OhsyncTag::new("acme", "oh-1").unwrap())
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].item_id.as_ref().unwrap().id, created[1].id);

    let view = client
        .find_calendar_view(
            start - TimeDelta::hours(1),
            start + TimeDelta::days(7),
            100,
            ItemShape::Summary,
        )
        .await
        .unwrap();
    assert_eq!(
        view.items.len(),
        2,
        "the deleted item is gone from the view"
    );
    assert!(view.includes_last_item_in_range);
}

#[tokio::test]
async fn a_throttled_call_is_retried_after_the_servers_back_off() {
    let sim = simulator(ServerVersion::Exchange2016).await;
    let client = client(&sim, ExchangeVersion::Exchange2016);
    client.get_calendar_folder().await.unwrap();
    sim.counters().reset();
    sim.faults()
        .server_busy_for_next(1, Duration::from_millis(400));

    let began = Instant::now();
    let result = client.get_calendar_folder().await;

    assert!(result.is_ok(), "{result:?}");
    assert!(
        began.elapsed() >= Duration::from_millis(400),
        "retried before BackOffMilliseconds"
    );
    assert_eq!(sim.counters().operation("GetFolder"), 2);
}

#[tokio::test]
async fn a_back_off_longer_than_the_budget_is_returned_not_slept() {
    let sim = simulator(ServerVersion::Exchange2016).await;
    let client = EwsClient::builder(
        sim.url(),
        ntlm("OFFICEHEART", PASSWORD),
        ExchangeVersion::Exchange2016,
    )
    .transport(plain_http())
    .retry(RetryPolicy {
        max_total_wait: Duration::from_secs(1),
        ..RetryPolicy::default()
    })
    .build()
    .unwrap();
    sim.faults()
        .server_busy_for_next(1, Duration::from_secs(600));

    let began = Instant::now();
    let error = client.get_calendar_folder().await.unwrap_err();

    assert!(began.elapsed() < Duration::from_secs(5));
    assert_eq!(error.code(), "EWS_THROTTLED");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(600)));
}

#[tokio::test]
async fn http_503_is_retried() {
    let sim = simulator(ServerVersion::Exchange2016).await;
    let client = client(&sim, ExchangeVersion::Exchange2016);
    sim.faults().unavailable_for_next(1);

    assert!(client.get_calendar_folder().await.is_ok());
}

#[tokio::test]
async fn a_blocked_user_gets_the_blocked_code() {
    let sim = simulator(ServerVersion::Exchange2016).await;
    assert!(sim.set_ews_blocked("jan@officeheart.example", true));
    let client = client(&sim, ExchangeVersion::Exchange2016);

    let error = client.get_calendar_folder().await.unwrap_err();

    assert_eq!(error.code(), "EWS_BLOCKED_BY_POLICY");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_version_newer_than_the_server_is_rejected() {
    let sim = simulator(ServerVersion::Exchange2010Sp2).await;
    let client = client(&sim, ExchangeVersion::Exchange2016);

    let error = client.get_calendar_folder().await.unwrap_err();

    assert_eq!(error.code(), "EWS_VERSION_REJECTED", "{error:?}");
}

#[tokio::test]
async fn an_invalidated_sync_state_is_reported_as_such() {
    let sim = simulator(ServerVersion::Exchange2016).await;
    let client = client(&sim, ExchangeVersion::Exchange2016);
    let state = client
        .sync_folder_items(None, 512, ItemShape::Relevance)
        .await
        .unwrap()
        .sync_state;
    sim.faults().invalidate_next_sync_states(1);

    let error = client
        .sync_folder_items(Some(&state), 512, ItemShape::Relevance)
        .await
        .unwrap_err();

    assert_eq!(error.code(), "EWS_SYNC_STATE_INVALID");
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_outcome_unknown_and_its_tag_finds_it() {
    let sim = simulator(ServerVersion::Exchange2016).await;
    let client = client(&sim, ExchangeVersion::Exchange2016);
    sim.faults().drop_connection_after_next_writes(1);

    let results = client
        .create_items(&[meeting(
            "Verloren antwoord",
            at("2026-12-08T09:00:00Z"),
            "oh-lost",
        )])
        .await;

    assert!(
        matches!(&results[0], Err(error) if error.is_outcome_unknown()),
        "{results:?}"
    );
    let found = client
        .find_by_tag(&OhsyncTag::new("acme", "oh-lost").unwrap())
        .await
        .unwrap();
    assert_eq!(
        found.len(),
        1,
        "the write was committed before the connection dropped"
    );
}

#[tokio::test]
async fn ntlm_channel_binding_satisfies_extended_protection_over_tls() {
    let config = SimConfig::default()
        .with_user(user())
        .with_extended_protection();
    let sim = EwsSimulator::start(config, "127.0.0.1:0").await.unwrap();
    assert!(sim.url().starts_with("https://"));
    let allow_listed = EwsClient::builder(
        sim.url(),
        ntlm("OFFICEHEART", PASSWORD),
        ExchangeVersion::Exchange2016,
    )
    .transport(TransportConfig {
        insecure_tls_hosts: vec!["127.0.0.1".to_owned()],
        address_policy: loopback_allowed(),
        ..TransportConfig::default()
    })
    .build()
    .unwrap();
    let not_listed = EwsClient::builder(
        sim.url(),
        ntlm("OFFICEHEART", PASSWORD),
        ExchangeVersion::Exchange2016,
    )
    .transport(TransportConfig {
        address_policy: loopback_allowed(),
        ..TransportConfig::default()
    })
    .build()
    .unwrap();

    let allowed = allow_listed.get_calendar_folder().await;
    let refused = not_listed.get_calendar_folder().await.unwrap_err();

    assert!(allowed.is_ok(), "{allowed:?}");
    assert_eq!(refused.code(), "EWS_TLS_UNTRUSTED", "{refused:?}");
}

#[tokio::test]
async fn errors_carry_dutch_and_english_texts() {
    let sim = simulator(ServerVersion::Exchange2016).await;
    assert!(sim.set_ews_blocked("jan@officeheart.example", true));
    let error: EwsError = client(&sim, ExchangeVersion::Exchange2016)
        .get_calendar_folder()
        .await
        .unwrap_err();

    let message = error.user_message();

    assert!(!message.nl.is_empty() && !message.en.is_empty());
    assert_ne!(message.nl, message.en);
}

#[tokio::test]
async fn a_write_on_a_replaced_connection_authenticates_again() {
    let sim = simulator(ServerVersion::Exchange2016).await;
    let client = client(&sim, ExchangeVersion::Exchange2016);
    client.get_calendar_folder().await.unwrap();
    sim.faults().drop_connection_after_next_writes(1);
    let lost = client
        .create_items(&[meeting(
            "Verbinding weg",
            at("2026-12-09T09:00:00Z"),
            "oh-a",
        )])
        .await;
    assert!(
        matches!(&lost[0], Err(error) if error.is_outcome_unknown()),
        "{lost:?}"
    );
    let handshakes_before = sim.counters().http_requests() - sim.counters().soap_requests();

    // The pooled connection is gone; the next request is a write on a new connection, which
    // NTLM must authenticate again before the body is accepted.
    let created = client
        .create_items(&[meeting(
            "Nieuwe verbinding",
            at("2026-12-09T11:00:00Z"),
            "oh-b",
        )])
        .await;

    assert!(created[0].is_ok(), "{created:?}");
    let handshakes_after = sim.counters().http_requests() - sim.counters().soap_requests();
    assert!(
        handshakes_after > handshakes_before,
        "a new NTLM handshake was made"
    );
}
