//! A proxy on 127.0.0.1 in front of the local stack that does what moto never does on its own,
//! for the JSON-protocol services ohsync uses (DynamoDB, Secrets Manager, SQS): refuse requests
//! with an error code (throttling, a 5xx), lose an answer after the request took effect, never
//! answer, leave BatchGetItem keys unprocessed, fail SendMessageBatch entries. What it does not
//! interfere with passes through unchanged, so the semantics stay moto's.
//!
//! It passes one request at a time to the upstream: DynamoDB applies each request atomically,
//! moto does not lock, so two concurrent conditional writes could both pass their condition
//! there.

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, TRANSFER_ENCODING};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};

/// DynamoDB's and Secrets Manager's throttling code.
pub const THROTTLING: &str = "ThrottlingException";
/// DynamoDB's code for a table over its provisioned throughput.
pub const THROUGHPUT_EXCEEDED: &str = "ProvisionedThroughputExceededException";

/// Requests the proxy answers itself with an error, without forwarding them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    operation: Option<String>,
    status: u16,
    code: String,
    pass_first: u32,
    times: Option<u32>,
}

impl Refusal {
    /// Every request answered with HTTP `status` and the JSON error `code` (`__type`), until
    /// [`FaultProxy::clear`].
    pub fn new(status: u16, code: &str) -> Self {
        Self {
            operation: None,
            status,
            code: code.to_owned(),
            pass_first: 0,
            times: None,
        }
    }

    /// Only requests for `operation` (`BatchWriteItem`, `GetSecretValue`, …).
    pub fn of(mut self, operation: &str) -> Self {
        self.operation = Some(operation.to_owned());
        self
    }

    /// The first `count` matching requests pass through; the refusal starts after them (a
    /// run dying midway).
    pub fn after(mut self, count: u32) -> Self {
        self.pass_first = count;
        self
    }

    /// Refuses `count` matching requests, then lets them pass again.
    pub fn times(mut self, count: u32) -> Self {
        self.times = Some(count);
        self
    }

    /// Whether this refusal answers a request for `operation`; counts it.
    fn applies(&mut self, operation: &str) -> bool {
        if self
            .operation
            .as_deref()
            .is_some_and(|only| only != operation)
        {
            return false;
        }
        if self.pass_first > 0 {
            self.pass_first -= 1;
            return false;
        }
        match &mut self.times {
            None => true,
            Some(0) => false,
            Some(left) => {
                *left -= 1;
                true
            }
        }
    }
}

/// How a SendMessageBatch entry is to fail.
#[derive(Debug, Clone, Copy)]
struct EntryFault {
    times: u32,
    sender_fault: bool,
}

/// The proxy's switches and what it saw.
#[derive(Debug, Default)]
struct Faults {
    /// Operations in the order they arrived.
    seen: Vec<String>,
    refusals: Vec<Refusal>,
    lose_next_answer: Vec<String>,
    stall: bool,
    batch_get_keys: usize,
    entries: HashMap<String, EntryFault>,
}

/// A running proxy; it serves until the test's runtime ends.
#[derive(Debug)]
pub struct FaultProxy {
    /// Its address, as an endpoint URL.
    pub endpoint: String,
    faults: Arc<Mutex<Faults>>,
}

struct Shared {
    faults: Arc<Mutex<Faults>>,
    /// `host:port` of the stack, if the proxy forwards at all.
    upstream: Option<String>,
    one_at_a_time: tokio::sync::Mutex<()>,
}

impl FaultProxy {
    /// A proxy forwarding to `upstream` (`http://host:port`, the stack's endpoint).
    ///
    /// # Panics
    /// When no port of 127.0.0.1 can be bound (a test environment failure).
    pub async fn start(upstream: &str) -> Self {
        Self::serve(Some(upstream.trim_start_matches("http://").to_owned())).await
    }

    /// A proxy with no stack behind it, for the faults that need none (refusing, stalling);
    /// a request it would forward loses its connection.
    ///
    /// # Panics
    /// When no port of 127.0.0.1 can be bound (a test environment failure).
    pub async fn without_upstream() -> Self {
        Self::serve(None).await
    }

    async fn serve(upstream: Option<String>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|error| panic!("cannot bind the fault proxy: {error}"));
        let address = listener
            .local_addr()
            .unwrap_or_else(|error| panic!("the fault proxy has no address: {error}"));
        let faults = Arc::new(Mutex::new(Faults::default()));
        let shared = Arc::new(Shared {
            faults: Arc::clone(&faults),
            upstream,
            one_at_a_time: tokio::sync::Mutex::new(()),
        });
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let shared = Arc::clone(&shared);
                        async move { handle(&shared, request).await }
                    });
                    // A connection the client dropped, or an answer lost on purpose.
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

    fn faults(&self) -> MutexGuard<'_, Faults> {
        lock(&self.faults)
    }

    /// Adds `refusal`; the first refusal that applies to a request answers it.
    pub fn refuse(&self, refusal: Refusal) {
        self.faults().refusals.push(refusal);
    }

    /// Loses the next answer to `operation` once, after the upstream has acted on it.
    pub fn lose_next_answer_to(&self, operation: &str) {
        self.faults().lose_next_answer.push(operation.to_owned());
    }

    /// Never answers again.
    pub fn stall(&self) {
        self.faults().stall = true;
    }

    /// Processes only the first `keys` keys per table of each BatchGetItem and answers the
    /// rest as `UnprocessedKeys` (0: all keys).
    pub fn hold_back_batch_get_keys(&self, keys: usize) {
        self.faults().batch_get_keys = keys;
    }

    /// Moves entry `id` from `Successful` to `Failed` in the next `times` SendMessageBatch
    /// answers, as the sender's fault or the service's. The upstream has taken the message,
    /// as SQS may have when an answer says an entry failed.
    pub fn fail_batch_entry(&self, id: &str, times: u32, sender_fault: bool) {
        self.faults().entries.insert(
            id.to_owned(),
            EntryFault {
                times,
                sender_fault,
            },
        );
    }

    /// Lets everything pass again: refusals, lost answers, held-back keys and failed entries
    /// are forgotten (the counts are kept).
    pub fn clear(&self) {
        let mut faults = self.faults();
        faults.refusals.clear();
        faults.lose_next_answer.clear();
        faults.batch_get_keys = 0;
        faults.entries.clear();
    }

    /// How many requests for `operation` arrived.
    pub fn calls_to(&self, operation: &str) -> usize {
        self.faults()
            .seen
            .iter()
            .filter(|seen| *seen == operation)
            .count()
    }

    /// How many requests arrived.
    pub fn requests(&self) -> usize {
        self.faults().seen.len()
    }
}

fn lock(faults: &Mutex<Faults>) -> MutexGuard<'_, Faults> {
    // The switches are plain values; a panicking test cannot leave them half-set.
    faults.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the proxy decided for one request before forwarding it.
struct Decision {
    stall: bool,
    refusal: Option<(u16, String)>,
    lose: bool,
    batch_get_keys: usize,
}

async fn handle(
    shared: &Shared,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, io::Error> {
    let operation = request
        .headers()
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .and_then(|target| target.rsplit('.').next())
        .unwrap_or_default()
        .to_owned();
    let decision = {
        let mut faults = lock(&shared.faults);
        faults.seen.push(operation.clone());
        let refusal = faults.refusals.iter_mut().find_map(|refusal| {
            refusal
                .applies(&operation)
                .then(|| (refusal.status, refusal.code.clone()))
        });
        let lose = faults
            .lose_next_answer
            .iter()
            .position(|lost| *lost == operation)
            .map(|index| faults.lose_next_answer.remove(index))
            .is_some();
        Decision {
            stall: faults.stall,
            refusal,
            lose,
            batch_get_keys: faults.batch_get_keys,
        }
    };
    if decision.stall {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("application/x-amz-json-1.0"));
    if let Some((status, code)) = decision.refusal {
        let body = json!({ "__type": code, "message": "injected by the test proxy" });
        let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
        *response.status_mut() =
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        response.headers_mut().insert(CONTENT_TYPE, content_type);
        return Ok(response);
    }
    let upstream = shared
        .upstream
        .as_deref()
        .ok_or_else(|| io::Error::other("this proxy has no upstream"))?;
    let (mut parts, body) = request.into_parts();
    let mut body = body.collect().await.map_err(io::Error::other)?.to_bytes();
    // The body may be rewritten below; hyper sets the length of what is sent.
    parts.headers.remove(CONTENT_LENGTH);
    let mut held_back = None;
    if operation == "BatchGetItem" && decision.batch_get_keys > 0 {
        (body, held_back) = hold_back_keys(&body, decision.batch_get_keys);
    }
    let answer = {
        let _turn = shared.one_at_a_time.lock().await;
        forward(upstream, Request::from_parts(parts, Full::new(body))).await?
    };
    if decision.lose {
        // Failing the service closes the connection without an answer.
        return Err(io::Error::other("answer lost on purpose"));
    }
    let (mut parts, mut body) = answer;
    if let Some(unprocessed) = held_back {
        body = rewrite(&body, |answer| answer["UnprocessedKeys"] = unprocessed);
    }
    if operation == "SendMessageBatch" && parts.status.is_success() {
        let mut faults = lock(&shared.faults);
        body = rewrite(&body, |answer| fail_entries(&mut faults.entries, answer));
    }
    // The body is passed on whole; hyper sets its length.
    parts.headers.remove(TRANSFER_ENCODING);
    parts.headers.remove(CONTENT_LENGTH);
    Ok(Response::from_parts(parts, Full::new(body)))
}

async fn forward(
    upstream: &str,
    request: Request<Full<Bytes>>,
) -> Result<(hyper::http::response::Parts, Bytes), io::Error> {
    let stream = TcpStream::connect(upstream).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(io::Error::other)?;
    tokio::spawn(connection);
    let answer = sender
        .send_request(request)
        .await
        .map_err(io::Error::other)?;
    let (parts, body) = answer.into_parts();
    let body = body.collect().await.map_err(io::Error::other)?.to_bytes();
    Ok((parts, body))
}

/// The JSON `body` changed by `change`; a body that is not JSON passes unchanged.
fn rewrite(body: &Bytes, change: impl FnOnce(&mut Value)) -> Bytes {
    match serde_json::from_slice::<Value>(body) {
        Ok(mut json) => {
            change(&mut json);
            Bytes::from(json.to_string())
        }
        Err(_) => body.clone(),
    }
}

/// Keeps the first `limit` keys of each table in a BatchGetItem request; answers the rest as
/// the `UnprocessedKeys` to put into the reply.
fn hold_back_keys(body: &Bytes, limit: usize) -> (Bytes, Option<Value>) {
    let mut unprocessed = serde_json::Map::new();
    let body = rewrite(body, |json| {
        if let Some(tables) = json["RequestItems"].as_object_mut() {
            for (table, wanted) in tables.iter_mut() {
                let Some(keys) = wanted["Keys"].as_array_mut() else {
                    continue;
                };
                if keys.len() > limit {
                    let rest = keys.split_off(limit);
                    let mut left = wanted.clone();
                    left["Keys"] = Value::Array(rest);
                    unprocessed.insert(table.clone(), left);
                }
            }
        }
    });
    (body, Some(Value::Object(unprocessed)))
}

/// Moves the chosen entries of a SendMessageBatch answer from `Successful` to `Failed`.
fn fail_entries(entries: &mut HashMap<String, EntryFault>, answer: &mut Value) {
    let successful = answer["Successful"].as_array().cloned().unwrap_or_default();
    let mut kept = Vec::new();
    let mut failed = answer["Failed"].as_array().cloned().unwrap_or_default();
    for entry in successful {
        let id = entry["Id"].as_str().unwrap_or_default().to_owned();
        match entries.get_mut(&id) {
            Some(fault) if fault.times > 0 => {
                fault.times -= 1;
                let code = if fault.sender_fault {
                    "InvalidParameterValue"
                } else {
                    "InternalError"
                };
                failed.push(json!({
                    "Id": id,
                    "SenderFault": fault.sender_fault,
                    "Code": code,
                    "Message": "injected by the test proxy",
                }));
            }
            _ => kept.push(entry),
        }
    }
    answer["Successful"] = Value::Array(kept);
    answer["Failed"] = Value::Array(failed);
}
