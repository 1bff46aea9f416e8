//! Turning an HTTP answer into a result: the size cap, status → error, decoding.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::appointment::Appointment;
use crate::contract::{Operation, headers};
use crate::error::OfficeHeartError;
use crate::error_body::{ErrorBody, ErrorCode};
use crate::ids::Version;

/// Server messages are copied into errors for diagnosis; this keeps a hostile server from
/// inflating logs.
const MAX_MESSAGE_CHARS: usize = 500;

/// A successful answer: the body and the version header.
pub(crate) struct Reply {
    pub etag: Option<String>,
    pub replayed: bool,
    pub body: Vec<u8>,
}

/// Classifies a transport failure by what the caller can conclude: a connection that never
/// opened changed nothing; a lost answer to a write leaves its outcome open.
pub(crate) fn transport_error(operation: Operation, source: reqwest::Error) -> OfficeHeartError {
    if source.is_connect() {
        OfficeHeartError::Unreachable { operation, source }
    } else if operation.is_write() {
        OfficeHeartError::OutcomeUnknown { operation, source }
    } else if source.is_timeout() {
        OfficeHeartError::Timeout { operation }
    } else {
        OfficeHeartError::Transport { operation, source }
    }
}

pub(crate) async fn read_capped(
    operation: Operation,
    response: &mut reqwest::Response,
    limit: u64,
) -> Result<Vec<u8>, OfficeHeartError> {
    let too_large = || OfficeHeartError::ResponseTooLarge { operation, limit };
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| transport_error(operation, error))?
    {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

pub(crate) fn status_error(
    operation: Operation,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> OfficeHeartError {
    let ErrorBody {
        code,
        message,
        field,
    } = serde_json::from_slice(body).unwrap_or_else(|_| ErrorBody {
        code: String::new(),
        message: String::from_utf8_lossy(body).into_owned(),
        field: None,
    });
    let message: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
    let retry_after = header_str(headers, headers::RETRY_AFTER)
        .and_then(|value| value.trim().parse().ok())
        .map(Duration::from_secs);
    match status {
        401 => OfficeHeartError::Unauthorized { operation, message },
        403 => OfficeHeartError::Forbidden { operation, message },
        404 => OfficeHeartError::NotFound { operation, message },
        410 if operation == Operation::ListChanges => {
            OfficeHeartError::CursorExpired { operation, message }
        }
        412 => OfficeHeartError::VersionMismatch { operation, message },
        422 if code == ErrorCode::IdempotencyKeyReused.as_str() => {
            OfficeHeartError::IdempotencyKeyReused { operation, message }
        }
        429 => OfficeHeartError::RateLimited {
            operation,
            retry_after,
        },
        500..=599 => OfficeHeartError::Server {
            operation,
            status,
            retry_after,
        },
        400..=499 => OfficeHeartError::Rejected {
            operation,
            status,
            code,
            message,
            field,
        },
        _ => OfficeHeartError::UnexpectedStatus { operation, status },
    }
}

pub(crate) fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

pub(crate) fn decode<T: DeserializeOwned>(
    operation: Operation,
    body: &[u8],
) -> Result<T, OfficeHeartError> {
    serde_json::from_slice(body).map_err(|error| OfficeHeartError::InvalidResponse {
        operation,
        reason: format!("body: {error}"),
    })
}

/// Decodes an appointment and checks that its `ETag` names the same version as its body.
pub(crate) fn versioned(
    operation: Operation,
    reply: &Reply,
) -> Result<Appointment, OfficeHeartError> {
    let appointment: Appointment = decode(operation, &reply.body)?;
    if let Some(etag) = &reply.etag
        && Version::from_etag(etag).ok().as_ref() != Some(&appointment.version)
    {
        return Err(OfficeHeartError::InvalidResponse {
            operation,
            reason: format!("ETag {etag} does not match version {}", appointment.version),
        });
    }
    Ok(appointment)
}
