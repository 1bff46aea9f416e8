//! Identifiers and opaque tokens of the contract, each its own type so that a cursor cannot be passed
//! where a version is expected.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A value that does not satisfy the contract's rules for its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind}: {reason}")]
pub struct InvalidValue {
    /// Which kind of value was rejected, e.g. "version".
    pub kind: &'static str,
    /// Why it was rejected.
    pub reason: &'static str,
}

/// Checks length and characters; shared by every opaque string kind below.
fn check(
    kind: &'static str,
    value: &str,
    max_len: usize,
    allowed: fn(char) -> bool,
) -> Result<(), InvalidValue> {
    if value.is_empty() {
        return Err(InvalidValue {
            kind,
            reason: "must not be empty",
        });
    }
    if value.len() > max_len {
        return Err(InvalidValue {
            kind,
            reason: "too long",
        });
    }
    if !value.chars().all(allowed) {
        return Err(InvalidValue {
            kind,
            reason: "contains a character that is not allowed",
        });
    }
    Ok(())
}

/// Any character except control characters (path segments are percent-encoded by the client).
fn printable(c: char) -> bool {
    !c.is_control()
}

/// Visible ASCII: what an HTTP header value can carry without quoting rules getting involved.
fn visible_ascii(c: char) -> bool {
    c.is_ascii_graphic()
}

/// RFC 9110 `etagc` minus obs-text: visible ASCII except the double quote, so `"<version>"` is a
/// well-formed strong entity tag.
fn etag_char(c: char) -> bool {
    c.is_ascii_graphic() && c != '"'
}

macro_rules! opaque_string {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $max_len:expr, $allowed:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps a value.
            pub fn new(value: impl Into<String>) -> Result<Self, InvalidValue> {
                let value = value.into();
                check($kind, &value, $max_len, $allowed)?;
                Ok(Self(value))
            }

            /// The value exactly as it travels on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidValue;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidValue;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

opaque_string!(
    /// An OfficeHeart customer installation; scopes every path and every token.
    TenantId, "tenant id", 128, printable
);
opaque_string!(
    /// An OfficeHeart user within a tenant.
    UserId, "user id", 128, printable
);
opaque_string!(
    /// An appointment's id, assigned by OfficeHeart and never reused.
    AppointmentId, "appointment id", 256, printable
);
opaque_string!(
    /// An appointment's version: opaque, different after every write, sent back as `If-Match`.
    Version, "version", 256, etag_char
);
opaque_string!(
    /// A position in a user's change feed; opaque, to be stored and sent back unchanged.
    Cursor, "cursor", 4096, visible_ascii
);
opaque_string!(
    /// A continuation token of a window listing; valid only with the same `from` and `to`.
    PageToken, "page token", 4096, visible_ascii
);
opaque_string!(
    /// The client-chosen key that makes a create safe to retry.
    IdempotencyKey, "idempotency key", 255, visible_ascii
);

impl Version {
    /// The strong entity tag for this version, as used in `ETag` and `If-Match`.
    pub fn to_etag(&self) -> String {
        format!("\"{}\"", self.0)
    }

    /// Parses a single strong entity tag (`"…"`); weak tags, lists and `*` are not versions.
    pub fn from_etag(etag: &str) -> Result<Self, InvalidValue> {
        etag.strip_prefix('"')
            .and_then(|rest| rest.strip_suffix('"'))
            .ok_or(InvalidValue {
                kind: "entity tag",
                reason: "must be one strong entity tag: \"<version>\"",
            })
            .and_then(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_round_trips_through_an_entity_tag() {
        let version = Version::new("00af-7").unwrap();
        assert_eq!(version.to_etag(), "\"00af-7\"");
        assert_eq!(Version::from_etag(&version.to_etag()).unwrap(), version);
    }

    #[test]
    fn entity_tags_that_are_not_one_strong_tag_are_refused() {
        for etag in ["*", "W/\"7\"", "\"7\", \"8\"", "7", "\"\"", "\"a\"b\""] {
            assert!(
                Version::from_etag(etag).is_err(),
                "{etag} should be refused"
            );
        }
    }

    #[test]
    fn idempotency_keys_must_be_visible_ascii_and_short() {
        assert!(IdempotencyKey::new("sync-3f2a:exchange-uid-1").is_ok());
        assert!(IdempotencyKey::new("with space").is_err());
        assert!(IdempotencyKey::new("é").is_err());
        assert!(IdempotencyKey::new("k".repeat(256)).is_err());
        assert!(IdempotencyKey::new("").is_err());
    }

    #[test]
    fn deserialising_validates() {
        assert!(serde_json::from_str::<Version>("\"has\\\"quote\"").is_err());
        assert_eq!(
            serde_json::from_str::<TenantId>("\"acme\"")
                .unwrap()
                .as_str(),
            "acme"
        );
    }
}
