//! Sorting Secrets Manager's errors into what the adapter acts on and the port's `SecretsError`.

use aws_sdk_secretsmanager::config::http::HttpResponse;
use aws_sdk_secretsmanager::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use ohsync_engine::ports::SecretsError;

/// How one call failed, in the terms the adapter decides on.
#[derive(Debug)]
pub(crate) enum Failure {
    /// `ResourceNotFoundException`: no such secret or version.
    NotFound,
    /// `ResourceExistsException`: a secret of that name exists (a create lost a race), or a
    /// request token was reused with another value.
    Exists(String),
    /// `InvalidRequestException`: among other things, the answer for a secret scheduled for
    /// deletion, which only a look at the secret can tell apart.
    InvalidRequest(String),
    /// Anything else, already in the port's terms.
    Other(SecretsError),
}

/// Codes that mean the caller may not use the secret: IAM, the KMS key, or the credentials.
const DENIED: [&str; 5] = [
    "AccessDeniedException",
    "DecryptionFailure",
    "EncryptionFailure",
    "UnrecognizedClientException",
    "ExpiredTokenException",
];

/// Codes that mean "not now": throttling, quotas that free up, and service-side failures.
const UNAVAILABLE: [&str; 6] = [
    "ThrottlingException",
    "TooManyRequestsException",
    "LimitExceededException",
    "InternalServiceError",
    "InternalFailure",
    "ServiceUnavailable",
];

/// Sorts an SDK error. The texts kept are Secrets Manager's messages and connection errors,
/// which never contain a secret value.
pub(crate) fn classify<E>(error: SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let detail = DisplayErrorContext(&error).to_string();
    match &error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            Failure::Other(SecretsError::Unavailable(detail))
        }
        SdkError::ServiceError(context) => {
            let code = context.err().code().unwrap_or_default();
            let message = context.err().message().unwrap_or(code).to_owned();
            match code {
                "ResourceNotFoundException" => Failure::NotFound,
                "ResourceExistsException" => Failure::Exists(message),
                "InvalidRequestException" => Failure::InvalidRequest(message),
                _ if DENIED.contains(&code) => Failure::Other(SecretsError::AccessDenied),
                _ if UNAVAILABLE.contains(&code) || context.raw().status().is_server_error() => {
                    Failure::Other(SecretsError::Unavailable(format!("{code}: {message}")))
                }
                _ => Failure::Other(SecretsError::Invalid(format!("{code}: {message}"))),
            }
        }
        _ => Failure::Other(SecretsError::Invalid(detail)),
    }
}

impl From<Failure> for SecretsError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::NotFound => Self::NotFound,
            Failure::Exists(message) | Failure::InvalidRequest(message) => Self::Invalid(message),
            Failure::Other(error) => error,
        }
    }
}
