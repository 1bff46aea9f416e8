//! A calendar item with every field the sync needs; EWS may omit any of them.

use chrono::{DateTime, FixedOffset};

use super::extended_property::{
    ExtendedProperty, OHSYNC_TAG_FIELD, OHSYNC_UNFINISHED_FIELD, OhsyncTag,
};
use super::recurrence::Recurrence;
use super::wire_enum::wire_enum;
use super::{FolderId, ItemId};

wire_enum! {
    /// `Body/@BodyType`.
    pub enum BodyType {
        /// Plain text.
        Text = "Text",
        /// HTML.
        Html = "HTML",
    }
}

wire_enum! {
    /// `Sensitivity`.
    pub enum Sensitivity {
        /// Normal.
        Normal = "Normal",
        /// Personal.
        Personal = "Personal",
        /// Private.
        Private = "Private",
        /// Confidential.
        Confidential = "Confidential",
    }
}

wire_enum! {
    /// `LegacyFreeBusyStatus` ("show as").
    pub enum LegacyFreeBusyStatus {
        /// Free.
        Free = "Free",
        /// Tentative.
        Tentative = "Tentative",
        /// Busy.
        Busy = "Busy",
        /// Out of office.
        Oof = "OOF",
        /// Working elsewhere (2013+).
        WorkingElsewhere = "WorkingElsewhere",
        /// No data.
        NoData = "NoData",
    }
}

wire_enum! {
    /// `CalendarItemType`.
    pub enum CalendarItemType {
        /// A single appointment.
        Single = "Single",
        /// An expanded occurrence of a series.
        Occurrence = "Occurrence",
        /// A modified occurrence.
        Exception = "Exception",
        /// The master of a series.
        RecurringMaster = "RecurringMaster",
    }
}

/// Which element the item came in; the calendar folder can also hold meeting messages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ItemKind {
    /// `t:CalendarItem`.
    #[default]
    CalendarItem,
    /// `t:MeetingRequest`.
    MeetingRequest,
    /// `t:MeetingResponse`.
    MeetingResponse,
    /// `t:MeetingCancellation`.
    MeetingCancellation,
    /// `t:Message`.
    Message,
    /// Any other item element (its local name).
    Other(String),
}

impl ItemKind {
    /// The kind for an element's local name.
    pub fn from_element(local_name: &str) -> Self {
        match local_name {
            "CalendarItem" => Self::CalendarItem,
            "MeetingRequest" => Self::MeetingRequest,
            "MeetingResponse" => Self::MeetingResponse,
            "MeetingCancellation" => Self::MeetingCancellation,
            "Message" => Self::Message,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// `Body`: its type and text (as sent; HTML stays HTML).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// `BodyType`.
    pub body_type: BodyType,
    /// The content.
    pub text: String,
}

/// A `Mailbox` (organizer); the address may be an EX legacy DN instead of SMTP (EWS-NOTES §6).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mailbox {
    /// `Name`.
    pub name: Option<String>,
    /// `EmailAddress`.
    pub email_address: Option<String>,
    /// `RoutingType` (`SMTP`, `EX`).
    pub routing_type: Option<String>,
}

/// `FirstOccurrence`, `LastOccurrence` or a `ModifiedOccurrences/Occurrence` of a master.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OccurrenceInfo {
    /// The occurrence's id.
    pub item_id: Option<ItemId>,
    /// `Start`.
    pub start: Option<DateTime<FixedOffset>>,
    /// `End`.
    pub end: Option<DateTime<FixedOffset>>,
    /// `OriginalStart`: where the series put it.
    pub original_start: Option<DateTime<FixedOffset>>,
}

/// A `DeletedOccurrences/DeletedOccurrence`: only its start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedOccurrence {
    /// `Start`.
    pub start: DateTime<FixedOffset>,
}

/// A calendar item (or another item met in the calendar folder, see [`CalendarItem::kind`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CalendarItem {
    /// The element it came in.
    pub kind: ItemKind,
    /// `ItemId` + `ChangeKey`.
    pub item_id: Option<ItemId>,
    /// `ParentFolderId`.
    pub parent_folder_id: Option<FolderId>,
    /// `ItemClass` (`IPM.Appointment`, `IPM.Appointment.Occurrence`, …).
    pub item_class: Option<String>,
    /// `Subject`.
    pub subject: Option<String>,
    /// `Body`.
    pub body: Option<Body>,
    /// `Sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// `Categories/String`.
    pub categories: Vec<String>,
    /// `ReminderIsSet`.
    pub reminder_is_set: Option<bool>,
    /// `ReminderMinutesBeforeStart`.
    pub reminder_minutes_before_start: Option<i32>,
    /// `LastModifiedTime`.
    pub last_modified_time: Option<DateTime<FixedOffset>>,
    /// `UID` (hex GlobalObjectId or an iCal UID).
    pub uid: Option<String>,
    /// `RecurrenceId` of an occurrence or exception.
    pub recurrence_id: Option<DateTime<FixedOffset>>,
    /// `Start`.
    pub start: Option<DateTime<FixedOffset>>,
    /// `End`.
    pub end: Option<DateTime<FixedOffset>>,
    /// `OriginalStart` of an occurrence or exception.
    pub original_start: Option<DateTime<FixedOffset>>,
    /// `IsAllDayEvent`.
    pub is_all_day: Option<bool>,
    /// `LegacyFreeBusyStatus`.
    pub legacy_free_busy_status: Option<LegacyFreeBusyStatus>,
    /// `Location`.
    pub location: Option<String>,
    /// `IsMeeting`.
    pub is_meeting: Option<bool>,
    /// `IsCancelled`.
    pub is_cancelled: Option<bool>,
    /// `IsRecurring` (false on some real 2019 masters: trust `calendar_item_type`).
    pub is_recurring: Option<bool>,
    /// `CalendarItemType`.
    pub calendar_item_type: Option<CalendarItemType>,
    /// `Organizer/Mailbox`.
    pub organizer: Option<Mailbox>,
    /// `TimeZone`: the display name of the item's zone.
    pub time_zone_name: Option<String>,
    /// `StartTimeZone/@Id` or `StartTimeZoneId` (2010+; a Windows zone id).
    pub start_time_zone_id: Option<String>,
    /// `EndTimeZone/@Id` or `EndTimeZoneId` (2010+).
    pub end_time_zone_id: Option<String>,
    /// `MeetingTimeZone/@TimeZoneName` (Exchange2007_SP1 schema).
    pub meeting_time_zone: Option<String>,
    /// `Recurrence` of a master.
    pub recurrence: Option<Recurrence>,
    /// `FirstOccurrence` of a master.
    pub first_occurrence: Option<OccurrenceInfo>,
    /// `LastOccurrence` of a master.
    pub last_occurrence: Option<OccurrenceInfo>,
    /// `ModifiedOccurrences` of a master.
    pub modified_occurrences: Vec<OccurrenceInfo>,
    /// `DeletedOccurrences` of a master.
    pub deleted_occurrences: Vec<DeletedOccurrence>,
    /// Every `ExtendedProperty` returned.
    pub extended_properties: Vec<ExtendedProperty>,
}

impl CalendarItem {
    /// The raw value of the ohsync tag property, when the item carries one.
    pub fn ohsync_tag_value(&self) -> Option<&str> {
        self.extended_properties
            .iter()
            .find(|property| property.field.same_property(&OHSYNC_TAG_FIELD))
            .and_then(|property| property.values.first())
            .map(String::as_str)
    }

    /// The ohsync tag, when present and well-formed.
    pub fn ohsync_tag(&self) -> Option<OhsyncTag> {
        self.ohsync_tag_value().and_then(OhsyncTag::parse)
    }

    /// Whether the item carries ohsync's unfinished-write marker (with any value).
    pub fn has_unfinished_marker(&self) -> bool {
        self.extended_properties
            .iter()
            .any(|property| property.field.same_property(&OHSYNC_UNFINISHED_FIELD))
    }

    /// The start zone: `StartTimeZone` (2010+) or else `MeetingTimeZone` (2007 SP1).
    pub fn start_time_zone(&self) -> Option<&str> {
        self.start_time_zone_id
            .as_deref()
            .or(self.meeting_time_zone.as_deref())
    }

    /// Whether this is the master of a series (by type; `IsRecurring` is unreliable on masters).
    pub fn is_recurring_master(&self) -> bool {
        self.calendar_item_type == Some(CalendarItemType::RecurringMaster)
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::model::ExtendedFieldUri;

    fn with_property(field: ExtendedFieldUri, value: &str) -> CalendarItem {
        CalendarItem {
            extended_properties: vec![ExtendedProperty {
                field,
                values: vec![value.into()],
            }],
            ..CalendarItem::default()
        }
    }

    #[test]
    fn ohsync_tag_is_read_from_its_property_only() {
        let tagged = with_property(OHSYNC_TAG_FIELD, "acme:42");
        assert_eq!(tagged.ohsync_tag(), OhsyncTag::new("acme", "42").ok());

        let mut other_field = OHSYNC_TAG_FIELD;
        other_field.property_set_id = Some(Cow::Borrowed("aa3df801-4fc7-401f-bbc1-7c93d6498c2e"));
        assert_eq!(with_property(other_field, "acme:42").ohsync_tag(), None);

        let malformed = with_property(OHSYNC_TAG_FIELD, "no-tenant");
        assert_eq!(malformed.ohsync_tag_value(), Some("no-tenant"));
        assert_eq!(malformed.ohsync_tag(), None);
    }

    #[test]
    fn the_unfinished_marker_is_read_from_its_property_only() {
        assert!(with_property(OHSYNC_UNFINISHED_FIELD, "1").has_unfinished_marker());
        assert!(!with_property(OHSYNC_TAG_FIELD, "acme:42").has_unfinished_marker());
        assert!(!CalendarItem::default().has_unfinished_marker());
        let mut echoed = OHSYNC_UNFINISHED_FIELD;
        echoed.property_set_id = Some(Cow::Borrowed("{0F4D47ED-80B5-4901-A571-AF5EF03136A5}"));
        assert!(with_property(echoed, "1").has_unfinished_marker());
    }

    #[test]
    fn start_time_zone_prefers_the_2010_field() {
        let item = CalendarItem {
            start_time_zone_id: Some("W. Europe Standard Time".into()),
            meeting_time_zone: Some("Pacific Standard Time".into()),
            ..CalendarItem::default()
        };
        assert_eq!(item.start_time_zone(), Some("W. Europe Standard Time"));
        let old = CalendarItem {
            meeting_time_zone: Some("Pacific Standard Time".into()),
            ..CalendarItem::default()
        };
        assert_eq!(old.start_time_zone(), Some("Pacific Standard Time"));
    }
}
