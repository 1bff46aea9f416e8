//! OAuth bearer tokens (the Exchange Online way; on-premises hybrid modern auth too).

use secrecy::{ExposeSecret, SecretString};

use super::{AuthStart, Authenticator, sensitive_header};
use crate::error::EwsError;

/// A bearer token obtained elsewhere (for example the client-credentials flow).
#[derive(Debug)]
pub struct BearerAuth {
    token: SecretString,
}

impl BearerAuth {
    /// Authenticates every request with `token`.
    pub fn new(token: SecretString) -> Self {
        Self { token }
    }
}

impl Authenticator for BearerAuth {
    fn scheme(&self) -> &'static str {
        "Bearer"
    }

    fn start(&self) -> Result<AuthStart, EwsError> {
        sensitive_header(format!("Bearer {}", self.token.expose_secret())).map(AuthStart::Header)
    }
}
