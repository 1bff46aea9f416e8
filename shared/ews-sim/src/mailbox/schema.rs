//! The calendar item schema: every `CalendarItem` child element in types.xsd order, its FieldURI,
//! who provides it (client or server), its value kind, and which shapes include it.

use crate::version::SchemaVersion;

/// Who provides a property's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The client may set, update and delete it.
    Writable,
    /// The server computes it; setting it is ErrorInvalidPropertySet.
    ReadOnly,
}

/// The lexical kind of a property value (for validation, restrictions and sorting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Free text.
    Text,
    /// `xs:dateTime`.
    DateTime,
    /// `xs:boolean`.
    Boolean,
    /// `xs:int`.
    Integer,
    /// Base64 bytes (Binary extended properties).
    Binary,
    /// A list of `String` children (Categories).
    StringList,
    /// A list of attendees.
    Attendees,
    /// Anything else (Body, Recurrence, time zones…): kept as sent.
    Complex,
}

/// The FieldURI namespace prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UriPrefix {
    /// `item:`
    Item,
    /// `calendar:`
    Calendar,
}

/// One property of a calendar item.
#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    /// Element local name.
    pub element: &'static str,
    /// FieldURI prefix.
    pub prefix: UriPrefix,
    /// Who provides it.
    pub access: Access,
    /// Value kind.
    pub kind: ValueKind,
    /// Included in BaseShape Default.
    pub in_default: bool,
    /// Included in BaseShape AllProperties.
    pub in_all: bool,
    /// First schema version that has it.
    pub since: SchemaVersion,
}

const fn field(
    element: &'static str,
    prefix: UriPrefix,
    access: Access,
    kind: ValueKind,
    shapes: (bool, bool),
    since: SchemaVersion,
) -> FieldDef {
    FieldDef {
        element,
        prefix,
        access,
        kind,
        in_default: shapes.0,
        in_all: shapes.1,
        since,
    }
}

use Access::{ReadOnly, Writable};
use SchemaVersion::{Exchange2007, Exchange2007Sp1, Exchange2010, Exchange2013, Exchange2016};
use UriPrefix::{Calendar, Item};
use ValueKind::{Attendees, Boolean, Complex, DateTime, Integer, StringList, Text};

const DEFAULT: (bool, bool) = (true, true);
const ALL: (bool, bool) = (false, true);
const ON_REQUEST: (bool, bool) = (false, false);

/// The catalog, in schema order (ItemType then CalendarItemType).
pub const FIELDS: &[FieldDef] = &[
    field("ItemId", Item, ReadOnly, Complex, DEFAULT, Exchange2007),
    field("ParentFolderId", Item, ReadOnly, Complex, ALL, Exchange2007),
    field("ItemClass", Item, Writable, Text, ALL, Exchange2007),
    field("Subject", Item, Writable, Text, DEFAULT, Exchange2007),
    field("Sensitivity", Item, Writable, Text, ALL, Exchange2007),
    field("Body", Item, Writable, Complex, DEFAULT, Exchange2007),
    field(
        "Attachments",
        Item,
        ReadOnly,
        Complex,
        DEFAULT,
        Exchange2007,
    ),
    field(
        "DateTimeReceived",
        Item,
        ReadOnly,
        DateTime,
        ALL,
        Exchange2007,
    ),
    field("Size", Item, ReadOnly, Integer, ALL, Exchange2007),
    field("Categories", Item, Writable, StringList, ALL, Exchange2007),
    field("Importance", Item, Writable, Text, ALL, Exchange2007),
    field("InReplyTo", Item, Writable, Text, ALL, Exchange2007),
    field("IsSubmitted", Item, ReadOnly, Boolean, ALL, Exchange2007),
    field("IsDraft", Item, ReadOnly, Boolean, ALL, Exchange2007),
    field("IsFromMe", Item, ReadOnly, Boolean, ALL, Exchange2007),
    field("IsResend", Item, ReadOnly, Boolean, ALL, Exchange2007),
    field("IsUnmodified", Item, ReadOnly, Boolean, ALL, Exchange2007),
    field(
        "InternetMessageHeaders",
        Item,
        ReadOnly,
        Complex,
        ON_REQUEST,
        Exchange2007,
    ),
    field("DateTimeSent", Item, ReadOnly, DateTime, ALL, Exchange2007),
    field(
        "DateTimeCreated",
        Item,
        ReadOnly,
        DateTime,
        ALL,
        Exchange2007,
    ),
    field(
        "ResponseObjects",
        Item,
        ReadOnly,
        Complex,
        DEFAULT,
        Exchange2007,
    ),
    field("ReminderDueBy", Item, Writable, DateTime, ALL, Exchange2007),
    field("ReminderIsSet", Item, Writable, Boolean, ALL, Exchange2007),
    field(
        "ReminderMinutesBeforeStart",
        Item,
        Writable,
        Integer,
        ALL,
        Exchange2007,
    ),
    field("DisplayCc", Item, ReadOnly, Text, ALL, Exchange2007),
    field("DisplayTo", Item, ReadOnly, Text, ALL, Exchange2007),
    field(
        "HasAttachments",
        Item,
        ReadOnly,
        Boolean,
        DEFAULT,
        Exchange2007,
    ),
    field("Culture", Item, Writable, Text, ALL, Exchange2007),
    field(
        "EffectiveRights",
        Item,
        ReadOnly,
        Complex,
        ALL,
        Exchange2007Sp1,
    ),
    field(
        "LastModifiedName",
        Item,
        ReadOnly,
        Text,
        ALL,
        Exchange2007Sp1,
    ),
    field(
        "LastModifiedTime",
        Item,
        ReadOnly,
        DateTime,
        ALL,
        Exchange2007Sp1,
    ),
    field(
        "IsAssociated",
        Item,
        ReadOnly,
        Boolean,
        DEFAULT,
        Exchange2010,
    ),
    field(
        "WebClientReadFormQueryString",
        Item,
        ReadOnly,
        Text,
        ALL,
        Exchange2010,
    ),
    field(
        "WebClientEditFormQueryString",
        Item,
        ReadOnly,
        Text,
        ALL,
        Exchange2010,
    ),
    field("ConversationId", Item, ReadOnly, Complex, ALL, Exchange2010),
    field(
        "UniqueBody",
        Item,
        ReadOnly,
        Complex,
        ON_REQUEST,
        Exchange2010,
    ),
    field("UID", Calendar, Writable, Text, ALL, Exchange2007Sp1),
    field(
        "RecurrenceId",
        Calendar,
        ReadOnly,
        DateTime,
        ALL,
        Exchange2007Sp1,
    ),
    field(
        "DateTimeStamp",
        Calendar,
        ReadOnly,
        DateTime,
        ALL,
        Exchange2007Sp1,
    ),
    field("Start", Calendar, Writable, DateTime, DEFAULT, Exchange2007),
    field("End", Calendar, Writable, DateTime, DEFAULT, Exchange2007),
    field(
        "OriginalStart",
        Calendar,
        ReadOnly,
        DateTime,
        ALL,
        Exchange2007,
    ),
    field(
        "IsAllDayEvent",
        Calendar,
        Writable,
        Boolean,
        ALL,
        Exchange2007,
    ),
    field(
        "LegacyFreeBusyStatus",
        Calendar,
        Writable,
        Text,
        DEFAULT,
        Exchange2007,
    ),
    field("Location", Calendar, Writable, Text, DEFAULT, Exchange2007),
    field("When", Calendar, Writable, Text, ALL, Exchange2007),
    field("IsMeeting", Calendar, ReadOnly, Boolean, ALL, Exchange2007),
    field(
        "IsCancelled",
        Calendar,
        ReadOnly,
        Boolean,
        ALL,
        Exchange2007,
    ),
    field(
        "IsRecurring",
        Calendar,
        ReadOnly,
        Boolean,
        ALL,
        Exchange2007,
    ),
    field(
        "MeetingRequestWasSent",
        Calendar,
        ReadOnly,
        Boolean,
        ALL,
        Exchange2007,
    ),
    field(
        "IsResponseRequested",
        Calendar,
        Writable,
        Boolean,
        ALL,
        Exchange2007,
    ),
    field(
        "CalendarItemType",
        Calendar,
        ReadOnly,
        Text,
        DEFAULT,
        Exchange2007,
    ),
    field(
        "MyResponseType",
        Calendar,
        ReadOnly,
        Text,
        ALL,
        Exchange2007,
    ),
    field(
        "Organizer",
        Calendar,
        ReadOnly,
        Complex,
        DEFAULT,
        Exchange2007,
    ),
    field(
        "RequiredAttendees",
        Calendar,
        Writable,
        Attendees,
        ALL,
        Exchange2007,
    ),
    field(
        "OptionalAttendees",
        Calendar,
        Writable,
        Attendees,
        ALL,
        Exchange2007,
    ),
    field(
        "Resources",
        Calendar,
        Writable,
        Attendees,
        ALL,
        Exchange2007,
    ),
    field(
        "ConflictingMeetingCount",
        Calendar,
        ReadOnly,
        Integer,
        ALL,
        Exchange2007,
    ),
    field(
        "AdjacentMeetingCount",
        Calendar,
        ReadOnly,
        Integer,
        ALL,
        Exchange2007,
    ),
    field(
        "ConflictingMeetings",
        Calendar,
        ReadOnly,
        Complex,
        ON_REQUEST,
        Exchange2007,
    ),
    field(
        "AdjacentMeetings",
        Calendar,
        ReadOnly,
        Complex,
        ON_REQUEST,
        Exchange2007,
    ),
    field("Duration", Calendar, ReadOnly, Text, ALL, Exchange2007),
    field("TimeZone", Calendar, ReadOnly, Text, ALL, Exchange2007),
    field(
        "AppointmentReplyTime",
        Calendar,
        Writable,
        DateTime,
        ALL,
        Exchange2007,
    ),
    field(
        "AppointmentSequenceNumber",
        Calendar,
        ReadOnly,
        Integer,
        ALL,
        Exchange2007,
    ),
    field(
        "AppointmentState",
        Calendar,
        ReadOnly,
        Integer,
        ALL,
        Exchange2007,
    ),
    field("Recurrence", Calendar, Writable, Complex, ALL, Exchange2007),
    field(
        "FirstOccurrence",
        Calendar,
        ReadOnly,
        Complex,
        ALL,
        Exchange2007,
    ),
    field(
        "LastOccurrence",
        Calendar,
        ReadOnly,
        Complex,
        ALL,
        Exchange2007,
    ),
    field(
        "ModifiedOccurrences",
        Calendar,
        ReadOnly,
        Complex,
        ALL,
        Exchange2007,
    ),
    field(
        "DeletedOccurrences",
        Calendar,
        ReadOnly,
        Complex,
        ALL,
        Exchange2007,
    ),
    field(
        "MeetingTimeZone",
        Calendar,
        Writable,
        Complex,
        ALL,
        Exchange2007,
    ),
    field(
        "StartTimeZone",
        Calendar,
        Writable,
        Complex,
        ALL,
        Exchange2010,
    ),
    field(
        "EndTimeZone",
        Calendar,
        Writable,
        Complex,
        ALL,
        Exchange2010,
    ),
    field(
        "ConferenceType",
        Calendar,
        Writable,
        Integer,
        ALL,
        Exchange2007,
    ),
    field(
        "AllowNewTimeProposal",
        Calendar,
        Writable,
        Boolean,
        ALL,
        Exchange2007,
    ),
    field(
        "IsOnlineMeeting",
        Calendar,
        Writable,
        Boolean,
        ALL,
        Exchange2007,
    ),
    field(
        "MeetingWorkspaceUrl",
        Calendar,
        Writable,
        Text,
        ALL,
        Exchange2007,
    ),
    field("NetShowUrl", Calendar, Writable, Text, ALL, Exchange2007),
    field(
        "EnhancedLocation",
        Calendar,
        Writable,
        Complex,
        ALL,
        Exchange2016,
    ),
    field(
        "StartTimeZoneId",
        Calendar,
        ReadOnly,
        Text,
        ALL,
        Exchange2013,
    ),
    field("EndTimeZoneId", Calendar, ReadOnly, Text, ALL, Exchange2013),
    field(
        "IntendedFreeBusyStatus",
        Calendar,
        ReadOnly,
        Text,
        ALL,
        Exchange2013,
    ),
    field(
        "IsOrganizer",
        Calendar,
        ReadOnly,
        Boolean,
        ALL,
        Exchange2013,
    ),
];

/// A field by its position in [`FIELDS`] (which is also its output order).
pub type FieldIndex = usize;

/// The position of the element named `name`.
pub fn by_element(name: &str) -> Option<FieldIndex> {
    FIELDS.iter().position(|def| def.element == name)
}

/// The position of the field a FieldURI (`item:Subject`, `calendar:Start`) names.
pub fn by_uri(uri: &str) -> Option<FieldIndex> {
    let (prefix, name) = uri.split_once(':')?;
    let prefix = match prefix {
        "item" => Item,
        "calendar" => Calendar,
        _ => return None,
    };
    FIELDS
        .iter()
        .position(|def| def.prefix == prefix && def.element == name)
}

/// FieldURI prefixes that exist in EWS (a FieldURI outside these fails schema validation).
pub fn is_known_uri_prefix(uri: &str) -> bool {
    const PREFIXES: [&str; 14] = [
        "item",
        "message",
        "meeting",
        "meetingRequest",
        "calendar",
        "task",
        "contacts",
        "distributionlist",
        "postitem",
        "conversation",
        "persona",
        "folder",
        "rolemember",
        "network",
    ];
    uri.split_once(':')
        .is_some_and(|(prefix, name)| PREFIXES.contains(&prefix) && !name.is_empty())
}

/// The field's definition.
pub fn def(index: FieldIndex) -> &'static FieldDef {
    &FIELDS[index]
}

/// Positions of well-known fields, resolved once by name so code reads as `field::START`.
pub mod field {
    use super::{FieldIndex, by_element};

    macro_rules! well_known {
        ($($name:ident => $element:literal),* $(,)?) => {
            $(
                #[doc = concat!("Index of `", $element, "`.")]
                pub fn $name() -> FieldIndex {
                    by_element($element).unwrap_or_default()
                }
            )*
        };
    }

    well_known! {
        item_class => "ItemClass",
        subject => "Subject",
        sensitivity => "Sensitivity",
        body => "Body",
        categories => "Categories",
        importance => "Importance",
        reminder_due_by => "ReminderDueBy",
        reminder_is_set => "ReminderIsSet",
        reminder_minutes => "ReminderMinutesBeforeStart",
        culture => "Culture",
        uid => "UID",
        start => "Start",
        end => "End",
        is_all_day => "IsAllDayEvent",
        free_busy => "LegacyFreeBusyStatus",
        location => "Location",
        is_response_requested => "IsResponseRequested",
        required_attendees => "RequiredAttendees",
        optional_attendees => "OptionalAttendees",
        resources => "Resources",
        recurrence => "Recurrence",
        meeting_time_zone => "MeetingTimeZone",
        start_time_zone => "StartTimeZone",
        end_time_zone => "EndTimeZone",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_reachable_by_uri_and_element() {
        for (index, def) in FIELDS.iter().enumerate() {
            let prefix = match def.prefix {
                Item => "item",
                Calendar => "calendar",
            };
            assert_eq!(by_uri(&format!("{prefix}:{}", def.element)), Some(index));
            assert_eq!(
                by_element(def.element),
                Some(index),
                "{} is listed twice",
                def.element
            );
        }
        assert_eq!(by_uri("calendar:Subject"), None);
        assert_eq!(field::start(), by_element("Start").unwrap());
        assert!(
            field::subject() < field::start(),
            "item fields precede calendar fields"
        );
        assert!(is_known_uri_prefix("message:IsRead"));
        assert!(!is_known_uri_prefix("bogus:Thing"));
    }
}
