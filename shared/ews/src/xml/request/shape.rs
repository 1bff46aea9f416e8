//! `ItemShape` elements: which properties each listing or read asks for.

use std::io;

use super::fields::write_extended_field_uri;
use super::writer::SoapWriter;
use crate::model::{ItemShape, OHSYNC_TAG_FIELD, OHSYNC_UNFINISHED_FIELD};
use crate::version::ExchangeVersion;

/// What decides whether a change matters: dates, series shape and the tag.
const RELEVANCE: &[&str] = &[
    "calendar:Start",
    "calendar:End",
    "calendar:CalendarItemType",
    "calendar:IsRecurring",
];

/// The stable key of a calendar item (it survives moves, unlike the ItemId), from 2007 SP1 on.
const RELEVANCE_SINCE_2007_SP1: &[&str] = &["calendar:UID"];

/// Enough to recognise the same appointment on both sides.
const SUMMARY: &[&str] = &[
    "item:ItemClass",
    "item:Subject",
    "calendar:Location",
    "calendar:IsAllDayEvent",
];

/// Fields that exist from Exchange 2007 SP1 on.
const SUMMARY_SINCE_2007_SP1: &[&str] = &["item:LastModifiedTime"];

/// Everything the sync maps, for GetItem (properties FindItem cannot return are only here).
const FULL: &[&str] = &[
    "item:ItemClass",
    "item:Subject",
    "item:Sensitivity",
    "item:Body",
    "item:Categories",
    "item:ReminderIsSet",
    "item:ReminderMinutesBeforeStart",
    "calendar:Start",
    "calendar:End",
    "calendar:OriginalStart",
    "calendar:IsAllDayEvent",
    "calendar:LegacyFreeBusyStatus",
    "calendar:Location",
    "calendar:IsMeeting",
    "calendar:IsCancelled",
    "calendar:IsRecurring",
    "calendar:CalendarItemType",
    "calendar:Organizer",
    "calendar:TimeZone",
    "calendar:Recurrence",
    "calendar:FirstOccurrence",
    "calendar:LastOccurrence",
    "calendar:ModifiedOccurrences",
    "calendar:DeletedOccurrences",
];

const FULL_SINCE_2007_SP1: &[&str] = &[
    "item:LastModifiedTime",
    "calendar:UID",
    "calendar:RecurrenceId",
];
const ZONES_SINCE_2010: &[&str] = &["calendar:StartTimeZone", "calendar:EndTimeZone"];
const ZONES_BEFORE_2010: &[&str] = &["calendar:MeetingTimeZone"];

fn write_item_shape(
    soap: &mut SoapWriter,
    base: &str,
    plain_text_body: bool,
    properties: &[&[&str]],
    with_ohsync_properties: bool,
) -> io::Result<()> {
    soap.start("m:ItemShape", &[])?;
    soap.text("t:BaseShape", base)?;
    if plain_text_body {
        soap.text("t:BodyType", "Text")?;
    }
    if with_ohsync_properties || properties.iter().any(|group| !group.is_empty()) {
        soap.start("t:AdditionalProperties", &[])?;
        for uri in properties.iter().flat_map(|group| group.iter()) {
            soap.empty("t:FieldURI", &[("FieldURI", uri)])?;
        }
        if with_ohsync_properties {
            write_extended_field_uri(soap, &OHSYNC_TAG_FIELD)?;
            write_extended_field_uri(soap, &OHSYNC_UNFINISHED_FIELD)?;
        }
        soap.end("t:AdditionalProperties")?;
    }
    soap.end("m:ItemShape")
}

/// The shape of a listing (SyncFolderItems, FindItem).
pub(crate) fn write_listing_shape(
    soap: &mut SoapWriter,
    shape: ItemShape,
    version: ExchangeVersion,
) -> io::Result<()> {
    let (relevance_since_sp1, summary_since_sp1): (&[&str], &[&str]) = if version.has_uid() {
        (RELEVANCE_SINCE_2007_SP1, SUMMARY_SINCE_2007_SP1)
    } else {
        (&[], &[])
    };
    match shape {
        ItemShape::IdOnly => write_item_shape(soap, "IdOnly", false, &[], false),
        ItemShape::Relevance => write_item_shape(
            soap,
            "IdOnly",
            false,
            &[RELEVANCE, relevance_since_sp1],
            true,
        ),
        ItemShape::Summary => write_item_shape(
            soap,
            "IdOnly",
            false,
            &[RELEVANCE, relevance_since_sp1, SUMMARY, summary_since_sp1],
            true,
        ),
    }
}

/// The full shape of GetItem: plain-text body, recurrence, occurrences, zones, the tag and the
/// unfinished-write marker.
pub(crate) fn write_full_shape(soap: &mut SoapWriter, version: ExchangeVersion) -> io::Result<()> {
    let since_sp1: &[&str] = if version.has_uid() {
        FULL_SINCE_2007_SP1
    } else {
        &[]
    };
    let zones = if version.has_start_end_time_zones() {
        ZONES_SINCE_2010
    } else {
        ZONES_BEFORE_2010
    };
    write_item_shape(soap, "IdOnly", true, &[FULL, since_sp1, zones], true)
}
