//! Turns a reqwest failure into a classified [`EwsError`].

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

/// Where the request stood, for a failure of a request that does or does not carry the SOAP body.
fn phase_of(error: &reqwest::Error, carries_body: bool) -> Phase {
    if error.is_connect() || !carries_body {
        Phase::NotSent
    } else {
        Phase::MaybeDelivered
    }
}

/// What the parts of a failure say, before DNS is consulted.
pub(crate) enum Classified {
    /// A final classification.
    Error(EwsError),
    /// Connecting failed for an unnamed reason: the host name may not resolve.
    ConnectFailed(String),
}

/// Classifies `error` for a request to `host`.
pub(crate) fn classify(
    error: &reqwest::Error,
    host: &str,
    carries_body: bool,
    timeouts: (Duration, Duration),
) -> Classified {
    let phase = phase_of(error, carries_body);
    let parts = chain(error);
    let detail = parts
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ");
    if let Some(tls) = parts.iter().find_map(|e| e.downcast_ref::<rustls::Error>()) {
        return Classified::Error(EwsError::Tls {
            problem: tls_problem(tls),
            host: host.to_owned(),
            detail: tls.to_string(),
        });
    }
    if let Some(guard) = parts.iter().find_map(|e| e.downcast_ref::<GuardError>()) {
        return Classified::Error(match guard {
            GuardError::Resolve { .. } | GuardError::NoAddress { .. } => EwsError::Dns {
                host: host.to_owned(),
                detail: guard.to_string(),
            },
            GuardError::Refused(_) | GuardError::NoHost { .. } | GuardError::UnknownPeer => {
                EwsError::AddressRefused {
                    host: host.to_owned(),
                    detail: guard.to_string(),
                }
            }
        });
    }
    if error.is_timeout() {
        let (connect, total) = timeouts;
        return Classified::Error(EwsError::Timeout {
            phase,
            after: if error.is_connect() { connect } else { total },
        });
    }
    let io_kind = parts
        .iter()
        .find_map(|e| e.downcast_ref::<io::Error>())
        .map(io::Error::kind);
    match io_kind {
        Some(io::ErrorKind::ConnectionRefused) => Classified::Error(EwsError::ConnectionRefused {
            host: host.to_owned(),
        }),
        Some(
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof,
        ) => Classified::Error(EwsError::ConnectionLost { phase, detail }),
        Some(io::ErrorKind::TimedOut) => Classified::Error(EwsError::Timeout {
            phase,
            after: timeouts.0,
        }),
        _ if error.is_connect() => Classified::ConnectFailed(detail),
        _ => Classified::Error(EwsError::Network { phase, detail }),
    }
}
