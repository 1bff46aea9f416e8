//! Why a destination could not be used.

use crate::Refusal;

/// A destination the guard would not connect to, or could not check.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    /// The policy refuses the address.
    #[error("refused: {0}")]
    Refused(#[from] Refusal),
    /// The system resolver failed.
    #[error("could not resolve {host}: {source}")]
    Resolve {
        /// The name looked up.
        host: String,
        /// The resolver's error.
        #[source]
        source: std::io::Error,
    },
    /// The name resolved to no address at all.
    #[error("{host} resolved to no address")]
    NoAddress {
        /// The name looked up.
        host: String,
    },
    /// The URL has no host to check (`mailto:`, `data:`, …).
    #[error("the URL {url} has no host")]
    NoHost {
        /// The URL.
        url: String,
    },
    /// An established connection did not report its peer, so it could not be checked.
    #[error("the connection did not report its peer address, so it could not be checked")]
    UnknownPeer,
}
