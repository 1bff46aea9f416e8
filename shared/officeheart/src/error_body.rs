//! The JSON error body every non-2xx response carries, and its stable codes.

use serde::{Deserialize, Serialize};

/// `{ "code", "message", "field"? }`: what a failed request answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable machine code; see [`ErrorCode`]. Kept as a string so that a code added later
    /// still reaches the caller.
    pub code: String,
    /// A human-readable explanation (English), not for parsing.
    pub message: String,
    /// The offending request field, for `invalid_field`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ErrorBody {
    /// A body for `code` with an explanation.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code: code.as_str().to_owned(),
            message: message.into(),
            field: None,
        }
    }

    /// The body for a field that failed validation.
    pub fn for_field(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            ..Self::new(ErrorCode::InvalidField, message)
        }
    }
}

/// The stable error codes; each belongs to exactly one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 401: no token, or not a valid one.
    Unauthorized,
    /// 403: a valid token of another tenant.
    TenantForbidden,
    /// 404: no such appointment (or route).
    NotFound,
    /// 410: the cursor is older than the retained change log.
    CursorExpired,
    /// 400: the cursor was not produced by this feed.
    InvalidCursor,
    /// 400: the page token is malformed or belongs to another window.
    InvalidPageToken,
    /// 400: malformed JSON or query parameters.
    InvalidRequest,
    /// 400: a field violates a documented limit.
    InvalidField,
    /// 400: create without `Idempotency-Key`.
    IdempotencyKeyRequired,
    /// 422: the key was used before with a different body.
    IdempotencyKeyReused,
    /// 428: update or delete without `If-Match`.
    IfMatchRequired,
    /// 400: `If-Match` is not one strong entity tag.
    InvalidIfMatch,
    /// 412: `If-Match` names a version that is no longer current.
    VersionMismatch,
    /// 429: too many requests.
    RateLimited,
    /// 500: an unexpected server failure.
    InternalError,
    /// 503: temporarily unavailable.
    ServiceUnavailable,
}

impl ErrorCode {
    /// Every code.
    pub const ALL: [Self; 16] = [
        Self::Unauthorized,
        Self::TenantForbidden,
        Self::NotFound,
        Self::CursorExpired,
        Self::InvalidCursor,
        Self::InvalidPageToken,
        Self::InvalidRequest,
        Self::InvalidField,
        Self::IdempotencyKeyRequired,
        Self::IdempotencyKeyReused,
        Self::IfMatchRequired,
        Self::InvalidIfMatch,
        Self::VersionMismatch,
        Self::RateLimited,
        Self::InternalError,
        Self::ServiceUnavailable,
    ];

    /// The code on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::TenantForbidden => "tenant_forbidden",
            Self::NotFound => "not_found",
            Self::CursorExpired => "cursor_expired",
            Self::InvalidCursor => "invalid_cursor",
            Self::InvalidPageToken => "invalid_page_token",
            Self::InvalidRequest => "invalid_request",
            Self::InvalidField => "invalid_field",
            Self::IdempotencyKeyRequired => "idempotency_key_required",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::IfMatchRequired => "if_match_required",
            Self::InvalidIfMatch => "invalid_if_match",
            Self::VersionMismatch => "version_mismatch",
            Self::RateLimited => "rate_limited",
            Self::InternalError => "internal_error",
            Self::ServiceUnavailable => "service_unavailable",
        }
    }

    /// The HTTP status this code is sent with.
    pub fn status(self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::TenantForbidden => 403,
            Self::NotFound => 404,
            Self::CursorExpired => 410,
            Self::InvalidCursor
            | Self::InvalidPageToken
            | Self::InvalidRequest
            | Self::InvalidField
            | Self::IdempotencyKeyRequired
            | Self::InvalidIfMatch => 400,
            Self::IdempotencyKeyReused => 422,
            Self::IfMatchRequired => 428,
            Self::VersionMismatch => 412,
            Self::RateLimited => 429,
            Self::InternalError => 500,
            Self::ServiceUnavailable => 503,
        }
    }

    /// The code for a wire string, if it is one this version knows.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|known| known.as_str() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_names_are_the_wire_codes() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
    }
}
