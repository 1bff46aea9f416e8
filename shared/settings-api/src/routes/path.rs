//! The tenant and user a route is about, from its path.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use ohsync_engine::identity::{TenantId, UserId};
use utoipa::IntoParams;

use crate::error::ApiError;

/// `{tenant}` and `{user}` of a user's routes, parsed.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct UserPath {
    /// The tenant (OfficeHeart customer): letters, digits and `-_.`, at most 64.
    #[param(value_type = String, example = "acme")]
    pub(crate) tenant: TenantId,
    /// The OfficeHeart user: letters, digits and `-_.@`, at most 128.
    #[param(value_type = String, example = "jan@acme.nl")]
    pub(crate) user: UserId,
}

impl<S: Send + Sync> FromRequestParts<S> for UserPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path((tenant, user)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::RouteNotFound)?;
        // The caller check already matched the tenant against a token's (valid) tenant id.
        let tenant = TenantId::parse(&tenant).map_err(|_| ApiError::TenantForbidden)?;
        let user = UserId::parse(&user).map_err(|_| ApiError::UserIdInvalid)?;
        Ok(Self { tenant, user })
    }
}
