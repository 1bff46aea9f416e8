//! A proxy in front of moto. It passes one request at a time (DynamoDB applies each request
//! atomically; moto does not lock, so concurrent conditional writes could both pass there), and
//! it injects what moto never does on its own: throttling, and BatchGetItem answers that leave
//! keys unprocessed. Everything else passes through unchanged, so the semantics stay moto's.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::Mutex;

/// The fault switches.
#[derive(Debug, Default)]
pub struct Faults {
    /// Answer this many of the next requests with ThrottlingException.
    pub throttle_next: AtomicU32,
    /// Process only this many keys per BatchGetItem (0: all), leaving the rest unprocessed.
    pub batch_get_keys: AtomicUsize,
    /// Let this many more BatchWriteItem requests through, then fail every one with a 500
    /// (`None`: no limit): a commit dying midway.
    pub batch_writes_left: std::sync::Mutex<Option<u32>>,
    /// Requests that reached the proxy.
    pub seen: AtomicU32,
}

impl Faults {
    /// Whether this BatchWriteItem request is to fail.
    fn break_batch_write(&self) -> bool {
        let mut left = self.batch_writes_left.lock().unwrap();
        match left.as_mut() {
            None => false,
            Some(0) => true,
            Some(n) => {
                *n -= 1;
                false
            }
        }
    }
}

/// A running proxy.
#[derive(Debug)]
pub struct FaultProxy {
    /// Its address as an endpoint URL.
    pub endpoint: String,
    /// Its switches.
    pub faults: Arc<Faults>,
}

const BROKEN: &str = r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected failure"}"#;
const THROTTLED: &str = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}"#;

impl FaultProxy {
    /// Starts a proxy on 127.0.0.1 in front of `upstream`.
    pub async fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        let faults = Arc::new(Faults::default());
        let shared = Arc::new(Upstream {
            faults: faults.clone(),
            address: upstream.to_owned(),
            client: reqwest::Client::new(),
            one_at_a_time: Mutex::new(()),
        });
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let shared = shared.clone();
                        async move { handle(&shared, request).await }
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
}

struct Upstream {
    faults: Arc<Faults>,
    address: String,
    client: reqwest::Client,
    one_at_a_time: Mutex<()>,
}

async fn handle(
    upstream: &Upstream,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let faults = &upstream.faults;
    faults.seen.fetch_add(1, Ordering::SeqCst);
    let (parts, body) = request.into_parts();
    let body = body.collect().await?.to_bytes();
    let throttle = faults
        .throttle_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if throttle {
        return Ok(reply(
            StatusCode::BAD_REQUEST,
            Bytes::from_static(THROTTLED.as_bytes()),
        ));
    }
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if target.ends_with("BatchWriteItem") && faults.break_batch_write() {
        let broken = Bytes::from_static(BROKEN.as_bytes());
        return Ok(reply(StatusCode::INTERNAL_SERVER_ERROR, broken));
    }
    let limit = faults.batch_get_keys.load(Ordering::SeqCst);
    let (body, held_back) = if target.ends_with("BatchGetItem") && limit > 0 {
        hold_back_keys(&body, limit)
    } else {
        (body, None)
    };
    let _turn = upstream.one_at_a_time.lock().await;
    let mut forwarded = upstream
        .client
        .post(format!("{}{}", upstream.address, parts.uri.path()));
    for (name, value) in &parts.headers {
        if name != hyper::header::HOST && name != hyper::header::CONTENT_LENGTH {
            forwarded = forwarded.header(name.as_str(), value.as_bytes());
        }
    }
    let answer = forwarded.body(body).send().await.unwrap();
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
    let mut text = answer.bytes().await.unwrap();
    if let Some(unprocessed) = held_back {
        let mut json: Value = serde_json::from_slice(&text).unwrap();
        json["UnprocessedKeys"] = unprocessed;
        text = Bytes::from(serde_json::to_vec(&json).unwrap());
    }
    Ok(reply(status, text))
}

/// Keeps the first `limit` keys of each table in the request; answers the rest as the
/// `UnprocessedKeys` to add to the reply.
fn hold_back_keys(body: &Bytes, limit: usize) -> (Bytes, Option<Value>) {
    let mut json: Value = serde_json::from_slice(body).unwrap();
    let mut unprocessed = serde_json::Map::new();
    if let Some(tables) = json["RequestItems"].as_object_mut() {
        for (table, wanted) in tables.iter_mut() {
            let keys = wanted["Keys"].as_array_mut().unwrap();
            if keys.len() > limit {
                let rest: Vec<Value> = keys.split_off(limit);
                let mut left = wanted.clone();
                left["Keys"] = Value::Array(rest);
                unprocessed.insert(table.clone(), left);
            }
        }
    }
    let body = Bytes::from(serde_json::to_vec(&json).unwrap());
    (body, Some(Value::Object(unprocessed)))
}

fn reply(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    response
}
