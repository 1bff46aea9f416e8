//! Identifiers, parsed once at the edge: tenants, users, items on both sides, the ohsync tag,
//! bindings and idempotency keys.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// Why an identifier was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Empty input.
    #[error("{kind} must not be empty")]
    Empty {
        /// Which identifier.
        kind: &'static str,
    },
    /// Longer than the identifier allows.
    #[error("{kind} is longer than {max} characters")]
    TooLong {
        /// Which identifier.
        kind: &'static str,
        /// The limit.
        max: usize,
    },
    /// A character the identifier does not allow.
    #[error("{kind} contains the character {found:?}, which it does not allow")]
    BadCharacter {
        /// Which identifier.
        kind: &'static str,
        /// The offending character.
        found: char,
    },
    /// A tag that is not `tenant:officeheart-id`.
    #[error("an ohsync tag must read tenant:officeheart-id")]
    MalformedTag,
    /// An EWS URL that does not parse as an absolute http(s) URL.
    #[error("the Exchange URL is not an absolute http(s) URL: {0}")]
    BadUrl(String),
}

fn tenant_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

fn user_char(c: char) -> bool {
    tenant_char(c) || c == '@'
}

// Opaque ids from the two systems: anything printable and without whitespace.
fn opaque_char(c: char) -> bool {
    !c.is_control() && !c.is_whitespace()
}

/// Defines a string newtype whose only constructor checks length and character set.
macro_rules! parsed_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $max:literal, $allowed:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Parses and checks the identifier.
            pub fn parse(raw: &str) -> Result<Self, IdError> {
                if raw.is_empty() {
                    return Err(IdError::Empty { kind: $kind });
                }
                if raw.chars().count() > $max {
                    return Err(IdError::TooLong { kind: $kind, max: $max });
                }
                if let Some(found) = raw.chars().find(|c| !$allowed(*c)) {
                    return Err(IdError::BadCharacter { kind: $kind, found });
                }
                Ok(Self(raw.to_owned()))
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// An identifier the fakes generate themselves (always well-formed).
            #[cfg(feature = "testkit")]
            #[allow(dead_code, reason = "the fakes generate only some kinds of id")]
            pub(crate) fn generated(raw: String) -> Self {
                debug_assert!(Self::parse(&raw).is_ok(), "generated {raw}");
                Self(raw)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(raw: &str) -> Result<Self, IdError> {
                Self::parse(raw)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

parsed_id!(
    /// An OfficeHeart installation's customer; never contains `:` (the tag separator).
    TenantId, "tenant id", 64, tenant_char
);
parsed_id!(
    /// An OfficeHeart user within a tenant.
    UserId, "user id", 128, user_char
);
parsed_id!(
    /// An OfficeHeart appointment id.
    OfficeHeartId, "OfficeHeart id", 256, opaque_char
);
parsed_id!(
    /// An OfficeHeart appointment version (the If-Match value).
    AgendaVersion, "OfficeHeart version", 256, opaque_char
);
parsed_id!(
    /// An EWS ItemId (case-sensitive, opaque; changes when an item moves).
    ExchangeItemId, "Exchange item id", 1024, opaque_char
);
parsed_id!(
    /// An EWS ChangeKey: one version of an item.
    ChangeKey, "Exchange change key", 1024, opaque_char
);
parsed_id!(
    /// An Exchange calendar UID: stable across moves.
    ExchangeUid, "Exchange UID", 2048, opaque_char
);

/// The full handle on one version of an Exchange item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExchangeItemKey {
    /// The current ItemId.
    pub item_id: ExchangeItemId,
    /// The ChangeKey of the version observed.
    pub change_key: ChangeKey,
    /// The item's UID.
    pub uid: ExchangeUid,
}

/// The ohsync extended property on an Exchange item: `tenant:officeheart-id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OhsyncTag {
    /// The tenant that created the item.
    pub tenant: TenantId,
    /// The OfficeHeart appointment it copies.
    pub officeheart_id: OfficeHeartId,
}

impl FromStr for OhsyncTag {
    type Err = IdError;
    fn from_str(raw: &str) -> Result<Self, IdError> {
        // Tenants never contain ':', so the first one separates; OfficeHeart ids may contain more.
        let (tenant, id) = raw.split_once(':').ok_or(IdError::MalformedTag)?;
        Ok(Self {
            tenant: TenantId::parse(tenant)?,
            officeheart_id: OfficeHeartId::parse(id)?,
        })
    }
}

impl fmt::Display for OhsyncTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.tenant, self.officeheart_id)
    }
}

/// What identifies the Exchange account of a binding.
#[derive(Debug, Clone)]
pub struct BindingAccount<'a> {
    /// The tenant.
    pub tenant: &'a TenantId,
    /// The OfficeHeart user.
    pub user: &'a UserId,
    /// The EWS endpoint as configured.
    pub ews_url: &'a str,
    /// The short Windows domain.
    pub domain: &'a str,
    /// The Windows account name.
    pub username: &'a str,
    /// The mailbox synced, when not the account's own.
    pub mailbox: Option<&'a str>,
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A stable hash of everything that identifies an Exchange account for a user; sync state and
/// mappings belong to it, so a changed account never inherits another account's state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BindingId(String);

impl BindingId {
    /// Derives the id. The URL is normalised (scheme and host lower-cased, default port and
    /// fragment dropped, path lower-cased because IIS paths are case-insensitive, trailing `/`
    /// dropped) and `DOMAIN\username` and the mailbox are lower-cased, so spelling variants of
    /// one account give one binding.
    pub fn derive(account: &BindingAccount<'_>) -> Result<Self, IdError> {
        let url = normalise_url(account.ews_url)?;
        let login =
            format!("{}\\{}", account.domain.trim(), account.username.trim()).to_lowercase();
        let mailbox = account.mailbox.unwrap_or("").trim().to_lowercase();
        Ok(Self(sha256_hex(&[
            b"ohsync-binding-v1",
            account.tenant.as_str().as_bytes(),
            account.user.as_str().as_bytes(),
            url.as_bytes(),
            login.as_bytes(),
            mailbox.as_bytes(),
        ])))
    }

    /// Rebuilds a stored binding id.
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        if raw.len() != 64 {
            return Err(IdError::TooLong {
                kind: "binding id",
                max: 64,
            });
        }
        match raw.chars().find(|c| !matches!(c, '0'..='9' | 'a'..='f')) {
            Some(found) => Err(IdError::BadCharacter {
                kind: "binding id",
                found,
            }),
            None => Ok(Self(raw.to_owned())),
        }
    }

    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BindingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn normalise_url(raw: &str) -> Result<String, IdError> {
    let mut url = url::Url::parse(raw.trim()).map_err(|e| IdError::BadUrl(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(IdError::BadUrl(format!("{raw}: not an http(s) URL")));
    }
    url.set_fragment(None);
    let path = url.path().trim_end_matches('/').to_lowercase();
    url.set_path(&path);
    Ok(url.to_string())
}

/// The idempotency key sent with an OfficeHeart create: derived from the binding and the
/// Exchange item's UID and ChangeKey, so that a retried copy of the same version of the same
/// item is recognised, while a later copy of that item (after the first copy was deleted and the
/// item changed) is a new create.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The key for copying `source` into OfficeHeart.
    pub fn for_officeheart_create(binding: &BindingId, source: &ExchangeItemKey) -> Self {
        Self(sha256_hex(&[
            b"ohsync-officeheart-create-v1",
            binding.as_str().as_bytes(),
            source.uid.as_str().as_bytes(),
            source.change_key.as_str().as_bytes(),
        ]))
    }

    /// The key as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account<'a>(
        tenant: &'a TenantId,
        user: &'a UserId,
        url: &'a str,
        username: &'a str,
    ) -> BindingAccount<'a> {
        BindingAccount {
            tenant,
            user,
            ews_url: url,
            domain: "OFFICEHEART",
            username,
            mailbox: None,
        }
    }

    #[test]
    fn ids_parse_instead_of_validate() {
        assert!(TenantId::parse("acme").is_ok());
        assert_eq!(
            TenantId::parse("ac:me"),
            Err(IdError::BadCharacter {
                kind: "tenant id",
                found: ':'
            })
        );
        assert_eq!(
            OfficeHeartId::parse(""),
            Err(IdError::Empty {
                kind: "OfficeHeart id"
            })
        );
        assert!(matches!(
            ExchangeItemId::parse(&"A".repeat(1025)),
            Err(IdError::TooLong { .. })
        ));
    }

    #[test]
    fn tag_round_trips_and_splits_at_the_first_colon() {
        let tag: OhsyncTag = "acme:appt:42".parse().unwrap();
        assert_eq!(tag.tenant.as_str(), "acme");
        assert_eq!(tag.officeheart_id.as_str(), "appt:42");
        assert_eq!(tag.to_string(), "acme:appt:42");
        assert_eq!(
            "no-separator".parse::<OhsyncTag>(),
            Err(IdError::MalformedTag)
        );
    }

    #[test]
    fn binding_ignores_spelling_and_follows_the_account() {
        let tenant = TenantId::parse("acme").unwrap();
        let user = UserId::parse("jan").unwrap();
        let base = BindingId::derive(&account(
            &tenant,
            &user,
            "https://mail.example.nl/EWS/Exchange.asmx",
            "jan",
        ))
        .unwrap();
        let spelled = BindingId::derive(&account(
            &tenant,
            &user,
            "HTTPS://Mail.Example.NL:443/ews/exchange.asmx/",
            "JAN",
        ))
        .unwrap();
        assert_eq!(base, spelled);
        let other_user = BindingId::derive(&account(
            &tenant,
            &user,
            "https://mail.example.nl/EWS/Exchange.asmx",
            "piet",
        ))
        .unwrap();
        assert_ne!(base, other_user);
        let other_host = BindingId::derive(&account(
            &tenant,
            &user,
            "https://mail2.example.nl/EWS/Exchange.asmx",
            "jan",
        ))
        .unwrap();
        assert_ne!(base, other_host);
        assert_eq!(BindingId::parse(base.as_str()).unwrap(), base);
        assert!(BindingId::derive(&account(&tenant, &user, "ftp://x/EWS", "jan")).is_err());
    }

    #[test]
    fn idempotency_keys_follow_the_item_version() {
        let tenant = TenantId::parse("acme").unwrap();
        let user = UserId::parse("jan").unwrap();
        let binding =
            BindingId::derive(&account(&tenant, &user, "https://m.example.nl/EWS", "jan")).unwrap();
        let source = ExchangeItemKey {
            item_id: ExchangeItemId::parse("AAMk1").unwrap(),
            change_key: ChangeKey::parse("CK1").unwrap(),
            uid: ExchangeUid::parse("040000008200E000").unwrap(),
        };
        let first = IdempotencyKey::for_officeheart_create(&binding, &source);
        let moved = ExchangeItemKey {
            item_id: ExchangeItemId::parse("AAMk2").unwrap(),
            ..source.clone()
        };
        assert_eq!(
            first,
            IdempotencyKey::for_officeheart_create(&binding, &moved)
        );
        let edited = ExchangeItemKey {
            change_key: ChangeKey::parse("CK2").unwrap(),
            ..source
        };
        assert_ne!(
            first,
            IdempotencyKey::for_officeheart_create(&binding, &edited)
        );
    }
}
