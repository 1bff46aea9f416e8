//! Errors of the simulator's own API (starting it, seeding mailboxes).

/// A failure of the simulator API (not an EWS error: those go to the client).
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listener could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The requested address.
        address: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// TLS setup failed.
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    /// Two users share an SMTP address or logon name.
    #[error("duplicate user {0}")]
    DuplicateUser(String),
    /// No mailbox or item with that id.
    #[error("no item {0} in this mailbox")]
    NoSuchItem(String),
    /// The edit was refused the way EWS would refuse it.
    #[error("edit refused: {0}")]
    Refused(String),
}
