//! NTLMv2 over HTTP with sspi (Devolutions): it computes the MIC and carries the
//! `tls-server-end-point` channel binding, which Exchange needs when Extended Protection is on
//! (the default from Exchange 2019 CU14). `ntlmclient` has neither.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use sspi::{
    AuthIdentity, BufferType, ClientRequestFlags, CredentialUse, DataRepresentation, Ntlm,
    SecurityBuffer, Sspi, SspiImpl, Username,
};

use super::channel_binding::tls_server_end_point;
use super::{AuthStart, Authenticator, Handshake, sensitive_header};
use crate::error::EwsError;

/// NTLM credentials: the short (NetBIOS) Windows domain, the account and its password.
#[derive(Debug)]
pub struct NtlmAuth {
    domain: String,
    username: String,
    password: SecretString,
}

impl NtlmAuth {
    /// Credentials for `domain\username`; a `DOMAIN\user` user name is split when `domain` is empty.
    pub fn new(
        domain: impl Into<String>,
        username: impl Into<String>,
        password: SecretString,
    ) -> Result<Self, EwsError> {
        let mut domain = domain.into();
        let mut username = username.into();
        if domain.is_empty()
            && let Some((from_name, account)) = username.split_once('\\')
        {
            (domain, username) = (from_name.to_owned(), account.to_owned());
        }
        if username.is_empty() || username.contains('\\') {
            return Err(EwsError::InvalidConfig {
                field: "username",
                reason: "must be an account name, optionally as DOMAIN\\user".into(),
            });
        }
        Ok(Self {
            domain,
            username,
            password,
        })
    }
}

impl Authenticator for NtlmAuth {
    fn scheme(&self) -> &'static str {
        "NTLM"
    }

    fn start(&self) -> Result<AuthStart, EwsError> {
        let config_error = |e: sspi::Error| EwsError::InvalidConfig {
            field: "credentials",
            reason: format!("NTLM could not use these credentials: {e}"),
        };
        let domain = (!self.domain.is_empty()).then_some(self.domain.as_str());
        let identity = AuthIdentity {
            username: Username::new(&self.username, domain).map_err(|e| {
                EwsError::InvalidConfig {
                    field: "username",
                    reason: e.to_string(),
                }
            })?,
            password: self.password.expose_secret().to_owned().into(),
        };
        let mut ntlm = Ntlm::new();
        let acquired = ntlm
            .acquire_credentials_handle()
            .with_credential_use(CredentialUse::Outbound)
            .with_auth_data(&identity)
            .execute(&mut ntlm)
            .map_err(config_error)?;
        Ok(AuthStart::Handshake(Box::new(NtlmHandshake {
            ntlm,
            credentials: acquired.credentials_handle,
        })))
    }
}

/// One NTLM exchange: negotiate (type 1), then authenticate (type 3) against the challenge (type 2).
struct NtlmHandshake {
    ntlm: Ntlm,
    credentials: <Ntlm as SspiImpl>::CredentialsHandle,
}

impl NtlmHandshake {
    /// Runs one client step and returns its token as an `Authorization` value.
    fn step(&mut self, challenge: Option<Vec<u8>>) -> Result<HeaderValue, sspi::Error> {
        let mut output = vec![SecurityBuffer::new(Vec::new(), BufferType::Token)];
        let mut input = challenge.map(|token| vec![SecurityBuffer::new(token, BufferType::Token)]);
        let builder = self
            .ntlm
            .initialize_security_context()
            .with_credentials_handle(&mut self.credentials)
            .with_context_requirements(ClientRequestFlags::ALLOCATE_MEMORY)
            .with_target_data_representation(DataRepresentation::Native)
            .with_output(&mut output);
        let mut builder = match input.as_mut() {
            Some(input) => builder.with_input(input),
            None => builder,
        };
        self.ntlm
            .initialize_security_context_impl(&mut builder)?
            .resolve_to_result()?;
        let token = output
            .into_iter()
            .next()
            .map(|buffer| buffer.buffer)
            .unwrap_or_default();
        sensitive_header(format!("NTLM {}", STANDARD.encode(token))).map_err(|_| {
            sspi::Error::new(
                sspi::ErrorKind::InternalError,
                "token is not a header value",
            )
        })
    }
}

/// The base64 token of an `NTLM <token>` challenge among the `WWW-Authenticate` values.
fn ntlm_challenge(challenges: &[String]) -> Option<&str> {
    challenges.iter().find_map(|value| {
        let (scheme, token) = value.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("NTLM").then(|| token.trim())
    })
}

impl Handshake for NtlmHandshake {
    fn first_token(&mut self) -> Result<HeaderValue, EwsError> {
        self.step(None).map_err(|e| EwsError::InvalidConfig {
            field: "credentials",
            reason: format!("NTLM negotiate failed: {e}"),
        })
    }

    fn answer(
        &mut self,
        challenges: &[String],
        server_certificate: Option<&[u8]>,
    ) -> Result<HeaderValue, EwsError> {
        let token = ntlm_challenge(challenges).ok_or_else(|| {
            EwsError::malformed("the 401 answer to NTLM negotiate carries no NTLM challenge")
        })?;
        let challenge = STANDARD
            .decode(token)
            .map_err(|e| EwsError::malformed(format!("NTLM challenge is not base64: {e}")))?;
        if let Some(certificate) = server_certificate {
            self.ntlm
                .set_channel_bindings(&tls_server_end_point(certificate));
        }
        self.step(Some(challenge))
            .map_err(|e| EwsError::malformed(format!("NTLM challenge rejected: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn down_level_user_names_are_split() {
        let auth = NtlmAuth::new("", "OFFICEHEART\\jan", SecretString::from("pw")).unwrap();
        assert_eq!(
            (auth.domain.as_str(), auth.username.as_str()),
            ("OFFICEHEART", "jan")
        );
        assert!(NtlmAuth::new("X", "A\\b", SecretString::from("pw")).is_err());
        assert!(NtlmAuth::new("X", "", SecretString::from("pw")).is_err());
    }

    #[test]
    fn negotiate_token_is_an_ntlm_type_1_message() {
        let auth = NtlmAuth::new("CORP", "jan", SecretString::from("secret-pw")).unwrap();
        let AuthStart::Handshake(mut handshake) = auth.start().unwrap() else {
            panic!("NTLM is a handshake")
        };
        let header = handshake.first_token().unwrap();
        assert!(header.is_sensitive());
        let token = header.to_str().unwrap().strip_prefix("NTLM ").unwrap();
        let message = STANDARD.decode(token).unwrap();
        assert_eq!(&message[..8], b"NTLMSSP\0");
        assert_eq!(message[8], 1, "type 1 (negotiate)");
        assert!(!format!("{auth:?}").contains("secret-pw"));
    }

    #[test]
    fn challenge_is_found_among_several_schemes() {
        let values = vec!["Negotiate".to_owned(), "ntlm TlRMTVNTUAACAAAA".to_owned()];
        assert_eq!(ntlm_challenge(&values), Some("TlRMTVNTUAACAAAA"));
        assert_eq!(ntlm_challenge(&["NTLM".to_owned()]), None);
    }
}
