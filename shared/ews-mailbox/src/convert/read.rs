//! Exchange items → the engine's items, summaries and appointments.

use chrono::{DateTime, FixedOffset, Utc};
use ohsync_engine::appointment::{Appointment, Categories, Text};
use ohsync_engine::identity::{ChangeKey, ExchangeItemId, ExchangeItemKey, ExchangeUid, OhsyncTag};
use ohsync_engine::ports::{ExchangeItem, ItemSummary};
use ohsync_ews::model::{CalendarItemType, ItemKind};
use ohsync_ews::{CalendarItem, ItemId};

use super::properties::{is_private, reminder_minutes, show_as};
use super::schedule::read_schedule;
use super::series::{OccurrenceDetails, read_recurrence};
use super::{ConvertError, Converter};

/// Whether the item is one the calendar stores: a single or a series master. Occurrences and
/// exceptions are views of a master; meeting messages are not appointments.
pub fn is_stored_item(item: &CalendarItem) -> bool {
    item.kind == ItemKind::CalendarItem
        && !matches!(
            item.calendar_item_type,
            Some(CalendarItemType::Occurrence | CalendarItemType::Exception)
        )
}

fn stored(item: &CalendarItem) -> Result<(), ConvertError> {
    if is_stored_item(item) {
        return Ok(());
    }
    let what = match (&item.kind, item.calendar_item_type) {
        (ItemKind::CalendarItem, Some(kind)) => kind.as_str().to_owned(),
        (ItemKind::Other(name), _) => name.clone(),
        (kind, _) => format!("{kind:?}"),
    };
    Err(ConvertError::NotStored(what))
}

fn utc(
    at: Option<DateTime<FixedOffset>>,
    field: &'static str,
) -> Result<DateTime<Utc>, ConvertError> {
    at.map(|at| at.to_utc()).ok_or(ConvertError::Missing(field))
}

fn is_series(item: &CalendarItem) -> bool {
    item.is_recurring_master() || item.recurrence.is_some()
}

impl Converter {
    /// The item's ohsync tag; a malformed value is ignored, counted and logged.
    pub fn tag(&self, item: &CalendarItem) -> Option<OhsyncTag> {
        let raw = item.ohsync_tag_value()?;
        match raw.parse::<OhsyncTag>() {
            Ok(tag) => Some(tag),
            Err(error) => {
                self.count_malformed_tag();
                tracing::warn!(
                    item = item.item_id.as_ref().map(|id| id.id.as_str()),
                    value = raw,
                    %error,
                    "ignoring a malformed ohsync tag"
                );
                None
            }
        }
    }

    /// ItemId, ChangeKey and UID of an item.
    pub fn key(&self, item: &CalendarItem) -> Result<ExchangeItemKey, ConvertError> {
        let id = item
            .item_id
            .as_ref()
            .ok_or(ConvertError::Missing("ItemId"))?;
        self.key_of(id, item.uid.as_deref())
    }

    /// The key of an item with this id and UID. Without a UID (Exchange 2007 RTM has none) the
    /// ItemId stands in for it.
    pub fn key_of(&self, id: &ItemId, uid: Option<&str>) -> Result<ExchangeItemKey, ConvertError> {
        let bad = |field| move |source| ConvertError::BadId { field, source };
        let change_key = id
            .change_key
            .as_deref()
            .ok_or(ConvertError::Missing("ChangeKey"))?;
        let uid = match uid.filter(|uid| !uid.trim().is_empty()) {
            Some(uid) => uid,
            None => {
                tracing::debug!(item = id.id, "item without UID; its ItemId stands in");
                &id.id
            }
        };
        Ok(ExchangeItemKey {
            item_id: ExchangeItemId::parse(&id.id).map_err(bad("ItemId"))?,
            change_key: ChangeKey::parse(change_key).map_err(bad("ChangeKey"))?,
            uid: ExchangeUid::parse(uid).map_err(bad("UID"))?,
        })
    }

    /// What decides relevance, from an item in the relevance shape (or any richer one).
    pub fn summary(&self, item: &CalendarItem) -> Result<ItemSummary, ConvertError> {
        stored(item)?;
        Ok(ItemSummary {
            key: self.key(item)?,
            start: utc(item.start, "Start")?,
            end: utc(item.end, "End")?,
            is_series: is_series(item),
            tag: self.tag(item),
        })
    }

    /// The full item, from a GetItem answer in the full shape, with the modified occurrences
    /// of a series read beside it. An item without `LastModifiedTime` (Exchange 2007 RTM)
    /// counts as older than any change; one carrying the unfinished-write marker is reported
    /// `unfinished`.
    pub fn exchange_item(
        &self,
        item: &CalendarItem,
        occurrences: &OccurrenceDetails,
    ) -> Result<ExchangeItem, ConvertError> {
        stored(item)?;
        Ok(ExchangeItem {
            key: self.key(item)?,
            tag: self.tag(item),
            last_modified: item
                .last_modified_time
                .map_or(DateTime::UNIX_EPOCH, |at| at.to_utc()),
            appointment: self.appointment(item, occurrences)?,
            unfinished: item.has_unfinished_marker(),
        })
    }

    /// The normalised content of an item (and of a series' modified occurrences).
    pub fn appointment(
        &self,
        item: &CalendarItem,
        occurrences: &OccurrenceDetails,
    ) -> Result<Appointment, ConvertError> {
        let time_zone = self.zones.item_zone(item);
        let schedule = read_schedule(
            utc(item.start, "Start")?,
            utc(item.end, "End")?,
            item.is_all_day.unwrap_or(false),
            time_zone,
        )?;
        let recurrence = read_recurrence(item, &schedule, time_zone, occurrences)?;
        Ok(Appointment {
            subject: Text::new(item.subject.as_deref().unwrap_or_default()),
            location: Text::new(item.location.as_deref().unwrap_or_default()),
            body: Text::new(item.body.as_ref().map_or("", |body| body.text.as_str())),
            schedule,
            time_zone,
            private: is_private(item.sensitivity),
            show_as: show_as(item.legacy_free_busy_status),
            reminder_minutes: reminder_minutes(
                item.reminder_is_set,
                item.reminder_minutes_before_start,
            ),
            categories: Categories::new(&item.categories),
            recurrence,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe;
    use ohsync_ews::model::{
        ExtendedProperty, LegacyFreeBusyStatus, OHSYNC_TAG_FIELD, OHSYNC_UNFINISHED_FIELD,
        Sensitivity,
    };
    use ohsync_ews::{ExchangeVersion, model::Body, model::BodyType};

    fn converter() -> Converter {
        Converter::new(ExchangeVersion::Exchange2016, Europe::Amsterdam)
    }

    fn at(text: &str) -> Option<DateTime<FixedOffset>> {
        Some(DateTime::parse_from_rfc3339(text).unwrap())
    }

    fn item() -> CalendarItem {
        CalendarItem {
            item_id: Some(ItemId::new("AAMk1", "DwAA1")),
            uid: Some("040000008200E00074C5B7101A82E008".into()),
            subject: Some("  Overleg  ".into()),
            start: at("2026-03-02T09:00:00Z"),
            end: at("2026-03-02T10:00:00Z"),
            calendar_item_type: Some(CalendarItemType::Single),
            ..CalendarItem::default()
        }
    }

    fn tagged(value: &str) -> CalendarItem {
        CalendarItem {
            extended_properties: vec![ExtendedProperty {
                field: OHSYNC_TAG_FIELD,
                values: vec![value.into()],
            }],
            ..item()
        }
    }

    #[test]
    fn malformed_tags_are_dropped_and_counted() {
        let converter = converter();
        assert_eq!(
            converter.tag(&tagged("acme:appt:7")).unwrap().to_string(),
            "acme:appt:7"
        );
        assert_eq!(converter.tag(&tagged("no-separator")), None);
        assert_eq!(converter.tag(&tagged("acme:")), None);
        assert_eq!(converter.tag(&tagged("ac me:7")), None);
        assert_eq!(converter.tag(&item()), None);
        assert_eq!(converter.malformed_tags(), 3);
    }

    #[test]
    fn keys_need_id_and_change_key_and_fall_back_to_the_id_for_the_uid() {
        let converter = converter();
        let key = converter.key(&item()).unwrap();
        assert_eq!(key.item_id.as_str(), "AAMk1");
        assert_eq!(key.change_key.as_str(), "DwAA1");
        assert_eq!(key.uid.as_str(), "040000008200E00074C5B7101A82E008");
        let without_uid = CalendarItem {
            uid: None,
            ..item()
        };
        assert_eq!(converter.key(&without_uid).unwrap().uid.as_str(), "AAMk1");
        let without_key = CalendarItem {
            item_id: Some(ItemId::without_change_key("AAMk1")),
            ..item()
        };
        assert_eq!(
            converter.key(&without_key),
            Err(ConvertError::Missing("ChangeKey"))
        );
    }

    #[test]
    fn summaries_mark_masters_as_series_even_when_is_recurring_is_false() {
        let master = CalendarItem {
            calendar_item_type: Some(CalendarItemType::RecurringMaster),
            is_recurring: Some(false),
            ..item()
        };
        assert!(converter().summary(&master).unwrap().is_series);
        assert!(!converter().summary(&item()).unwrap().is_series);
    }

    #[test]
    fn occurrences_and_meeting_messages_are_not_stored_items() {
        let occurrence = CalendarItem {
            calendar_item_type: Some(CalendarItemType::Occurrence),
            ..item()
        };
        assert_eq!(
            converter().summary(&occurrence),
            Err(ConvertError::NotStored("Occurrence".into()))
        );
        let request = CalendarItem {
            kind: ItemKind::MeetingRequest,
            ..item()
        };
        assert!(
            converter()
                .exchange_item(&request, &OccurrenceDetails::new())
                .is_err()
        );
    }

    #[test]
    fn an_item_carrying_the_marker_is_unfinished() {
        let converter = converter();
        let plain = converter
            .exchange_item(&item(), &OccurrenceDetails::new())
            .unwrap();
        assert!(!plain.unfinished);
        let marked = CalendarItem {
            extended_properties: vec![ExtendedProperty {
                field: OHSYNC_UNFINISHED_FIELD,
                values: vec!["1".into()],
            }],
            ..item()
        };
        let read = converter
            .exchange_item(&marked, &OccurrenceDetails::new())
            .unwrap();
        assert!(read.unfinished);
        assert_eq!(read.appointment, plain.appointment);
    }

    #[test]
    fn content_is_normalised() {
        let full = CalendarItem {
            body: Some(Body {
                body_type: BodyType::Text,
                text: "Regel 1\r\nRegel 2  \r\n".into(),
            }),
            location: Some("Kamer 2".into()),
            categories: vec!["Werk".into(), " Klant".into(), "Werk".into()],
            sensitivity: Some(Sensitivity::Confidential),
            legacy_free_busy_status: Some(LegacyFreeBusyStatus::Tentative),
            reminder_is_set: Some(true),
            reminder_minutes_before_start: Some(5),
            last_modified_time: at("2026-02-01T12:00:00+01:00"),
            start_time_zone_id: Some("W. Europe Standard Time".into()),
            ..item()
        };
        let read = converter()
            .exchange_item(&full, &OccurrenceDetails::new())
            .unwrap();
        let appointment = &read.appointment;
        assert_eq!(appointment.subject.as_str(), "Overleg");
        assert_eq!(appointment.body.as_str(), "Regel 1\nRegel 2");
        assert_eq!(appointment.categories.names(), ["Klant", "Werk"]);
        assert!(appointment.private);
        assert_eq!(appointment.reminder_minutes, Some(5));
        assert_eq!(appointment.time_zone, Europe::Amsterdam);
        assert_eq!(appointment.recurrence, None);
        assert_eq!(
            read.last_modified,
            "2026-02-01T11:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        let bare = converter()
            .exchange_item(&item(), &OccurrenceDetails::new())
            .unwrap();
        assert_eq!(bare.last_modified, DateTime::UNIX_EPOCH);
        assert_eq!(bare.appointment.reminder_minutes, None);
    }
}
