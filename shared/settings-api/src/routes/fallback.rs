//! Answers for requests that match no route.

use crate::error::ApiError;

/// No route has this path.
pub(crate) async fn route_not_found() -> ApiError {
    ApiError::RouteNotFound
}

/// The path exists, but not with this method.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
