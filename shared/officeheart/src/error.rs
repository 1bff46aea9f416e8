//! What can go wrong talking to OfficeHeart, in terms a sync run can act on.

use std::time::Duration;

use ohsync_localized::LocalizedText;

use crate::contract::Operation;

/// A failed OfficeHeart call. Never contains the token.
#[derive(Debug, thiserror::Error)]
pub enum OfficeHeartError {
    /// 401: the token is missing, wrong or revoked.
    #[error("{operation}: OfficeHeart refused the token (401): {message}")]
    Unauthorized {
        /// The call that failed.
        operation: Operation,
        /// The server's explanation.
        message: String,
    },
    /// 403: the token belongs to another tenant.
    #[error("{operation}: the token is not valid for this tenant (403): {message}")]
    Forbidden {
        /// The call that failed.
        operation: Operation,
        /// The server's explanation.
        message: String,
    },
    /// 404: the appointment does not exist (any more).
    #[error("{operation}: not found (404): {message}")]
    NotFound {
        /// The call that failed.
        operation: Operation,
        /// The server's explanation.
        message: String,
    },
    /// 410: the cursor is older than what the feed retains; re-list the window.
    #[error("{operation}: the change cursor has expired (410): {message}")]
    CursorExpired {
        /// The call that failed.
        operation: Operation,
        /// The server's explanation.
        message: String,
    },
    /// 412: the appointment changed since the version sent in `If-Match`; re-read it.
    #[error("{operation}: the appointment changed meanwhile (412): {message}")]
    VersionMismatch {
        /// The call that failed.
        operation: Operation,
        /// The server's explanation.
        message: String,
    },
    /// 422: the idempotency key was used before for a different appointment.
    #[error("{operation}: the idempotency key was used with a different body (422): {message}")]
    IdempotencyKeyReused {
        /// The call that failed.
        operation: Operation,
        /// The server's explanation.
        message: String,
    },
    /// 429: too many requests.
    #[error("{operation}: rate limited (429)")]
    RateLimited {
        /// The call that failed.
        operation: Operation,
        /// How long the server asked to wait, if it said.
        retry_after: Option<Duration>,
    },
    /// Another 4xx: the request itself is wrong (a bug on this side, not a transient condition).
    #[error("{operation}: request rejected ({status} {code}): {message}")]
    Rejected {
        /// The call that failed.
        operation: Operation,
        /// The HTTP status.
        status: u16,
        /// The server's error code, or empty when the body had none.
        code: String,
        /// The server's explanation.
        message: String,
        /// The offending field, when the server named one.
        field: Option<String>,
    },
    /// 5xx: a server-side failure, usually transient.
    #[error("{operation}: OfficeHeart failed ({status})")]
    Server {
        /// The call that failed.
        operation: Operation,
        /// The HTTP status.
        status: u16,
        /// How long the server asked to wait, if it said.
        retry_after: Option<Duration>,
    },
    /// A read did not complete in time.
    #[error("{operation}: no answer from OfficeHeart in time")]
    Timeout {
        /// The call that failed.
        operation: Operation,
    },
    /// No connection could be made; the request was not sent, so nothing was changed.
    #[error("{operation}: could not connect to OfficeHeart")]
    Unreachable {
        /// The call that failed.
        operation: Operation,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// A write was sent but its answer was lost (timeout, dropped connection): it may or may not
    /// have been applied. Retry a create with the same idempotency key; re-read before an update.
    #[error("{operation}: the request was sent but its outcome is unknown")]
    OutcomeUnknown {
        /// The call that failed.
        operation: Operation,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// A read failed on the way back for a reason other than time (connection reset, bad framing).
    #[error("{operation}: the connection to OfficeHeart failed")]
    Transport {
        /// The call that failed.
        operation: Operation,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The response is larger than the configured cap.
    #[error("{operation}: the response exceeds {limit} bytes")]
    ResponseTooLarge {
        /// The call that failed.
        operation: Operation,
        /// The cap in bytes.
        limit: u64,
    },
    /// The response does not follow the contract.
    #[error("{operation}: the response does not follow the contract: {reason}")]
    InvalidResponse {
        /// The call that failed.
        operation: Operation,
        /// What was wrong.
        reason: String,
    },
    /// A status the contract does not define for this operation (a redirect, for instance).
    #[error("{operation}: unexpected HTTP status {status}")]
    UnexpectedStatus {
        /// The call that failed.
        operation: Operation,
        /// The HTTP status.
        status: u16,
    },
    /// The client configuration cannot work (bad base URL, token not usable in a header).
    #[error("invalid OfficeHeart client configuration: {reason}")]
    InvalidConfig {
        /// What is wrong.
        reason: String,
    },
}

impl OfficeHeartError {
    /// A stable code for status records and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized { .. } => "officeheart_unauthorized",
            Self::Forbidden { .. } => "officeheart_forbidden",
            Self::NotFound { .. } => "officeheart_not_found",
            Self::CursorExpired { .. } => "officeheart_cursor_expired",
            Self::VersionMismatch { .. } => "officeheart_version_mismatch",
            Self::IdempotencyKeyReused { .. } => "officeheart_idempotency_key_reused",
            Self::RateLimited { .. } => "officeheart_rate_limited",
            Self::Rejected { .. } => "officeheart_rejected",
            Self::Server { .. } => "officeheart_server_error",
            Self::Timeout { .. } => "officeheart_timeout",
            Self::Unreachable { .. } => "officeheart_unreachable",
            Self::OutcomeUnknown { .. } => "officeheart_outcome_unknown",
            Self::Transport { .. } => "officeheart_transport",
            Self::ResponseTooLarge { .. } => "officeheart_response_too_large",
            Self::InvalidResponse { .. } => "officeheart_invalid_response",
            Self::UnexpectedStatus { .. } => "officeheart_unexpected_status",
            Self::InvalidConfig { .. } => "officeheart_invalid_config",
        }
    }

    /// Whether trying again later may succeed without anyone changing anything. An unknown
    /// outcome counts: a create retried with the same idempotency key cannot duplicate.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. }
                | Self::Server { .. }
                | Self::Timeout { .. }
                | Self::Unreachable { .. }
                | Self::OutcomeUnknown { .. }
                | Self::Transport { .. }
        )
    }

    /// Whether a write may have been applied although it failed.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Self::OutcomeUnknown { .. })
    }

    /// The wait the server asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } | Self::Server { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// What to show the user about this failure.
    pub fn user_message(&self) -> LocalizedText {
        match self {
            Self::Unauthorized { .. } | Self::Forbidden { .. } => LocalizedText::from_static(
                "OfficeHeart weigert de toegang van de agendakoppeling. Vraag de beheerder het toegangstoken te controleren.",
                "OfficeHeart refuses the calendar sync's access. Ask the administrator to check the access token.",
            ),
            Self::RateLimited { .. }
            | Self::Server { .. }
            | Self::Timeout { .. }
            | Self::Transport { .. } => LocalizedText::from_static(
                "OfficeHeart is tijdelijk niet beschikbaar. De synchronisatie probeert het later automatisch opnieuw.",
                "OfficeHeart is temporarily unavailable. Sync will retry automatically later.",
            ),
            Self::Unreachable { .. } => LocalizedText::from_static(
                "OfficeHeart is niet bereikbaar. De synchronisatie probeert het later automatisch opnieuw.",
                "OfficeHeart cannot be reached. Sync will retry automatically later.",
            ),
            Self::OutcomeUnknown { .. } => LocalizedText::from_static(
                "Een wijziging in de OfficeHeart-agenda is niet bevestigd. De volgende synchronisatie controleert en herstelt dit zonder dubbele afspraken.",
                "A change to the OfficeHeart agenda was not confirmed. The next sync checks and completes it without creating duplicates.",
            ),
            Self::CursorExpired { .. } => LocalizedText::from_static(
                "De OfficeHeart-agenda wordt opnieuw volledig vergeleken; dit gebeurt automatisch.",
                "The OfficeHeart agenda is being compared in full again; this happens automatically.",
            ),
            Self::NotFound { .. } | Self::VersionMismatch { .. } => LocalizedText::from_static(
                "Een afspraak is tijdens de synchronisatie in OfficeHeart gewijzigd. De volgende synchronisatie neemt dit mee.",
                "An appointment changed in OfficeHeart during sync. The next sync takes it into account.",
            ),
            Self::IdempotencyKeyReused { .. }
            | Self::Rejected { .. }
            | Self::ResponseTooLarge { .. }
            | Self::InvalidResponse { .. }
            | Self::UnexpectedStatus { .. } => LocalizedText::from_static(
                "OfficeHeart en de agendakoppeling begrijpen elkaar niet. Neem contact op met de beheerder.",
                "OfficeHeart and the calendar sync do not understand each other. Contact the administrator.",
            ),
            Self::InvalidConfig { .. } => LocalizedText::from_static(
                "De instellingen voor de verbinding met OfficeHeart zijn onjuist. Neem contact op met de beheerder.",
                "The settings for connecting to OfficeHeart are wrong. Contact the administrator.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_prefixed() {
        let op = Operation::GetAppointment;
        let errors = [
            OfficeHeartError::Unauthorized {
                operation: op,
                message: String::new(),
            },
            OfficeHeartError::NotFound {
                operation: op,
                message: String::new(),
            },
            OfficeHeartError::Server {
                operation: op,
                status: 503,
                retry_after: None,
            },
            OfficeHeartError::Timeout { operation: op },
            OfficeHeartError::InvalidConfig {
                reason: String::new(),
            },
        ];
        let codes: std::collections::HashSet<_> =
            errors.iter().map(OfficeHeartError::code).collect();
        assert_eq!(codes.len(), errors.len());
        assert!(codes.iter().all(|code| code.starts_with("officeheart_")));
    }

    #[test]
    fn only_transient_failures_are_retryable() {
        let op = Operation::UpdateAppointment;
        assert!(
            OfficeHeartError::Server {
                operation: op,
                status: 500,
                retry_after: None
            }
            .is_retryable()
        );
        assert!(
            OfficeHeartError::RateLimited {
                operation: op,
                retry_after: None
            }
            .is_retryable()
        );
        assert!(
            !OfficeHeartError::VersionMismatch {
                operation: op,
                message: String::new()
            }
            .is_retryable()
        );
        assert!(
            !OfficeHeartError::Unauthorized {
                operation: op,
                message: String::new()
            }
            .is_retryable()
        );
        assert!(
            !OfficeHeartError::InvalidResponse {
                operation: op,
                reason: String::new()
            }
            .is_retryable()
        );
    }

    #[test]
    fn user_messages_exist_in_both_languages() {
        let message = OfficeHeartError::Timeout {
            operation: Operation::ListChanges,
        }
        .user_message();
        assert!(message.nl.contains("tijdelijk") && message.en.contains("temporarily"));
    }
}
