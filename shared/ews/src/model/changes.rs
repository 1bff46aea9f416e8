//! What the client sends (new items, field updates) and the shapes of listing results.

use chrono::{DateTime, Utc};

use super::calendar_item::{Body, CalendarItem, LegacyFreeBusyStatus, Sensitivity};
use super::extended_property::{
    ExtendedFieldUri, OHSYNC_TAG_FIELD, OHSYNC_UNFINISHED_FIELD, OhsyncTag,
};
use super::recurrence::Recurrence;
use super::wire_enum::wire_enum;
use super::{ItemId, ItemTarget};
use crate::error::EwsError;
use crate::version::ExchangeVersion;

/// Which properties a listing (SyncFolderItems, FindItem) returns per item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemShape {
    /// Ids and change keys only.
    IdOnly,
    /// Ids plus what decides relevance: Start, End, CalendarItemType, IsRecurring, UID (2007 SP1
    /// and later), the ohsync tag and the unfinished-write marker.
    Relevance,
    /// Relevance plus Subject, Location, ItemClass, IsAllDayEvent and LastModifiedTime
    /// (enough to match items on a first run).
    Summary,
}

/// One change reported by SyncFolderItems; read-flag changes are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncChange {
    /// A new item (every item on a first sync).
    Create(CalendarItem),
    /// A changed item.
    Update(CalendarItem),
    /// A deleted (or moved-away) item.
    Delete(ItemId),
}

/// One page of SyncFolderItems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncPage {
    /// The state to store and send next time (opaque; never truncate it).
    pub sync_state: String,
    /// Whether this page ends the changes; if false, call again with `sync_state`.
    pub includes_last_item_in_range: bool,
    /// The changes in server order.
    pub changes: Vec<SyncChange>,
    /// How many `ReadFlagChange` entries were skipped.
    pub read_flag_changes: usize,
}

/// One FindItem result: a CalendarView (singles, occurrences, exceptions) or an indexed page
/// (singles and masters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindItemPage {
    /// The items in server order.
    pub items: Vec<CalendarItem>,
    /// False when more items exist than were returned.
    pub includes_last_item_in_range: bool,
    /// `TotalItemsInView`.
    pub total_items_in_view: Option<u32>,
    /// `IndexedPagingOffset`: where the next indexed page starts.
    pub indexed_paging_offset: Option<u32>,
}

/// The result of one UpdateItem change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatedItem {
    /// The item's new id and change key.
    pub item_id: ItemId,
    /// `ConflictResults/Count`: non-zero when AutoResolve kept server values.
    pub conflict_count: u32,
}

/// A field ohsync writes, with its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarField {
    /// `item:Subject`.
    Subject(String),
    /// `item:Sensitivity`.
    Sensitivity(Sensitivity),
    /// `item:Body`.
    Body(Body),
    /// `item:Categories`.
    Categories(Vec<String>),
    /// `item:ReminderIsSet`.
    ReminderIsSet(bool),
    /// `item:ReminderMinutesBeforeStart`.
    ReminderMinutesBeforeStart(i32),
    /// The ohsync tag extended property.
    OhsyncTag(OhsyncTag),
    /// The unfinished-write marker extended property (written with the value `1`).
    UnfinishedMarker,
    /// `calendar:UID`, set on create so that the item's stable key is known without reading it back.
    Uid(String),
    /// `calendar:Start` (sent in UTC).
    Start(DateTime<Utc>),
    /// `calendar:End` (sent in UTC).
    End(DateTime<Utc>),
    /// `calendar:IsAllDayEvent`: send midnight-to-midnight in the user's zone (EWS-NOTES §6).
    IsAllDayEvent(bool),
    /// `calendar:LegacyFreeBusyStatus`.
    LegacyFreeBusyStatus(LegacyFreeBusyStatus),
    /// `calendar:Location`.
    Location(String),
    /// `calendar:Recurrence`.
    Recurrence(Recurrence),
    /// `calendar:MeetingTimeZone` (Exchange2007_SP1 requests).
    MeetingTimeZone(String),
    /// `calendar:StartTimeZone` (2010+; a Windows zone id).
    StartTimeZone(String),
    /// `calendar:EndTimeZone` (2010+).
    EndTimeZone(String),
}

/// The name of a [`CalendarField`], for deleting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CalendarFieldName {
    /// `item:Subject`.
    Subject,
    /// `item:Sensitivity`.
    Sensitivity,
    /// `item:Body`.
    Body,
    /// `item:Categories`.
    Categories,
    /// `item:ReminderIsSet`.
    ReminderIsSet,
    /// `item:ReminderMinutesBeforeStart`.
    ReminderMinutesBeforeStart,
    /// The ohsync tag.
    OhsyncTag,
    /// The unfinished-write marker.
    UnfinishedMarker,
    /// `calendar:UID`.
    Uid,
    /// `calendar:Start`.
    Start,
    /// `calendar:End`.
    End,
    /// `calendar:IsAllDayEvent`.
    IsAllDayEvent,
    /// `calendar:LegacyFreeBusyStatus`.
    LegacyFreeBusyStatus,
    /// `calendar:Location`.
    Location,
    /// `calendar:Recurrence`.
    Recurrence,
    /// `calendar:MeetingTimeZone`.
    MeetingTimeZone,
    /// `calendar:StartTimeZone`.
    StartTimeZone,
    /// `calendar:EndTimeZone`.
    EndTimeZone,
}

impl CalendarFieldName {
    /// The `FieldURI`, or `None` for ohsync's extended properties (see
    /// [`CalendarFieldName::extended_field_uri`]).
    ///
    /// The declaration order of the names is the order the EWS schema demands inside `t:CalendarItem`.
    pub fn field_uri(self) -> Option<&'static str> {
        Some(match self {
            Self::Subject => "item:Subject",
            Self::Sensitivity => "item:Sensitivity",
            Self::Body => "item:Body",
            Self::Categories => "item:Categories",
            Self::ReminderIsSet => "item:ReminderIsSet",
            Self::ReminderMinutesBeforeStart => "item:ReminderMinutesBeforeStart",
            Self::OhsyncTag | Self::UnfinishedMarker => return None,
            Self::Uid => "calendar:UID",
            Self::Start => "calendar:Start",
            Self::End => "calendar:End",
            Self::IsAllDayEvent => "calendar:IsAllDayEvent",
            Self::LegacyFreeBusyStatus => "calendar:LegacyFreeBusyStatus",
            Self::Location => "calendar:Location",
            Self::Recurrence => "calendar:Recurrence",
            Self::MeetingTimeZone => "calendar:MeetingTimeZone",
            Self::StartTimeZone => "calendar:StartTimeZone",
            Self::EndTimeZone => "calendar:EndTimeZone",
        })
    }
}

impl CalendarFieldName {
    /// The `ExtendedFieldURI` of ohsync's extended properties, `None` for the other fields.
    pub fn extended_field_uri(self) -> Option<ExtendedFieldUri> {
        match self {
            Self::OhsyncTag => Some(OHSYNC_TAG_FIELD),
            Self::UnfinishedMarker => Some(OHSYNC_UNFINISHED_FIELD),
            _ => None,
        }
    }
}

impl CalendarField {
    /// The field's name.
    pub fn name(&self) -> CalendarFieldName {
        match self {
            Self::Subject(_) => CalendarFieldName::Subject,
            Self::Sensitivity(_) => CalendarFieldName::Sensitivity,
            Self::Body(_) => CalendarFieldName::Body,
            Self::Categories(_) => CalendarFieldName::Categories,
            Self::ReminderIsSet(_) => CalendarFieldName::ReminderIsSet,
            Self::ReminderMinutesBeforeStart(_) => CalendarFieldName::ReminderMinutesBeforeStart,
            Self::OhsyncTag(_) => CalendarFieldName::OhsyncTag,
            Self::UnfinishedMarker => CalendarFieldName::UnfinishedMarker,
            Self::Uid(_) => CalendarFieldName::Uid,
            Self::Start(_) => CalendarFieldName::Start,
            Self::End(_) => CalendarFieldName::End,
            Self::IsAllDayEvent(_) => CalendarFieldName::IsAllDayEvent,
            Self::LegacyFreeBusyStatus(_) => CalendarFieldName::LegacyFreeBusyStatus,
            Self::Location(_) => CalendarFieldName::Location,
            Self::Recurrence(_) => CalendarFieldName::Recurrence,
            Self::MeetingTimeZone(_) => CalendarFieldName::MeetingTimeZone,
            Self::StartTimeZone(_) => CalendarFieldName::StartTimeZone,
            Self::EndTimeZone(_) => CalendarFieldName::EndTimeZone,
        }
    }

    /// The time-zone fields for a Windows zone id in the schema of `version`: StartTimeZone and
    /// EndTimeZone from 2010, MeetingTimeZone before.
    pub fn time_zone(version: ExchangeVersion, windows_zone_id: &str) -> Vec<CalendarField> {
        if version.has_start_end_time_zones() {
            vec![
                Self::StartTimeZone(windows_zone_id.to_owned()),
                Self::EndTimeZone(windows_zone_id.to_owned()),
            ]
        } else {
            vec![Self::MeetingTimeZone(windows_zone_id.to_owned())]
        }
    }
}

/// A calendar item to create: its fields in any order (they are written in schema order).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewCalendarItem {
    /// The fields; each name at most once.
    pub fields: Vec<CalendarField>,
}

impl NewCalendarItem {
    /// The ohsync tag this item will carry, if any.
    pub fn tag(&self) -> Option<&OhsyncTag> {
        self.fields.iter().find_map(|field| match field {
            CalendarField::OhsyncTag(tag) => Some(tag),
            _ => None,
        })
    }
}

/// Checks a set of field names: each at most once, and time-zone fields valid for `version`.
fn check_field_names(
    names: impl Iterator<Item = CalendarFieldName>,
    version: ExchangeVersion,
) -> Result<(), EwsError> {
    let mut seen = Vec::new();
    for name in names {
        if seen.contains(&name) {
            return Err(EwsError::invalid_input(format!(
                "field {name:?} given twice"
            )));
        }
        if matches!(
            name,
            CalendarFieldName::StartTimeZone | CalendarFieldName::EndTimeZone
        ) && !version.has_start_end_time_zones()
        {
            return Err(EwsError::invalid_input(format!(
                "{name:?} needs Exchange2010 or later; use MeetingTimeZone with {version}"
            )));
        }
        if name == CalendarFieldName::Uid && !version.has_uid() {
            return Err(EwsError::invalid_input(format!(
                "UID needs Exchange2007_SP1 or later, not {version}"
            )));
        }
        seen.push(name);
    }
    Ok(())
}

impl NewCalendarItem {
    /// Checks the item before it is sent: fields unique, Start and End present and ordered,
    /// time-zone fields valid for `version`.
    pub fn validate(&self, version: ExchangeVersion) -> Result<(), EwsError> {
        check_field_names(self.fields.iter().map(CalendarField::name), version)?;
        let start = self.fields.iter().find_map(|field| match field {
            CalendarField::Start(start) => Some(*start),
            _ => None,
        });
        let end = self.fields.iter().find_map(|field| match field {
            CalendarField::End(end) => Some(*end),
            _ => None,
        });
        match (start, end) {
            (Some(start), Some(end)) if start <= end => Ok(()),
            (Some(start), Some(end)) => Err(EwsError::invalid_input(format!(
                "start {start} is after end {end}"
            ))),
            _ => Err(EwsError::invalid_input(
                "a new calendar item needs Start and End",
            )),
        }
    }
}

/// One field-level edit of an existing item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldUpdate {
    /// `SetItemField`.
    Set(CalendarField),
    /// `DeleteItemField`.
    Delete(CalendarFieldName),
}

impl FieldUpdate {
    /// The field this update touches.
    pub fn name(&self) -> CalendarFieldName {
        match self {
            Self::Set(field) => field.name(),
            Self::Delete(name) => *name,
        }
    }
}

wire_enum! {
    /// `UpdateItem/@ConflictResolution`: what the server does when the ChangeKey sent is no longer
    /// the item's current one (EWS-NOTES §4).
    pub enum ConflictResolution {
        /// Fail with `ErrorIrresolvableConflict`; nothing is written.
        NeverOverwrite = "NeverOverwrite",
        /// Apply the edits except for properties changed on the server since (EWS's default).
        AutoResolve = "AutoResolve",
        /// Apply every edit regardless.
        AlwaysOverwrite = "AlwaysOverwrite",
    }
}

/// The edits of one item; `item_id` must carry the ChangeKey the edits are based on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemChange {
    /// The item and the version the edits apply to.
    pub item_id: ItemId,
    /// The edits.
    pub updates: Vec<FieldUpdate>,
}

impl ItemChange {
    /// Checks the change before it is sent: a ChangeKey (AutoResolve needs one), at least one
    /// edit, each field once, Start/End never deleted, time-zone fields valid for `version`.
    pub fn validate(&self, version: ExchangeVersion) -> Result<(), EwsError> {
        check_updates(&self.item_id, &self.updates, version)
    }
}

/// The edits of an item or of one instance of a series (which makes it an exception); the
/// target's id must carry the ChangeKey the edits are based on (the master's, for an instance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetChange {
    /// What is edited.
    pub target: ItemTarget,
    /// The edits.
    pub updates: Vec<FieldUpdate>,
}

impl TargetChange {
    /// Checks the change before it is sent, as [`ItemChange::validate`] does, and the target.
    pub fn validate(&self, version: ExchangeVersion) -> Result<(), EwsError> {
        self.target.validate()?;
        check_updates(self.target.id(), &self.updates, version)
    }
}

impl From<ItemChange> for TargetChange {
    fn from(change: ItemChange) -> Self {
        Self {
            target: ItemTarget::Item(change.item_id),
            updates: change.updates,
        }
    }
}

/// The rules every update follows, whatever it targets.
fn check_updates(
    id: &ItemId,
    updates: &[FieldUpdate],
    version: ExchangeVersion,
) -> Result<(), EwsError> {
    if id.change_key.as_deref().is_none_or(str::is_empty) {
        return Err(EwsError::invalid_input(format!(
            "update of {} has no ChangeKey",
            id.id
        )));
    }
    if updates.is_empty() {
        return Err(EwsError::invalid_input(format!(
            "update of {} has no edits",
            id.id
        )));
    }
    if updates.iter().any(|update| {
        matches!(
            update,
            FieldUpdate::Delete(CalendarFieldName::Start | CalendarFieldName::End)
        )
    }) {
        return Err(EwsError::invalid_input("Start and End cannot be deleted"));
    }
    check_field_names(updates.iter().map(FieldUpdate::name), version)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, hour, 0, 0).unwrap()
    }

    #[test]
    fn new_items_need_ordered_start_and_end_and_unique_fields() {
        let version = ExchangeVersion::Exchange2013;
        let good = NewCalendarItem {
            fields: vec![CalendarField::Start(at(9)), CalendarField::End(at(10))],
        };
        assert!(good.validate(version).is_ok());
        let reversed = NewCalendarItem {
            fields: vec![CalendarField::Start(at(11)), CalendarField::End(at(10))],
        };
        assert!(reversed.validate(version).is_err());
        let no_end = NewCalendarItem {
            fields: vec![CalendarField::Start(at(9))],
        };
        assert!(no_end.validate(version).is_err());
        let twice = NewCalendarItem {
            fields: vec![
                CalendarField::Start(at(9)),
                CalendarField::End(at(10)),
                CalendarField::Subject("a".into()),
                CalendarField::Subject("b".into()),
            ],
        };
        assert!(twice.validate(version).is_err());
    }

    #[test]
    fn start_time_zone_is_refused_for_2007_requests() {
        let item = NewCalendarItem {
            fields: vec![
                CalendarField::Start(at(9)),
                CalendarField::End(at(10)),
                CalendarField::StartTimeZone("W. Europe Standard Time".into()),
            ],
        };
        assert!(item.validate(ExchangeVersion::Exchange2010).is_ok());
        assert!(item.validate(ExchangeVersion::Exchange2007Sp1).is_err());
    }

    #[test]
    fn changes_need_a_change_key_and_edits() {
        let version = ExchangeVersion::Exchange2016;
        let edit = vec![FieldUpdate::Set(CalendarField::Subject("x".into()))];
        let keyed = ItemChange {
            item_id: ItemId::new("AAMk", "DwAA"),
            updates: edit.clone(),
        };
        assert!(keyed.validate(version).is_ok());
        let unkeyed = ItemChange {
            item_id: ItemId::without_change_key("AAMk"),
            updates: edit,
        };
        assert!(unkeyed.validate(version).is_err());
        let empty = ItemChange {
            item_id: ItemId::new("AAMk", "DwAA"),
            updates: vec![],
        };
        assert!(empty.validate(version).is_err());
        let delete_start = ItemChange {
            item_id: ItemId::new("AAMk", "DwAA"),
            updates: vec![FieldUpdate::Delete(CalendarFieldName::Start)],
        };
        assert!(delete_start.validate(version).is_err());
    }

    #[test]
    fn occurrence_changes_need_the_masters_change_key_and_a_1_based_index() {
        let version = ExchangeVersion::Exchange2016;
        let edit = vec![FieldUpdate::Set(CalendarField::Subject("x".into()))];
        let change = |master: ItemId, instance_index| TargetChange {
            target: ItemTarget::occurrence(master, instance_index),
            updates: edit.clone(),
        };
        assert!(
            change(ItemId::new("AAMk", "DwAA"), 3)
                .validate(version)
                .is_ok()
        );
        assert!(
            change(ItemId::new("AAMk", "DwAA"), 0)
                .validate(version)
                .is_err()
        );
        assert!(
            change(ItemId::without_change_key("AAMk"), 3)
                .validate(version)
                .is_err()
        );
        let item = TargetChange::from(ItemChange {
            item_id: ItemId::new("AAMk", "DwAA"),
            updates: edit.clone(),
        });
        assert_eq!(item.target, ItemTarget::Item(ItemId::new("AAMk", "DwAA")));
    }

    #[test]
    fn time_zone_fields_follow_the_schema_version() {
        let old =
            CalendarField::time_zone(ExchangeVersion::Exchange2007Sp1, "W. Europe Standard Time");
        assert_eq!(
            old,
            vec![CalendarField::MeetingTimeZone(
                "W. Europe Standard Time".into()
            )]
        );
        let new =
            CalendarField::time_zone(ExchangeVersion::Exchange2010, "W. Europe Standard Time");
        assert_eq!(
            new.iter().map(CalendarField::name).collect::<Vec<_>>(),
            vec![
                CalendarFieldName::StartTimeZone,
                CalendarFieldName::EndTimeZone
            ]
        );
    }

    #[test]
    fn uid_is_refused_before_2007_sp1() {
        let item = NewCalendarItem {
            fields: vec![
                CalendarField::Start(at(9)),
                CalendarField::End(at(10)),
                CalendarField::Uid("040000008200E00074C5B7101A82E008".into()),
            ],
        };
        assert!(item.validate(ExchangeVersion::Exchange2007Sp1).is_ok());
        assert!(item.validate(ExchangeVersion::Exchange2007).is_err());
    }

    #[test]
    fn item_fields_precede_calendar_fields_in_schema_order() {
        assert!(CalendarFieldName::ReminderMinutesBeforeStart < CalendarFieldName::OhsyncTag);
        assert!(CalendarFieldName::OhsyncTag < CalendarFieldName::UnfinishedMarker);
        assert!(CalendarFieldName::UnfinishedMarker < CalendarFieldName::Uid);
        assert!(CalendarFieldName::Uid < CalendarFieldName::Start);
        assert!(CalendarFieldName::Recurrence < CalendarFieldName::StartTimeZone);
    }
}
