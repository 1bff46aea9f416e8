//! Fresh version ids, for the versions the adapters create.

use ohsync_engine::ports::SecretVersionId;

/// A new random version id: a hyphenated UUID, which is also within Secrets Manager's 32 to 64
/// characters for a client request token.
pub(crate) fn fresh_version_id() -> SecretVersionId {
    let text = uuid::Uuid::new_v4().hyphenated().to_string();
    SecretVersionId::parse(&text).unwrap_or_else(|_| unreachable!("a UUID is a valid version id"))
}
