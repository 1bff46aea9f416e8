//! Bearer-token checks: a token belongs to one tenant and opens only that tenant's paths.

use std::sync::Arc;

use axum::extract::{RawPathParams, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ohsync_officeheart::ErrorCode;

use crate::api_error::ApiError;
use crate::store::{Access, Store};

/// Refuses a request without a known token (401) or with another tenant's token (403).
pub(crate) async fn authenticate(
    State(store): State<Arc<Store>>,
    params: RawPathParams,
    request: Request,
    next: Next,
) -> Response {
    let token = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let Some(Access::Tenant(tenant)) = token.map(|token| store.access(token)) else {
        return ApiError::new(ErrorCode::Unauthorized, "a valid bearer token is required")
            .into_response();
    };
    // The answer is the same whether or not the other tenant exists.
    let path_tenant = params
        .iter()
        .find(|(name, _)| *name == "tenant")
        .map(|(_, value)| value);
    if path_tenant.is_some_and(|path_tenant| path_tenant != tenant.as_str()) {
        return ApiError::new(
            ErrorCode::TenantForbidden,
            "the token is not valid for this tenant",
        )
        .into_response();
    }
    next.run(request).await
}
