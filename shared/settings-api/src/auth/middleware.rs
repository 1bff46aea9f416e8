//! The check on every route: a valid bearer token, and for a tenant's paths, a token of that
//! tenant.

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{RawPathParams, Request, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::CallerTokens;
use crate::error::ApiError;

/// The token of an `Authorization: Bearer <token>` header (the scheme in any case).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Whether a caller with a valid token may use a route with these path parameters: any route
/// without a tenant, and a tenant's routes only with a token of that tenant. Parameters that
/// are not UTF-8 (`params` is `None`) name nothing that exists.
fn check(
    tokens: &CallerTokens,
    headers: &HeaderMap,
    params: Option<&RawPathParams>,
) -> Result<(), ApiError> {
    let tenants = bearer_token(headers)
        .map(|token| tokens.tenants_of(token))
        .unwrap_or_default();
    if tenants.is_empty() {
        return Err(ApiError::Unauthenticated);
    }
    let params = params.ok_or(ApiError::RouteNotFound)?;
    let path_tenant = params
        .iter()
        .find_map(|(name, value)| (name == "tenant").then_some(value));
    match path_tenant {
        // The same answer whether or not the other tenant exists.
        Some(wanted) if !tenants.iter().any(|tenant| tenant.as_str() == wanted) => {
            Err(ApiError::TenantForbidden)
        }
        _ => Ok(()),
    }
}

/// Middleware on every route: refuses a request without a valid token (401) or with another
/// tenant's token (403) before any handler or body reading runs.
pub(crate) async fn require_caller(
    State(tokens): State<CallerTokens>,
    params: Result<RawPathParams, RawPathParamsRejection>,
    request: Request,
    next: Next,
) -> Response {
    match check(&tokens, request.headers(), params.as_ref().ok()) {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}
