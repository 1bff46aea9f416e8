//! The fault switches as the client experiences them, and the client's own limits.

use std::time::{Duration, Instant};

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ohsync_officeheart::contract::Operation;
use ohsync_officeheart::{
    ClientConfig, ErrorCode, OfficeHeartClient, OfficeHeartError, SecretString,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::fixture::{SHORT_TIMEOUT, TOKEN, acme, client, key, meeting, start, user};

#[tokio::test]
async fn injected_server_errors_are_retryable_and_change_nothing() {
    let f = start().await;
    f.sim.faults().fail_next(1, ErrorCode::InternalError);
    let error = f
        .client
        .create_appointment(&user(), &key("k"), &meeting("x", 0))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            OfficeHeartError::Server {
                status: 500,
                retry_after: None,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_retryable());

    f.sim.faults().fail_next(2, ErrorCode::ServiceUnavailable);
    for _ in 0..2 {
        let error = f
            .client
            .create_appointment(&user(), &key("k"), &meeting("x", 0))
            .await
            .unwrap_err();
        assert!(
            matches!(error, OfficeHeartError::Server { status: 503, .. }),
            "{error:?}"
        );
        assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
        assert!(error.is_retryable());
    }
    assert!(
        f.sim.appointments(&acme(), &user()).is_empty(),
        "failed requests were not handled"
    );
    let created = f
        .client
        .create_appointment(&user(), &key("k"), &meeting("x", 0))
        .await
        .unwrap();
    assert!(!created.replayed);
}

#[tokio::test]
async fn failing_writes_let_reads_through_until_the_count_is_used() {
    let f = start().await;
    f.sim.faults().fail_next_writes(1, ErrorCode::InternalError);
    f.client
        .list_changes(&user(), None, Some(10))
        .await
        .expect("a read passes while writes fail");
    let error = f
        .client
        .create_appointment(&user(), &key("k"), &meeting("x", 0))
        .await
        .unwrap_err();
    assert!(
        matches!(error, OfficeHeartError::Server { status: 500, .. }),
        "{error:?}"
    );
    assert!(f.sim.appointments(&acme(), &user()).is_empty());
    f.client
        .create_appointment(&user(), &key("k"), &meeting("x", 0))
        .await
        .expect("the count is used up");
    assert_eq!(f.sim.appointments(&acme(), &user()).len(), 1);
}

#[tokio::test]
async fn rate_limiting_is_retryable_after_the_servers_wait() {
    let f = start().await;
    f.sim.faults().fail_next(1, ErrorCode::RateLimited);
    let error = f
        .client
        .list_changes(&user(), None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, OfficeHeartError::RateLimited { .. }),
        "{error:?}"
    );
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
    assert!(error.is_retryable());
    assert!(f.client.list_changes(&user(), None, None).await.is_ok());
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_unknown_and_its_retry_does_not_duplicate() {
    let f = start().await;
    f.sim.faults().drop_next_write();
    let error = f
        .client
        .create_appointment(&user(), &key("uid-lost"), &meeting("Verloren", 0))
        .await
        .unwrap_err();
    assert!(error.is_outcome_unknown(), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(error.code(), "officeheart_outcome_unknown");
    let stored = f.sim.appointments(&acme(), &user());
    assert_eq!(
        stored.len(),
        1,
        "the write was applied although the client saw no answer"
    );

    let retried = f
        .client
        .create_appointment(&user(), &key("uid-lost"), &meeting("Verloren", 0))
        .await
        .unwrap();
    assert!(retried.replayed);
    assert_eq!(retried.appointment, stored[0]);
    assert_eq!(f.sim.appointments(&acme(), &user()).len(), 1);
}

#[tokio::test]
async fn an_update_whose_answer_is_lost_is_applied_and_a_retry_learns_it_from_412() {
    let f = start().await;
    let original = f.sim.seed(&acme(), &user(), meeting("Origineel", 0));
    f.sim.faults().drop_next_write();
    let (user, nieuw) = (user(), meeting("Nieuw", 0));
    let update = f
        .client
        .update_appointment(&user, &original.id, &original.version, &nieuw)
        .await;
    assert!(update.unwrap_err().is_outcome_unknown());
    assert_eq!(
        f.sim
            .appointment(&acme(), &user, &original.id)
            .unwrap()
            .data
            .subject,
        "Nieuw"
    );
    let retry = f
        .client
        .update_appointment(&user, &original.id, &original.version, &nieuw)
        .await;
    assert!(matches!(
        retry.unwrap_err(),
        OfficeHeartError::VersionMismatch { .. }
    ));
}

#[tokio::test]
async fn reads_are_not_affected_by_the_dropped_write_switch() {
    let f = start().await;
    f.sim.faults().drop_next_write();
    assert!(f.client.list_changes(&user(), None, None).await.is_ok());
    assert!(
        f.sim.faults().settings().drop_next_write,
        "still armed for the next write"
    );
}

#[tokio::test]
async fn responses_above_the_cap_are_refused() {
    let f = start().await;
    let mut long = meeting("Lang", 0);
    long.body = "x".repeat(10_000);
    let seeded = f.sim.seed(&acme(), &user(), long);
    let capped = client(&f.sim, |config| config.max_response_bytes = 4096);
    let error = capped
        .get_appointment(&user(), &seeded.id)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            OfficeHeartError::ResponseTooLarge { limit: 4096, .. }
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    let error = capped.list_changes(&user(), None, None).await.unwrap_err();
    assert!(
        matches!(error, OfficeHeartError::ResponseTooLarge { .. }),
        "{error:?}"
    );
    assert_eq!(
        f.client.get_appointment(&user(), &seeded.id).await.unwrap(),
        seeded,
        "the default cap is ample"
    );
}

/// Serves one raw HTTP/1.1 response per connection and returns the base URL.
async fn raw_server(response: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = [0_u8; 4096];
            let _ = socket.read(&mut request).await;
            let _ = socket.write_all(response).await;
        }
    });
    url
}

fn raw_client(url: &str, adjust: impl FnOnce(&mut ClientConfig)) -> OfficeHeartClient {
    let mut config = ClientConfig::new(url.parse().unwrap());
    adjust(&mut config);
    OfficeHeartClient::new(config, acme(), SecretString::from(TOKEN)).unwrap()
}

#[tokio::test]
async fn a_chunked_response_without_a_length_is_capped_while_streaming() {
    let chunk = format!("800\r\n{}\r\n", "x".repeat(0x800));
    let response: &'static str = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n{}0\r\n\r\n",
        chunk.repeat(4)
    )
    .leak();
    let url = raw_server(response.as_bytes()).await;
    let capped = raw_client(&url, |config| config.max_response_bytes = 5000);
    let error = capped.list_changes(&user(), None, None).await.unwrap_err();
    assert!(
        matches!(
            error,
            OfficeHeartError::ResponseTooLarge { limit: 5000, .. }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_slow_read_times_out_and_is_retryable() {
    let f = start().await;
    f.sim.faults().set_latency(Duration::from_secs(3));
    let impatient = client(&f.sim, |config| config.request_timeout = SHORT_TIMEOUT);
    let started = Instant::now();
    let error = impatient
        .list_changes(&user(), None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, OfficeHeartError::Timeout { .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "gave up after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_slow_write_times_out_as_an_unknown_outcome() {
    let f = start().await;
    f.sim.faults().set_latency(Duration::from_secs(3));
    let impatient = client(&f.sim, |config| config.request_timeout = SHORT_TIMEOUT);
    let error = impatient
        .create_appointment(&user(), &key("slow"), &meeting("Traag", 0))
        .await
        .unwrap_err();
    assert!(error.is_outcome_unknown(), "{error:?}");
}

#[tokio::test]
async fn an_unreachable_server_changed_nothing() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = raw_client(&url, |_| {});
    for error in [
        client.list_changes(&user(), None, None).await.unwrap_err(),
        client
            .create_appointment(&user(), &key("k"), &meeting("x", 0))
            .await
            .map(drop)
            .unwrap_err(),
    ] {
        assert!(
            matches!(error, OfficeHeartError::Unreachable { .. }),
            "{error:?}"
        );
        assert!(error.is_retryable() && !error.is_outcome_unknown());
    }
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let f = start().await;
    let target = format!(
        "{}/v1/tenants/acme/users/jdevries/agenda/changes",
        f.sim.url()
    );
    let redirect = axum::Router::new().fallback(move || {
        let target = target.clone();
        async move { (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, target)]).into_response() }
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, redirect).await });

    let error = raw_client(&url, |_| {})
        .list_changes(&user(), None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            OfficeHeartError::UnexpectedStatus { status: 307, .. }
        ),
        "{error:?}"
    );
    assert_eq!(
        f.sim.stats().requests(Operation::ListChanges),
        0,
        "the token never went to the redirect target"
    );
}

#[tokio::test]
async fn a_body_that_breaks_the_contract_is_an_invalid_response() {
    let url = raw_server(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 13\r\n\r\n{\"changes\":1}")
        .await;
    let error = raw_client(&url, |_| {})
        .list_changes(&user(), None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, OfficeHeartError::InvalidResponse { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn an_etag_that_contradicts_the_body_is_an_invalid_response() {
    let f = start().await;
    let seeded = f.sim.seed(&acme(), &user(), meeting("Echt", 0));
    let body = serde_json::to_string(&seeded).unwrap();
    let response: &'static str = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\netag: \"not-{}\"\r\ncontent-length: {}\r\n\r\n{body}",
        seeded.version,
        body.len()
    )
    .leak();
    let url = raw_server(response.as_bytes()).await;
    let error = raw_client(&url, |_| {})
        .get_appointment(&user(), &seeded.id)
        .await
        .unwrap_err();
    assert!(
        matches!(error, OfficeHeartError::InvalidResponse { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_feed_that_claims_more_without_moving_is_not_followed_forever() {
    let body = r#"{"changes":[],"next_cursor":"c1","has_more":true}"#;
    let response: &'static str = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .leak();
    let url = raw_server(response.as_bytes()).await;
    let client = raw_client(&url, |_| {});
    let error = client
        .change_feed(&user(), None)
        .collect(usize::MAX)
        .await
        .unwrap_err();
    assert!(
        matches!(error, OfficeHeartError::InvalidResponse { .. }),
        "{error:?}"
    );
}
