//! The secrets file's content: every secret's newest versions, oldest first.

use std::collections::BTreeMap;

use ohsync_engine::ports::{SecretName, SecretRef, SecretVersionId};
use secrecy::zeroize::Zeroize;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};

/// The format this code writes and reads.
const FORMAT: u32 = 1;

/// Versions kept per secret: the current one, and the one before it for a run that started
/// before the password changed.
pub(crate) const VERSIONS_KEPT: usize = 2;

/// The whole file. No `Debug`: it holds the values.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Document {
    format: u32,
    secrets: BTreeMap<String, Vec<StoredVersion>>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredVersion {
    version_id: String,
    #[serde(serialize_with = "expose")]
    value: SecretString,
}

fn expose<S: Serializer>(value: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.expose_secret())
}

impl Document {
    /// A file with no secrets.
    pub(crate) fn empty() -> Self {
        Self {
            format: FORMAT,
            secrets: BTreeMap::new(),
        }
    }

    /// Parses the file. The error says where the file is broken but never quotes it, since
    /// the text around the fault may be a password.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, String> {
        let document: Self = serde_json::from_slice(bytes).map_err(|error| {
            let kind = match error.classify() {
                serde_json::error::Category::Io => "unreadable",
                serde_json::error::Category::Syntax => "not valid JSON",
                serde_json::error::Category::Data => "not in the expected shape",
                serde_json::error::Category::Eof => "cut short",
            };
            format!("{kind} at line {} column {}", error.line(), error.column())
        })?;
        if document.format != FORMAT {
            return Err(format!(
                "format {} is not the supported format {FORMAT}",
                document.format
            ));
        }
        Ok(document)
    }

    /// The file's bytes; the caller wipes them once written.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        // serde_json fails only on maps with non-string keys or a failing `Serialize`; this
        // document has neither.
        serde_json::to_vec_pretty(self)
            .unwrap_or_else(|_| unreachable!("a map of strings always serialises"))
    }

    /// The value of exactly `reference`, if it is still kept.
    pub(crate) fn get(&self, reference: &SecretRef) -> Option<SecretString> {
        self.secrets
            .get(reference.name.as_str())?
            .iter()
            .find(|version| version.version_id == reference.version_id.as_str())
            .map(|version| version.value.clone())
    }

    /// Adds `value` as the newest version of `name` under `version_id`, dropping versions
    /// beyond the ones kept.
    pub(crate) fn push(
        &mut self,
        name: &SecretName,
        version_id: &SecretVersionId,
        value: &SecretString,
    ) {
        let versions = self.secrets.entry(name.as_str().to_owned()).or_default();
        versions.push(StoredVersion {
            version_id: version_id.as_str().to_owned(),
            value: value.clone(),
        });
        let surplus = versions.len().saturating_sub(VERSIONS_KEPT);
        versions.drain(..surplus);
    }

    /// Removes `name` with all its versions; whether it was there.
    pub(crate) fn remove(&mut self, name: &SecretName) -> bool {
        self.secrets.remove(name.as_str()).is_some()
    }
}

/// Parses `bytes` and wipes them, whatever the outcome.
pub(crate) fn parse_and_wipe(mut bytes: Vec<u8>) -> Result<Document, String> {
    let parsed = Document::parse(&bytes);
    bytes.zeroize();
    parsed
}

#[cfg(test)]
mod tests {
    use ohsync_engine::identity::{TenantId, UserId};

    use super::*;

    fn name(user: &str) -> SecretName {
        SecretName::exchange_password(
            &TenantId::parse("acme").unwrap(),
            &UserId::parse(user).unwrap(),
        )
    }

    fn reference(user: &str, version: &str) -> SecretRef {
        SecretRef {
            name: name(user),
            version_id: SecretVersionId::parse(version).unwrap(),
        }
    }

    #[test]
    fn only_the_newest_versions_are_kept_and_survive_the_round_trip() {
        let mut document = Document::empty();
        for (version, value) in [("v1", "one"), ("v2", "two"), ("v3", "three")] {
            document.push(
                &name("jan"),
                &SecretVersionId::parse(version).unwrap(),
                &SecretString::from(value),
            );
        }
        let reread = Document::parse(&document.to_bytes()).unwrap();
        assert!(reread.get(&reference("jan", "v1")).is_none());
        assert_eq!(
            reread.get(&reference("jan", "v2")).unwrap().expose_secret(),
            "two"
        );
        assert_eq!(
            reread.get(&reference("jan", "v3")).unwrap().expose_secret(),
            "three"
        );
        assert!(reread.get(&reference("piet", "v3")).is_none());
    }

    #[test]
    fn a_broken_file_is_described_without_quoting_it() {
        let password = "Zeer-Geheim-42";
        for text in [
            format!(r#"{{"format": "{password}", "secrets": {{}}}}"#),
            format!(
                r#"{{"format": 1, "secrets": {{"x": [{{"version_id": "a", "value": 7, "{password}": 1}}]}}}}"#
            ),
            format!(r#"{{"format": 1, "{password}": {{}}}}"#),
            format!(
                r#"{{"format": 1, "secrets": {{"x": [{{"version_id": "a", "value": "{password}"#
            ),
        ] {
            let error = Document::parse(text.as_bytes()).err().unwrap();
            assert!(error.contains("line 1 column"), "{error}");
            assert!(!error.contains(password), "{error}");
        }
    }

    #[test]
    fn another_format_is_refused() {
        let error = Document::parse(br#"{"format": 2, "secrets": {}}"#)
            .err()
            .unwrap();
        assert!(error.contains("format 2"), "{error}");
    }
}
