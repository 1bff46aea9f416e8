//! Why a request cannot be processed at all (as opposed to per-message errors).

use crate::response_code::{EwsError, ResponseCode};

/// A whole-request failure, answered with HTTP 500 and a SOAP fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The request does not follow the EWS schema (ErrorSchemaValidation).
    #[error("The request failed schema validation: {0}")]
    Schema(String),
    /// Another fault (e.g. ErrorInvalidServerVersion, ErrorImpersonateUserDenied).
    #[error("{}", .0.text())]
    Fault(EwsError),
}

impl RequestError {
    /// A schema violation with a message.
    pub fn schema(message: impl Into<String>) -> Self {
        Self::Schema(message.into())
    }

    /// The EWS error a fault carries.
    pub fn to_ews_error(&self) -> EwsError {
        match self {
            Self::Schema(message) => EwsError::new(ResponseCode::ErrorSchemaValidation)
                .with_message(format!("The request failed schema validation: {message}")),
            Self::Fault(error) => error.clone(),
        }
    }
}

impl From<ResponseCode> for RequestError {
    fn from(code: ResponseCode) -> Self {
        Self::Fault(EwsError::new(code))
    }
}

/// Shorthand for parse results.
pub type Parsed<T> = Result<T, RequestError>;
