//! Mappings, intents and unconfirmed items as a backend reads them back: text ids, a byte hash,
//! a text instant.

use ohsync_engine::appointment::ContentHash;
use ohsync_engine::identity::{
    AgendaVersion, ChangeKey, ExchangeItemId, ExchangeUid, IdError, OfficeHeartId,
};
use ohsync_engine::ports::{Mapping, PendingIntent, SyncedSpan};

use super::{RecordError, decode_instant};

fn id<T>(
    field: &'static str,
    raw: &str,
    parse: fn(&str) -> Result<T, IdError>,
) -> Result<T, RecordError> {
    parse(raw).map_err(|e| RecordError::field(field, e))
}

/// An unconfirmed item's ItemId as read back.
pub fn decode_unconfirmed_item(raw: &str) -> Result<ExchangeItemId, RecordError> {
    id("unconfirmed_item", raw, ExchangeItemId::parse)
}

fn hash(raw: &[u8]) -> Result<ContentHash, RecordError> {
    <[u8; 32]>::try_from(raw)
        .map(ContentHash::from_bytes)
        .map_err(|_| RecordError::field("content_hash", format!("{} bytes, not 32", raw.len())))
}

/// A stored mapping's fields as read back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MappingRecord {
    /// The OfficeHeart id.
    pub officeheart_id: String,
    /// The OfficeHeart version.
    pub officeheart_version: String,
    /// The Exchange ItemId.
    pub exchange_item_id: String,
    /// The Exchange UID.
    pub exchange_uid: String,
    /// The Exchange ChangeKey, when known.
    pub exchange_change_key: Option<String>,
    /// The 32-byte content hash.
    pub content_hash: Vec<u8>,
    /// The synced span's start (as written by `encode_instant`); absent in records written
    /// before spans were kept.
    pub span_start: Option<String>,
    /// The synced span's end, present exactly when the start is.
    pub span_end: Option<String>,
}

fn span(start: Option<&str>, end: Option<&str>) -> Result<Option<SyncedSpan>, RecordError> {
    match (start, end) {
        (None, None) => Ok(None),
        (Some(start), Some(end)) => Ok(Some(SyncedSpan {
            start: decode_instant("span_start", start)?,
            end: decode_instant("span_end", end)?,
        })),
        (Some(_), None) => Err(RecordError::field("span_end", "missing beside a start")),
        (None, Some(_)) => Err(RecordError::field("span_start", "missing beside an end")),
    }
}

impl TryFrom<MappingRecord> for Mapping {
    type Error = RecordError;

    fn try_from(record: MappingRecord) -> Result<Self, RecordError> {
        Ok(Self {
            officeheart_id: id(
                "officeheart_id",
                &record.officeheart_id,
                OfficeHeartId::parse,
            )?,
            officeheart_version: id(
                "officeheart_version",
                &record.officeheart_version,
                AgendaVersion::parse,
            )?,
            exchange_item_id: id(
                "exchange_item_id",
                &record.exchange_item_id,
                ExchangeItemId::parse,
            )?,
            exchange_uid: id("exchange_uid", &record.exchange_uid, ExchangeUid::parse)?,
            exchange_change_key: record
                .exchange_change_key
                .as_deref()
                .map(|raw| id("exchange_change_key", raw, ChangeKey::parse))
                .transpose()?,
            content_hash: hash(&record.content_hash)?,
            span: span(record.span_start.as_deref(), record.span_end.as_deref())?,
        })
    }
}

/// A stored intent's fields as read back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IntentRecord {
    /// The OfficeHeart id.
    pub officeheart_id: String,
    /// The OfficeHeart version.
    pub officeheart_version: String,
    /// The 32-byte content hash.
    pub content_hash: Vec<u8>,
    /// When it was recorded (as written by `encode_instant`).
    pub recorded_at: String,
}

impl TryFrom<IntentRecord> for PendingIntent {
    type Error = RecordError;

    fn try_from(record: IntentRecord) -> Result<Self, RecordError> {
        Ok(Self {
            officeheart_id: id(
                "officeheart_id",
                &record.officeheart_id,
                OfficeHeartId::parse,
            )?,
            officeheart_version: id(
                "officeheart_version",
                &record.officeheart_version,
                AgendaVersion::parse,
            )?,
            content_hash: hash(&record.content_hash)?,
            recorded_at: decode_instant("recorded_at", &record.recorded_at)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> MappingRecord {
        MappingRecord {
            officeheart_id: "oh#1".into(),
            officeheart_version: "v1".into(),
            exchange_item_id: "AAMk=".into(),
            exchange_uid: "040000".into(),
            exchange_change_key: Some("CK".into()),
            content_hash: vec![7; 32],
            span_start: Some("2026-12-01T09:00:00.5Z".into()),
            span_end: Some("2026-12-01T10:00:00Z".into()),
        }
    }

    #[test]
    fn a_complete_record_parses() {
        let mapping = Mapping::try_from(record()).unwrap();
        assert_eq!(mapping.officeheart_id.as_str(), "oh#1");
        assert_eq!(mapping.exchange_change_key.unwrap().as_str(), "CK");
        assert_eq!(mapping.content_hash.as_bytes(), &[7; 32]);
        let span = mapping.span.unwrap();
        assert_eq!(
            span.end - span.start,
            chrono::Duration::milliseconds(59 * 60_000 + 59_500)
        );
    }

    #[test]
    fn a_record_without_a_span_reads_as_none_and_half_a_span_is_rejected() {
        let old = MappingRecord {
            span_start: None,
            span_end: None,
            ..record()
        };
        assert_eq!(Mapping::try_from(old).unwrap().span, None);
        let no_end = MappingRecord {
            span_end: None,
            ..record()
        };
        assert!(matches!(
            Mapping::try_from(no_end),
            Err(RecordError::InvalidField {
                field: "span_end",
                ..
            })
        ));
        let bad_start = MappingRecord {
            span_start: Some("soon".into()),
            ..record()
        };
        assert!(matches!(
            Mapping::try_from(bad_start),
            Err(RecordError::InvalidField {
                field: "span_start",
                ..
            })
        ));
    }

    #[test]
    fn each_bad_field_is_named() {
        let short_hash = MappingRecord {
            content_hash: vec![1; 31],
            ..record()
        };
        assert!(matches!(
            Mapping::try_from(short_hash),
            Err(RecordError::InvalidField {
                field: "content_hash",
                ..
            })
        ));
        let empty_item = MappingRecord {
            exchange_item_id: String::new(),
            ..record()
        };
        assert!(matches!(
            Mapping::try_from(empty_item),
            Err(RecordError::InvalidField {
                field: "exchange_item_id",
                ..
            })
        ));
        let bad_time = IntentRecord {
            officeheart_id: "1".into(),
            officeheart_version: "v".into(),
            content_hash: vec![0; 32],
            recorded_at: "never".into(),
        };
        assert!(matches!(
            PendingIntent::try_from(bad_time),
            Err(RecordError::InvalidField {
                field: "recorded_at",
                ..
            })
        ));
    }
}
