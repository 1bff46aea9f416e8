//! A proxy on 127.0.0.1 in front of moto that does what moto never does on its own: lose an
//! answer after the request took effect, refuse with an error code, or never answer. Whatever
//! it does not interfere with passes through unchanged.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

use std::io;

/// What the proxy does to the next requests.
#[derive(Debug, Default)]
struct Faults {
    /// Operations (`CreateSecret`, …) in the order they arrived.
    seen: Vec<String>,
    /// Operations whose next answer is lost once each, after the upstream acted on it.
    lose_next_answer: Vec<String>,
    /// An error code to answer every request with, without forwarding it.
    refuse_with: Option<&'static str>,
    /// Never answer.
    stall: bool,
}

/// A running proxy.
#[derive(Debug)]
pub struct FaultProxy {
    /// Its address, as an endpoint URL.
    pub endpoint: String,
    faults: Arc<Mutex<Faults>>,
}

impl FaultProxy {
    /// Starts a proxy forwarding to `upstream` (`http://host:port`); with `None`, only the
    /// faults that need no upstream work.
    pub async fn start(upstream: Option<&str>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        let faults = Arc::new(Mutex::new(Faults::default()));
        let upstream = upstream.map(|url| url.trim_start_matches("http://").to_owned());
        let shared = Arc::new((Arc::clone(&faults), upstream));
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let shared = Arc::clone(&shared);
                        async move { handle(&shared.0, shared.1.as_deref(), request).await }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            endpoint: format!("http://{address}"),
            faults,
        }
    }

    /// Loses the next answer to `operation` once, after the upstream has acted on it.
    pub fn lose_next_answer_to(&self, operation: &str) {
        self.faults
            .lock()
            .unwrap()
            .lose_next_answer
            .push(operation.to_owned());
    }

    /// Answers every request with HTTP 400 and `code`.
    pub fn refuse_with(&self, code: &'static str) {
        self.faults.lock().unwrap().refuse_with = Some(code);
    }

    /// Never answers again.
    pub fn stall(&self) {
        self.faults.lock().unwrap().stall = true;
    }

    /// How many requests for `operation` arrived.
    pub fn calls_to(&self, operation: &str) -> usize {
        let faults = self.faults.lock().unwrap();
        faults.seen.iter().filter(|seen| *seen == operation).count()
    }
}

async fn handle(
    faults: &Mutex<Faults>,
    upstream: Option<&str>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, io::Error> {
    let operation = request
        .headers()
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .and_then(|target| target.rsplit('.').next())
        .unwrap_or_default()
        .to_owned();
    let (refusal, stall, lose) = {
        let mut faults = faults.lock().unwrap();
        faults.seen.push(operation.clone());
        let lose = faults.lose_next_answer.iter().position(|o| *o == operation);
        let lose = lose
            .map(|index| faults.lose_next_answer.remove(index))
            .is_some();
        (faults.refuse_with, faults.stall, lose)
    };
    if stall {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    if let Some(code) = refusal {
        let body = format!(r#"{{"__type":"{code}","message":"refused by the test proxy"}}"#);
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = StatusCode::BAD_REQUEST;
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        return Ok(response);
    }
    let upstream = upstream.ok_or_else(|| io::Error::other("this proxy has no upstream"))?;
    let answer = forward(upstream, request).await?;
    if lose {
        // Failing the service closes the connection without an answer.
        return Err(io::Error::other("answer lost on purpose"));
    }
    Ok(answer)
}

async fn forward(
    upstream: &str,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, io::Error> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map_err(io::Error::other)?.to_bytes();
    let stream = TcpStream::connect(upstream).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(io::Error::other)?;
    tokio::spawn(connection);
    let answer = sender
        .send_request(Request::from_parts(parts, Full::new(body)))
        .await
        .map_err(io::Error::other)?;
    let (mut parts, body) = answer.into_parts();
    let body = body.collect().await.map_err(io::Error::other)?.to_bytes();
    // The body is passed on whole, with its own length.
    parts.headers.remove(hyper::header::TRANSFER_ENCODING);
    Ok(Response::from_parts(parts, Full::new(body)))
}
