//! HTTP authentication as IIS does it for EWS: Basic per request, NTLM (raw, or as `Negotiate` with a
//! raw NTLMSSP token) per TCP connection: once the handshake succeeds, the connection stays
//! authenticated and later requests on it need no header.

pub mod ntlm;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use self::ntlm::{NtlmError, PendingChallenge, ServerNames};
use crate::config::SimUser;

/// What the server needs to know to authenticate.
#[derive(Debug, Clone)]
pub struct AuthPolicy<'a> {
    /// The accounts.
    pub users: &'a [SimUser],
    /// Accept Basic.
    pub basic: bool,
    /// Names for NTLM challenges.
    pub names: &'a ServerNames,
    /// Channel binding hash required in NTLM (Extended Protection), if on.
    pub channel_binding: Option<[u8; 16]>,
}

/// The result of looking at one request's `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthDecision {
    /// Authenticated as user `index`; `persistent` when the connection now carries the logon (NTLM).
    Authenticated {
        /// Index into the users.
        index: usize,
        /// The logon belongs to the connection.
        persistent: bool,
    },
    /// Continue the handshake: 401 with these `WWW-Authenticate` values.
    Challenge(Vec<String>),
    /// Not authenticated: 401 with the standard offer; `reason` is for the log.
    Refused(&'static str),
}

/// Authentication state of one TCP connection.
#[derive(Debug, Default)]
pub struct ConnectionAuth {
    user: Option<usize>,
    pending: Option<PendingChallenge>,
}

/// The `WWW-Authenticate` values of an anonymous 401 (see ews-samples/http).
pub fn offer(basic: bool, realm: &str) -> Vec<String> {
    let mut schemes = vec!["Negotiate".to_owned(), "NTLM".to_owned()];
    if basic {
        schemes.push(format!("Basic realm=\"{realm}\""));
    }
    schemes
}

fn basic(policy: &AuthPolicy<'_>, token: &str) -> AuthDecision {
    if !policy.basic {
        return AuthDecision::Refused("Basic is disabled");
    }
    let Some(decoded) = STANDARD
        .decode(token.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
    else {
        return AuthDecision::Refused("malformed Basic credentials");
    };
    let Some((name, password)) = decoded.split_once(':') else {
        return AuthDecision::Refused("malformed Basic credentials");
    };
    match policy.users.iter().position(|user| user.answers_to(name)) {
        Some(index)
            if policy
                .users
                .get(index)
                .is_some_and(|user| user.password == password) =>
        {
            AuthDecision::Authenticated {
                index,
                persistent: false,
            }
        }
        Some(_) => AuthDecision::Refused("wrong password"),
        None => AuthDecision::Refused("unknown user"),
    }
}

/// Finds the configured user an NTLM identity designates: `DOMAIN` + account, or a UPN with no domain.
fn ntlm_user(policy: &AuthPolicy<'_>, identity: &ntlm::ClaimedIdentity) -> Option<usize> {
    policy.users.iter().position(|user| {
        if identity.domain.is_empty() {
            identity.user.contains('@') && user.answers_to(&identity.user)
        } else {
            user.domain.eq_ignore_ascii_case(&identity.domain)
                && user.account.eq_ignore_ascii_case(&identity.user)
        }
    })
}

impl ConnectionAuth {
    /// Decides on one request given its `Authorization` header.
    pub fn decide(&mut self, header: Option<&str>, policy: &AuthPolicy<'_>) -> AuthDecision {
        let Some(header) = header.map(str::trim) else {
            return match self.user {
                Some(index) => AuthDecision::Authenticated {
                    index,
                    persistent: true,
                },
                None => AuthDecision::Refused("anonymous"),
            };
        };
        let (scheme, token) = header.split_once(' ').unwrap_or((header, ""));
        if scheme.eq_ignore_ascii_case("Basic") {
            return basic(policy, token);
        }
        if !(scheme.eq_ignore_ascii_case("NTLM") || scheme.eq_ignore_ascii_case("Negotiate")) {
            return AuthDecision::Refused("unsupported scheme");
        }
        let Ok(message) = STANDARD.decode(token.trim()) else {
            return AuthDecision::Refused("malformed token");
        };
        if ntlm::is_message(&message, 1) {
            self.user = None;
            return match ntlm::challenge(&message, policy.names) {
                Ok(pending) => {
                    let value = format!("{scheme} {}", STANDARD.encode(pending.message()));
                    self.pending = Some(pending);
                    let mut values = vec![value];
                    if scheme.eq_ignore_ascii_case("NTLM") {
                        values.push("Negotiate".to_owned());
                    }
                    AuthDecision::Challenge(values)
                }
                Err(_) => AuthDecision::Refused("malformed NTLM negotiate"),
            };
        }
        if !ntlm::is_message(&message, 3) {
            return AuthDecision::Refused("not an NTLM token (SPNEGO/Kerberos unsupported)");
        }
        let Some(pending) = self.pending.take() else {
            return AuthDecision::Refused("NTLM authenticate without challenge");
        };
        let outcome = ntlm::claimed_identity(&message).and_then(|identity| {
            let index = ntlm_user(policy, &identity).ok_or(NtlmError::UnknownUser)?;
            let password = policy
                .users
                .get(index)
                .map(|user| user.password.as_str())
                .unwrap_or_default();
            ntlm::verify(
                &pending,
                &message,
                &identity,
                password,
                policy.channel_binding,
            )
            .map(|()| index)
        });
        match outcome {
            Ok(index) => {
                self.user = Some(index);
                AuthDecision::Authenticated {
                    index,
                    persistent: true,
                }
            }
            Err(NtlmError::Malformed) => AuthDecision::Refused("malformed NTLM authenticate"),
            Err(NtlmError::NotNtlmV2) => AuthDecision::Refused("not NTLMv2"),
            Err(NtlmError::UnknownUser) => AuthDecision::Refused("unknown user or domain"),
            Err(NtlmError::BadResponse) => AuthDecision::Refused("wrong password"),
            Err(NtlmError::BadMic) => AuthDecision::Refused("MIC mismatch"),
            Err(NtlmError::BadChannelBinding) => {
                AuthDecision::Refused("channel binding missing or wrong")
            }
        }
    }
}
