//! Request counters per route and status, and the one log line per request.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use ohsync_officeheart::contract::Operation;
use serde::Serialize;

/// The route key of a request that matched no route.
const UNMATCHED: &str = "<unmatched>";

/// Counts of answered requests, keyed by method, route template and status.
#[derive(Debug, Default)]
pub struct RequestStats {
    counts: Mutex<BTreeMap<RouteStatus, u64>>,
}

/// One counter key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RouteStatus {
    method: String,
    route: String,
    status: u16,
}

/// One counter: requests of a method and route template that were answered with a status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteCount {
    /// HTTP method.
    pub method: String,
    /// The route template, e.g. `/v1/tenants/{tenant}/users/{user}/agenda/changes`.
    pub route: String,
    /// The status the handler answered (also for a connection cut after the answer was made).
    pub status: u16,
    /// How many requests.
    pub count: u64,
}

impl RequestStats {
    /// Requests of one contract operation, whatever their status.
    pub fn requests(&self, operation: Operation) -> u64 {
        self.matching(|key| {
            key.method == operation.method().as_str() && key.route == operation.path_template()
        })
    }

    /// Requests of one contract operation answered with `status`.
    pub fn responses(&self, operation: Operation, status: u16) -> u64 {
        self.matching(|key| {
            key.method == operation.method().as_str()
                && key.route == operation.path_template()
                && key.status == status
        })
    }

    /// Every API request so far.
    pub fn total(&self) -> u64 {
        self.matching(|_| true)
    }

    /// A copy of all counters.
    pub fn snapshot(&self) -> Vec<RouteCount> {
        self.lock()
            .iter()
            .map(|(key, count)| RouteCount {
                method: key.method.clone(),
                route: key.route.clone(),
                status: key.status,
                count: *count,
            })
            .collect()
    }

    /// Sets every counter back to zero.
    pub fn reset(&self) {
        self.lock().clear();
    }

    fn matching(&self, predicate: impl Fn(&RouteStatus) -> bool) -> u64 {
        self.lock()
            .iter()
            .filter(|(key, _)| predicate(key))
            .map(|(_, count)| count)
            .sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<RouteStatus, u64>> {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Counts the request and logs method, path, status and duration; never headers, so never a token.
pub(crate) async fn record(
    State(stats): State<Arc<RequestStats>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    tracing::info!(
        %method,
        %path,
        status,
        elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "request"
    );
    *stats
        .lock()
        .entry(RouteStatus {
            method,
            route,
            status,
        })
        .or_insert(0) += 1;
    response
}
