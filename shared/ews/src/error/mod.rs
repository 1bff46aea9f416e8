//! One error type for everything the client can meet, classified for the sync engine and the user.

mod response;
mod response_code;
mod user_message;

use std::time::Duration;

use ohsync_localized::LocalizedText;

pub use response::{MessageXml, ResponseClass, ResponseStatus, SoapFault};
pub use response_code::ResponseCode;

/// What is wrong with the server's TLS certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsProblem {
    /// Not issued by a trusted authority (self-signed, internal CA, incomplete chain).
    Untrusted,
    /// Expired or not yet valid.
    Expired,
    /// Issued for another host name.
    WrongHost,
    /// Revoked.
    Revoked,
    /// Any other handshake failure (protocol version, cipher suites, malformed certificate).
    Handshake,
}

/// How far a request got before a transport failure; decides whether a write may have happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The request was not sent (connecting, TLS, or an authentication leg without the SOAP body).
    NotSent,
    /// The request was (possibly) sent: the server may have acted on it.
    MaybeDelivered,
}

/// Every failure of the EWS client.
///
/// No variant carries credentials; `Display`, `Debug` and [`EwsError::user_message`] never show a password.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EwsError {
    /// A ResponseMessage with `ResponseClass` Error or Warning.
    #[error("{0}")]
    Response(Box<ResponseStatus>),
    /// A SOAP fault.
    #[error("{0}")]
    SoapFault(Box<SoapFault>),
    /// HTTP 401: the server did not accept the credentials.
    #[error("authentication with {scheme} failed (HTTP 401)")]
    AuthFailed {
        /// The scheme that was tried (`NTLM`, `Basic`, `Bearer`).
        scheme: &'static str,
    },
    /// HTTP 401 without the configured scheme among the offered ones.
    #[error("the server does not offer {scheme} authentication (offered: {offered:?})")]
    AuthSchemeNotOffered {
        /// The configured scheme.
        scheme: &'static str,
        /// The schemes named in `WWW-Authenticate`.
        offered: Vec<String>,
    },
    /// HTTP 403: EWS is blocked for this user or application by an access policy (EWS-NOTES §9).
    #[error("EWS access is blocked by policy (HTTP 403)")]
    BlockedByPolicy,
    /// A 3xx answer; redirects are never followed.
    #[error("HTTP {status} redirect to {}", location_host.as_deref().unwrap_or("an unnamed location"))]
    Redirected {
        /// The status code.
        status: u16,
        /// The host named by `Location`.
        location_host: Option<String>,
    },
    /// Any other unexpected HTTP status (503 included: IIS is queueing).
    #[error("HTTP {status} from the server")]
    HttpStatus {
        /// The status code.
        status: u16,
        /// `Retry-After`, when sent.
        retry_after: Option<Duration>,
    },
    /// No answer in time.
    #[error("timed out after {after:?} ({phase:?})")]
    Timeout {
        /// Where the time ran out.
        phase: Phase,
        /// The limit that was hit.
        after: Duration,
    },
    /// The host name did not resolve.
    #[error("host {host} could not be resolved: {detail}")]
    Dns {
        /// The host name.
        host: String,
        /// The resolver's message.
        detail: String,
    },
    /// The TLS handshake failed.
    #[error("TLS with {host} failed ({problem:?}): {detail}")]
    Tls {
        /// The classified problem.
        problem: TlsProblem,
        /// The host name.
        host: String,
        /// The TLS library's message.
        detail: String,
    },
    /// The address policy refused the endpoint's address (loopback, private, link-local,
    /// metadata … not on the operator's allow-list); nothing was sent.
    #[error("connecting to {host} is not allowed: {detail}")]
    AddressRefused {
        /// The host name.
        host: String,
        /// Which address and why.
        detail: String,
    },
    /// Nothing listens on the port.
    #[error("connection to {host} refused")]
    ConnectionRefused {
        /// The host name.
        host: String,
    },
    /// The connection was reset or closed mid-exchange.
    #[error("connection lost ({phase:?}): {detail}")]
    ConnectionLost {
        /// How far the request got.
        phase: Phase,
        /// The I/O error.
        detail: String,
    },
    /// Any other network failure.
    #[error("network error ({phase:?}): {detail}")]
    Network {
        /// How far the request got.
        phase: Phase,
        /// The error chain as text.
        detail: String,
    },
    /// The response body exceeded the configured cap.
    #[error("response larger than {limit} bytes")]
    ResponseTooLarge {
        /// The cap in bytes.
        limit: u64,
    },
    /// The response is not the XML or the shape EWS sends.
    #[error("malformed EWS response: {detail}")]
    Malformed {
        /// What did not fit.
        detail: String,
    },
    /// The client configuration is unusable.
    #[error("invalid configuration of {field}: {reason}")]
    InvalidConfig {
        /// The setting.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The caller passed something the client will not send.
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// Why.
        reason: String,
    },
    /// A write whose request may have reached the server failed; it may or may not have been applied.
    #[error("outcome of {operation} unknown: {cause}")]
    OutcomeUnknown {
        /// The EWS operation.
        operation: &'static str,
        /// What went wrong.
        #[source]
        cause: Box<EwsError>,
    },
    /// An item of a batch was not sent because an earlier batch failed.
    #[error("not attempted: {cause}")]
    NotAttempted {
        /// Why the batch stopped.
        #[source]
        cause: Box<EwsError>,
    },
}

impl EwsError {
    /// The ResponseCode that decides the classification: an `ErrorInternalServerError` whose
    /// `InnerErrorResponseCode` is a known code is treated as that code (inner ErrorServerBusy = throttling).
    pub fn response_code(&self) -> Option<ResponseCode> {
        let (code, xml) = match self {
            Self::Response(status) => (&status.code, &status.message_xml),
            Self::SoapFault(fault) => (&fault.response_code, &fault.message_xml),
            _ => return None,
        };
        match (code, xml.inner_code()) {
            (ResponseCode::ErrorInternalServerError, Some(inner))
                if !matches!(inner, ResponseCode::Other(_)) =>
            {
                Some(inner)
            }
            _ => Some(code.clone()),
        }
    }

    /// A stable machine code for status records and APIs (for example `EWS_THROTTLED`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Response(_) | Self::SoapFault(_) => self
                .response_code()
                .map_or("EWS_ERROR", |code| response_code_class(&code)),
            Self::AuthFailed { .. } => "EWS_AUTH_FAILED",
            Self::AuthSchemeNotOffered { .. } => "EWS_AUTH_METHOD_UNSUPPORTED",
            Self::BlockedByPolicy => "EWS_BLOCKED_BY_POLICY",
            Self::Redirected { .. } => "EWS_REDIRECTED",
            Self::HttpStatus { status: 503, .. } => "EWS_THROTTLED",
            Self::HttpStatus { status, .. } if *status >= 500 => "EWS_SERVER_ERROR",
            Self::HttpStatus { .. } => "EWS_HTTP_ERROR",
            Self::Timeout { .. } => "EWS_TIMEOUT",
            Self::Dns { .. } => "EWS_DNS_FAILED",
            Self::Tls { problem, .. } => match problem {
                TlsProblem::Untrusted => "EWS_TLS_UNTRUSTED",
                TlsProblem::Expired => "EWS_TLS_EXPIRED",
                TlsProblem::WrongHost => "EWS_TLS_WRONG_HOST",
                TlsProblem::Revoked => "EWS_TLS_REVOKED",
                TlsProblem::Handshake => "EWS_TLS_FAILED",
            },
            Self::AddressRefused { .. } => "EWS_ADDRESS_REFUSED",
            Self::ConnectionRefused { .. } => "EWS_CONNECTION_REFUSED",
            Self::ConnectionLost { .. } => "EWS_CONNECTION_LOST",
            Self::Network { .. } => "EWS_NETWORK_ERROR",
            Self::ResponseTooLarge { .. } => "EWS_RESPONSE_TOO_LARGE",
            Self::Malformed { .. } => "EWS_MALFORMED_RESPONSE",
            Self::InvalidConfig { .. } => "EWS_INVALID_CONFIG",
            Self::InvalidInput { .. } => "EWS_INVALID_INPUT",
            Self::OutcomeUnknown { .. } => "EWS_OUTCOME_UNKNOWN",
            Self::NotAttempted { cause } => cause.code(),
        }
    }

    /// Throttling: retry after [`EwsError::retry_after`] or a back-off, never at once.
    pub fn is_throttled(&self) -> bool {
        match self {
            Self::HttpStatus { status, .. } => *status == 503,
            _ => self
                .response_code()
                .is_some_and(|code| code.is_throttling()),
        }
    }

    /// Whether the same request may succeed later without anyone changing anything.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Response(_) | Self::SoapFault(_) => self.response_code().is_some_and(|code| {
                code.is_throttling()
                    || matches!(
                        code,
                        ResponseCode::ErrorInternalServerError
                            | ResponseCode::ErrorMailboxStoreUnavailable
                            | ResponseCode::ErrorMailboxMoveInProgress
                            | ResponseCode::ErrorBatchProcessingStopped
                    )
            }),
            Self::HttpStatus { status, .. } => matches!(status, 500 | 502 | 503 | 504),
            Self::Timeout { .. }
            | Self::ConnectionRefused { .. }
            | Self::ConnectionLost { .. }
            | Self::Network { .. } => true,
            Self::NotAttempted { cause } => cause.is_retryable(),
            _ => false,
        }
    }

    /// A write that may or may not have been applied: look it up (by the ohsync tag) before redoing it.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Self::OutcomeUnknown { .. })
    }

    /// Whether the request may have reached the server before it failed.
    pub fn may_have_reached_server(&self) -> bool {
        matches!(
            self,
            Self::Timeout {
                phase: Phase::MaybeDelivered,
                ..
            } | Self::ConnectionLost {
                phase: Phase::MaybeDelivered,
                ..
            } | Self::Network {
                phase: Phase::MaybeDelivered,
                ..
            }
        )
    }

    /// How long the server asked to wait (`BackOffMilliseconds`, or `Retry-After` on HTTP 503).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Response(status) => status.message_xml.back_off(),
            Self::SoapFault(fault) => fault.message_xml.back_off(),
            Self::HttpStatus { retry_after, .. } => *retry_after,
            Self::NotAttempted { cause } => cause.retry_after(),
            _ => None,
        }
    }

    /// What happened and what to do, in plain Dutch and English.
    pub fn user_message(&self) -> LocalizedText {
        user_message::for_error(self)
    }

    /// A ResponseMessage failure.
    pub(crate) fn response(status: ResponseStatus) -> Self {
        Self::Response(Box::new(status))
    }

    /// A malformed response.
    pub(crate) fn malformed(detail: impl Into<String>) -> Self {
        Self::Malformed {
            detail: detail.into(),
        }
    }

    /// Invalid caller input.
    pub(crate) fn invalid_input(reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            reason: reason.into(),
        }
    }
}

/// The stable code of a ResponseCode.
fn response_code_class(code: &ResponseCode) -> &'static str {
    use ResponseCode as C;
    match code {
        C::ErrorServerBusy
        | C::ErrorTooManyObjectsOpened
        | C::ErrorExceededConnectionCount
        | C::ErrorExceededSubscriptionCount => "EWS_THROTTLED",
        C::ErrorInvalidSyncStateData => "EWS_SYNC_STATE_INVALID",
        C::ErrorSyncFolderNotFound => "EWS_SYNC_FOLDER_NOT_FOUND",
        C::ErrorItemNotFound => "EWS_ITEM_NOT_FOUND",
        C::ErrorIrresolvableConflict | C::ErrorStaleObject => "EWS_CONFLICT",
        C::ErrorInvalidChangeKey
        | C::ErrorChangeKeyRequired
        | C::ErrorChangeKeyRequiredForWriteOperations => "EWS_CHANGE_KEY_INVALID",
        C::ErrorAccessDenied => "EWS_ACCESS_DENIED",
        C::ErrorInvalidServerVersion
        | C::ErrorIncorrectSchemaVersion
        | C::ErrorInvalidSchemaVersionForMailboxVersion => "EWS_VERSION_REJECTED",
        C::ErrorInvalidRequest
        | C::ErrorSchemaValidation
        | C::ErrorInvalidArgument
        | C::ErrorInvalidIdMalformed
        | C::ErrorInvalidPropertyRequest => "EWS_REQUEST_REJECTED",
        C::ErrorNonExistentMailbox => "EWS_MAILBOX_NOT_FOUND",
        C::ErrorImpersonateUserDenied
        | C::ErrorImpersonationDenied
        | C::ErrorInvalidExchangeImpersonationHeaderData => "EWS_IMPERSONATION_DENIED",
        C::ErrorExceededFindCountLimit => "EWS_FIND_LIMIT_EXCEEDED",
        C::ErrorCalendarViewRangeTooBig => "EWS_CALENDAR_RANGE_TOO_BIG",
        C::ErrorCalendarOccurrenceIsDeletedFromRecurrence
        | C::ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange => "EWS_OCCURRENCE_NOT_FOUND",
        C::ErrorOccurrenceCrossingBoundary => "EWS_OCCURRENCE_CROSSING_BOUNDARY",
        C::ErrorInternalServerError => "EWS_SERVER_ERROR",
        C::ErrorBatchProcessingStopped => "EWS_BATCH_STOPPED",
        C::ErrorQuotaExceeded => "EWS_QUOTA_EXCEEDED",
        C::ErrorMailboxStoreUnavailable | C::ErrorMailboxMoveInProgress => {
            "EWS_MAILBOX_UNAVAILABLE"
        }
        C::ErrorNameResolutionNoResults => "EWS_NAME_NOT_RESOLVED",
        C::NoError | C::Other(_) => "EWS_ERROR",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: ResponseCode, values: &[(&str, &str)]) -> EwsError {
        EwsError::response(ResponseStatus {
            class: ResponseClass::Error,
            code,
            message_text: Some("text".into()),
            message_xml: MessageXml {
                values: values
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            },
        })
    }

    fn fault(code: &str, values: &[(&str, &str)]) -> EwsError {
        EwsError::SoapFault(Box::new(SoapFault {
            fault_code: code.into(),
            fault_string: "fault".into(),
            response_code: ResponseCode::parse(code),
            message: None,
            message_xml: MessageXml {
                values: values
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            },
            server_version: None,
        }))
    }

    #[test]
    fn server_busy_fault_is_throttling_with_its_back_off() {
        let err = fault("a:ErrorServerBusy", &[("BackOffMilliseconds", "297749")]);
        assert_eq!(err.code(), "EWS_THROTTLED");
        assert!(err.is_throttled());
        assert!(err.is_retryable());
        assert_eq!(err.retry_after(), Some(Duration::from_millis(297_749)));
    }

    #[test]
    fn internal_server_error_with_inner_server_busy_is_throttling() {
        let err = status(
            ResponseCode::ErrorInternalServerError,
            &[
                ("InnerErrorResponseCode", "ErrorServerBusy"),
                ("BackOffMilliseconds", "1200"),
            ],
        );
        assert_eq!(err.response_code(), Some(ResponseCode::ErrorServerBusy));
        assert_eq!(err.code(), "EWS_THROTTLED");
        assert!(err.is_throttled());
        assert_eq!(err.retry_after(), Some(Duration::from_millis(1200)));

        let quota = status(
            ResponseCode::ErrorInternalServerError,
            &[("InnerErrorResponseCode", "ErrorQuotaExceededOnDelete")],
        );
        assert_eq!(quota.code(), "EWS_SERVER_ERROR");
        assert!(!quota.is_throttled());
    }

    #[test]
    fn too_many_objects_opened_is_throttling_without_back_off() {
        let err = status(ResponseCode::ErrorTooManyObjectsOpened, &[]);
        assert!(err.is_throttled());
        assert_eq!(err.retry_after(), None);
    }

    #[test]
    fn classification_of_codes_that_need_someone_to_act() {
        let cases = [
            (
                ResponseCode::ErrorInvalidSyncStateData,
                "EWS_SYNC_STATE_INVALID",
            ),
            (
                ResponseCode::ErrorInvalidServerVersion,
                "EWS_VERSION_REJECTED",
            ),
            (
                ResponseCode::ErrorIncorrectSchemaVersion,
                "EWS_VERSION_REJECTED",
            ),
            (
                ResponseCode::ErrorNonExistentMailbox,
                "EWS_MAILBOX_NOT_FOUND",
            ),
            (
                ResponseCode::ErrorImpersonateUserDenied,
                "EWS_IMPERSONATION_DENIED",
            ),
            (ResponseCode::ErrorIrresolvableConflict, "EWS_CONFLICT"),
            (
                ResponseCode::ErrorChangeKeyRequiredForWriteOperations,
                "EWS_CHANGE_KEY_INVALID",
            ),
            (
                ResponseCode::ErrorCalendarViewRangeTooBig,
                "EWS_CALENDAR_RANGE_TOO_BIG",
            ),
            (ResponseCode::ErrorAccessDenied, "EWS_ACCESS_DENIED"),
            (
                ResponseCode::ErrorCalendarOccurrenceIsDeletedFromRecurrence,
                "EWS_OCCURRENCE_NOT_FOUND",
            ),
            (
                ResponseCode::ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange,
                "EWS_OCCURRENCE_NOT_FOUND",
            ),
            (
                ResponseCode::ErrorOccurrenceCrossingBoundary,
                "EWS_OCCURRENCE_CROSSING_BOUNDARY",
            ),
        ];
        for (code, expected) in cases {
            let err = status(code.clone(), &[]);
            assert_eq!(err.code(), expected, "{code}");
            assert!(!err.is_retryable(), "{code} must not be retried blindly");
            assert!(!err.is_throttled());
        }
    }

    #[test]
    fn http_statuses_are_classified() {
        let unavailable = EwsError::HttpStatus {
            status: 503,
            retry_after: Some(Duration::from_secs(7)),
        };
        assert!(unavailable.is_throttled());
        assert_eq!(unavailable.retry_after(), Some(Duration::from_secs(7)));
        assert_eq!(EwsError::BlockedByPolicy.code(), "EWS_BLOCKED_BY_POLICY");
        assert_eq!(
            EwsError::AuthFailed { scheme: "NTLM" }.code(),
            "EWS_AUTH_FAILED"
        );
        let not_found = EwsError::HttpStatus {
            status: 404,
            retry_after: None,
        };
        assert_eq!(not_found.code(), "EWS_HTTP_ERROR");
        assert!(!not_found.is_retryable());
    }

    #[test]
    fn outcome_unknown_is_distinct_and_not_retryable() {
        let err = EwsError::OutcomeUnknown {
            operation: "CreateItem",
            cause: Box::new(EwsError::Timeout {
                phase: Phase::MaybeDelivered,
                after: Duration::from_secs(30),
            }),
        };
        assert!(err.is_outcome_unknown());
        assert_eq!(err.code(), "EWS_OUTCOME_UNKNOWN");
        assert!(!err.is_retryable());
    }

    #[test]
    fn not_attempted_takes_the_classification_of_its_cause() {
        let err = EwsError::NotAttempted {
            cause: Box::new(fault("ErrorServerBusy", &[("BackOffMilliseconds", "50")])),
        };
        assert_eq!(err.code(), "EWS_THROTTLED");
        assert!(err.is_retryable());
        assert_eq!(err.retry_after(), Some(Duration::from_millis(50)));
    }

    #[test]
    fn tls_problems_have_their_own_codes() {
        let tls = |problem| EwsError::Tls {
            problem,
            host: "mail.example".into(),
            detail: String::new(),
        };
        assert_eq!(tls(TlsProblem::Untrusted).code(), "EWS_TLS_UNTRUSTED");
        assert_eq!(tls(TlsProblem::Expired).code(), "EWS_TLS_EXPIRED");
        assert_eq!(tls(TlsProblem::WrongHost).code(), "EWS_TLS_WRONG_HOST");
    }
}
