//! A stored calendar item: its properties as the elements a client sent (keyed by schema position),
//! its extended properties, and the bookkeeping Exchange keeps (versions, UID, deleted and modified
//! occurrences).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::extended::{ExtendedFieldUri, ExtendedValue};
use super::global_object_id;
use super::recurrence::{InvalidRecurrence, Recurrence};
use super::schema::{FieldIndex, field};
use crate::time::{parse_instant, windows_zone};
use crate::xml::Element;

/// What a property path names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PropertyPath {
    /// A calendar item field from the schema catalog.
    Field(FieldIndex),
    /// An extended property.
    Extended(ExtendedFieldUri),
    /// A valid FieldURI that calendar items do not have (e.g. `message:IsRead`): never present.
    Absent(String),
}

/// What one modified occurrence (an exception) overrides; everything else follows the master.
///
/// Exchange keeps exceptions as attachments of the master (EWS-NOTES §7), so they live inside the
/// master here too and every change to one is a change of the master.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OccurrenceException {
    /// Overridden fields: `Some` replaces the master's value, `None` removes it for this instance.
    pub fields: BTreeMap<FieldIndex, Option<Element>>,
    /// Overridden extended properties, in the same way.
    pub extended: BTreeMap<ExtendedFieldUri, Option<ExtendedValue>>,
    /// Change number at which each overridden property last changed (for AutoResolve).
    pub changed_at: HashMap<PropertyPath, u64>,
}

/// One calendar item (a single appointment or a recurring master).
#[derive(Debug, Clone)]
pub struct StoredItem {
    /// Key within the mailbox (encoded in the ItemId).
    pub key: u64,
    /// Change number of the latest write (encoded in the ChangeKey).
    pub version: u64,
    /// DateTimeCreated.
    pub created: DateTime<Utc>,
    /// LastModifiedTime.
    pub modified: DateTime<Utc>,
    /// LastModifiedName.
    pub modified_by: String,
    /// Properties as sent (local names), by schema position.
    pub fields: BTreeMap<FieldIndex, Element>,
    /// Extended properties.
    pub extended: BTreeMap<ExtendedFieldUri, ExtendedValue>,
    /// Change number at which each property last changed (for AutoResolve conflict detection).
    pub changed_at: HashMap<PropertyPath, u64>,
    /// Instance indexes removed from a series.
    pub deleted_occurrences: BTreeSet<u32>,
    /// Modified instances of a series, by instance index.
    pub exceptions: BTreeMap<u32, OccurrenceException>,
}

impl StoredItem {
    /// An empty item; the caller fills fields and commits it.
    pub fn new(key: u64, now: DateTime<Utc>, modified_by: &str) -> Self {
        Self {
            key,
            version: 0,
            created: now,
            modified: now,
            modified_by: modified_by.to_owned(),
            fields: BTreeMap::new(),
            extended: BTreeMap::new(),
            changed_at: HashMap::new(),
            deleted_occurrences: BTreeSet::new(),
            exceptions: BTreeMap::new(),
        }
    }

    /// The stored element of a field.
    pub fn field(&self, index: FieldIndex) -> Option<&Element> {
        self.fields.get(&index)
    }

    /// The trimmed text of a field.
    pub fn text(&self, index: FieldIndex) -> Option<String> {
        self.field(index)
            .map(|element| element.text().trim().to_owned())
    }

    /// A boolean field (`true`/`1`).
    pub fn flag(&self, index: FieldIndex) -> Option<bool> {
        self.text(index).map(|text| text == "true" || text == "1")
    }

    /// Start (always present once created).
    pub fn start(&self) -> DateTime<Utc> {
        self.text(field::start())
            .and_then(|text| parse_instant(&text))
            .unwrap_or(self.created)
    }

    /// End (always present once created).
    pub fn end(&self) -> DateTime<Utc> {
        self.text(field::end())
            .and_then(|text| parse_instant(&text))
            .unwrap_or_else(|| self.start())
    }

    /// The UID.
    pub fn uid(&self) -> String {
        self.text(field::uid()).unwrap_or_default()
    }

    /// The value of an extended property: as stored, except PidLidGlobalObjectId, which
    /// Exchange derives from the UID.
    pub fn extended_value(&self, uri: &ExtendedFieldUri) -> Option<ExtendedValue> {
        if global_object_id::is_global_object_id(uri) {
            let uid = self.uid();
            return (!uid.is_empty())
                .then(|| ExtendedValue::Single(global_object_id::of_uid(&uid)));
        }
        self.extended.get(uri).cloned()
    }

    /// The zone the item was scheduled in: StartTimeZone, else MeetingTimeZone, else none (UTC).
    pub fn zone(&self) -> Option<Tz> {
        let start_zone = self
            .field(field::start_time_zone())
            .and_then(|zone| zone.attribute("Id"));
        let meeting_zone = self
            .field(field::meeting_time_zone())
            .and_then(|zone| zone.attribute("TimeZoneName"));
        start_zone.or(meeting_zone).and_then(windows_zone)
    }

    /// The zone's Windows id as Exchange reports it (`UTC` when none was given).
    pub fn zone_id(&self) -> String {
        let start_zone = self
            .field(field::start_time_zone())
            .and_then(|zone| zone.attribute("Id"));
        let meeting_zone = self
            .field(field::meeting_time_zone())
            .and_then(|zone| zone.attribute("TimeZoneName"));
        start_zone.or(meeting_zone).unwrap_or("UTC").to_owned()
    }

    /// The parsed recurrence of a master; `None` for a single item.
    pub fn recurrence(&self) -> Option<Result<Recurrence, InvalidRecurrence>> {
        self.field(field::recurrence()).map(Recurrence::parse)
    }

    /// A master has a Recurrence.
    pub fn is_master(&self) -> bool {
        self.fields.contains_key(&field::recurrence())
    }

    /// An item with attendees is a meeting (WSR/createitem-operation-calendar-item).
    pub fn is_meeting(&self) -> bool {
        [
            field::required_attendees(),
            field::optional_attendees(),
            field::resources(),
        ]
        .iter()
        .any(|index| {
            self.field(*index)
                .is_some_and(|list| list.elements().next().is_some())
        })
    }

    /// Sets a field as of change `change`.
    pub fn set_field(&mut self, index: FieldIndex, element: Element, change: u64) {
        self.fields.insert(index, element);
        self.changed_at.insert(PropertyPath::Field(index), change);
    }

    /// Removes a field as of change `change`.
    pub fn delete_field(&mut self, index: FieldIndex, change: u64) {
        self.fields.remove(&index);
        self.changed_at.insert(PropertyPath::Field(index), change);
    }

    /// Sets an extended property as of change `change`.
    pub fn set_extended(&mut self, uri: ExtendedFieldUri, value: ExtendedValue, change: u64) {
        self.changed_at
            .insert(PropertyPath::Extended(uri.clone()), change);
        self.extended.insert(uri, value);
    }

    /// Removes an extended property as of change `change`.
    pub fn delete_extended(&mut self, uri: &ExtendedFieldUri, change: u64) {
        self.extended.remove(uri);
        self.changed_at
            .insert(PropertyPath::Extended(uri.clone()), change);
    }

    /// Has `path` changed after change number `seen`?
    pub fn changed_since(&self, path: &PropertyPath, seen: u64) -> bool {
        self.changed_at
            .get(path)
            .is_some_and(|change| *change > seen)
    }
}
