//! Writing properties into a calendar item the way Exchange does: access rules per property, naive
//! times placed in the item's zone, all-day events snapped to midnight, End not before Start, a new UID
//! for new items. Edits run on a copy so that a failed UpdateItem changes nothing.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::mailbox::extended::{ExtendedFieldUri, ExtendedValue};
use crate::mailbox::item::StoredItem;
use crate::mailbox::recurrence::Recurrence;
use crate::mailbox::schema::{self, Access, FieldIndex, UriPrefix, ValueKind, field};
use crate::response_code::{EwsError, ResponseCode};
use crate::time::{WireDateTime, format_instant, local_to_utc};
use crate::xml::{Element, Node};

/// The FieldURI of a catalog field (`calendar:Start`).
pub fn field_uri(index: FieldIndex) -> String {
    let def = schema::def(index);
    let prefix = match def.prefix {
        UriPrefix::Item => "item",
        UriPrefix::Calendar => "calendar",
    };
    format!("{prefix}:{}", def.element)
}

fn property_error(code: ResponseCode, index: FieldIndex) -> EwsError {
    EwsError::new(code).with_value("FieldURI", field_uri(index))
}

/// An item being written.
#[derive(Debug)]
pub struct Edit {
    item: StoredItem,
    change: u64,
    creating: bool,
    touched: Vec<FieldIndex>,
    context_zone: Option<Tz>,
}

impl Edit {
    /// Starts creating a new item.
    pub fn create(item: StoredItem, change: u64, context_zone: Option<Tz>) -> Self {
        Self {
            item,
            change,
            creating: true,
            touched: Vec::new(),
            context_zone,
        }
    }

    /// Starts updating (a copy of) an existing item.
    pub fn update(item: StoredItem, change: u64, context_zone: Option<Tz>) -> Self {
        Self {
            item,
            change,
            creating: false,
            touched: Vec::new(),
            context_zone,
        }
    }

    /// The item as edited so far.
    pub fn item(&self) -> &StoredItem {
        &self.item
    }

    /// SetItemField / a property in CreateItem.
    pub fn set(&mut self, index: FieldIndex, element: Element) -> Result<(), EwsError> {
        if schema::def(index).access == Access::ReadOnly {
            return Err(property_error(ResponseCode::ErrorInvalidPropertySet, index));
        }
        self.item.set_field(index, element, self.change);
        self.touched.push(index);
        Ok(())
    }

    /// AppendToItemField: Body text and attendee lists only.
    pub fn append(&mut self, index: FieldIndex, element: Element) -> Result<(), EwsError> {
        let appendable = [
            field::body(),
            field::required_attendees(),
            field::optional_attendees(),
            field::resources(),
        ];
        if !appendable.contains(&index) {
            return Err(property_error(
                ResponseCode::ErrorInvalidPropertyAppend,
                index,
            ));
        }
        let mut combined = self.item.field(index).cloned().unwrap_or_else(|| Element {
            children: Vec::new(),
            ..element.clone()
        });
        if index == field::body() {
            let text = combined.text() + &element.text();
            combined.children = vec![Node::Text(text)];
        } else {
            combined.children.extend(element.children);
        }
        self.item.set_field(index, combined, self.change);
        self.touched.push(index);
        Ok(())
    }

    /// DeleteItemField.
    pub fn delete(&mut self, index: FieldIndex) -> Result<(), EwsError> {
        let required = [
            field::start(),
            field::end(),
            field::item_class(),
            field::uid(),
        ];
        if schema::def(index).access == Access::ReadOnly || required.contains(&index) {
            return Err(property_error(
                ResponseCode::ErrorInvalidPropertyDelete,
                index,
            ));
        }
        self.item.delete_field(index, self.change);
        self.touched.push(index);
        Ok(())
    }

    /// Sets an extended property.
    pub fn set_extended(&mut self, uri: ExtendedFieldUri, value: ExtendedValue) {
        self.item.set_extended(uri, value, self.change);
    }

    /// Removes an extended property.
    pub fn delete_extended(&mut self, uri: &ExtendedFieldUri) {
        self.item.delete_extended(uri, self.change);
    }

    fn zone(&self) -> Option<Tz> {
        self.item.zone().or(self.context_zone)
    }

    fn normalise_times(&mut self) {
        let zone = self.zone();
        for index in self.touched.clone() {
            if schema::def(index).kind != ValueKind::DateTime {
                continue;
            }
            let Some(element) = self.item.field(index) else {
                continue;
            };
            if let Some(wire) = WireDateTime::parse(&element.text()) {
                let normalised =
                    Element::with_text(element.name.clone(), format_instant(wire.resolve(zone)));
                self.item.fields.insert(index, normalised);
            }
        }
    }

    fn set_instant(&mut self, index: FieldIndex, instant: DateTime<Utc>) {
        let name = schema::def(index).element;
        self.item
            .fields
            .insert(index, Element::with_text(name, format_instant(instant)));
    }

    /// All-day events span whole days in their zone (EWS-NOTES §6).
    fn snap_all_day(&mut self) {
        let zone = self.zone().unwrap_or(Tz::UTC);
        let midnight = NaiveTime::MIN;
        let start_local = self.item.start().with_timezone(&zone).naive_local();
        let start = local_to_utc(start_local.date().and_time(midnight), zone);
        let end_local = self.item.end().with_timezone(&zone).naive_local();
        let mut end_date = end_local.date();
        if end_local.time() != midnight {
            end_date += Duration::days(1);
        }
        let mut end = local_to_utc(end_date.and_time(midnight), zone);
        if end <= start {
            end = local_to_utc(
                start_local.date().and_time(midnight) + Duration::days(1),
                zone,
            );
        }
        self.set_instant(field::start(), start);
        self.set_instant(field::end(), end);
    }

    /// Completes the edit: defaults for new items, normalisation and consistency checks.
    pub fn finish(mut self, now: DateTime<Utc>) -> Result<StoredItem, EwsError> {
        self.normalise_times();
        if self.creating {
            if self.item.field(field::start()).is_none() {
                self.set_instant(field::start(), now);
            }
            if self.item.field(field::end()).is_none() {
                let start = self.item.start();
                self.set_instant(field::end(), start + Duration::minutes(30));
            }
            if self.item.field(field::uid()).is_none() {
                self.item
                    .fields
                    .insert(field::uid(), Element::with_text("UID", new_uid(now)));
            }
        }
        let timing_changed = [field::start(), field::end(), field::is_all_day()]
            .iter()
            .any(|index| self.touched.contains(index));
        if timing_changed && self.item.flag(field::is_all_day()) == Some(true) {
            self.snap_all_day();
        }
        if self.item.end() < self.item.start() {
            return Err(EwsError::new(
                ResponseCode::ErrorCalendarEndDateIsEarlierThanStartDate,
            ));
        }
        if self.touched.contains(&field::recurrence()) {
            if let Some(element) = self.item.field(field::recurrence()) {
                Recurrence::parse(element).map_err(|error| {
                    EwsError::new(ResponseCode::ErrorInvalidRecurrence)
                        .with_message(error.to_string())
                })?;
            }
            // Exchange drops every exception and deleted instance when the pattern is set again
            // (Outlook warns about exactly that); instance indexes would mean other dates now.
            self.item.exceptions.clear();
            self.item.deleted_occurrences.clear();
        }
        Ok(self.item)
    }
}

/// A UID shaped like the hex GlobalObjectId Exchange gives EWS-created items: the Outlook class id,
/// a zero instance date, the creation FILETIME, padding, a 16-byte length and 16 random bytes.
pub fn new_uid(now: DateTime<Utc>) -> String {
    const CLASS_ID: &str = "040000008200E00074C5B7101A82E008";
    let filetime = (now.timestamp() + 11_644_473_600) * 10_000_000
        + i64::from(now.timestamp_subsec_nanos() / 100);
    let filetime_hex: String = filetime
        .to_le_bytes()
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect();
    let random: [u8; 16] = rand::random();
    let random_hex: String = random.iter().map(|byte| format!("{byte:02X}")).collect();
    format!("{CLASS_ID}00000000{filetime_hex}000000000000000010000000{random_hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_instant;
    use crate::time::windows_zone;

    fn blank() -> StoredItem {
        StoredItem::new(1, Utc::now(), "test")
    }

    #[test]
    fn new_items_get_defaults_and_an_exchange_style_uid() {
        let now = parse_instant("2026-05-01T10:00:00Z").unwrap();
        let item = Edit::create(blank(), 1, None).finish(now).unwrap();
        assert_eq!(item.start(), now);
        assert_eq!(item.end(), now + Duration::minutes(30));
        let uid = item.uid();
        assert_eq!(uid.len(), 112, "{uid}");
        assert!(uid.starts_with("040000008200E00074C5B7101A82E008"));
        assert_ne!(
            uid,
            Edit::create(blank(), 1, None).finish(now).unwrap().uid()
        );
    }

    #[test]
    fn naive_times_use_the_items_zone_and_all_day_events_snap_to_midnight() {
        let mut edit = Edit::create(blank(), 1, None);
        edit.set(
            field::start_time_zone(),
            Element::new("StartTimeZone").attr("Id", "W. Europe Standard Time"),
        )
        .unwrap();
        edit.set(
            field::start(),
            Element::with_text("Start", "2026-07-01T09:30:00"),
        )
        .unwrap();
        edit.set(
            field::end(),
            Element::with_text("End", "2026-07-01T11:00:00"),
        )
        .unwrap();
        edit.set(
            field::is_all_day(),
            Element::with_text("IsAllDayEvent", "true"),
        )
        .unwrap();
        let item = edit.finish(Utc::now()).unwrap();
        assert_eq!(item.zone(), windows_zone("W. Europe Standard Time"));
        assert_eq!(format_instant(item.start()), "2026-06-30T22:00:00Z");
        assert_eq!(format_instant(item.end()), "2026-07-01T22:00:00Z");
    }

    #[test]
    fn refuses_read_only_sets_required_deletes_and_reversed_times() {
        let mut edit = Edit::update(blank(), 2, None);
        let error = edit
            .set(
                schema::by_element("IsMeeting").unwrap(),
                Element::with_text("IsMeeting", "true"),
            )
            .unwrap_err();
        assert_eq!(error.code, ResponseCode::ErrorInvalidPropertySet);
        assert_eq!(
            error.values,
            vec![("FieldURI".to_owned(), "calendar:IsMeeting".to_owned())]
        );
        assert_eq!(
            edit.delete(field::uid()).unwrap_err().code,
            ResponseCode::ErrorInvalidPropertyDelete
        );
        assert_eq!(
            edit.delete(field::start()).unwrap_err().code,
            ResponseCode::ErrorInvalidPropertyDelete
        );
        assert_eq!(
            edit.append(field::subject(), Element::with_text("Subject", "x"))
                .unwrap_err()
                .code,
            ResponseCode::ErrorInvalidPropertyAppend
        );
        edit.set(
            field::start(),
            Element::with_text("Start", "2026-01-02T10:00:00Z"),
        )
        .unwrap();
        edit.set(
            field::end(),
            Element::with_text("End", "2026-01-02T09:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            edit.finish(Utc::now()).unwrap_err().code,
            ResponseCode::ErrorCalendarEndDateIsEarlierThanStartDate
        );
    }
}
