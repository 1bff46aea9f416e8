//! The table's keys. Every item of a binding lives in one partition, tenant-scoped:
//! `binding#{tenant}#{user}#{binding}` (tenant and user ids never contain `#`, binding ids are
//! hex). Sort keys name the item: `#state`, `#intent#…`, `#unconfirmed#…`, and one pointer per
//! mapping id:
//! `o#…` (OfficeHeart id), `x#…` (ItemId), `u#…` (UID).
//!
//! Ids inside sort keys are digests: ItemIds run to 1,024 characters and UIDs to 2,048, over
//! DynamoDB's 1,024-byte sort key limit, and raw ids would make every pointer item larger (each
//! item's size is billed). The digest is the first 128 bits of SHA-256, URL-safe base64 (22
//! characters); items also hold the full ids, and readers check them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ohsync_engine::identity::{ExchangeItemId, ExchangeUid, OfficeHeartId};
use ohsync_engine::ports::BindingScope;
use sha2::{Digest, Sha256};

/// The partition key attribute.
pub(crate) const PK: &str = "pk";
/// The sort key attribute.
pub(crate) const SK: &str = "sk";
/// The sort key of the state item.
pub(crate) const STATE: &str = "#state";
/// What the sort keys of the items read by `load` (state and intents) start with.
pub(crate) const LOAD_PREFIX: &str = "#";
/// What intent sort keys start with.
pub(crate) const INTENT_PREFIX: &str = "#intent#";
/// What the sort keys of unconfirmed items start with.
pub(crate) const UNCONFIRMED_PREFIX: &str = "#unconfirmed#";

/// What the sort keys of the pointers by OfficeHeart id (one per mapping) start with.
pub(crate) const OFFICEHEART_PREFIX: &str = "o#";

/// The partition of a binding.
pub(crate) fn partition(scope: &BindingScope) -> String {
    format!("binding#{}#{}#{}", scope.tenant, scope.user, scope.binding)
}

fn digest(id: &str) -> String {
    let hash = Sha256::digest(id.as_bytes());
    URL_SAFE_NO_PAD.encode(&hash[..16])
}

/// The sort key of an intent.
pub(crate) fn intent(id: &OfficeHeartId) -> String {
    format!("{INTENT_PREFIX}{}", digest(id.as_str()))
}

/// The sort key of an unconfirmed item.
pub(crate) fn unconfirmed(id: &ExchangeItemId) -> String {
    format!("{UNCONFIRMED_PREFIX}{}", digest(id.as_str()))
}

/// The sort key of the pointer by OfficeHeart id.
pub(crate) fn by_officeheart(id: &OfficeHeartId) -> String {
    format!("{OFFICEHEART_PREFIX}{}", digest(id.as_str()))
}

/// The sort key of the pointer by ItemId.
pub(crate) fn by_item(id: &ExchangeItemId) -> String {
    format!("x#{}", digest(id.as_str()))
}

/// The sort key of the pointer by UID.
pub(crate) fn by_uid(id: &ExchangeUid) -> String {
    format!("u#{}", digest(id.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_distinct_per_kind_and_exact() {
        let long = ExchangeUid::parse(&"U".repeat(2048)).unwrap();
        assert_eq!(by_uid(&long).len(), 24);
        let text = "AAMk#1";
        let (o, x, u) = (
            by_officeheart(&OfficeHeartId::parse(text).unwrap()),
            by_item(&ExchangeItemId::parse(text).unwrap()),
            by_uid(&ExchangeUid::parse(text).unwrap()),
        );
        assert_eq!(o[2..], x[2..]);
        assert!(o != x && x != u && o != u);
        assert_ne!(
            by_item(&ExchangeItemId::parse("AAMk#1").unwrap()),
            by_item(&ExchangeItemId::parse("aamk#1").unwrap())
        );
        assert!(intent(&OfficeHeartId::parse(text).unwrap()).starts_with(LOAD_PREFIX));
        assert!(!o.starts_with(LOAD_PREFIX) && !x.starts_with(LOAD_PREFIX));
    }
}
