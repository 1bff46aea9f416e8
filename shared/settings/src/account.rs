//! The Windows account fields: short domain, user name, and the mailbox to sync.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Problem;

/// The longest NetBIOS name.
const DOMAIN_MAX_CHARS: usize = 15;
/// The longest sAMAccountName (the pre-Windows 2000 logon name NTLM sends with the domain).
const USERNAME_MAX_CHARS: usize = 20;
/// RFC 5321 limits.
const MAILBOX_MAX_CHARS: usize = 254;
const MAILBOX_LOCAL_MAX_CHARS: usize = 64;

/// Characters a NetBIOS domain name cannot hold (Microsoft's naming conventions), plus
/// whitespace, which in this field is a typing mistake.
fn forbidden_in_domain(c: char) -> bool {
    matches!(c, '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_whitespace()
}

/// Characters a sAMAccountName cannot hold.
fn forbidden_in_username(c: char) -> bool {
    matches!(
        c,
        '"' | '/' | '\\' | '[' | ']' | ':' | ';' | '|' | '=' | ',' | '+' | '*' | '?' | '<' | '>'
    )
}

/// The short Windows (NetBIOS) domain, e.g. `officeheart`: 1–15 characters, no dots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ShortDomain(String);

impl ShortDomain {
    /// Parses the domain field (surrounding blanks ignored, case kept).
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let domain = raw.trim();
        if domain.is_empty() {
            return Err(Problem::DomainEmpty);
        }
        if domain.contains('.') {
            let suggestion = domain
                .trim_start_matches(['.', '@'])
                .split('.')
                .next()
                .unwrap_or_default();
            return Err(Problem::DomainHasDots {
                given: domain.to_owned(),
                suggestion: suggestion.to_owned(),
            });
        }
        if let Some(found) = domain
            .chars()
            .find(|c| forbidden_in_domain(*c) || c.is_control())
        {
            return Err(Problem::DomainInvalidCharacters { found });
        }
        if domain.chars().count() > DOMAIN_MAX_CHARS {
            return Err(Problem::DomainTooLong);
        }
        Ok(Self(domain.to_owned()))
    }

    /// The domain as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The Windows account name (sAMAccountName), e.g. `jan`: without domain, at most 20 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    /// Parses a user name that no longer holds a `DOMAIN\` prefix (see [`split_login`]).
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(Problem::UsernameEmpty);
        }
        if name.contains('@') {
            return Err(Problem::UsernameIsUpn {
                given: name.to_owned(),
            });
        }
        if let Some(found) = name
            .chars()
            .find(|c| forbidden_in_username(*c) || c.is_control())
        {
            return Err(Problem::UsernameInvalidCharacters { found });
        }
        if name.chars().count() > USERNAME_MAX_CHARS {
            return Err(Problem::UsernameTooLong);
        }
        Ok(Self(name.to_owned()))
    }

    /// The user name as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Splits `DOMAIN\user`, the form Windows shows at sign-in, into its domain and user parts.
pub fn split_login(raw: &str) -> Option<(&str, &str)> {
    raw.trim()
        .split_once('\\')
        .map(|(domain, user)| (domain.trim(), user.trim()))
}

/// The SMTP address of another mailbox to sync instead of the account's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MailboxAddress(String);

impl MailboxAddress {
    /// Parses the mailbox field; `None` when it is empty (the account's own mailbox).
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, Problem> {
        let address = raw.trim();
        if address.is_empty() {
            return Ok(None);
        }
        Self::parse(address).map(Some)
    }

    /// Parses an address of the form `local@domain.tld`.
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let address = raw.trim();
        let Some((local, domain)) = address.split_once('@') else {
            return Err(Problem::MailboxInvalid);
        };
        let well_formed = !local.is_empty()
            && local.chars().count() <= MAILBOX_LOCAL_MAX_CHARS
            && address.chars().count() <= MAILBOX_MAX_CHARS
            && !domain.contains('@')
            && domain.split('.').count() >= 2
            && domain.split('.').all(|label| !label.is_empty())
            && !address
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ','));
        if !well_formed {
            return Err(Problem::MailboxInvalid);
        }
        Ok(Self(address.to_owned()))
    }

    /// The address as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The three account types differ only in their parser; text conversions are shared.
macro_rules! text_conversions {
    ($($name:ident),*) => {$(
        impl TryFrom<String> for $name {
            type Error = Problem;
            fn try_from(raw: String) -> Result<Self, Problem> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

text_conversions!(ShortDomain, Username, MailboxAddress);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_suggestion_is_the_first_label() {
        let Err(Problem::DomainHasDots { suggestion, given }) =
            ShortDomain::parse(" officeheart.local ")
        else {
            panic!("dots accepted");
        };
        assert_eq!(
            (suggestion.as_str(), given.as_str()),
            ("officeheart", "officeheart.local")
        );
        assert_eq!(
            ShortDomain::parse("OFFICEHEART").unwrap().as_str(),
            "OFFICEHEART"
        );
        assert_eq!(
            ShortDomain::parse("a23456789012345")
                .unwrap()
                .as_str()
                .len(),
            15
        );
        assert_eq!(
            ShortDomain::parse("a234567890123456"),
            Err(Problem::DomainTooLong)
        );
    }

    #[test]
    fn login_splits_at_the_first_backslash() {
        assert_eq!(
            split_login(" OFFICEHEART\\jan "),
            Some(("OFFICEHEART", "jan"))
        );
        assert_eq!(split_login("jan"), None);
    }

    #[test]
    fn mailboxes_need_a_local_part_and_a_dotted_domain() {
        assert!(MailboxAddress::parse("agenda@officeheart.nl").is_ok());
        for bad in [
            "agenda",
            "@officeheart.nl",
            "agenda@",
            "agenda@localhost",
            "a b@x.nl",
            "a@b@x.nl",
            "a@x..nl",
        ] {
            assert_eq!(
                MailboxAddress::parse(bad),
                Err(Problem::MailboxInvalid),
                "{bad}"
            );
        }
        assert_eq!(MailboxAddress::parse_optional("  "), Ok(None));
    }
}
