//! Where the Exchange password lives (DESIGN §1, §3 step 2): written by the settings API, read by
//! each run by exact version. Values travel as `SecretString`, whose `Debug` is redacted, and no
//! type here carries a value or anything derived from one, so nothing here can leak a password
//! into a log or an error.

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use secrecy::SecretString;

use crate::identity::{IdError, TenantId, UserId};

/// The project prefix: IAM policies grant access to `ohsync/*` and nothing else.
const PREFIX: &str = "ohsync";

/// The last segment. A fixed word keeps a user id such as `jan-bakker` from ending the name in a
/// hyphen and six characters, which Secrets Manager would read as the random suffix of an ARN.
const PURPOSE: &str = "exchange";

/// The longest version id Secrets Manager issues or accepts as a client request token.
const VERSION_ID_MAX: usize = 64;

/// Why a secret name or version id was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretRefError {
    /// Not of the form `ohsync/<tenant>/<user>/exchange`.
    #[error("a secret name must read {PREFIX}/<tenant>/<user>/{PURPOSE}")]
    MalformedName,
    /// The tenant or user part is not a valid id.
    #[error("the secret name's {0}")]
    Id(#[from] IdError),
    /// Empty, longer than 64 characters, or with characters other than letters, digits, `-`, `_`.
    #[error("a secret version id must be 1 to {VERSION_ID_MAX} letters, digits, '-' or '_'")]
    MalformedVersionId,
}

/// The name of one user's Exchange password secret: `ohsync/<tenant>/<user>/exchange`.
///
/// Tenant and user ids allow only letters, digits and `-_.@`, all of which Secrets Manager
/// accepts in names, and the longest name (209 characters) is well under its 512.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretName {
    text: String,
}

impl SecretName {
    /// The password secret of `user` in `tenant`.
    pub fn exchange_password(tenant: &TenantId, user: &UserId) -> Self {
        Self {
            text: format!("{PREFIX}/{tenant}/{user}/{PURPOSE}"),
        }
    }

    /// Parses a name as stored in a settings record.
    pub fn parse(raw: &str) -> Result<Self, SecretRefError> {
        let mut parts = raw.split('/');
        let (Some(PREFIX), Some(tenant), Some(user), Some(PURPOSE), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(SecretRefError::MalformedName);
        };
        Ok(Self::exchange_password(
            &TenantId::parse(tenant)?,
            &UserId::parse(user)?,
        ))
    }

    /// The name as Secrets Manager knows it.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl FromStr for SecretName {
    type Err = SecretRefError;
    fn from_str(raw: &str) -> Result<Self, SecretRefError> {
        Self::parse(raw)
    }
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// One immutable version of a secret; a new value always gets a new id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretVersionId(String);

impl SecretVersionId {
    /// Parses a version id as an adapter issued it.
    pub fn parse(raw: &str) -> Result<Self, SecretRefError> {
        let well_formed = !raw.is_empty()
            && raw.len() <= VERSION_ID_MAX
            && raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
        if well_formed {
            Ok(Self(raw.to_owned()))
        } else {
            Err(SecretRefError::MalformedVersionId)
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for SecretVersionId {
    type Err = SecretRefError;
    fn from_str(raw: &str) -> Result<Self, SecretRefError> {
        Self::parse(raw)
    }
}

impl fmt::Display for SecretVersionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One exact version of one secret, as the settings record carries it. Because versions are
/// immutable, a reference read twice gives the same value, which is what makes caching by
/// reference safe.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretRef {
    /// The secret.
    pub name: SecretName,
    /// The version holding the value.
    pub version_id: SecretVersionId,
}

/// A failure reading or writing a secret. No variant carries the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsError {
    /// No such secret, no such version (or it was pruned), or the secret is deleted.
    #[error("the secret or that version of it does not exist")]
    NotFound,
    /// The caller may not read or write it (IAM, or the key that encrypts it).
    #[error("access to the secret was denied")]
    AccessDenied,
    /// The store could not be reached or did not answer (throttling, timeouts, outages).
    #[error("the secret store could not be reached or did not answer: {0}")]
    Unavailable(String),
    /// The request or the stored data is not acceptable; retrying will not help.
    #[error("the secret store refused the request: {0}")]
    Invalid(String),
}

impl SecretsError {
    /// Whether trying again later can succeed without anyone changing anything.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// A store of versioned secrets.
#[async_trait]
pub trait Secrets: Send + Sync {
    /// The value of exactly `reference`'s version; `NotFound` when it is gone, never another
    /// version's value.
    async fn read(&self, reference: &SecretRef) -> Result<SecretString, SecretsError>;

    /// Stores `value` as a new version of `name`, creating the secret when it does not exist;
    /// answers the reference to read it back by.
    async fn write(
        &self,
        name: &SecretName,
        value: &SecretString,
    ) -> Result<SecretRef, SecretsError>;

    /// Removes the secret and all its versions; deleting what does not exist succeeds.
    async fn delete(&self, name: &SecretName) -> Result<(), SecretsError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_round_trips_through_its_text() {
        let name = SecretName::exchange_password(
            &TenantId::parse("acme").unwrap(),
            &UserId::parse("jan-bakker@acme.nl").unwrap(),
        );
        assert_eq!(name.as_str(), "ohsync/acme/jan-bakker@acme.nl/exchange");
        assert_eq!(SecretName::parse(name.as_str()).unwrap(), name);
    }

    #[test]
    fn names_outside_the_scheme_are_refused() {
        for raw in [
            "",
            "ohsync",
            "ohsync/acme/jan",
            "other/acme/jan/exchange",
            "ohsync/acme/jan/exchange/extra",
            "ohsync/acme/jan/officeheart",
            "ohsync//jan/exchange",
            "ohsync/acme/jan bakker/exchange",
            "ohsync/ac:me/jan/exchange",
        ] {
            assert!(SecretName::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }

    #[test]
    fn version_ids_are_bounded_and_plain() {
        assert!(SecretVersionId::parse("0f6a6b1e-8c4d-4c2a-9a57-8c1a3f0e2b7d").is_ok());
        assert!(SecretVersionId::parse(&"a".repeat(64)).is_ok());
        for raw in ["", "a b", "a/b", "ä", &"a".repeat(65)] {
            assert_eq!(
                SecretVersionId::parse(raw),
                Err(SecretRefError::MalformedVersionId),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn only_unavailability_is_retryable() {
        assert!(SecretsError::Unavailable("throttled".into()).is_retryable());
        assert!(!SecretsError::NotFound.is_retryable());
        assert!(!SecretsError::AccessDenied.is_retryable());
        assert!(!SecretsError::Invalid("too long".into()).is_retryable());
    }
}
