//! Request documents for every operation the client uses.
//!
//! Writes always send no meeting messages: `SendMeetingInvitations`,
//! `SendMeetingInvitationsOrCancellations` and `SendMeetingCancellations` are fixed to
//! `SendToNone` and cannot be chosen.

mod fields;
mod shape;
mod writer;

use std::io;

use chrono::{DateTime, SecondsFormat, Utc};

use fields::{write_extended_field_uri, write_field, write_field_uri};
use shape::{write_full_shape, write_listing_shape};
pub use writer::RequestContext;
use writer::SoapWriter;

use crate::error::EwsError;
use crate::model::{
    ConflictResolution, ExtendedFieldUri, FieldUpdate, GLOBAL_OBJECT_ID_FIELD, GlobalObjectId,
    ItemId, ItemShape, ItemTarget, NewCalendarItem, OHSYNC_TAG_FIELD, TargetChange,
};

/// SyncFolderItems returns at most this many changes per call (EWS-NOTES §2).
pub const MAX_SYNC_CHANGES: u16 = 512;

/// Which tagged items a FindItem restriction selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagFilter<'a> {
    /// Items whose tag equals one of these values (at least one).
    AnyOf(&'a [String]),
    /// Items that carry any tag.
    Exists,
}

/// The items a FindItem restriction on PidLidGlobalObjectId selects: those whose UID is one of
/// these (at least one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UidFilter<'a>(pub &'a [String]);

fn write_equals(soap: &mut SoapWriter, field: &ExtendedFieldUri, value: &str) -> io::Result<()> {
    soap.start("t:IsEqualTo", &[])?;
    write_extended_field_uri(soap, field)?;
    soap.start("t:FieldURIOrConstant", &[])?;
    soap.empty("t:Constant", &[("Value", value)])?;
    soap.end("t:FieldURIOrConstant")?;
    soap.end("t:IsEqualTo")
}

/// One comparison, or an `Or` of one comparison per value.
fn write_any_of(
    soap: &mut SoapWriter,
    field: &ExtendedFieldUri,
    values: &[String],
) -> io::Result<()> {
    if let [value] = values {
        return write_equals(soap, field, value);
    }
    soap.start("t:Or", &[])?;
    for value in values {
        write_equals(soap, field, value)?;
    }
    soap.end("t:Or")
}

fn finish(
    write: impl FnOnce(&mut SoapWriter) -> io::Result<()>,
    context: &RequestContext,
) -> Result<Vec<u8>, EwsError> {
    let build = || -> io::Result<Vec<u8>> {
        let mut soap = SoapWriter::begin(context)?;
        write(&mut soap)?;
        soap.finish()
    };
    build().map_err(|e| EwsError::invalid_input(format!("the request could not be written: {e}")))
}

fn write_item_id(soap: &mut SoapWriter, id: &ItemId) -> io::Result<()> {
    match id.change_key.as_deref() {
        Some(change_key) => soap.empty("t:ItemId", &[("Id", &id.id), ("ChangeKey", change_key)]),
        None => soap.empty("t:ItemId", &[("Id", &id.id)]),
    }
}

/// `t:ItemId`, or `t:OccurrenceItemId` with the master's id and ChangeKey (WSR/occurrenceitemid).
fn write_target(soap: &mut SoapWriter, target: &ItemTarget) -> io::Result<()> {
    match target {
        ItemTarget::Item(id) => write_item_id(soap, id),
        ItemTarget::Occurrence {
            master,
            instance_index,
        } => {
            let index = instance_index.to_string();
            let mut attributes = vec![("RecurringMasterId", master.id.as_str())];
            if let Some(change_key) = master.change_key.as_deref() {
                attributes.push(("ChangeKey", change_key));
            }
            attributes.push(("InstanceIndex", &index));
            soap.empty("t:OccurrenceItemId", &attributes)
        }
    }
}

fn write_calendar_folder(soap: &mut SoapWriter, container: &str) -> io::Result<()> {
    soap.start(container, &[])?;
    soap.empty("t:DistinguishedFolderId", &[("Id", "calendar")])?;
    soap.end(container)
}

fn utc(value: &DateTime<Utc>) -> String {
    value.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `GetFolder` of the calendar: id, change key, display name and item count.
pub fn get_calendar_folder(context: &RequestContext) -> Result<Vec<u8>, EwsError> {
    finish(
        |soap| {
            soap.start("m:GetFolder", &[])?;
            soap.start("m:FolderShape", &[])?;
            soap.text("t:BaseShape", "IdOnly")?;
            soap.start("t:AdditionalProperties", &[])?;
            soap.empty("t:FieldURI", &[("FieldURI", "folder:DisplayName")])?;
            soap.empty("t:FieldURI", &[("FieldURI", "folder:TotalCount")])?;
            soap.end("t:AdditionalProperties")?;
            soap.end("m:FolderShape")?;
            write_calendar_folder(soap, "m:FolderIds")?;
            soap.end("m:GetFolder")
        },
        context,
    )
}

/// `SyncFolderItems` on the calendar from `sync_state` (none for a first sync).
pub fn sync_folder_items(
    context: &RequestContext,
    sync_state: Option<&str>,
    max_changes: u16,
    shape: ItemShape,
) -> Result<Vec<u8>, EwsError> {
    if !(1..=MAX_SYNC_CHANGES).contains(&max_changes) {
        return Err(EwsError::invalid_input(format!(
            "MaxChangesReturned must be 1–{MAX_SYNC_CHANGES}, got {max_changes}"
        )));
    }
    finish(
        |soap| {
            soap.start("m:SyncFolderItems", &[])?;
            write_listing_shape(soap, shape, context.version)?;
            write_calendar_folder(soap, "m:SyncFolderId")?;
            if let Some(state) = sync_state.filter(|state| !state.is_empty()) {
                soap.text("m:SyncState", state)?;
            }
            soap.text("m:MaxChangesReturned", &max_changes.to_string())?;
            if context.version.has_sync_scope() {
                soap.text("m:SyncScope", "NormalItems")?;
            }
            soap.end("m:SyncFolderItems")
        },
        context,
    )
}

/// `GetItem` with the full calendar shape for items or instances of series.
pub fn get_item(context: &RequestContext, targets: &[ItemTarget]) -> Result<Vec<u8>, EwsError> {
    if targets.is_empty() {
        return Err(EwsError::invalid_input("GetItem needs at least one id"));
    }
    finish(
        |soap| {
            soap.start("m:GetItem", &[])?;
            write_full_shape(soap, context.version)?;
            soap.start("m:ItemIds", &[])?;
            for target in targets {
                write_target(soap, target)?;
            }
            soap.end("m:ItemIds")?;
            soap.end("m:GetItem")
        },
        context,
    )
}

/// `GetItem` of ids and change keys only: the current version of each item, nothing else.
pub fn get_item_ids(context: &RequestContext, ids: &[ItemId]) -> Result<Vec<u8>, EwsError> {
    if ids.is_empty() {
        return Err(EwsError::invalid_input("GetItem needs at least one id"));
    }
    finish(
        |soap| {
            soap.start("m:GetItem", &[])?;
            soap.start("m:ItemShape", &[])?;
            soap.text("t:BaseShape", "IdOnly")?;
            soap.end("m:ItemShape")?;
            soap.start("m:ItemIds", &[])?;
            for id in ids {
                write_item_id(soap, id)?;
            }
            soap.end("m:ItemIds")?;
            soap.end("m:GetItem")
        },
        context,
    )
}

/// `FindItem` with a `CalendarView` from `start` (inclusive) to `end` (exclusive).
pub fn find_calendar_view(
    context: &RequestContext,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    max_entries: u32,
    shape: ItemShape,
) -> Result<Vec<u8>, EwsError> {
    if start >= end {
        return Err(EwsError::invalid_input(format!(
            "CalendarView start {start} is not before end {end}"
        )));
    }
    if max_entries == 0 {
        return Err(EwsError::invalid_input(
            "CalendarView MaxEntriesReturned must be at least 1",
        ));
    }
    finish(
        |soap| {
            soap.start("m:FindItem", &[("Traversal", "Shallow")])?;
            write_listing_shape(soap, shape, context.version)?;
            soap.empty(
                "m:CalendarView",
                &[
                    ("MaxEntriesReturned", &max_entries.to_string()),
                    ("StartDate", &utc(&start)),
                    ("EndDate", &utc(&end)),
                ],
            )?;
            write_calendar_folder(soap, "m:ParentFolderIds")?;
            soap.end("m:FindItem")
        },
        context,
    )
}

/// `FindItem` with `IndexedPageItemView` and a restriction on the ohsync tag; oldest first, so
/// items created while paging land on later pages instead of shifting earlier ones.
pub fn find_tagged(
    context: &RequestContext,
    filter: TagFilter<'_>,
    offset: u32,
    page_size: u32,
    shape: ItemShape,
) -> Result<Vec<u8>, EwsError> {
    if filter == TagFilter::AnyOf(&[]) {
        return Err(EwsError::invalid_input(
            "a tag search needs at least one tag",
        ));
    }
    find_indexed(context, offset, page_size, shape, |soap| match filter {
        TagFilter::AnyOf(values) => write_any_of(soap, &OHSYNC_TAG_FIELD, values),
        TagFilter::Exists => {
            soap.start("t:Exists", &[])?;
            write_extended_field_uri(soap, &OHSYNC_TAG_FIELD)?;
            soap.end("t:Exists")
        }
    })
}

/// `FindItem` with `IndexedPageItemView` and a restriction on PidLidGlobalObjectId (the UID in
/// binary, base64 in the request), oldest first like [`find_tagged`].
pub fn find_by_uids(
    context: &RequestContext,
    filter: UidFilter<'_>,
    offset: u32,
    page_size: u32,
    shape: ItemShape,
) -> Result<Vec<u8>, EwsError> {
    if filter.0.is_empty() {
        return Err(EwsError::invalid_input(
            "a UID search needs at least one UID",
        ));
    }
    let values: Vec<String> = filter
        .0
        .iter()
        .map(|uid| GlobalObjectId::of_uid(uid).to_base64())
        .collect();
    find_indexed(context, offset, page_size, shape, |soap| {
        write_any_of(soap, &GLOBAL_OBJECT_ID_FIELD, &values)
    })
}

/// A paged, restricted FindItem on the calendar, sorted by creation time.
fn find_indexed(
    context: &RequestContext,
    offset: u32,
    page_size: u32,
    shape: ItemShape,
    write_restriction: impl FnOnce(&mut SoapWriter) -> io::Result<()>,
) -> Result<Vec<u8>, EwsError> {
    if page_size == 0 {
        return Err(EwsError::invalid_input(
            "IndexedPageItemView MaxEntriesReturned must be at least 1",
        ));
    }
    finish(
        |soap| {
            soap.start("m:FindItem", &[("Traversal", "Shallow")])?;
            write_listing_shape(soap, shape, context.version)?;
            soap.empty(
                "m:IndexedPageItemView",
                &[
                    ("MaxEntriesReturned", &page_size.to_string()),
                    ("Offset", &offset.to_string()),
                    ("BasePoint", "Beginning"),
                ],
            )?;
            soap.start("m:Restriction", &[])?;
            write_restriction(soap)?;
            soap.end("m:Restriction")?;
            soap.start("m:SortOrder", &[])?;
            soap.start("t:FieldOrder", &[("Order", "Ascending")])?;
            soap.empty("t:FieldURI", &[("FieldURI", "item:DateTimeCreated")])?;
            soap.end("t:FieldOrder")?;
            soap.end("m:SortOrder")?;
            write_calendar_folder(soap, "m:ParentFolderIds")?;
            soap.end("m:FindItem")
        },
        context,
    )
}

/// `CreateItem` of calendar items in the calendar, never sending invitations.
pub fn create_item(
    context: &RequestContext,
    items: &[NewCalendarItem],
) -> Result<Vec<u8>, EwsError> {
    if items.is_empty() {
        return Err(EwsError::invalid_input(
            "CreateItem needs at least one item",
        ));
    }
    for item in items {
        item.validate(context.version)?;
    }
    finish(
        |soap| {
            soap.start("m:CreateItem", &[("SendMeetingInvitations", "SendToNone")])?;
            write_calendar_folder(soap, "m:SavedItemFolderId")?;
            soap.start("m:Items", &[])?;
            for item in items {
                let mut fields: Vec<_> = item.fields.iter().collect();
                fields.sort_by_key(|field| field.name());
                soap.start("t:CalendarItem", &[])?;
                for field in fields {
                    write_field(soap, field)?;
                }
                soap.end("t:CalendarItem")?;
            }
            soap.end("m:Items")?;
            soap.end("m:CreateItem")
        },
        context,
    )
}

/// `UpdateItem` with field-level edits of items or instances of series against each ChangeKey,
/// resolving a stale ChangeKey as `resolution` says, never sending invitations or cancellations.
pub fn update_item(
    context: &RequestContext,
    changes: &[TargetChange],
    resolution: ConflictResolution,
) -> Result<Vec<u8>, EwsError> {
    if changes.is_empty() {
        return Err(EwsError::invalid_input(
            "UpdateItem needs at least one change",
        ));
    }
    for change in changes {
        change.validate(context.version)?;
    }
    finish(
        |soap| {
            soap.start(
                "m:UpdateItem",
                &[
                    ("MessageDisposition", "SaveOnly"),
                    ("ConflictResolution", resolution.as_str()),
                    ("SendMeetingInvitationsOrCancellations", "SendToNone"),
                ],
            )?;
            soap.start("m:ItemChanges", &[])?;
            for change in changes {
                soap.start("t:ItemChange", &[])?;
                write_target(soap, &change.target)?;
                soap.start("t:Updates", &[])?;
                for update in &change.updates {
                    match update {
                        FieldUpdate::Set(field) => {
                            soap.start("t:SetItemField", &[])?;
                            write_field_uri(soap, field.name())?;
                            soap.start("t:CalendarItem", &[])?;
                            write_field(soap, field)?;
                            soap.end("t:CalendarItem")?;
                            soap.end("t:SetItemField")?;
                        }
                        FieldUpdate::Delete(name) => {
                            soap.start("t:DeleteItemField", &[])?;
                            write_field_uri(soap, *name)?;
                            soap.end("t:DeleteItemField")?;
                        }
                    }
                }
                soap.end("t:Updates")?;
                soap.end("t:ItemChange")?;
            }
            soap.end("m:ItemChanges")?;
            soap.end("m:UpdateItem")
        },
        context,
    )
}

/// `DeleteItem` of items or instances of series to Deleted Items (recoverable by the user), never
/// sending cancellations.
pub fn delete_item(context: &RequestContext, targets: &[ItemTarget]) -> Result<Vec<u8>, EwsError> {
    if targets.is_empty() {
        return Err(EwsError::invalid_input("DeleteItem needs at least one id"));
    }
    finish(
        |soap| {
            soap.start(
                "m:DeleteItem",
                &[
                    ("DeleteType", "MoveToDeletedItems"),
                    ("SendMeetingCancellations", "SendToNone"),
                ],
            )?;
            soap.start("m:ItemIds", &[])?;
            for target in targets {
                write_target(soap, target)?;
            }
            soap.end("m:ItemIds")?;
            soap.end("m:DeleteItem")
        },
        context,
    )
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};
    use quick_xml::Reader;
    use quick_xml::events::Event;

    use super::*;
    use crate::model::{
        Body, BodyType, CalendarField, CalendarFieldName, DayOfWeek, DayOfWeekIndex, ItemChange,
        LegacyFreeBusyStatus, OhsyncTag, Recurrence, RecurrencePattern, RecurrenceRange,
        Sensitivity,
    };
    use crate::version::ExchangeVersion;
    use crate::xml::response::parse_get_item;

    fn context(version: ExchangeVersion) -> RequestContext {
        RequestContext::new(version)
    }

    fn text(document: Vec<u8>) -> String {
        let mut reader = Reader::from_reader(document.as_slice());
        loop {
            match reader.read_event() {
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("request is not well-formed XML: {e}"),
            }
        }
        String::from_utf8(document).unwrap()
    }

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, hour, 30, 0).unwrap()
    }

    fn meeting(subject: &str) -> NewCalendarItem {
        NewCalendarItem {
            fields: vec![
                CalendarField::End(at(10)),
                CalendarField::Location("Kamer 1".into()),
                CalendarField::Start(at(9)),
                CalendarField::Subject(subject.into()),
                CalendarField::OhsyncTag(OhsyncTag::new("acme", "appt-7").unwrap()),
            ],
        }
    }

    #[test]
    fn get_folder_asks_for_the_calendar_with_the_version() {
        let xml = text(get_calendar_folder(&context(ExchangeVersion::Exchange2010Sp2)).unwrap());
        assert!(xml.contains(r#"<t:RequestServerVersion Version="Exchange2010_SP2"/>"#));
        assert!(
            xml.contains(r#"<m:FolderIds><t:DistinguishedFolderId Id="calendar"/></m:FolderIds>"#)
        );
        assert!(xml.contains(r#"<t:FieldURI FieldURI="folder:TotalCount"/>"#));
    }

    #[test]
    fn sync_request_carries_state_limit_and_relevance_shape() {
        let xml = text(
            sync_folder_items(
                &context(ExchangeVersion::Exchange2013),
                Some("H4sI&state"),
                512,
                ItemShape::Relevance,
            )
            .unwrap(),
        );
        assert!(xml.contains("<m:SyncState>H4sI&amp;state</m:SyncState>"));
        assert!(xml.contains("<m:MaxChangesReturned>512</m:MaxChangesReturned>"));
        assert!(xml.contains("<m:SyncScope>NormalItems</m:SyncScope>"));
        assert!(xml.contains(r#"<t:FieldURI FieldURI="calendar:IsRecurring"/>"#));
        assert!(xml.contains(r#"PropertySetId="0f4d47ed-80b5-4901-a571-af5ef03136a5" PropertyName="ohsync-id" PropertyType="String""#));
        assert!(xml.contains(r#"PropertySetId="0f4d47ed-80b5-4901-a571-af5ef03136a5" PropertyName="ohsync-unfinished" PropertyType="String""#));
        assert!(xml.contains(
            r#"<m:SyncFolderId><t:DistinguishedFolderId Id="calendar"/></m:SyncFolderId>"#
        ));
    }

    #[test]
    fn first_sync_has_no_state_and_2007_has_no_scope() {
        let xml = text(
            sync_folder_items(
                &context(ExchangeVersion::Exchange2007Sp1),
                None,
                100,
                ItemShape::IdOnly,
            )
            .unwrap(),
        );
        assert!(!xml.contains("SyncState"));
        assert!(!xml.contains("SyncScope"));
        assert!(!xml.contains("AdditionalProperties"));
    }

    #[test]
    fn sync_rejects_limits_outside_1_to_512() {
        let context = context(ExchangeVersion::Exchange2013);
        assert!(sync_folder_items(&context, None, 0, ItemShape::IdOnly).is_err());
        assert!(sync_folder_items(&context, None, 513, ItemShape::IdOnly).is_err());
    }

    #[test]
    fn get_item_asks_for_text_bodies_and_the_zones_of_its_version() {
        let ids = [ItemTarget::Item(ItemId::new("AAMk=", "DwAA"))];
        let modern = text(get_item(&context(ExchangeVersion::Exchange2010), &ids).unwrap());
        assert!(modern.contains("<t:BodyType>Text</t:BodyType>"));
        assert!(modern.contains(r#"<t:FieldURI FieldURI="calendar:StartTimeZone"/>"#));
        assert!(!modern.contains("calendar:MeetingTimeZone"));
        assert!(modern.contains(r#"<t:ItemId Id="AAMk=" ChangeKey="DwAA"/>"#));
        assert!(modern.contains(r#"PropertyName="ohsync-id""#));
        assert!(modern.contains(r#"PropertyName="ohsync-unfinished""#));
        let old = text(get_item(&context(ExchangeVersion::Exchange2007Sp1), &ids).unwrap());
        assert!(old.contains(r#"<t:FieldURI FieldURI="calendar:MeetingTimeZone"/>"#));
        assert!(!old.contains("calendar:StartTimeZone"));
        let rtm = text(get_item(&context(ExchangeVersion::Exchange2007), &ids).unwrap());
        assert!(!rtm.contains("calendar:UID"));
    }

    #[test]
    fn calendar_view_states_utc_bounds() {
        let xml = text(
            find_calendar_view(
                &context(ExchangeVersion::Exchange2016),
                at(9),
                at(17),
                250,
                ItemShape::Summary,
            )
            .unwrap(),
        );
        assert!(xml.contains(
            r#"<m:CalendarView MaxEntriesReturned="250" StartDate="2026-03-02T09:30:00Z" EndDate="2026-03-02T17:30:00Z"/>"#
        ));
        assert!(xml.contains(r#"<t:FieldURI FieldURI="calendar:UID"/>"#));
        assert!(
            find_calendar_view(
                &context(ExchangeVersion::Exchange2016),
                at(9),
                at(9),
                1,
                ItemShape::IdOnly
            )
            .is_err()
        );
    }

    #[test]
    fn tag_search_restricts_on_the_extended_property() {
        let equals = text(
            find_tagged(
                &context(ExchangeVersion::Exchange2013),
                TagFilter::AnyOf(&["acme:\"7\"".to_owned()]),
                100,
                50,
                ItemShape::Summary,
            )
            .unwrap(),
        );
        assert!(equals.contains(
            r#"<m:IndexedPageItemView MaxEntriesReturned="50" Offset="100" BasePoint="Beginning"/>"#
        ));
        assert!(equals.contains(r#"<t:Constant Value="acme:&quot;7&quot;"/>"#));
        assert!(equals.contains("<t:IsEqualTo><t:ExtendedFieldURI"));
        let exists = text(
            find_tagged(
                &context(ExchangeVersion::Exchange2013),
                TagFilter::Exists,
                0,
                50,
                ItemShape::Relevance,
            )
            .unwrap(),
        );
        assert!(exists.contains("<t:Exists><t:ExtendedFieldURI"));
        assert!(!equals.contains("<t:Or>"), "one tag needs no Or");
    }

    #[test]
    fn tag_search_for_several_tags_ors_one_comparison_per_tag() {
        let tags = [
            "acme:1".to_owned(),
            "acme:2".to_owned(),
            "acme:3".to_owned(),
        ];
        let xml = text(
            find_tagged(
                &context(ExchangeVersion::Exchange2013),
                TagFilter::AnyOf(&tags),
                0,
                100,
                ItemShape::Relevance,
            )
            .unwrap(),
        );
        let or = &xml[xml.find("<t:Or>").unwrap()..xml.find("</t:Or>").unwrap()];
        assert_eq!(or.matches("<t:IsEqualTo>").count(), 3);
        for tag in &tags {
            assert!(or.contains(&format!(r#"<t:Constant Value="{tag}"/>"#)));
        }
        assert!(
            find_tagged(
                &context(ExchangeVersion::Exchange2013),
                TagFilter::AnyOf(&[]),
                0,
                100,
                ItemShape::Relevance,
            )
            .is_err()
        );
    }

    #[test]
    fn uid_search_restricts_on_the_global_object_id_in_base64() {
        let uids = [
            "040000008200E00074C5B7101A82E008000000000000000000000000000000001000000001".to_owned(),
            "abc@google.com".to_owned(),
        ];
        let xml = text(
            find_by_uids(
                &context(ExchangeVersion::Exchange2013),
                UidFilter(&uids),
                40,
                20,
                ItemShape::Relevance,
            )
            .unwrap(),
        );
        assert!(xml.contains(
            r#"<m:IndexedPageItemView MaxEntriesReturned="20" Offset="40" BasePoint="Beginning"/>"#
        ));
        let or = &xml[xml.find("<t:Or>").unwrap()..xml.find("</t:Or>").unwrap()];
        assert_eq!(
            or.matches(r#"<t:ExtendedFieldURI DistinguishedPropertySetId="Meeting" PropertyId="3" PropertyType="Binary"/>"#).count(),
            2
        );
        for uid in &uids {
            let value = GlobalObjectId::of_uid(uid).to_base64();
            assert!(
                or.contains(&format!(r#"<t:Constant Value="{value}"/>"#)),
                "{uid}"
            );
        }
        assert!(or.contains(
            r#"<t:Constant Value="BAAAAIIA4AB0xbcQGoLgCAAAAAAAAAAAAAAAAAAAAAAQAAAAAQ=="/>"#
        ));
        let single = text(
            find_by_uids(
                &context(ExchangeVersion::Exchange2013),
                UidFilter(&uids[..1]),
                0,
                20,
                ItemShape::Relevance,
            )
            .unwrap(),
        );
        assert!(!single.contains("<t:Or>") && single.contains("<t:IsEqualTo>"));
        assert!(
            find_by_uids(
                &context(ExchangeVersion::Exchange2013),
                UidFilter(&[]),
                0,
                20,
                ItemShape::Relevance,
            )
            .is_err()
        );
    }

    #[test]
    fn relevance_shape_asks_for_the_uid_from_2007_sp1() {
        let shaped = |version| {
            text(sync_folder_items(&context(version), None, 10, ItemShape::Relevance).unwrap())
        };
        assert!(
            shaped(ExchangeVersion::Exchange2007Sp1)
                .contains(r#"<t:FieldURI FieldURI="calendar:UID"/>"#)
        );
        assert!(!shaped(ExchangeVersion::Exchange2007).contains("calendar:UID"));
        let summary = text(
            sync_folder_items(
                &context(ExchangeVersion::Exchange2013),
                None,
                10,
                ItemShape::Summary,
            )
            .unwrap(),
        );
        assert_eq!(summary.matches("calendar:UID").count(), 1);
    }

    #[test]
    fn id_only_get_item_asks_for_nothing_but_ids() {
        let xml = text(
            get_item_ids(
                &context(ExchangeVersion::Exchange2016),
                &[
                    ItemId::without_change_key("AAMk1"),
                    ItemId::without_change_key("AAMk2"),
                ],
            )
            .unwrap(),
        );
        assert!(xml.contains("<m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>"));
        assert!(!xml.contains("AdditionalProperties"));
        assert!(
            xml.contains(r#"<m:ItemIds><t:ItemId Id="AAMk1"/><t:ItemId Id="AAMk2"/></m:ItemIds>"#)
        );
        assert!(get_item_ids(&context(ExchangeVersion::Exchange2016), &[]).is_err());
    }

    #[test]
    fn create_never_sends_invitations_and_escapes_the_subject() {
        let xml = text(
            create_item(
                &context(ExchangeVersion::Exchange2013Sp1),
                &[meeting(r#"Q1 <plan> & "go""#)],
            )
            .unwrap(),
        );
        assert!(xml.contains(r#"<m:CreateItem SendMeetingInvitations="SendToNone">"#));
        assert!(xml.contains(r#"<t:RequestServerVersion Version="Exchange2013_SP1"/>"#));
        assert!(xml.contains("<t:Subject>Q1 &lt;plan&gt; &amp; &quot;go&quot;</t:Subject>"));
        assert!(xml.contains(
            r#"<m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"/></m:SavedItemFolderId>"#
        ));
        assert!(xml.contains("<t:Value>acme:appt-7</t:Value>"));
    }

    #[test]
    fn create_writes_fields_in_schema_order() {
        let xml =
            text(create_item(&context(ExchangeVersion::Exchange2013), &[meeting("x")]).unwrap());
        let position = |needle: &str| {
            xml.find(needle)
                .unwrap_or_else(|| panic!("{needle} missing"))
        };
        assert!(position("<t:Subject>") < position("<t:ExtendedProperty>"));
        assert!(position("<t:ExtendedProperty>") < position("<t:Start>"));
        assert!(position("<t:Start>") < position("<t:End>"));
        assert!(position("<t:End>") < position("<t:Location>"));
    }

    #[test]
    fn create_refuses_invalid_items() {
        let mut item = meeting("x");
        item.fields.push(CalendarField::StartTimeZone(
            "W. Europe Standard Time".into(),
        ));
        assert!(create_item(&context(ExchangeVersion::Exchange2007Sp1), &[item]).is_err());
        assert!(create_item(&context(ExchangeVersion::Exchange2013), &[]).is_err());
    }

    #[test]
    fn created_fields_read_back_identically() {
        let recurrence = Recurrence {
            pattern: RecurrencePattern::RelativeMonthly {
                interval: 2,
                days_of_week: vec![DayOfWeek::Tuesday],
                index: DayOfWeekIndex::Last,
            },
            range: RecurrenceRange::EndDate {
                start_date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
                end_date: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            },
        };
        let mut item = meeting("Overleg <team> & \"klant\" — café");
        item.fields.extend([
            CalendarField::Body(Body {
                body_type: BodyType::Text,
                text: "Regel 1\nRegel 2 <b>".into(),
            }),
            CalendarField::Categories(vec!["Klant".into(), "Rood & blauw".into()]),
            CalendarField::Sensitivity(Sensitivity::Private),
            CalendarField::LegacyFreeBusyStatus(LegacyFreeBusyStatus::Oof),
            CalendarField::ReminderIsSet(true),
            CalendarField::ReminderMinutesBeforeStart(10),
            CalendarField::IsAllDayEvent(false),
            CalendarField::Uid("040000008200E00074C5B7101A82E00800000000".into()),
            CalendarField::Recurrence(recurrence.clone()),
            CalendarField::StartTimeZone("W. Europe Standard Time".into()),
            CalendarField::EndTimeZone("W. Europe Standard Time".into()),
            CalendarField::UnfinishedMarker,
        ]);
        let xml = text(create_item(&context(ExchangeVersion::Exchange2016), &[item]).unwrap());
        let items = &xml
            [xml.find("<m:Items>").unwrap()..xml.find("</m:Items>").unwrap() + "</m:Items>".len()];
        let response = format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:GetItemResponse xmlns:m="m" xmlns:t="t"><m:ResponseMessages><m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>{items}</m:GetItemResponseMessage></m:ResponseMessages></m:GetItemResponse></s:Body></s:Envelope>"#
        );
        let results = parse_get_item(response.as_bytes())
            .unwrap()
            .outcome
            .unwrap();
        let read = results[0].as_ref().unwrap();
        assert_eq!(
            read.subject.as_deref(),
            Some("Overleg <team> & \"klant\" — café")
        );
        assert_eq!(read.body.as_ref().unwrap().text, "Regel 1\nRegel 2 <b>");
        assert_eq!(read.categories, ["Klant", "Rood & blauw"]);
        assert_eq!(read.sensitivity, Some(Sensitivity::Private));
        assert_eq!(
            read.legacy_free_busy_status,
            Some(LegacyFreeBusyStatus::Oof)
        );
        assert_eq!(read.reminder_minutes_before_start, Some(10));
        assert_eq!(read.start.map(|s| s.to_utc()), Some(at(9)));
        assert_eq!(read.end.map(|e| e.to_utc()), Some(at(10)));
        assert_eq!(read.recurrence, Some(recurrence));
        assert_eq!(
            read.uid.as_deref(),
            Some("040000008200E00074C5B7101A82E00800000000")
        );
        assert_eq!(
            read.start_time_zone_id.as_deref(),
            Some("W. Europe Standard Time")
        );
        assert_eq!(read.ohsync_tag(), OhsyncTag::new("acme", "appt-7").ok());
        assert!(read.has_unfinished_marker());
    }

    #[test]
    fn the_unfinished_marker_follows_the_tag_and_is_deleted_by_its_extended_uri() {
        let mut item = meeting("Reeks");
        item.fields.insert(0, CalendarField::UnfinishedMarker);
        let xml = text(create_item(&context(ExchangeVersion::Exchange2016), &[item]).unwrap());
        let tag = xml.find(r#"PropertyName="ohsync-id""#).unwrap();
        let marker = xml
            .find(r#"PropertyName="ohsync-unfinished" PropertyType="String"/><t:Value>1</t:Value>"#)
            .unwrap();
        let uid_or_start = xml.find("<t:Start>").unwrap();
        assert!(tag < marker && marker < uid_or_start, "schema order: {xml}");

        let change = TargetChange::from(ItemChange {
            item_id: ItemId::new("AAMkA", "DwAAA"),
            updates: vec![FieldUpdate::Delete(CalendarFieldName::UnfinishedMarker)],
        });
        let xml = text(
            update_item(
                &context(ExchangeVersion::Exchange2016),
                &[change],
                ConflictResolution::AlwaysOverwrite,
            )
            .unwrap(),
        );
        assert!(xml.contains(
            r#"<t:DeleteItemField><t:ExtendedFieldURI PropertySetId="0f4d47ed-80b5-4901-a571-af5ef03136a5" PropertyName="ohsync-unfinished" PropertyType="String"/></t:DeleteItemField>"#
        ));
    }

    #[test]
    fn update_states_change_key_resolution_and_send_to_none() {
        let change = TargetChange::from(ItemChange {
            item_id: ItemId::new("AAMkA", "DwAAA"),
            updates: vec![
                FieldUpdate::Set(CalendarField::Subject("Nieuw & beter".into())),
                FieldUpdate::Set(CalendarField::OhsyncTag(
                    OhsyncTag::new("acme", "9").unwrap(),
                )),
                FieldUpdate::Delete(CalendarFieldName::Location),
            ],
        });
        let xml = text(
            update_item(
                &context(ExchangeVersion::Exchange2010Sp1),
                std::slice::from_ref(&change),
                ConflictResolution::AutoResolve,
            )
            .unwrap(),
        );
        assert!(xml.contains(
            r#"<m:UpdateItem MessageDisposition="SaveOnly" ConflictResolution="AutoResolve" SendMeetingInvitationsOrCancellations="SendToNone">"#
        ));
        let strict = text(
            update_item(
                &context(ExchangeVersion::Exchange2010Sp1),
                &[change],
                ConflictResolution::NeverOverwrite,
            )
            .unwrap(),
        );
        assert!(strict.contains(r#"ConflictResolution="NeverOverwrite""#));
        assert!(xml.contains(r#"<t:RequestServerVersion Version="Exchange2010_SP1"/>"#));
        assert!(xml.contains(r#"<t:ItemChange><t:ItemId Id="AAMkA" ChangeKey="DwAAA"/>"#));
        assert!(xml.contains(
            r#"<t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>Nieuw &amp; beter</t:Subject></t:CalendarItem></t:SetItemField>"#
        ));
        assert!(xml.contains(r#"<t:SetItemField><t:ExtendedFieldURI PropertySetId="0f4d47ed-80b5-4901-a571-af5ef03136a5""#));
        assert!(xml.contains(
            r#"<t:DeleteItemField><t:FieldURI FieldURI="calendar:Location"/></t:DeleteItemField>"#
        ));
    }

    #[test]
    fn update_without_change_key_is_refused() {
        let change = TargetChange::from(ItemChange {
            item_id: ItemId::without_change_key("AAMkA"),
            updates: vec![FieldUpdate::Set(CalendarField::Subject("x".into()))],
        });
        assert!(
            update_item(
                &context(ExchangeVersion::Exchange2016),
                &[change],
                ConflictResolution::NeverOverwrite
            )
            .is_err()
        );
    }

    #[test]
    fn delete_moves_to_deleted_items_without_cancellations() {
        let xml = text(
            delete_item(
                &context(ExchangeVersion::Exchange2016),
                &[ItemTarget::Item(ItemId::without_change_key("AAMk1"))],
            )
            .unwrap(),
        );
        assert!(xml.contains(r#"<m:DeleteItem DeleteType="MoveToDeletedItems" SendMeetingCancellations="SendToNone">"#));
        assert!(xml.contains(r#"<t:RequestServerVersion Version="Exchange2016"/>"#));
        assert!(xml.contains(r#"<m:ItemIds><t:ItemId Id="AAMk1"/></m:ItemIds>"#));
    }

    #[test]
    fn occurrences_are_addressed_by_master_change_key_and_index() {
        let master = ItemId::new("AAMkM", "DwAAM");
        let third = ItemTarget::occurrence(master.clone(), 3);
        let occurrence = r#"<t:OccurrenceItemId RecurringMasterId="AAMkM" ChangeKey="DwAAM" InstanceIndex="3"/>"#;
        let context = context(ExchangeVersion::Exchange2016);
        let got =
            text(get_item(&context, &[third.clone(), ItemTarget::Item(master.clone())]).unwrap());
        assert!(got.contains(&format!(
            r#"<m:ItemIds>{occurrence}<t:ItemId Id="AAMkM" ChangeKey="DwAAM"/></m:ItemIds>"#
        )));
        let unkeyed = ItemTarget::occurrence(ItemId::without_change_key("AAMkM"), 5);
        let deleted = text(delete_item(&context, &[unkeyed]).unwrap());
        assert!(deleted.contains(
            r#"<m:ItemIds><t:OccurrenceItemId RecurringMasterId="AAMkM" InstanceIndex="5"/></m:ItemIds>"#
        ));
        let change = TargetChange {
            target: third,
            updates: vec![FieldUpdate::Set(CalendarField::Subject("Verzet".into()))],
        };
        let updated =
            text(update_item(&context, &[change], ConflictResolution::AutoResolve).unwrap());
        assert!(updated.contains(&format!("<t:ItemChange>{occurrence}<t:Updates>")));
    }
}
