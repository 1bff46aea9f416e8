//! HTTP Basic authentication (only over TLS in practice; EXO turned it off in 2022).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};

use super::{AuthStart, Authenticator, sensitive_header};
use crate::error::EwsError;

/// Basic authentication with a user name (`DOMAIN\user` or a UPN) and password.
#[derive(Debug)]
pub struct BasicAuth {
    username: String,
    password: SecretString,
}

impl BasicAuth {
    /// Credentials for Basic; the user name may not contain `:`.
    pub fn new(username: impl Into<String>, password: SecretString) -> Result<Self, EwsError> {
        let username = username.into();
        if username.is_empty() || username.contains(':') {
            return Err(EwsError::InvalidConfig {
                field: "username",
                reason: "must be non-empty and contain no ':'".into(),
            });
        }
        Ok(Self { username, password })
    }
}

impl Authenticator for BasicAuth {
    fn scheme(&self) -> &'static str {
        "Basic"
    }

    fn start(&self) -> Result<AuthStart, EwsError> {
        let pair = format!("{}:{}", self.username, self.password.expose_secret());
        sensitive_header(format!("Basic {}", STANDARD.encode(pair))).map(AuthStart::Header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_encodes_user_and_password_and_is_sensitive() {
        let auth = BasicAuth::new("CORP\\jan", SecretString::from("p@ss")).unwrap();
        let AuthStart::Header(header) = auth.start().unwrap() else {
            panic!("Basic is a per-request header")
        };
        assert!(header.is_sensitive());
        assert_eq!(
            header.to_str().unwrap(),
            format!("Basic {}", STANDARD.encode("CORP\\jan:p@ss"))
        );
        assert!(!format!("{auth:?}").contains("p@ss"));
    }

    #[test]
    fn colon_in_user_name_is_rejected() {
        assert!(BasicAuth::new("a:b", SecretString::from("x")).is_err());
    }
}
