//! How requests authenticate: per-request headers (Basic, OAuth bearer) or a per-connection
//! handshake (NTLM).
//!
//! The transport drives either kind through [`Authenticator`]; no authenticator ever puts a
//! secret into an error or a log line.

mod basic;
mod bearer;
mod channel_binding;
mod ntlm;

use std::fmt;

use http::HeaderValue;

pub use basic::BasicAuth;
pub use bearer::BearerAuth;
pub use ntlm::NtlmAuth;

use crate::error::EwsError;

/// How one request is to be authenticated.
pub enum AuthStart {
    /// Send this `Authorization` value with the request (Basic, Bearer).
    Header(HeaderValue),
    /// Authenticate the connection first with a challenge/response handshake (NTLM).
    Handshake(Box<dyn Handshake>),
}

impl fmt::Debug for AuthStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Header(_) => f.write_str("AuthStart::Header(<redacted>)"),
            Self::Handshake(_) => f.write_str("AuthStart::Handshake"),
        }
    }
}

/// A connection-bound challenge/response exchange.
pub trait Handshake: Send {
    /// The first `Authorization` value, sent with an empty body.
    fn first_token(&mut self) -> Result<HeaderValue, EwsError>;

    /// The answer to the server's challenge (`WWW-Authenticate` values of the 401), bound to the
    /// server's TLS certificate when there is one.
    fn answer(
        &mut self,
        challenges: &[String],
        server_certificate: Option<&[u8]>,
    ) -> Result<HeaderValue, EwsError>;
}

/// A way of authenticating to EWS.
pub trait Authenticator: Send + Sync + fmt::Debug {
    /// The scheme name as `WWW-Authenticate` spells it (`NTLM`, `Basic`, `Bearer`).
    fn scheme(&self) -> &'static str;

    /// Starts authenticating one request (or one connection, for handshakes).
    fn start(&self) -> Result<AuthStart, EwsError>;
}

/// A header value that is never printed by the HTTP stack.
fn sensitive_header(value: String) -> Result<HeaderValue, EwsError> {
    let mut header = HeaderValue::try_from(value).map_err(|_| EwsError::InvalidConfig {
        field: "credentials",
        reason: "the credentials contain characters that cannot be sent in an HTTP header".into(),
    })?;
    header.set_sensitive(true);
    Ok(header)
}
