//! How EWS failures reach the engine: [`MailboxError`] for a call, and which failures belong to
//! the whole call rather than to one item of a batch.

use ohsync_engine::ports::MailboxError;
use ohsync_ews::{EwsError, ResponseCode};

use crate::convert::ConvertError;

/// The code of a [`MailboxError::Rejected`] for an item ohsync could not convert.
pub const UNCONVERTIBLE_ITEM: &str = "OhsyncUnconvertibleItem";

/// The code of a [`MailboxError::Rejected`] for a series with an occurrence moved onto or past
/// a neighbour's day, which Exchange would refuse: refused before anything is written.
pub const OCCURRENCE_CROSSES_NEIGHBOUR: &str = "OhsyncOccurrenceCrossesNeighbour";

/// The engine's view of an EWS failure.
///
/// 401 → `Unauthorized`; 403 (an EWS access policy) → `AccessBlocked`; throttling (ErrorServerBusy
/// and the other throttling codes, HTTP 503) → `Throttled` with the server's back-off;
/// ErrorInvalidSyncStateData → `InvalidSyncState`; the network, timeouts and transient server
/// trouble → `Unavailable`; everything else → `Rejected` with the EWS ResponseCode, or the
/// client's stable code when the server sent none.
pub fn mailbox_error(error: &EwsError) -> MailboxError {
    match error {
        EwsError::NotAttempted { cause } | EwsError::OutcomeUnknown { cause, .. } => {
            mailbox_error(cause)
        }
        EwsError::AuthFailed { .. } | EwsError::AuthSchemeNotOffered { .. } => {
            MailboxError::Unauthorized
        }
        EwsError::BlockedByPolicy => MailboxError::AccessBlocked,
        _ if error.is_throttled() => MailboxError::Throttled {
            back_off: error.retry_after(),
        },
        _ if error.response_code() == Some(ResponseCode::ErrorInvalidSyncStateData) => {
            MailboxError::InvalidSyncState
        }
        EwsError::Timeout { .. }
        | EwsError::Dns { .. }
        | EwsError::ConnectionRefused { .. }
        | EwsError::ConnectionLost { .. }
        | EwsError::Network { .. }
        | EwsError::HttpStatus {
            status: 500 | 502 | 504,
            ..
        } => MailboxError::Unavailable(error.to_string()),
        EwsError::Response(_) | EwsError::SoapFault(_) if error.is_retryable() => {
            MailboxError::Unavailable(error.to_string())
        }
        _ => MailboxError::Rejected {
            code: error
                .response_code()
                .map_or_else(|| error.code().to_owned(), |code| code.as_str().to_owned()),
            message: error.to_string(),
        },
    }
}

/// Whether a failure in a batch result is the whole call's (the request did not get through,
/// or the server throttled it) rather than the server's answer about that one item.
pub fn is_call_failure(error: &EwsError) -> bool {
    !matches!(error, EwsError::Response(_) | EwsError::Malformed { .. }) || error.is_throttled()
}

/// Whether the server answered this item with `code`.
pub fn has_code(error: &EwsError, code: &ResponseCode) -> bool {
    error.response_code().as_ref() == Some(code)
}

/// A conversion failure as the engine sees it: the item is refused, not retried.
pub fn unconvertible(error: &ConvertError) -> MailboxError {
    let code = match error {
        ConvertError::OccurrenceCrossesNeighbour { .. } => OCCURRENCE_CROSSES_NEIGHBOUR,
        _ => UNCONVERTIBLE_ITEM,
    };
    MailboxError::Rejected {
        code: code.to_owned(),
        message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use ohsync_ews::error::{MessageXml, Phase, ResponseClass, ResponseStatus, SoapFault};

    use super::*;

    fn response(code: ResponseCode, values: &[(&str, &str)]) -> EwsError {
        EwsError::Response(Box::new(ResponseStatus {
            class: ResponseClass::Error,
            code,
            message_text: Some("refused".into()),
            message_xml: MessageXml {
                values: values
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            },
        }))
    }

    fn fault(code: ResponseCode, back_off_ms: &str) -> EwsError {
        EwsError::SoapFault(Box::new(SoapFault {
            fault_code: format!("a:{code}"),
            fault_string: "busy".into(),
            response_code: code,
            message: None,
            message_xml: MessageXml {
                values: vec![("BackOffMilliseconds".into(), back_off_ms.into())],
            },
            server_version: None,
        }))
    }

    #[test]
    fn authentication_and_policy_failures_have_their_own_kinds() {
        assert_eq!(
            mailbox_error(&EwsError::AuthFailed { scheme: "NTLM" }),
            MailboxError::Unauthorized
        );
        assert_eq!(
            mailbox_error(&EwsError::BlockedByPolicy),
            MailboxError::AccessBlocked
        );
        assert_eq!(
            mailbox_error(&EwsError::NotAttempted {
                cause: Box::new(EwsError::BlockedByPolicy)
            }),
            MailboxError::AccessBlocked
        );
    }

    #[test]
    fn throttling_carries_the_servers_back_off() {
        assert_eq!(
            mailbox_error(&fault(ResponseCode::ErrorServerBusy, "1500")),
            MailboxError::Throttled {
                back_off: Some(Duration::from_millis(1500))
            }
        );
        assert_eq!(
            mailbox_error(&EwsError::HttpStatus {
                status: 503,
                retry_after: Some(Duration::from_secs(7))
            }),
            MailboxError::Throttled {
                back_off: Some(Duration::from_secs(7))
            }
        );
        let inner = response(
            ResponseCode::ErrorInternalServerError,
            &[("InnerErrorResponseCode", "ErrorServerBusy")],
        );
        assert!(matches!(
            mailbox_error(&inner),
            MailboxError::Throttled { .. }
        ));
    }

    #[test]
    fn the_network_and_transient_server_trouble_are_unavailable() {
        for error in [
            EwsError::Timeout {
                phase: Phase::MaybeDelivered,
                after: Duration::from_secs(60),
            },
            EwsError::ConnectionRefused {
                host: "mail.example".into(),
            },
            EwsError::HttpStatus {
                status: 502,
                retry_after: None,
            },
            response(ResponseCode::ErrorMailboxStoreUnavailable, &[]),
            EwsError::OutcomeUnknown {
                operation: "CreateItem",
                cause: Box::new(EwsError::ConnectionLost {
                    phase: Phase::MaybeDelivered,
                    detail: "reset".into(),
                }),
            },
        ] {
            let mapped = mailbox_error(&error);
            assert!(
                matches!(mapped, MailboxError::Unavailable(_)),
                "{error:?} → {mapped:?}"
            );
            assert!(mapped.is_retryable());
        }
    }

    #[test]
    fn refusals_carry_the_ews_code() {
        assert_eq!(
            mailbox_error(&response(ResponseCode::ErrorInvalidSyncStateData, &[])),
            MailboxError::InvalidSyncState
        );
        let refused = mailbox_error(&response(ResponseCode::ErrorAccessDenied, &[]));
        assert!(
            matches!(&refused, MailboxError::Rejected { code, .. } if code == "ErrorAccessDenied"),
            "{refused:?}"
        );
        let unknown = mailbox_error(&response(
            ResponseCode::Other("ErrorSomethingNew".into()),
            &[],
        ));
        assert!(
            matches!(&unknown, MailboxError::Rejected { code, .. } if code == "ErrorSomethingNew")
        );
        let local = mailbox_error(&EwsError::HttpStatus {
            status: 404,
            retry_after: None,
        });
        assert!(matches!(&local, MailboxError::Rejected { code, .. } if code == "EWS_HTTP_ERROR"));
        assert!(!local.is_retryable());
    }

    #[test]
    fn item_answers_are_not_call_failures() {
        assert!(!is_call_failure(&response(
            ResponseCode::ErrorItemNotFound,
            &[]
        )));
        assert!(is_call_failure(&response(
            ResponseCode::ErrorServerBusy,
            &[]
        )));
        assert!(is_call_failure(&EwsError::BlockedByPolicy));
        assert!(is_call_failure(&fault(
            ResponseCode::ErrorInvalidRequest,
            "0"
        )));
        assert!(has_code(
            &response(ResponseCode::ErrorItemNotFound, &[]),
            &ResponseCode::ErrorItemNotFound
        ));
    }
}
