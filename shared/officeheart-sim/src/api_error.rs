//! Contract errors as HTTP responses.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ohsync_officeheart::{ErrorBody, ErrorCode};

use crate::agenda::AgendaError;

/// Seconds a client is asked to wait after 429 and 503.
const RETRY_AFTER_SECONDS: &str = "1";

/// An error answer: the status follows from the code.
#[derive(Debug)]
pub(crate) struct ApiError {
    code: ErrorCode,
    body: ErrorBody,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            body: ErrorBody::new(code, message),
        }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::InvalidField,
            body: ErrorBody::for_field(field, message),
        }
    }
}

impl From<AgendaError> for ApiError {
    fn from(error: AgendaError) -> Self {
        let code = match error {
            AgendaError::NotFound => ErrorCode::NotFound,
            AgendaError::VersionMismatch => ErrorCode::VersionMismatch,
            AgendaError::CursorExpired => ErrorCode::CursorExpired,
            AgendaError::InvalidCursor => ErrorCode::InvalidCursor,
            AgendaError::InvalidPageToken => ErrorCode::InvalidPageToken,
            AgendaError::IdempotencyKeyReused => ErrorCode::IdempotencyKeyReused,
        };
        Self::new(code, error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self.body)).into_response();
        let headers = response.headers_mut();
        match self.code {
            ErrorCode::RateLimited | ErrorCode::ServiceUnavailable => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from_static(RETRY_AFTER_SECONDS),
                );
            }
            ErrorCode::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        response
    }
}
