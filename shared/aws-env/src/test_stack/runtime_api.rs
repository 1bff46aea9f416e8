//! A Lambda Runtime API on 127.0.0.1 for running a function's real binary outside Lambda: the
//! binary polls `GET …/invocation/next` as it does on AWS, gets the events a test hands in,
//! and posts its answers back. The moment of the first poll is the end of the function's init,
//! which is what a cold start costs before the first event.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tokio::sync::{Mutex as AsyncMutex, mpsc};

/// The Runtime API's version prefix.
const PREFIX: &str = "/2018-06-01/runtime";

/// What the function answered to an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// `POST …/invocation/{id}/response`.
    Response(serde_json::Value),
    /// `POST …/invocation/{id}/error`.
    Error(serde_json::Value),
    /// `POST …/init/error`.
    InitError(serde_json::Value),
}

#[derive(Clone)]
struct Shared {
    events: Arc<AsyncMutex<mpsc::Receiver<(String, serde_json::Value)>>>,
    answers: mpsc::Sender<(String, Answer)>,
    first_poll: Arc<Mutex<Option<Instant>>>,
}

/// A running Runtime API.
pub struct RuntimeApi {
    addr: SocketAddr,
    events: mpsc::Sender<(String, serde_json::Value)>,
    answers: AsyncMutex<mpsc::Receiver<(String, Answer)>>,
    first_poll: Arc<Mutex<Option<Instant>>>,
    next_id: Mutex<u64>,
}

impl std::fmt::Debug for RuntimeApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeApi")
            .field("addr", &self.addr)
            .finish()
    }
}

impl RuntimeApi {
    /// Starts the API on a free port of 127.0.0.1.
    ///
    /// # Panics
    /// When no port can be bound (a test environment failure).
    pub async fn start() -> Self {
        let (events, events_rx) = mpsc::channel(16);
        let (answers_tx, answers) = mpsc::channel(16);
        let first_poll = Arc::new(Mutex::new(None));
        let shared = Shared {
            events: Arc::new(AsyncMutex::new(events_rx)),
            answers: answers_tx,
            first_poll: first_poll.clone(),
        };
        let app = Router::new()
            .route(&format!("{PREFIX}/invocation/next"), get(next))
            .route(
                &format!("{PREFIX}/invocation/{{id}}/response"),
                post(response),
            )
            .route(&format!("{PREFIX}/invocation/{{id}}/error"), post(error))
            .route(&format!("{PREFIX}/init/error"), post(init_error))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|error| panic!("cannot bind the Runtime API: {error}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|error| panic!("no address: {error}"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            addr,
            events,
            answers: AsyncMutex::new(answers),
            first_poll,
            next_id: Mutex::new(0),
        }
    }

    /// The value of `AWS_LAMBDA_RUNTIME_API` for the function.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// The variables Lambda sets for every function, pointing at this API.
    pub fn lambda_variables(&self, function_name: &str) -> Vec<(String, String)> {
        [
            ("AWS_LAMBDA_RUNTIME_API", self.address()),
            ("AWS_LAMBDA_FUNCTION_NAME", function_name.to_owned()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256".to_owned()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
            (
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{function_name}"),
            ),
            (
                "AWS_LAMBDA_LOG_STREAM_NAME",
                "2026/12/05/[$LATEST]0123456789abcdef".to_owned(),
            ),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
    }

    /// When the function first asked for an event (the end of its init), waiting up to
    /// `limit`.
    pub async fn first_poll(&self, limit: Duration) -> Option<Instant> {
        let until = Instant::now() + limit;
        loop {
            if let Some(at) = *self
                .first_poll
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
            {
                return Some(at);
            }
            if Instant::now() >= until {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// Hands `event` to the function and waits up to `limit` for its answer.
    pub async fn invoke(&self, event: serde_json::Value, limit: Duration) -> Option<Answer> {
        let id = {
            let mut next = self.next_id.lock().unwrap_or_else(PoisonError::into_inner);
            *next += 1;
            format!("00000000-0000-4000-8000-{:012}", *next)
        };
        self.events.send((id.clone(), event)).await.ok()?;
        let mut answers = self.answers.lock().await;
        let wait = async {
            while let Some((answered, answer)) = answers.recv().await {
                if answered == id || matches!(answer, Answer::InitError(_)) {
                    return Some(answer);
                }
            }
            None
        };
        tokio::time::timeout(limit, wait).await.ok().flatten()
    }
}

async fn next(State(shared): State<Shared>) -> impl IntoResponse {
    shared
        .first_poll
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(Instant::now);
    let Some((id, event)) = shared.events.lock().await.recv().await else {
        return (StatusCode::GONE, HeaderMap::new(), String::new());
    };
    let deadline = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |now| now.as_millis() + 60_000);
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("lambda-runtime-aws-request-id", id),
        ("lambda-runtime-deadline-ms", deadline.to_string()),
        (
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:eu-west-1:123456789012:function:ohsync-test".to_owned(),
        ),
        (
            "lambda-runtime-trace-id",
            "Root=1-67500a10-3f1d2c4b5a6e7f8091a2b3c4".to_owned(),
        ),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    (StatusCode::OK, headers, event.to_string())
}

fn json(body: &Bytes) -> serde_json::Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(body).into_owned()))
}

async fn response(State(shared): State<Shared>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    let _ = shared
        .answers
        .send((id, Answer::Response(json(&body))))
        .await;
    StatusCode::ACCEPTED
}

async fn error(State(shared): State<Shared>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    let _ = shared.answers.send((id, Answer::Error(json(&body)))).await;
    StatusCode::ACCEPTED
}

async fn init_error(State(shared): State<Shared>, body: Bytes) -> StatusCode {
    let _ = shared
        .answers
        .send((String::new(), Answer::InitError(json(&body))))
        .await;
    StatusCode::ACCEPTED
}

/// A function's binary running against a [`RuntimeApi`].
#[derive(Debug)]
pub struct FunctionProcess {
    child: std::process::Child,
    /// When the process was started.
    pub started: Instant,
}

impl FunctionProcess {
    /// Starts `binary` with the Lambda variables of `api` and `variables`, its output captured.
    ///
    /// # Panics
    /// When the binary cannot be started.
    pub fn spawn(binary: &str, api: &RuntimeApi, variables: &[(String, String)]) -> Self {
        Self::spawn_with(binary, &api.lambda_variables("ohsync-test"), variables)
    }

    /// Starts `binary` with the Lambda variables `lambda` (another Runtime API's) and
    /// `variables`, its output captured.
    ///
    /// # Panics
    /// When the binary cannot be started.
    pub fn spawn_with(
        binary: &str,
        lambda: &[(String, String)],
        variables: &[(String, String)],
    ) -> Self {
        let mut command = std::process::Command::new(binary);
        command
            .envs(lambda.iter().map(|(name, value)| (name, value)))
            .envs(variables.iter().map(|(name, value)| (name, value)))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let started = Instant::now();
        let child = command
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {binary}: {error}"));
        Self { child, started }
    }

    /// Stops the process; answers what it wrote to stdout and stderr.
    pub async fn stop(mut self) -> (String, String) {
        let _ = self.child.kill();
        tokio::task::spawn_blocking(move || match self.child.wait_with_output() {
            Ok(output) => (
                String::from_utf8_lossy(&output.stdout).into_owned(),
                String::from_utf8_lossy(&output.stderr).into_owned(),
            ),
            Err(error) => (String::new(), format!("no output: {error}")),
        })
        .await
        .unwrap_or_default()
    }
}
