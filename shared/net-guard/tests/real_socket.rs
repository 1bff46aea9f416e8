//! A reqwest client with the guard against real HTTP servers on 127.0.0.x.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

use std::error::Error;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ohsync_net_guard::{AddressPolicy, GuardError, GuardedResolver, RefusalReason};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What a test server saw.
#[derive(Debug, Default)]
struct Seen {
    connections: AtomicUsize,
    requests: AtomicUsize,
    closed_without_request: AtomicUsize,
}

impl Seen {
    /// Waits until a connection has ended without a request, so that "no request" is not
    /// merely "no request yet".
    async fn until_closed_without_request(&self) {
        for _ in 0..200 {
            if self.closed_without_request.load(Ordering::SeqCst) > 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("no connection ended without a request");
    }
}

/// Serves `response` to every request on `ip`, port 0, and counts connections and requests.
async fn serve(ip: &str, response: String) -> (SocketAddr, Arc<Seen>) {
    let listener = TcpListener::bind((ip, 0)).await.unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Arc::new(Seen::default());
    let counts = Arc::clone(&seen);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            counts.connections.fetch_add(1, Ordering::SeqCst);
            let counts = Arc::clone(&counts);
            let response = response.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => {
                            counts.closed_without_request.fetch_add(1, Ordering::SeqCst);
                            return;
                        }
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                counts.requests.fetch_add(1, Ordering::SeqCst);
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    (address, seen)
}

fn ok_response() -> String {
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".to_owned()
}

fn client(allow: &str) -> reqwest::Client {
    let resolver = GuardedResolver::new(AddressPolicy::new(allow.parse().unwrap()));
    resolver
        .guard_client(reqwest::Client::builder())
        .build()
        .unwrap()
}

fn guard_error(err: &reqwest::Error) -> &GuardError {
    let mut source: Option<&(dyn Error + 'static)> = Some(err);
    while let Some(current) = source {
        if let Some(guard) = current.downcast_ref::<GuardError>() {
            return guard;
        }
        source = current.source();
    }
    panic!("no GuardError in the chain of {err:?}");
}

fn refused_reason(err: &reqwest::Error) -> (Option<IpAddr>, RefusalReason) {
    match guard_error(err) {
        GuardError::Refused(refusal) => (refusal.address, refusal.reason),
        other => panic!("expected a refusal, got {other}"),
    }
}

#[tokio::test]
async fn a_literal_loopback_url_is_refused_before_any_http_is_sent() {
    let (address, seen) = serve("127.0.0.1", ok_response()).await;
    let err = client("")
        .get(format!("http://127.0.0.1:{}/", address.port()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        refused_reason(&err),
        (Some(address.ip()), RefusalReason::Loopback)
    );
    seen.until_closed_without_request().await;
    assert_eq!(seen.requests.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn localhost_is_refused_without_connecting() {
    let (address, seen) = serve("127.0.0.1", ok_response()).await;
    let err = client("")
        .get(format!("http://localhost:{}/", address.port()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(refused_reason(&err).1, RefusalReason::Loopback);
    assert_eq!(seen.connections.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn allow_listed_loopback_connects() {
    let (address, seen) = serve("127.0.0.1", ok_response()).await;
    let by_address = client("127.0.0.1")
        .get(format!("http://127.0.0.1:{}/", address.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(by_address.status(), 200);
    assert_eq!(by_address.text().await.unwrap(), "ok");
    let by_name = client("localhost")
        .get(format!("http://localhost:{}/", address.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(by_name.status(), 200);
    assert_eq!(seen.requests.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_redirect_to_a_refused_address_is_not_followed() {
    let (target, target_seen) = serve("127.0.0.2", ok_response()).await;
    let redirect = format!(
        "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.2:{}/secret\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        target.port()
    );
    let (origin, origin_seen) = serve("127.0.0.1", redirect).await;
    let err = client("127.0.0.1")
        .get(format!("http://127.0.0.1:{}/", origin.port()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(origin_seen.requests.load(Ordering::SeqCst), 1);
    assert_eq!(
        refused_reason(&err),
        (Some(target.ip()), RefusalReason::Loopback)
    );
    target_seen.until_closed_without_request().await;
    assert_eq!(target_seen.requests.load(Ordering::SeqCst), 0);
}
