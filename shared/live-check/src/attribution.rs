//! Which step an EWS client failure belongs to, and what it means for the user. The client's
//! error says how far a request got (its kind and phase), so no second TLS or HTTP stack is
//! needed to tell a certificate problem from a refused sign-in.

use std::time::Duration;

use ohsync_ews::error::{Phase, TlsProblem};
use ohsync_ews::{EwsError, ResponseCode};
use ohsync_settings::live::CheckStep;

use crate::finding::whole_seconds;
use crate::{AuthScheme, Finding};

/// What the messages name, and how the failed request was made.
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    /// The host of the URL.
    pub(crate) host: String,
    /// The port connected to.
    pub(crate) port: u16,
    /// The URL with the standard EWS path.
    pub(crate) suggestion: String,
    /// `DOMAIN\user`.
    pub(crate) login: String,
    /// The configured other mailbox.
    pub(crate) mailbox: Option<String>,
    /// How the request signed in.
    pub(crate) scheme: AuthScheme,
    /// The connect time limit the client was given.
    pub(crate) connect_timeout: Duration,
}

impl Attempt {
    fn host(&self) -> String {
        self.host.clone()
    }

    /// Places `error` on the step it shows failed (the steps before it passed), with what it means.
    pub(crate) fn attribute(&self, error: &EwsError) -> (CheckStep, Finding) {
        use CheckStep as S;
        match error {
            EwsError::NotAttempted { cause } => self.attribute(cause),
            EwsError::Dns { .. } => (
                S::Connection,
                Finding::DnsUnresolvable { host: self.host() },
            ),
            EwsError::AddressRefused { .. }
            | EwsError::Network { .. }
            | EwsError::ConnectionLost { .. } => (
                S::Connection,
                Finding::ConnectionFailed { host: self.host() },
            ),
            EwsError::Tls { problem, .. } => (S::Connection, self.tls(*problem)),
            EwsError::ConnectionRefused { .. } => (
                S::Connection,
                Finding::ConnectionRefused {
                    host: self.host(),
                    port: self.port,
                },
            ),
            EwsError::Timeout { phase, after } => self.timeout(*phase, *after),
            EwsError::InvalidConfig { field, .. } => {
                let step = match *field {
                    "credentials" | "username" | "domain" => S::Authentication,
                    _ => S::Connection,
                };
                (step, Finding::SettingsUnusable { field })
            }
            EwsError::HttpStatus { status: 404, .. } => (
                S::Endpoint,
                Finding::EndpointNotFound {
                    suggestion: self.suggestion.clone(),
                },
            ),
            EwsError::HttpStatus { status, .. } => {
                (S::Endpoint, Finding::EndpointError { status: *status })
            }
            EwsError::Redirected { location_host, .. } => (
                S::Endpoint,
                Finding::EndpointNotEws {
                    redirect_to: location_host.clone(),
                    suggestion: self.suggestion.clone(),
                },
            ),
            EwsError::Malformed { .. } | EwsError::ResponseTooLarge { .. } => (
                S::Endpoint,
                Finding::EndpointNotEws {
                    redirect_to: None,
                    suggestion: self.suggestion.clone(),
                },
            ),
            EwsError::AuthFailed { .. } => (
                S::Authentication,
                Finding::AuthenticationFailed {
                    scheme: self.scheme,
                    login: self.login.clone(),
                },
            ),
            EwsError::AuthSchemeNotOffered { offered, .. } => (
                S::Authentication,
                Finding::AuthenticationMethodUnsupported {
                    offered: offered.clone(),
                },
            ),
            EwsError::BlockedByPolicy => (
                S::EwsAccess,
                Finding::EwsBlocked {
                    login: self.login.clone(),
                },
            ),
            EwsError::Response(_) | EwsError::SoapFault(_) => self.refusal(error),
            EwsError::InvalidInput { .. } | EwsError::OutcomeUnknown { .. } => {
                (S::Calendar, unreadable(error))
            }
        }
    }

    fn tls(&self, problem: TlsProblem) -> Finding {
        let host = self.host();
        match problem {
            TlsProblem::Untrusted => Finding::TlsCertificateUntrusted { host },
            TlsProblem::WrongHost => Finding::TlsCertificateNameMismatch { host },
            TlsProblem::Expired => Finding::TlsCertificateExpired { host },
            TlsProblem::Revoked => Finding::TlsCertificateRevoked { host },
            TlsProblem::Handshake => Finding::TlsHandshakeFailed { host },
        }
    }

    /// A timeout while connecting is the connection's; otherwise the step running is the first
    /// one the request had not yet proven: NTLM's challenge proves the endpoint, so a request
    /// that was sent and not answered is still signing in; with Basic the first answer proves
    /// everything at once.
    fn timeout(&self, phase: Phase, after: Duration) -> (CheckStep, Finding) {
        let seconds = whole_seconds(after);
        let step = match (phase, self.scheme) {
            (Phase::NotSent, _) if after == self.connect_timeout => {
                return (
                    CheckStep::Connection,
                    Finding::ConnectionTimedOut {
                        host: self.host(),
                        port: self.port,
                        seconds,
                    },
                );
            }
            (Phase::NotSent, _) | (Phase::MaybeDelivered, AuthScheme::Basic) => CheckStep::Endpoint,
            (Phase::MaybeDelivered, AuthScheme::Ntlm) => CheckStep::Authentication,
        };
        (step, Finding::CheckTimedOut { seconds })
    }

    /// A ResponseCode: EWS answered, so only the mailbox and calendar are left to blame. A
    /// refused version is recognised by the caller, which retries to tell it apart.
    fn refusal(&self, error: &EwsError) -> (CheckStep, Finding) {
        use ResponseCode as C;
        let code = error.response_code();
        match (code, &self.mailbox) {
            (Some(C::ErrorNonExistentMailbox), Some(mailbox)) => (
                CheckStep::Calendar,
                Finding::MailboxNotFound {
                    mailbox: mailbox.clone(),
                },
            ),
            (
                Some(
                    C::ErrorImpersonateUserDenied
                    | C::ErrorImpersonationDenied
                    | C::ErrorInvalidExchangeImpersonationHeaderData
                    | C::ErrorAccessDenied,
                ),
                Some(mailbox),
            ) => (
                CheckStep::Calendar,
                Finding::MailboxAccessDenied {
                    login: self.login.clone(),
                    mailbox: mailbox.clone(),
                },
            ),
            (Some(C::ErrorAccessDenied), None) => (
                CheckStep::EwsAccess,
                Finding::EwsBlocked {
                    login: self.login.clone(),
                },
            ),
            _ => (CheckStep::Calendar, unreadable(error)),
        }
    }
}

fn unreadable(error: &EwsError) -> Finding {
    Finding::CalendarUnreadable {
        cause: error.user_message(),
    }
}

/// Whether `error` may mean that the server refused the stated `RequestServerVersion`: 2007 and
/// 2010 answer ErrorInvalidServerVersion, 2013 and later the unspecific ErrorInvalidRequest
/// (EWS-NOTES §1), so the caller confirms it with an older version.
pub(crate) fn may_be_version_refusal(error: &EwsError) -> bool {
    use ResponseCode as C;
    matches!(
        error.response_code(),
        Some(
            C::ErrorInvalidServerVersion
                | C::ErrorIncorrectSchemaVersion
                | C::ErrorInvalidSchemaVersionForMailboxVersion
                | C::ErrorInvalidRequest
        )
    )
}

#[cfg(test)]
mod tests {
    use ohsync_ews::error::{MessageXml, ResponseClass, ResponseStatus};

    use super::*;

    fn attempt(scheme: AuthScheme, mailbox: Option<&str>) -> Attempt {
        Attempt {
            host: "mail.example.nl".into(),
            port: 443,
            suggestion: "https://mail.example.nl/EWS/Exchange.asmx".into(),
            login: r"OH\jan".into(),
            mailbox: mailbox.map(str::to_owned),
            scheme,
            connect_timeout: Duration::from_secs(10),
        }
    }

    fn response(code: ResponseCode) -> EwsError {
        EwsError::Response(Box::new(ResponseStatus {
            class: ResponseClass::Error,
            code,
            message_text: None,
            message_xml: MessageXml::default(),
        }))
    }

    #[test]
    fn timeouts_are_placed_by_how_far_the_request_got() {
        let ntlm = attempt(AuthScheme::Ntlm, None);
        let (step, finding) = ntlm.attribute(&EwsError::Timeout {
            phase: Phase::NotSent,
            after: Duration::from_secs(10),
        });
        assert_eq!(step, CheckStep::Connection);
        assert_eq!(finding.code().as_str(), "connection_timed_out");

        let challenge = ntlm.attribute(&EwsError::Timeout {
            phase: Phase::NotSent,
            after: Duration::from_millis(4500),
        });
        assert_eq!(
            challenge,
            (CheckStep::Endpoint, Finding::CheckTimedOut { seconds: 5 })
        );

        let sent = EwsError::Timeout {
            phase: Phase::MaybeDelivered,
            after: Duration::from_secs(3),
        };
        assert_eq!(ntlm.attribute(&sent).0, CheckStep::Authentication);
        assert_eq!(
            attempt(AuthScheme::Basic, None).attribute(&sent).0,
            CheckStep::Endpoint
        );
    }

    #[test]
    fn access_denied_is_a_blocked_account_for_the_own_mailbox_and_a_delegation_problem_for_another()
    {
        let denied = response(ResponseCode::ErrorAccessDenied);
        let (step, own) = attempt(AuthScheme::Ntlm, None).attribute(&denied);
        assert_eq!(step, CheckStep::EwsAccess);
        assert_eq!(own.code().as_str(), "ews_blocked");
        let (step, other) = attempt(AuthScheme::Ntlm, Some("boss@example.nl")).attribute(&denied);
        assert_eq!(step, CheckStep::Calendar);
        assert_eq!(other.code().as_str(), "mailbox_access_denied");
    }

    #[test]
    fn other_response_codes_make_the_calendar_unreadable_with_the_clients_explanation() {
        let busy = response(ResponseCode::ErrorMailboxStoreUnavailable);
        let (step, finding) = attempt(AuthScheme::Ntlm, None).attribute(&busy);
        assert_eq!(step, CheckStep::Calendar);
        let Finding::CalendarUnreadable { cause } = finding else {
            panic!("{finding:?}")
        };
        assert_eq!(cause.en, busy.user_message().en);
    }

    #[test]
    fn http_answers_that_are_not_ews_fail_the_endpoint_and_unusable_settings_their_step() {
        let ntlm = attempt(AuthScheme::Ntlm, None);
        let codes = |error: EwsError| {
            let (step, finding) = ntlm.attribute(&error);
            (step, finding.code().as_str())
        };
        assert_eq!(
            codes(EwsError::HttpStatus {
                status: 503,
                retry_after: None
            }),
            (CheckStep::Endpoint, "endpoint_error")
        );
        assert_eq!(
            codes(EwsError::Redirected {
                status: 302,
                location_host: Some("sso.example.nl".into())
            }),
            (CheckStep::Endpoint, "endpoint_not_ews")
        );
        assert_eq!(
            codes(EwsError::InvalidConfig {
                field: "credentials",
                reason: "not a header value".into()
            }),
            (CheckStep::Authentication, "settings_unusable")
        );
        assert_eq!(
            codes(EwsError::InvalidConfig {
                field: "url",
                reason: "must use https".into()
            }),
            (CheckStep::Connection, "settings_unusable")
        );
        assert_eq!(
            codes(EwsError::NotAttempted {
                cause: Box::new(EwsError::BlockedByPolicy)
            }),
            (CheckStep::EwsAccess, "ews_blocked")
        );
    }

    #[test]
    fn version_refusals_are_recognised_by_their_codes() {
        assert!(may_be_version_refusal(&response(
            ResponseCode::ErrorInvalidServerVersion
        )));
        assert!(may_be_version_refusal(&response(
            ResponseCode::ErrorInvalidRequest
        )));
        assert!(!may_be_version_refusal(&response(
            ResponseCode::ErrorAccessDenied
        )));
    }
}
