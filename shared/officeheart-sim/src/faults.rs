//! Fault switches, settable while the simulator runs, and the middleware that applies them.

use std::sync::Mutex;
use std::sync::PoisonError;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ohsync_officeheart::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::api_error::ApiError;
use crate::connection::ConnectionHandle;

/// The current fault settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultSettings {
    /// Delay before each API request is handled (`latency_ms` on the admin API).
    #[serde(rename = "latency_ms", with = "millis")]
    pub latency: Duration,
    /// How many of the next API requests fail without touching any data.
    pub fail_next: u32,
    /// How many of the next write requests (any method but GET, HEAD, OPTIONS) fail without
    /// touching any data; reads pass.
    pub fail_next_writes: u32,
    /// The error those requests answer with.
    pub fail_with: ErrorCode,
    /// Whether the connection of the next successful write is closed after the write is applied,
    /// so the client never sees the answer.
    pub drop_next_write: bool,
}

impl Default for FaultSettings {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            fail_next: 0,
            fail_next_writes: 0,
            fail_with: ErrorCode::ServiceUnavailable,
            drop_next_write: false,
        }
    }
}

/// Durations as whole milliseconds in the admin API (`latency_ms` reads better as a number).
mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(u64::try_from(value.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_millis)
    }
}

/// The switches, shared by the admin API, the library handle and the middleware.
#[derive(Debug, Default)]
pub struct Faults {
    settings: Mutex<FaultSettings>,
}

/// What the middleware must do for one request.
struct Decision {
    latency: Duration,
    fail_with: Option<ErrorCode>,
}

impl Faults {
    /// Delays every API request by `latency` from now on.
    pub fn set_latency(&self, latency: Duration) {
        self.update(|settings| settings.latency = latency);
    }

    /// Makes the next `count` API requests answer `code` (for instance 500 `internal_error`,
    /// 503 `service_unavailable`, 429 `rate_limited`) without being handled.
    pub fn fail_next(&self, count: u32, code: ErrorCode) {
        self.update(|settings| {
            settings.fail_next = count;
            settings.fail_with = code;
        });
    }

    /// Makes the next `count` write requests answer `code` without being handled, while reads
    /// pass: a failure in the middle of a sync run, after its reads.
    pub fn fail_next_writes(&self, count: u32, code: ErrorCode) {
        self.update(|settings| {
            settings.fail_next_writes = count;
            settings.fail_with = code;
        });
    }

    /// Applies the next successful write, then closes its connection without answering.
    pub fn drop_next_write(&self) {
        self.update(|settings| settings.drop_next_write = true);
    }

    /// Turns every fault off.
    pub fn clear(&self) {
        self.replace(FaultSettings::default());
    }

    /// The current settings.
    pub fn settings(&self) -> FaultSettings {
        self.settings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces all settings at once (the admin API's `PUT`).
    pub fn replace(&self, settings: FaultSettings) {
        self.update(|current| *current = settings);
    }

    fn update(&self, change: impl FnOnce(&mut FaultSettings)) {
        change(&mut self.settings.lock().unwrap_or_else(PoisonError::into_inner));
    }

    fn decide(&self, is_write: bool) -> Decision {
        let mut settings = self.settings.lock().unwrap_or_else(PoisonError::into_inner);
        let fail_with = if settings.fail_next > 0 {
            settings.fail_next -= 1;
            Some(settings.fail_with)
        } else if is_write && settings.fail_next_writes > 0 {
            settings.fail_next_writes -= 1;
            Some(settings.fail_with)
        } else {
            None
        };
        Decision {
            latency: settings.latency,
            fail_with,
        }
    }

    fn take_drop_next_write(&self) -> bool {
        std::mem::take(
            &mut self
                .settings
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .drop_next_write,
        )
    }
}

/// Applies latency and injected failures before the request, and the dropped answer after it.
pub(crate) async fn inject(
    State(faults): State<std::sync::Arc<Faults>>,
    request: Request,
    next: Next,
) -> Response {
    let is_write = !request.method().is_safe();
    let decision = faults.decide(is_write);
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    if let Some(code) = decision.fail_with {
        return ApiError::new(code, "injected failure").into_response();
    }
    let connection = request
        .extensions()
        .get::<ConnectInfo<ConnectionHandle>>()
        .map(|info| info.0.clone());
    let response = next.run(request).await;
    if is_write
        && response.status().is_success()
        && let Some(connection) = connection
        && faults.take_drop_next_write()
    {
        tracing::info!("dropping the connection after a committed write (fault switch)");
        connection.kill();
    }
    response
}
