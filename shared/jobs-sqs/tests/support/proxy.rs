//! A proxy in front of moto that fails chosen entries of SendMessageBatch answers, which moto
//! never does on its own. moto has taken those messages, as SQS may have when an answer says
//! an entry failed; the adapter's retry must not queue them twice.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// How an entry is to fail.
#[derive(Debug, Clone, Copy)]
pub struct EntryFault {
    /// In this many more answers.
    pub times: u32,
    /// As the sender's fault (not worth retrying) or the service's.
    pub sender_fault: bool,
}

/// The proxy's switches and counters.
#[derive(Debug, Default)]
pub struct Faults {
    /// Entry id → how it fails.
    pub entries: Mutex<HashMap<String, EntryFault>>,
    /// SendMessageBatch requests seen.
    pub batches: AtomicU32,
}

impl Faults {
    /// Fails entry `id` in the next `times` answers.
    pub fn fail(&self, id: &str, times: u32, sender_fault: bool) {
        self.entries.lock().unwrap().insert(
            id.to_owned(),
            EntryFault {
                times,
                sender_fault,
            },
        );
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

impl FaultProxy {
    /// Starts a proxy on 127.0.0.1 in front of `upstream`.
    pub async fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        let faults = Arc::new(Faults::default());
        let shared = Arc::new((faults.clone(), upstream.to_owned(), reqwest::Client::new()));
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let shared = shared.clone();
                        async move { handle(&shared.0, &shared.1, &shared.2, request).await }
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

async fn handle(
    faults: &Faults,
    upstream: &str,
    client: &reqwest::Client,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await?.to_bytes();
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut forwarded = client.post(format!("{upstream}{}", parts.uri.path()));
    for (name, value) in &parts.headers {
        if name != hyper::header::HOST && name != hyper::header::CONTENT_LENGTH {
            forwarded = forwarded.header(name.as_str(), value.as_bytes());
        }
    }
    let answer = forwarded.body(body).send().await.unwrap();
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
    let mut text = answer.bytes().await.unwrap();
    if target.ends_with("SendMessageBatch") {
        faults.batches.fetch_add(1, Ordering::SeqCst);
        if status.is_success() {
            text = fail_entries(faults, &text);
        }
    }
    let mut response = Response::new(Full::new(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    Ok(response)
}

/// The answer with the chosen entries moved from `Successful` to `Failed`.
fn fail_entries(faults: &Faults, text: &Bytes) -> Bytes {
    let mut answer: Value = serde_json::from_slice(text).unwrap();
    let mut entries = faults.entries.lock().unwrap();
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
    Bytes::from(answer.to_string())
}
