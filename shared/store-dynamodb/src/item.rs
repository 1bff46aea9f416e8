//! Items as attribute maps: what each item type holds and how it reads back.
//!
//! Attribute names are short but readable; they count toward every item's billed size.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use ohsync_engine::identity::ExchangeItemId;
use ohsync_engine::ports::{
    AgendaCursor, BindingState, MailboxSyncState, Mapping, PendingIntent, StateVersion,
};
use ohsync_store_contract::record::{
    IntentRecord, MappingRecord, RecordError, decode_status, decode_unconfirmed_item,
    encode_instant,
};

use crate::keys::{PK, SK};

/// One item.
pub(crate) type Item = HashMap<String, AttributeValue>;

/// State item: the version every commit is conditional on (absent: 0).
pub(crate) const VERSION: &str = "version";
/// State item: the EWS SyncState.
pub(crate) const SYNC_STATE: &str = "sync_state";
/// State item: the OfficeHeart cursor.
pub(crate) const CURSOR: &str = "cursor";
/// State item: how many mappings the binding has.
pub(crate) const MAPPING_COUNT: &str = "mapping_count";
/// State item: the last run status (JSON).
pub(crate) const STATUS: &str = "status";
/// Any item of a retired binding: when DynamoDB's TTL may delete it (epoch seconds).
pub(crate) const EXPIRES_AT: &str = "expires_at";

const OH_ID: &str = "oh_id";
const OH_VERSION: &str = "oh_version";
const ITEM_ID: &str = "item_id";
const UID: &str = "uid";
const CHANGE_KEY: &str = "change_key";
const HASH: &str = "hash";
const RECORDED_AT: &str = "recorded_at";
const SPAN_START: &str = "span_start";
const SPAN_END: &str = "span_end";

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

/// The key of an item.
pub(crate) fn key(partition: &str, sort: &str) -> Item {
    HashMap::from([(PK.to_owned(), s(partition)), (SK.to_owned(), s(sort))])
}

/// A mapping pointer: the key plus the whole mapping, so one read answers a lookup.
pub(crate) fn pointer(partition: &str, sort: &str, mapping: &Mapping) -> Item {
    let mut item = key(partition, sort);
    item.extend([
        (OH_ID.to_owned(), s(mapping.officeheart_id.as_str())),
        (
            OH_VERSION.to_owned(),
            s(mapping.officeheart_version.as_str()),
        ),
        (ITEM_ID.to_owned(), s(mapping.exchange_item_id.as_str())),
        (UID.to_owned(), s(mapping.exchange_uid.as_str())),
        (
            HASH.to_owned(),
            AttributeValue::B(Blob::new(mapping.content_hash.as_bytes().as_slice())),
        ),
    ]);
    if let Some(change_key) = &mapping.exchange_change_key {
        item.insert(CHANGE_KEY.to_owned(), s(change_key.as_str()));
    }
    if let Some(span) = &mapping.span {
        item.insert(SPAN_START.to_owned(), s(&encode_instant(span.start)));
        item.insert(SPAN_END.to_owned(), s(&encode_instant(span.end)));
    }
    item
}

/// An intent item.
pub(crate) fn intent(partition: &str, sort: &str, intent: &PendingIntent) -> Item {
    let mut item = key(partition, sort);
    item.extend([
        (OH_ID.to_owned(), s(intent.officeheart_id.as_str())),
        (
            OH_VERSION.to_owned(),
            s(intent.officeheart_version.as_str()),
        ),
        (
            HASH.to_owned(),
            AttributeValue::B(Blob::new(intent.content_hash.as_bytes().as_slice())),
        ),
        (
            RECORDED_AT.to_owned(),
            s(&encode_instant(intent.recorded_at)),
        ),
    ]);
    item
}

/// An unconfirmed item's item.
pub(crate) fn unconfirmed(partition: &str, sort: &str, item_id: &ExchangeItemId) -> Item {
    let mut item = key(partition, sort);
    item.insert(ITEM_ID.to_owned(), s(item_id.as_str()));
    item
}

fn text(item: &Item, name: &'static str) -> Result<String, RecordError> {
    optional_text(item, name)?.ok_or_else(|| RecordError::InvalidField {
        field: name,
        reason: "missing".into(),
    })
}

fn optional_text(item: &Item, name: &'static str) -> Result<Option<String>, RecordError> {
    match item.get(name) {
        None => Ok(None),
        Some(AttributeValue::S(text)) => Ok(Some(text.clone())),
        Some(_) => Err(RecordError::InvalidField {
            field: name,
            reason: "not a string".into(),
        }),
    }
}

fn bytes(item: &Item, name: &'static str) -> Result<Vec<u8>, RecordError> {
    match item.get(name) {
        Some(AttributeValue::B(blob)) => Ok(blob.as_ref().to_vec()),
        _ => Err(RecordError::InvalidField {
            field: name,
            reason: "missing or not binary".into(),
        }),
    }
}

/// A count attribute (absent: 0).
pub(crate) fn number(item: &Item, name: &'static str) -> Result<u64, RecordError> {
    match item.get(name) {
        None => Ok(0),
        Some(AttributeValue::N(number)) => number.parse().map_err(|_| RecordError::InvalidField {
            field: name,
            reason: format!("{number} is not a count"),
        }),
        Some(_) => Err(RecordError::InvalidField {
            field: name,
            reason: "not a number".into(),
        }),
    }
}

/// The sort key of an item.
pub(crate) fn sort_key(item: &Item) -> Result<String, RecordError> {
    text(item, SK)
}

/// The mapping a pointer holds.
pub(crate) fn mapping(item: &Item) -> Result<Mapping, RecordError> {
    MappingRecord {
        officeheart_id: text(item, OH_ID)?,
        officeheart_version: text(item, OH_VERSION)?,
        exchange_item_id: text(item, ITEM_ID)?,
        exchange_uid: text(item, UID)?,
        exchange_change_key: optional_text(item, CHANGE_KEY)?,
        content_hash: bytes(item, HASH)?,
        span_start: optional_text(item, SPAN_START)?,
        span_end: optional_text(item, SPAN_END)?,
    }
    .try_into()
}

/// The intent an intent item holds.
pub(crate) fn pending_intent(item: &Item) -> Result<PendingIntent, RecordError> {
    IntentRecord {
        officeheart_id: text(item, OH_ID)?,
        officeheart_version: text(item, OH_VERSION)?,
        content_hash: bytes(item, HASH)?,
        recorded_at: text(item, RECORDED_AT)?,
    }
    .try_into()
}

/// The ItemId an unconfirmed item holds.
pub(crate) fn unconfirmed_item(item: &Item) -> Result<ExchangeItemId, RecordError> {
    decode_unconfirmed_item(&text(item, ITEM_ID)?)
}

/// The state an item holds (intents and unconfirmed items are read from their own items).
pub(crate) fn state(item: &Item) -> Result<BindingState, RecordError> {
    Ok(BindingState {
        version: StateVersion(number(item, VERSION)?),
        mailbox_sync_state: optional_text(item, SYNC_STATE)?.map(MailboxSyncState),
        agenda_cursor: optional_text(item, CURSOR)?.map(AgendaCursor),
        mapping_count: number(item, MAPPING_COUNT)?,
        intents: Vec::new(),
        unconfirmed_items: Vec::new(),
        status: optional_text(item, STATUS)?
            .as_deref()
            .map(decode_status)
            .transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use ohsync_engine::appointment::ContentHash;
    use ohsync_engine::identity::{
        AgendaVersion, ChangeKey, ExchangeItemId, ExchangeUid, OfficeHeartId,
    };
    use ohsync_engine::ports::SyncedSpan;

    use super::*;

    /// DynamoDB's billed size of an item: attribute names plus values (numbers are counted
    /// generously as their digits).
    fn billed_size(item: &Item) -> usize {
        item.iter()
            .map(|(name, value)| {
                name.len()
                    + match value {
                        AttributeValue::S(text) | AttributeValue::N(text) => text.len(),
                        AttributeValue::B(blob) => blob.as_ref().len(),
                        _ => 0,
                    }
            })
            .sum()
    }

    #[test]
    fn a_pointer_with_real_world_ids_fits_one_write_unit_and_reads_back() {
        // Lengths as in the EWS samples: ItemId 168, UID 114, ChangeKey 40.
        let mapping = Mapping {
            officeheart_id: OfficeHeartId::parse("1234567").unwrap(),
            officeheart_version: AgendaVersion::parse("\"W/1718000000\"").unwrap(),
            exchange_item_id: ExchangeItemId::parse(&"A".repeat(168)).unwrap(),
            exchange_uid: ExchangeUid::parse(&"0".repeat(114)).unwrap(),
            exchange_change_key: Some(ChangeKey::parse(&"C".repeat(40)).unwrap()),
            content_hash: ContentHash::from_bytes([9; 32]),
            span: Some(SyncedSpan {
                start: Utc.timestamp_opt(1_796_112_000, 123_456_789).unwrap(),
                end: Utc.timestamp_opt(1_796_115_600, 987_654_321).unwrap(),
            }),
        };
        let partition = format!("binding#acme-bv#jan.de-vries@acme.nl#{}", "f".repeat(64));
        let item = pointer(&partition, &"x#".repeat(12), &mapping);
        let size = billed_size(&item);
        assert!(
            size < 1024,
            "a pointer of {size} bytes costs two write units"
        );
        assert_eq!(super::mapping(&item).unwrap(), mapping);
    }

    #[test]
    fn a_pointer_written_before_spans_reads_without_one() {
        let mapping = Mapping {
            officeheart_id: OfficeHeartId::parse("7").unwrap(),
            officeheart_version: AgendaVersion::parse("v").unwrap(),
            exchange_item_id: ExchangeItemId::parse("AAMk=").unwrap(),
            exchange_uid: ExchangeUid::parse("0400").unwrap(),
            exchange_change_key: None,
            content_hash: ContentHash::from_bytes([1; 32]),
            span: None,
        };
        let item = pointer("p", "o#x", &mapping);
        assert!(!item.contains_key(SPAN_START) && !item.contains_key(SPAN_END));
        assert_eq!(super::mapping(&item).unwrap(), mapping);
    }

    #[test]
    fn a_missing_or_mistyped_attribute_is_named() {
        let mut item = key("p", "o#x");
        item.insert(OH_ID.into(), AttributeValue::N("1".into()));
        assert!(matches!(
            mapping(&item),
            Err(RecordError::InvalidField { field: "oh_id", .. })
        ));
        item.insert(VERSION.into(), AttributeValue::N("-1".into()));
        assert!(matches!(
            state(&item),
            Err(RecordError::InvalidField {
                field: "version",
                ..
            })
        ));
        assert_eq!(state(&key("p", "#state")).unwrap(), BindingState::default());
    }
}
