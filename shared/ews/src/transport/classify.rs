//! Turns a failure of connecting, TLS or HTTP into a classified [`EwsError`].

use std::error::Error as StdError;
use std::io;
use std::time::Duration;

use ohsync_net_guard::GuardError;

use super::tls::tls_problem;
use crate::error::{EwsError, Phase};

/// Every error in the chain, looking inside `io::Error` wrappers (whose `source` skips the wrapped error).
fn chain<'e>(error: &'e (dyn StdError + 'static)) -> Vec<&'e (dyn StdError + 'static)> {
    let mut found = Vec::new();
    let mut next = Some(error);
    while let Some(current) = next {
        found.push(current);
        next = match current
            .downcast_ref::<io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => current.source(),
        };
    }
    found
}

/// Classifies the transport failures of one endpoint.
#[derive(Debug, Clone)]
pub(super) struct Classifier {
    host: String,
    connect_timeout: Duration,
}

impl Classifier {
    /// A classifier for failures reaching `host`, whose connections may take `connect_timeout`.
    pub(super) fn new(host: String, connect_timeout: Duration) -> Self {
        Self {
            host,
            connect_timeout,
        }
    }

    /// Classifies `error`, which happened when the request stood at `phase`.
    pub(super) fn classify(&self, error: &(dyn StdError + 'static), phase: Phase) -> EwsError {
        let host = self.host.clone();
        let parts = chain(error);
        if let Some(tls) = parts.iter().find_map(|e| e.downcast_ref::<rustls::Error>()) {
            return EwsError::Tls {
                problem: tls_problem(tls),
                host,
                detail: tls.to_string(),
            };
        }
        if let Some(guard) = parts.iter().find_map(|e| e.downcast_ref::<GuardError>()) {
            let detail = guard.to_string();
            return match guard {
                GuardError::Resolve { .. } | GuardError::NoAddress { .. } => {
                    EwsError::Dns { host, detail }
                }
                GuardError::Refused(_) | GuardError::NoHost { .. } | GuardError::UnknownPeer => {
                    EwsError::AddressRefused { host, detail }
                }
            };
        }
        let detail = parts
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ");
        let io_kind = parts
            .iter()
            .find_map(|e| e.downcast_ref::<io::Error>())
            .map(io::Error::kind);
        let hyper_lost = parts
            .iter()
            .find_map(|e| e.downcast_ref::<hyper::Error>())
            .is_some_and(|e| e.is_incomplete_message() || e.is_closed() || e.is_canceled());
        match io_kind {
            Some(io::ErrorKind::ConnectionRefused) => EwsError::ConnectionRefused { host },
            Some(
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof,
            ) => EwsError::ConnectionLost { phase, detail },
            Some(io::ErrorKind::TimedOut) => EwsError::Timeout {
                phase,
                after: self.connect_timeout,
            },
            _ if hyper_lost => EwsError::ConnectionLost { phase, detail },
            _ => EwsError::Network { phase, detail },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier() -> Classifier {
        Classifier::new("mail.example".into(), Duration::from_secs(3))
    }

    #[test]
    fn a_tls_error_inside_an_io_error_is_found() {
        let error = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::Expired),
        );
        let classified = classifier().classify(&error, Phase::NotSent);
        assert_eq!(classified.code(), "EWS_TLS_EXPIRED", "{classified:?}");
    }

    #[test]
    fn a_reset_keeps_the_phase_it_happened_in() {
        let error = io::Error::from(io::ErrorKind::ConnectionReset);
        let classified = classifier().classify(&error, Phase::MaybeDelivered);
        assert!(classified.may_have_reached_server(), "{classified:?}");
        let classified = classifier().classify(&error, Phase::NotSent);
        assert!(!classified.may_have_reached_server(), "{classified:?}");
    }

    #[test]
    fn guard_errors_are_dns_failures_or_refusals() {
        let unresolved = GuardError::NoAddress {
            host: "mail.example".into(),
        };
        assert_eq!(
            classifier().classify(&unresolved, Phase::NotSent).code(),
            "EWS_DNS_FAILED"
        );
        assert_eq!(
            classifier()
                .classify(&GuardError::UnknownPeer, Phase::NotSent)
                .code(),
            "EWS_ADDRESS_REFUSED"
        );
    }

    #[test]
    fn a_system_timeout_while_connecting_names_the_connect_limit() {
        let error = io::Error::from(io::ErrorKind::TimedOut);
        let classified = classifier().classify(&error, Phase::NotSent);
        assert!(
            matches!(classified, EwsError::Timeout { after, .. } if after == Duration::from_secs(3)),
            "{classified:?}"
        );
    }
}
