//! One `tracing` span per request, with the route and the tenant and user it concerns; never
//! the body or the `Authorization` header.

use std::time::Instant;

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{MatchedPath, RawPathParams, Request};
use axum::middleware::Next;
use axum::response::Response;
use ohsync_engine::identity::{TenantId, UserId};
use tracing::field::{Empty, display};
use tracing::{Instrument, Span};

/// Middleware around everything: opens the request's span, and logs the answer's status.
pub(crate) async fn trace_request(request: Request, next: Next) -> Response {
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        route = Empty,
        tenant = Empty,
        user = Empty,
        status = Empty,
    );
    let started = Instant::now();
    let response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16();
    span.record("status", status);
    span.in_scope(|| {
        tracing::info!(
            status,
            duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "request answered"
        );
    });
    response
}

/// Middleware on every route: records the route template and, when they are valid ids, the
/// tenant and user into the request's span.
pub(crate) async fn record_route(
    matched: MatchedPath,
    params: Result<RawPathParams, RawPathParamsRejection>,
    request: Request,
    next: Next,
) -> Response {
    let span = Span::current();
    span.record("route", display(matched.as_str()));
    for (name, value) in params.iter().flatten() {
        match name {
            "tenant" if TenantId::parse(value).is_ok() => span.record("tenant", display(value)),
            "user" if UserId::parse(value).is_ok() => span.record("user", display(value)),
            _ => &span,
        };
    }
    next.run(request).await
}
