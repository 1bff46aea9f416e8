//! The tokens that may call the API, per tenant, as SHA-256 hashes.

use std::fmt;
use std::sync::Arc;

use ohsync_engine::identity::{IdError, TenantId};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A token list that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallerTokensError {
    /// Not a JSON document of the form `{"tokens":[{"tenant":…,"sha256":…}]}`.
    #[error(
        "the caller token document is not of the form {{\"tokens\":[{{\"tenant\":…,\"sha256\":…}}]}}: {0}"
    )]
    Malformed(String),
    /// An entry's tenant is not a valid tenant id.
    #[error("caller token entry {index}: {source}")]
    BadTenant {
        /// The entry's position (from 0).
        index: usize,
        /// Why the tenant id is not valid.
        #[source]
        source: IdError,
    },
    /// An entry's hash is not 64 hexadecimal digits.
    #[error("caller token entry {index}: sha256 must be 64 hexadecimal digits")]
    BadHash {
        /// The entry's position (from 0).
        index: usize,
    },
    /// No token at all: nobody could call the API.
    #[error("the caller token document lists no token")]
    Empty,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    tokens: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    tenant: String,
    sha256: String,
}

/// The SHA-256 of a token.
type TokenHash = [u8; 32];

fn hash(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

fn parse_hex(hex: &str) -> Option<TokenHash> {
    let hex = hex.as_bytes();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let digit = |c: u8| (c as char).to_digit(16);
        *byte = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()?;
    }
    Some(out)
}

/// The bearer tokens that may call the API, each for one tenant. Only SHA-256 hashes are held,
/// so the configuration never contains a usable token; a presented token is hashed and
/// compared in constant time against every entry.
#[derive(Clone)]
pub struct CallerTokens {
    entries: Arc<[(TenantId, TokenHash)]>,
}

impl CallerTokens {
    /// Tokens from `(tenant, SHA-256 of the token)` pairs; a tenant may have several.
    pub fn new(
        entries: impl IntoIterator<Item = (TenantId, [u8; 32])>,
    ) -> Result<Self, CallerTokensError> {
        let entries: Arc<[(TenantId, TokenHash)]> = entries.into_iter().collect();
        if entries.is_empty() {
            return Err(CallerTokensError::Empty);
        }
        Ok(Self { entries })
    }

    /// Reads the document the host configures: `{"tokens":[{"tenant":"acme","sha256":"<64
    /// hex digits>"}]}` (the Lambda function from a Secrets Manager secret, `ohsync serve` from
    /// its configuration).
    pub fn from_json(document: &str) -> Result<Self, CallerTokensError> {
        // serde_json's messages quote the offending value (`invalid type: string "…"`), and a
        // misconfigured document may hold a raw token there: only the kind and position are kept.
        let document: Document = serde_json::from_str(document).map_err(|error| {
            let kind = match error.classify() {
                serde_json::error::Category::Io => "unreadable",
                serde_json::error::Category::Syntax => "not JSON",
                serde_json::error::Category::Data => "JSON of another shape",
                serde_json::error::Category::Eof => "cut short",
            };
            CallerTokensError::Malformed(format!(
                "{kind} at line {} column {}",
                error.line(),
                error.column()
            ))
        })?;
        let entries = document
            .tokens
            .into_iter()
            .enumerate()
            .map(|(index, entry)| {
                let tenant = TenantId::parse(&entry.tenant)
                    .map_err(|source| CallerTokensError::BadTenant { index, source })?;
                let digest =
                    parse_hex(&entry.sha256).ok_or(CallerTokensError::BadHash { index })?;
                Ok((tenant, digest))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(entries)
    }

    /// The hash to configure for `token`, as 64 lower-case hexadecimal digits.
    pub fn sha256_hex(token: &str) -> String {
        hash(token)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    /// The tenants `token` is valid for (none when it is not valid). Every entry is compared,
    /// each in constant time, so the time taken does not tell which entry matched.
    pub fn tenants_of(&self, token: &str) -> Vec<TenantId> {
        let presented = hash(token);
        let matches: Vec<bool> = self
            .entries
            .iter()
            .map(|(_, expected)| bool::from(expected.ct_eq(&presented)))
            .collect();
        self.entries
            .iter()
            .zip(matches)
            .filter(|(_, matched)| *matched)
            .map(|((tenant, _), _)| tenant.clone())
            .collect()
    }
}

impl fmt::Debug for CallerTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallerTokens")
            .field("entries", &self.entries.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(id: &str) -> TenantId {
        TenantId::parse(id).unwrap()
    }

    #[test]
    fn a_token_is_valid_for_exactly_the_tenants_that_list_its_hash() {
        let document = format!(
            r#"{{"tokens":[
                {{"tenant":"acme","sha256":"{}"}},
                {{"tenant":"acme","sha256":"{}"}},
                {{"tenant":"globex","sha256":"{}"}}
            ]}}"#,
            CallerTokens::sha256_hex("acme-token-1"),
            CallerTokens::sha256_hex("acme-token-2").to_uppercase(),
            CallerTokens::sha256_hex("globex-token"),
        );
        let tokens = CallerTokens::from_json(&document).unwrap();
        assert_eq!(tokens.tenants_of("acme-token-1"), [tenant("acme")]);
        assert_eq!(tokens.tenants_of("acme-token-2"), [tenant("acme")]);
        assert_eq!(tokens.tenants_of("globex-token"), [tenant("globex")]);
        assert!(tokens.tenants_of("acme-token-3").is_empty());
        assert!(tokens.tenants_of("").is_empty());
        // The hash itself is not a token.
        assert!(
            tokens
                .tenants_of(&CallerTokens::sha256_hex("acme-token-1"))
                .is_empty()
        );
        assert_eq!(format!("{tokens:?}"), "CallerTokens { entries: 3, .. }");
    }

    #[test]
    fn the_known_hash_of_a_token() {
        // printf %s 'abc' | sha256sum
        assert_eq!(
            CallerTokens::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn unusable_documents_are_refused_with_the_entry_named() {
        let good = CallerTokens::sha256_hex("t");
        let cases = [
            ("", "Malformed"),
            ("{}", "Malformed"),
            (r#"{"tokens":[{"tenant":"acme"}]}"#, "Malformed"),
            (r#"{"tokens":[],"extra":1}"#, "Malformed"),
            (r#"{"tokens":[]}"#, "Empty"),
        ];
        for (document, kind) in cases {
            let error = CallerTokens::from_json(document).unwrap_err();
            assert!(
                format!("{error:?}").starts_with(kind),
                "{document}: {error:?}"
            );
        }
        for leaky in [
            r#"{"tokens":"oh-raw-token-1"}"#,
            r#"{"tokens":[{"tenant":"acme","sha256":"x","token":"oh-raw-token-1"}]}"#,
            r#"{"tokens":[{"tenant":"acme","sha256":7}],"oh-raw-token-1":1}"#,
            r#"{"tokens":[{"tenant":"acme","sha256":["oh-raw-token-1"]}]}"#,
        ] {
            let error = CallerTokens::from_json(leaky).unwrap_err();
            assert!(
                !format!("{error} {error:?}").contains("oh-raw-token-1"),
                "{error:?}"
            );
        }
        let bad_tenant = format!(
            r#"{{"tokens":[{{"tenant":"acme","sha256":"{good}"}},{{"tenant":"a:b","sha256":"{good}"}}]}}"#
        );
        assert!(matches!(
            CallerTokens::from_json(&bad_tenant),
            Err(CallerTokensError::BadTenant { index: 1, .. })
        ));
        for hash in [
            &good[..63],
            &format!("{}g", &good[..63]),
            &format!("{good}00"),
            "+1",
        ] {
            let document = format!(r#"{{"tokens":[{{"tenant":"acme","sha256":"{hash}"}}]}}"#);
            assert_eq!(
                CallerTokens::from_json(&document).unwrap_err(),
                CallerTokensError::BadHash { index: 0 },
                "{hash}"
            );
        }
    }
}
