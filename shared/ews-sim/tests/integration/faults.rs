//! Fault switches and request counters.

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::common::{
    Ews, JAN, PASSWORD, RawConnection, create_body, envelope, get_calendar_folder, start,
};

fn basic() -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!(r"OHSIM\jan:{PASSWORD}"))
    )
}

#[tokio::test]
async fn latency_delays_every_request_until_cleared() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    sim.faults().set_latency(Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(ews.post(get_calendar_folder()).await.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    sim.faults().clear();
    let started = Instant::now();
    ews.post(get_calendar_folder()).await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn server_busy_for_the_next_requests_then_normal_service() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    sim.faults()
        .server_busy_for_next(2, Duration::from_millis(1500));
    for _ in 0..2 {
        let reply = ews.post(get_calendar_folder()).await;
        assert_eq!(
            (reply.status, reply.fault_code()),
            (500, "ErrorServerBusy".to_owned())
        );
        let value = reply.first("Value");
        assert_eq!(
            (value.attribute("Name"), value.text().as_str()),
            (Some("BackOffMilliseconds"), "1500")
        );
        assert_eq!(
            reply.text_of("faultstring"),
            "The server cannot service this request right now. Try again later."
        );
    }
    assert_eq!(ews.post(get_calendar_folder()).await.status, 200);
    assert_eq!(
        sim.counters().operation("GetFolder"),
        3,
        "throttled requests are counted too"
    );
}

#[tokio::test]
async fn http_503_for_the_next_requests() {
    let sim = start().await;
    sim.faults().unavailable_for_next(1);
    let client = reqwest::Client::new();
    let send = || {
        client
            .post(sim.url())
            .basic_auth(r"OHSIM\jan", Some(PASSWORD))
            .body(get_calendar_folder())
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), 503);
    assert!(first.text().await.unwrap().contains("Service Unavailable"));
    assert_eq!(send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn dropped_connection_after_a_committed_write() {
    let sim = start().await;
    sim.faults().drop_connection_after_next_writes(1);
    let mut connection = RawConnection::open(&sim).await;
    let read = connection
        .post(Some(&basic()), &get_calendar_folder())
        .await
        .unwrap();
    assert_eq!(read.status, 200, "reads are not affected");
    let body = envelope(
        Some("Exchange2016"),
        "",
        &create_body("<t:Subject>committed</t:Subject>"),
    );
    let error = connection
        .post(Some(&basic()), &body)
        .await
        .expect_err("no response after the commit");
    assert_eq!(error.kind(), std::io::ErrorKind::UnexpectedEof);
    let items = sim.mailbox(JAN).unwrap().items();
    assert_eq!(
        items.len(),
        1,
        "the write was applied before the socket closed"
    );
    assert_eq!(items[0].subject.as_deref(), Some("committed"));
    let mut next = RawConnection::open(&sim).await;
    assert_eq!(
        next.post(Some(&basic()), &body).await.unwrap().status,
        200,
        "the switch was consumed"
    );
}

#[tokio::test]
async fn invalidated_sync_states_are_refused_once() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let sync = |state: Option<&str>| {
        let state = state
            .map(|state| format!("<m:SyncState>{state}</m:SyncState>"))
            .unwrap_or_default();
        format!(
            r#"<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="calendar"/></m:SyncFolderId>{state}<m:MaxChangesReturned>100</m:MaxChangesReturned></m:SyncFolderItems>"#
        )
    };
    let state = ews.call(&sync(None)).await.text_of("SyncState");
    sim.faults().invalidate_next_sync_states(1);
    assert_eq!(
        ews.call(&sync(None)).await.codes(),
        vec!["NoError"],
        "a first sync has no state to refuse"
    );
    let refused = ews.call(&sync(Some(&state))).await;
    assert_eq!(refused.codes(), vec!["ErrorInvalidSyncStateData"]);
    assert_eq!(refused.text_of("SyncState"), "");
    assert_eq!(ews.call(&sync(Some(&state))).await.codes(), vec!["NoError"]);
}

#[tokio::test]
async fn counters_count_operations_and_http_round_trips() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    ews.post(get_calendar_folder()).await;
    ews.call(&create_body("<t:Subject>a</t:Subject>")).await;
    ews.call(&create_body("<t:Subject>b</t:Subject>")).await;
    reqwest::Client::new()
        .post(sim.url())
        .body(get_calendar_folder())
        .send()
        .await
        .unwrap();
    let counters = sim.counters();
    assert_eq!(counters.operation("GetFolder"), 1);
    assert_eq!(counters.operation("CreateItem"), 2);
    assert_eq!(counters.soap_requests(), 3);
    assert_eq!(
        counters.http_requests(),
        4,
        "the anonymous 401 counts as an HTTP request only"
    );
    counters.reset();
    assert_eq!((counters.soap_requests(), counters.http_requests()), (0, 0));
}
