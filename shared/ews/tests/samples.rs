//! Every real EWS response in the samples folder parses into the typed response or the typed
//! error it carries, with its content checked file by file.

// Test code: a failed unwrap is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate};
use ohsync_ews::error::{EwsError, ResponseClass, ResponseCode};
use ohsync_ews::model::{
    BodyType, CalendarItem, CalendarItemType, DayOfWeek, ItemKind, LegacyFreeBusyStatus,
    RecurrencePattern, RecurrenceRange, SyncChange,
};
use ohsync_ews::version::{ExchangeProduct, ExchangeVersion, ServerVersionInfo};
use ohsync_ews::xml::response::{
    ItemResult, Parsed, parse_create_item, parse_delete_item, parse_envelope_statuses,
    parse_find_item, parse_get_folder, parse_get_item, parse_sync_folder_items, parse_update_item,
};

fn samples_dir() -> PathBuf {
    match std::env::var_os("EWS_SAMPLES_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let workspace_root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
            workspace_root.join("../shared/ews-samples")
        }
    }
}

fn read(name: &str) -> Vec<u8> {
    let path = samples_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

fn version(parsed_version: &Option<ServerVersionInfo>) -> (u32, u32, u32, u32) {
    let v = parsed_version
        .as_ref()
        .expect("ServerVersionInfo in the header");
    (v.major, v.minor, v.major_build, v.minor_build)
}

fn ok<T>(parsed: Parsed<T>) -> T {
    match parsed.outcome {
        Ok(value) => value,
        Err(err) => panic!("expected success, got {err}"),
    }
}

fn err_of<T>(result: &ItemResult<T>) -> &EwsError {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(err) => err,
    }
}

fn item(result: &ItemResult<CalendarItem>) -> &CalendarItem {
    result
        .as_ref()
        .unwrap_or_else(|e| panic!("expected an item, got {e}"))
}

fn outcome_err<T: std::fmt::Debug>(parsed: Parsed<T>) -> EwsError {
    parsed.outcome.expect_err("expected an error outcome")
}

type Check = fn(&[u8]);

/// Each response file with the checks that prove it was understood.
const CASES: &[(&str, Check)] = &[
    ("createitem_calendaritem_response_1.xml", |xml| {
        let parsed = parse_create_item(xml).unwrap();
        assert_eq!(version(&parsed.server_version), (8, 0, 685, 8));
        assert_eq!(parsed.server_version.as_ref().unwrap().version, None);
        let ids = ok(parsed);
        assert_eq!(ids.len(), 1);
        let id = ids[0].as_ref().unwrap();
        assert_eq!(
            (id.id.as_str(), id.change_key.as_deref()),
            ("AAAlAFV", Some("DwAAABYA"))
        );
    }),
    ("createitem_calendaritem_response_2.xml", |xml| {
        let parsed = parse_create_item(xml).unwrap();
        assert_eq!(version(&parsed.server_version), (14, 3, 195, 1));
        let ids = ok(parsed);
        assert_eq!(ids.len(), 2);
        assert!(ids[0].as_ref().unwrap().id.ends_with("AACQB5EqAAA="));
        assert_eq!(
            ids[1].as_ref().unwrap().change_key.as_deref(),
            Some("DwAAABYAAAD5KryzNn7ZS4Mgr/QC8cL2AACQDBeY")
        );
    }),
    ("createitem_calendaritem_response_3.xml", |xml| {
        let parsed = parse_create_item(xml).unwrap();
        let server = parsed.server_version.clone().unwrap();
        assert_eq!(server.product(), ExchangeProduct::Exchange2016);
        assert_eq!(server.version.as_deref(), Some("V2017_07_11"));
        let ids = ok(parsed);
        assert_eq!(
            ids[0].as_ref().unwrap().change_key.as_deref(),
            Some("DwAAABYAAACQn3OegRRmRp7YcOEXm4lWAAAFA/E2")
        );
    }),
    ("deleteitem_error_itemnotfound_1.xml", |xml| {
        let parsed = parse_delete_item(xml).unwrap();
        assert_eq!(
            parsed.server_version.as_ref().unwrap().product(),
            ExchangeProduct::ExchangeOnline
        );
        let results = ok(parsed);
        assert_eq!(results.len(), 1);
        let err = err_of(&results[0]);
        assert_eq!(err.response_code(), Some(ResponseCode::ErrorItemNotFound));
        assert_eq!(err.code(), "EWS_ITEM_NOT_FOUND");
        assert!(
            err.to_string()
                .contains("The process failed to get the correct properties.")
        );
    }),
    ("deleteitem_error_itemnotfound_2.xml", |xml| {
        let parsed = parse_delete_item(xml).unwrap();
        assert_eq!(version(&parsed.server_version), (15, 1, 2507, 6));
        let results = ok(parsed);
        assert_eq!(
            err_of(&results[0]).response_code(),
            Some(ResponseCode::ErrorItemNotFound)
        );
    }),
    ("deleteitem_mixed_response_1.xml", |xml| {
        let parsed = parse_delete_item(xml).unwrap();
        let server = parsed.server_version.clone().unwrap();
        assert_eq!(server.version.as_deref(), Some("Exchange2007_SP1"));
        assert_eq!(
            server.highest_request_version(),
            Some(ExchangeVersion::Exchange2010Sp2)
        );
        assert_eq!(
            server.product(),
            ExchangeProduct::Exchange2010 { service_pack: 3 }
        );
        let results = ok(parsed);
        assert_eq!(results.len(), 2);
        assert_eq!(err_of(&results[0]).code(), "EWS_ITEM_NOT_FOUND");
        assert!(results[1].is_ok());
    }),
    ("finditem_calendarview_response_1.xml", |xml| {
        let parsed = parse_find_item(xml).unwrap();
        assert_eq!(
            parsed.server_version.as_ref().unwrap().product(),
            ExchangeProduct::Exchange2013 { sp1: false }
        );
        let page = ok(parsed);
        assert!(!page.includes_last_item_in_range);
        assert_eq!(page.total_items_in_view, Some(33));
        assert_eq!(page.items.len(), 5);
        assert_eq!(
            page.items[0].subject.as_deref(),
            Some("Contoso devs team meeting")
        );
        assert_eq!(
            page.items[4].subject.as_deref(),
            Some("Online training webcast")
        );
        assert_eq!(page.items[4].start, Some(at("2013-08-22T21:00:00Z")));
        assert_eq!(page.items[4].end, Some(at("2013-08-22T22:00:00Z")));
    }),
    ("finditem_calendarview_response_2.xml", |xml| {
        let page = ok(parse_find_item(xml).unwrap());
        assert!(page.includes_last_item_in_range);
        assert_eq!(page.total_items_in_view, Some(5));
        assert_eq!(page.items.len(), 5);
        assert!(
            page.items
                .iter()
                .all(|i| i.calendar_item_type == Some(CalendarItemType::Occurrence))
        );
        assert!(
            page.items
                .iter()
                .all(|i| i.location.as_deref() == Some("Neighborhood Swimming Pool"))
        );
        assert_eq!(page.items[0].item_id.as_ref().unwrap().id, "AAMkADA6...");
    }),
    ("finditem_calendarview_response_3.xml", |xml| {
        let parsed = parse_find_item(xml).unwrap();
        assert_eq!(version(&parsed.server_version), (14, 2, 298, 4));
        let page = ok(parsed);
        assert_eq!(page.total_items_in_view, Some(62));
        assert_eq!(page.items.len(), 62);
        let count = |kind| {
            page.items
                .iter()
                .filter(|i| i.calendar_item_type == Some(kind))
                .count()
        };
        assert_eq!(count(CalendarItemType::Occurrence), 52);
        assert_eq!(count(CalendarItemType::Single), 9);
        assert_eq!(count(CalendarItemType::Exception), 1);
        let exception = page
            .items
            .iter()
            .find(|i| i.calendar_item_type == Some(CalendarItemType::Exception))
            .unwrap();
        assert_eq!(
            exception.item_class.as_deref(),
            Some("IPM.OLE.CLASS.{00061055-0000-0000-C000-000000000046}")
        );
        assert!(page.items.iter().all(|i| i.uid.is_some()));
    }),
    ("finditem_calendarview_response_4.xml", |xml| {
        let parsed = parse_find_item(xml).unwrap();
        assert_eq!(
            parsed.server_version.as_ref().unwrap().product(),
            ExchangeProduct::Exchange2019
        );
        let page = ok(parsed);
        assert_eq!(page.items.len(), 6);
        assert_eq!(
            page.items[0].subject.as_deref(),
            Some("Réunion équipe - Café & Discusion")
        );
        assert_eq!(
            page.items[0].location.as_deref(),
            Some("Salle de réunion #1")
        );
        assert_eq!(
            page.items[0]
                .organizer
                .as_ref()
                .unwrap()
                .routing_type
                .as_deref(),
            Some("EX")
        );
        assert_eq!(page.items[2].subject.as_deref(), Some("Hey 👋🏼"));
        let occurrences = page
            .items
            .iter()
            .filter(|i| i.calendar_item_type == Some(CalendarItemType::Occurrence))
            .count();
        assert_eq!(occurrences, 4);
        assert_eq!(page.items[5].start, Some(at("2025-07-23T10:00:00Z")));
    }),
    ("finditem_extendedproperty_response_1.xml", |xml| {
        let page = ok(parse_find_item(xml).unwrap());
        assert_eq!(page.indexed_paging_offset, Some(3));
        assert_eq!(page.items.len(), 3);
        assert!(page.items.iter().all(|i| i.kind == ItemKind::Message));
        let values: Vec<_> = page
            .items
            .iter()
            .map(|i| {
                let property = &i.extended_properties[0];
                assert_eq!(property.field.property_name.as_deref(), Some("ItemIndex"));
                assert_eq!(
                    property.field.property_set_id.as_deref(),
                    Some("aa3df801-4fc7-401f-bbc1-7c93d6498c2e")
                );
                assert_eq!(i.ohsync_tag(), None);
                property.values[0].clone()
            })
            .collect();
        assert_eq!(values, ["5", "6", "7"]);
    }),
    ("getfolder_calendar_response_1.xml", |xml| {
        let parsed = parse_get_folder(xml).unwrap();
        let server = parsed.server_version.clone().unwrap();
        assert_eq!(
            (server.major, server.minor, server.major_build),
            (15, 20, 3370)
        );
        assert_eq!(
            server.highest_request_version(),
            Some(ExchangeVersion::Exchange2016)
        );
        let folder = ok(parsed);
        assert!(folder.folder_id.id.starts_with("AQMkADllMTlhYmUxLTg5"));
        assert_eq!(
            folder.folder_id.change_key.as_deref(),
            Some("AgAAABYAAAC30utV9Qm1Tp6i563HuBDKAAER7Bbl")
        );
        assert_eq!(folder.display_name.as_deref(), Some("Test"));
        assert_eq!(folder.total_count, Some(0));
    }),
    ("getitem_calendaritem_response_1.xml", |xml| {
        let results = ok(parse_get_item(xml).unwrap());
        let master = item(&results[0]);
        assert_eq!(master.subject.as_deref(), Some("Weekly Update Meeting"));
        assert!(master.is_recurring_master());
        let recurrence = master.recurrence.as_ref().unwrap();
        assert_eq!(
            recurrence.pattern,
            RecurrencePattern::Weekly {
                interval: 1,
                days_of_week: vec![DayOfWeek::Saturday],
                first_day_of_week: None
            }
        );
        assert_eq!(
            recurrence.range,
            RecurrenceRange::Numbered {
                start_date: NaiveDate::from_ymd_opt(2014, 3, 8).unwrap(),
                occurrences: 10
            }
        );
        assert_eq!(
            master.first_occurrence.as_ref().unwrap().start,
            Some(at("2014-03-08T21:21:00Z"))
        );
        let last = master.last_occurrence.as_ref().unwrap();
        assert_eq!(last.original_start, Some(at("2014-05-10T20:21:00Z")));
        assert_eq!(
            last.item_id.as_ref().unwrap().change_key.as_deref(),
            Some("DwAAABY")
        );
    }),
    ("getitem_calendaritem_response_2.xml", |xml| {
        let parsed = parse_get_item(xml).unwrap();
        let server = parsed.server_version.clone().unwrap();
        assert_eq!(version(&parsed.server_version), (15, 2, 1748, 10));
        assert_eq!(server.version.as_deref(), Some("V2017_07_11"));
        assert_eq!(
            server.highest_request_version(),
            Some(ExchangeVersion::Exchange2016)
        );
        let results = ok(parsed);
        let master = item(&results[0]);
        assert_eq!(master.subject.as_deref(), Some("Weekly Team Meeting"));
        assert_eq!(
            master.calendar_item_type,
            Some(CalendarItemType::RecurringMaster)
        );
        assert_eq!(
            master.is_recurring,
            Some(false),
            "the recorded 2019 master says IsRecurring=false"
        );
        assert!(master.is_recurring_master());
        assert_eq!(
            master.uid.as_deref(),
            Some(
                "040000008200E00074C5B7101A82E008000000001AF45EF9C7EDDB01000000000000000010000000F73231FC2ADB164D941E037E14477E38"
            )
        );
        assert_eq!(master.location.as_deref(), Some("Conference Room A"));
        assert_eq!(master.reminder_is_set, Some(true));
        assert_eq!(master.reminder_minutes_before_start, Some(15));
        assert_eq!(master.last_modified_time, Some(at("2025-07-05T16:15:07Z")));
        let recurrence = master.recurrence.as_ref().unwrap();
        assert_eq!(
            recurrence.pattern,
            RecurrencePattern::Weekly {
                interval: 1,
                days_of_week: vec![DayOfWeek::Wednesday],
                first_day_of_week: None
            }
        );
        assert_eq!(
            recurrence.range,
            RecurrenceRange::Numbered {
                start_date: NaiveDate::from_ymd_opt(2025, 7, 2).unwrap(),
                occurrences: 4
            }
        );
        assert_eq!(
            master.last_occurrence.as_ref().unwrap().start,
            Some(at("2025-07-23T10:00:00Z"))
        );
        let body = master.body.as_ref().unwrap();
        assert_eq!((body.body_type, body.text.as_str()), (BodyType::Text, ""));
    }),
    ("getitem_calendaritem_response_3.xml", |xml| {
        let results = ok(parse_get_item(xml).unwrap());
        assert_eq!(results.len(), 3);
        let subjects: Vec<_> = results
            .iter()
            .map(|r| item(r).subject.clone().unwrap())
            .collect();
        assert_eq!(
            subjects,
            [
                "Review current quarterly deliverables",
                "Food bank delivery",
                "Code Blast"
            ]
        );
        let body = item(&results[0]).body.as_ref().unwrap();
        assert_eq!(body.body_type, BodyType::Html);
        assert!(
            body.text.contains("&lt;html&gt;"),
            "double-escaped body decodes once"
        );
        assert_eq!(
            item(&results[1]).calendar_item_type,
            Some(CalendarItemType::RecurringMaster)
        );
        let reminders: Vec<_> = results
            .iter()
            .map(|r| item(r).reminder_minutes_before_start.unwrap())
            .collect();
        assert_eq!(reminders, [30, 15, 30]);
    }),
    ("getitem_calendaritem_response_4.xml", |xml| {
        let parsed = parse_get_item(xml).unwrap();
        let server = parsed.server_version.clone().unwrap();
        assert_eq!(
            server.product(),
            ExchangeProduct::Exchange2007 { service_pack: 0 }
        );
        assert_eq!(
            server.highest_request_version(),
            Some(ExchangeVersion::Exchange2007)
        );
        let results = ok(parsed);
        let single = item(&results[0]);
        assert_eq!(single.item_id.as_ref().unwrap().id, "ASUAdT");
        assert_eq!(
            single.subject, None,
            "the nested ConflictingMeetings subjects are not the item's"
        );
        assert_eq!(
            single.time_zone_name.as_deref(),
            Some("Pacific Standard Time")
        );
        assert_eq!(single.start, Some(at("2006-06-16T00:30:00Z")));
        assert_eq!(
            single.organizer.as_ref().unwrap().name.as_deref(),
            Some("Bob")
        );
    }),
    ("getitem_calendaritem_response_5.xml", |xml| {
        let results = ok(parse_get_item(xml).unwrap());
        let single = item(&results[0]);
        assert_eq!(single.subject.as_deref(), Some("Test Get Item 2"));
        assert_eq!(single.time_zone_name.as_deref(), Some("UTC"));
        assert_eq!(single.calendar_item_type, Some(CalendarItemType::Single));
        assert_eq!(
            single.legacy_free_busy_status,
            Some(LegacyFreeBusyStatus::Busy)
        );
    }),
    ("getitem_calendaritem_response_6.xml", |xml| {
        let parsed = parse_get_item(xml).unwrap();
        assert_eq!(version(&parsed.server_version), (14, 3, 123, 3));
        let results = ok(parsed);
        let master = item(&results[0]);
        assert_eq!(master.subject.as_deref(), Some("test5 (15min)"));
        let recurrence = master.recurrence.as_ref().unwrap();
        assert_eq!(recurrence.pattern, RecurrencePattern::Daily { interval: 1 });
        assert_eq!(
            recurrence.range,
            RecurrenceRange::Numbered {
                start_date: NaiveDate::from_ymd_opt(2013, 5, 19).unwrap(),
                occurrences: 3
            }
        );
        assert_eq!(
            master.start_time_zone_id.as_deref(),
            Some("W. Europe Standard Time")
        );
        assert_eq!(
            master.end_time_zone_id.as_deref(),
            Some("W. Europe Standard Time")
        );
        let start = master.start.unwrap();
        assert_eq!(start.offset().local_minus_utc(), 2 * 3600);
        assert_eq!(start, at("2013-05-19T16:00:00Z"));
        assert_eq!(master.extended_properties.len(), 3);
        assert!(
            master.extended_properties.iter().all(|p| p
                .field
                .distinguished_property_set_id
                .as_deref()
                == Some("Common"))
        );
        assert_eq!(master.extended_properties[2].field.property_id, Some(34049));
        assert_eq!(master.ohsync_tag(), None);
    }),
    ("getitem_calendaritem_response_7.xml", |xml| {
        let parsed = parse_get_item(xml).unwrap();
        let server = parsed.server_version.clone().unwrap();
        assert_eq!(
            server.product(),
            ExchangeProduct::Exchange2013 { sp1: true }
        );
        assert_eq!(
            server.highest_request_version(),
            Some(ExchangeVersion::Exchange2013Sp1)
        );
        let results = ok(parsed);
        let single = item(&results[0]);
        assert_eq!(single.subject.as_deref(), Some("Meet the Fockers"));
        assert_eq!(
            single.start_time_zone_id.as_deref(),
            Some("tzone://Microsoft/Utc")
        );
        assert_eq!(
            single.end_time_zone_id.as_deref(),
            Some("tzone://Microsoft/Utc")
        );
        assert_eq!(single.end, Some(at("2004-12-27T10:00:00Z")));
    }),
    ("getitem_occurrence_response_1.xml", |xml| {
        let results = ok(parse_get_item(xml).unwrap());
        let occurrence = item(&results[0]);
        assert_eq!(occurrence.subject.as_deref(), Some("Nico jarig"));
        assert_eq!(
            occurrence.calendar_item_type,
            Some(CalendarItemType::Occurrence)
        );
        assert_eq!(
            occurrence.item_class.as_deref(),
            Some("IPM.Appointment.Occurrence")
        );
        assert_eq!(occurrence.is_all_day, Some(true));
        assert_eq!(occurrence.recurrence_id, Some(at("2013-04-17T22:00:00Z")));
        assert_eq!(occurrence.original_start, Some(at("2013-04-17T22:00:00Z")));
        assert_eq!(occurrence.categories, ["Birthday"]);
        assert_eq!(
            occurrence.start_time_zone_id.as_deref(),
            Some("W. Europe Standard Time")
        );
        assert_eq!(
            occurrence.end_time_zone_id.as_deref(),
            Some("tzone://Microsoft/Utc")
        );
        assert_eq!(
            occurrence.legacy_free_busy_status,
            Some(LegacyFreeBusyStatus::Free)
        );
        assert_eq!(occurrence.reminder_is_set, Some(false));
        assert_eq!(occurrence.is_recurring, Some(true));
    }),
    ("getitem_occurrence_response_2.xml", |xml| {
        let parsed = parse_get_item(xml).unwrap();
        assert_eq!(version(&parsed.server_version), (14, 1, 289, 6));
        let results = ok(parsed);
        let items: Vec<_> = results.iter().map(item).collect();
        let subjects: Vec<_> = items
            .iter()
            .map(|i| i.subject.as_deref().unwrap())
            .collect();
        assert_eq!(
            subjects,
            [
                "Michel SE Standby",
                "Michel SE Standby",
                "Kwartaal update InterCommIT",
                "SE Overleg"
            ]
        );
        let types: Vec<_> = items
            .iter()
            .map(|i| i.calendar_item_type.unwrap())
            .collect();
        assert_eq!(
            types,
            [
                CalendarItemType::Single,
                CalendarItemType::Single,
                CalendarItemType::Single,
                CalendarItemType::Occurrence
            ]
        );
        assert_eq!(items[3].recurrence_id, Some(at("2011-09-27T09:00:00Z")));
        assert_eq!(
            items[0].uid.as_deref(),
            Some("1bd13542-6b78-4b7b-b5d8-6a7f71923711")
        );
        assert_eq!(items[0].is_all_day, Some(true));
    }),
    ("getitem_occurrenceitemid_mixed_response_1.xml", |xml| {
        let results = ok(parse_get_item(xml).unwrap());
        assert_eq!(results.len(), 15);
        assert_eq!(item(&results[0]).start, Some(at("2011-09-21T10:00:00Z")));
        assert_eq!(
            err_of(&results[1]).response_code(),
            Some(ResponseCode::ErrorCalendarOccurrenceIsDeletedFromRecurrence)
        );
        assert_eq!(item(&results[2]).start, Some(at("2011-09-23T10:00:00Z")));
        for result in &results[3..] {
            let err = err_of(result);
            assert_eq!(
                err.response_code(),
                Some(ResponseCode::ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange)
            );
            assert_eq!(err.code(), "EWS_OCCURRENCE_NOT_FOUND");
        }
    }),
    ("other_findfolder_extendedproperty_response_1.xml", |xml| {
        let parsed = parse_envelope_statuses(xml).unwrap();
        assert_eq!(version(&parsed.server_version), (15, 20, 2516, 19));
        assert_eq!(
            parsed.server_version.as_ref().unwrap().version.as_deref(),
            Some("V2018_01_08")
        );
        let statuses = ok(parsed);
        assert_eq!(statuses.len(), 1);
        assert_eq!(
            (statuses[0].class, &statuses[0].code),
            (ResponseClass::Success, &ResponseCode::NoError)
        );
    }),
    ("other_getservertimezones_response_1.xml", |xml| {
        let parsed = parse_envelope_statuses(xml).unwrap();
        assert_eq!(
            version(&parsed.server_version),
            (14, 2, 390, 3),
            "unprefixed non-standard Header"
        );
        assert_eq!(
            parsed.server_version.as_ref().unwrap().version.as_deref(),
            Some("Exchange2010_SP2")
        );
        let statuses = ok(parsed);
        assert_eq!(
            (statuses[0].class, &statuses[0].code),
            (ResponseClass::Success, &ResponseCode::NoError)
        );
    }),
    ("other_getuseravailability_response_1.xml", |xml| {
        let parsed = parse_envelope_statuses(xml).unwrap();
        assert_eq!(version(&parsed.server_version), (15, 1, 1531, 7));
        let statuses = ok(parsed);
        assert_eq!(statuses.len(), 1, "the nested ResponseMessage is found");
        assert_eq!(statuses[0].class, ResponseClass::Success);
    }),
    (
        "other_resolvenames_error_nameresolutionnoresults_1.xml",
        |xml| {
            let parsed = parse_envelope_statuses(xml).unwrap();
            assert_eq!(version(&parsed.server_version), (15, 1, 845, 34));
            assert_eq!(parsed.server_version.as_ref().unwrap().version, None);
            let statuses = ok(parsed);
            assert_eq!(statuses[0].class, ResponseClass::Error);
            assert_eq!(statuses[0].code, ResponseCode::ErrorNameResolutionNoResults);
            assert_eq!(
                statuses[0].message_text.as_deref(),
                Some("No results were found.")
            );
        },
    ),
    ("other_updatefolder_error_invalidchangekey_1.xml", |xml| {
        let parsed = parse_envelope_statuses(xml).unwrap();
        assert_eq!(version(&parsed.server_version), (8, 0, 685, 8));
        let statuses = ok(parsed);
        assert_eq!(statuses[0].class, ResponseClass::Error);
        assert_eq!(statuses[0].code, ResponseCode::ErrorInvalidChangeKey);
        assert_eq!(
            statuses[0].message_text.as_deref(),
            Some("The change key is invalid.")
        );
    }),
    ("response_errorinternalservererror_inner_1.xml", |xml| {
        let parsed = parse_delete_item(xml).unwrap();
        assert_eq!(parsed.server_version, None);
        let results = ok(parsed);
        let err = err_of(&results[0]);
        assert_eq!(err.code(), "EWS_SERVER_ERROR");
        assert!(!err.is_throttled());
        let EwsError::Response(status) = err else {
            panic!("expected a ResponseMessage error, got {err:?}")
        };
        assert_eq!(status.code, ResponseCode::ErrorInternalServerError);
        assert_eq!(
            status.message_xml.inner_code(),
            Some(ResponseCode::Other("ErrorQuotaExceededOnDelete".into()))
        );
        assert_eq!(
            status.message_xml.get("InnerErrorMessageText"),
            Some("Cannot delete message because the folder is out of quota.")
        );
    }),
    (
        "response_errorinvalidchangekey_nonexistentmailbox_1.xml",
        |xml| {
            let parsed = parse_envelope_statuses(xml).unwrap();
            assert_eq!(version(&parsed.server_version), (14, 1, 164, 0));
            let statuses = ok(parsed);
            let codes: Vec<_> = statuses.iter().map(|s| s.code.clone()).collect();
            assert_eq!(
                codes,
                [
                    ResponseCode::NoError,
                    ResponseCode::ErrorInvalidChangeKey,
                    ResponseCode::ErrorNonExistentMailbox
                ]
            );
            assert_eq!(
                statuses[2].message_xml.get("MailboxGuid"),
                Some("f3f6f699-2254-40ce-9994-388d9d98419e")
            );
            assert_eq!(
                statuses[2].message_text.as_deref(),
                Some("No mailbox with such guid.")
            );
        },
    ),
    ("response_errortoomanyobjectsopened_1.xml", |xml| {
        let statuses = ok(parse_envelope_statuses(xml).unwrap());
        assert_eq!(statuses[0].code, ResponseCode::ErrorTooManyObjectsOpened);
        let err = outcome_err(parse_find_item(xml).unwrap());
        assert!(err.is_throttled());
        assert_eq!(err.code(), "EWS_THROTTLED");
        assert_eq!(err.retry_after(), None);
    }),
    ("soapfault_errorinvalidargument_1.xml", |xml| {
        let parsed = parse_update_item(xml).unwrap();
        assert_eq!(parsed.server_version, None);
        let err = outcome_err(parsed);
        let EwsError::SoapFault(fault) = &err else {
            panic!("expected a fault, got {err:?}")
        };
        assert_eq!(fault.fault_code, "a:ErrorInvalidArgument");
        assert_eq!(fault.response_code, ResponseCode::ErrorInvalidArgument);
        assert_eq!(fault.fault_string, "The request is invalid.");
        assert_eq!(err.code(), "EWS_REQUEST_REJECTED");
    }),
    (
        "soapfault_errorinvalidexchangeimpersonationheaderdata_1.xml",
        |xml| {
            let err = outcome_err(parse_create_item(xml).unwrap());
            assert_eq!(
                err.response_code(),
                Some(ResponseCode::ErrorInvalidExchangeImpersonationHeaderData)
            );
            assert_eq!(err.code(), "EWS_IMPERSONATION_DENIED");
            assert!(
                err.to_string()
                    .contains("must not exist for this type of OAuth token")
            );
        },
    ),
    ("soapfault_errorinvalidserverversion_1.xml", |xml| {
        let err = outcome_err(parse_get_folder(xml).unwrap());
        assert_eq!(
            err.response_code(),
            Some(ResponseCode::ErrorInvalidServerVersion)
        );
        assert_eq!(err.code(), "EWS_VERSION_REJECTED");
        let EwsError::SoapFault(fault) = &err else {
            panic!("expected a fault")
        };
        assert_eq!(
            fault.fault_string,
            "Die angegebene Serverversion ist ungültig."
        );
    }),
    ("soapfault_errorserverbusy_1.xml", |xml| {
        let err = outcome_err(parse_sync_folder_items(xml).unwrap());
        assert_eq!(err.response_code(), Some(ResponseCode::ErrorServerBusy));
        assert!(err.is_throttled());
        assert_eq!(err.code(), "EWS_THROTTLED");
        assert_eq!(err.retry_after(), Some(Duration::from_millis(297_749)));
    }),
    ("soapfault_errorserverbusy_2.xml", |xml| {
        let parsed = parse_get_item(xml).unwrap();
        assert_eq!(version(&parsed.server_version), (15, 1, 225, 42));
        let err = outcome_err(parsed);
        assert!(err.is_throttled());
        assert_eq!(
            err.retry_after(),
            None,
            "no BackOffMilliseconds, only policy values"
        );
        let EwsError::SoapFault(fault) = &err else {
            panic!("expected a fault")
        };
        assert_eq!(fault.message_xml.get("Policy"), Some("MaxConcurrency"));
        assert_eq!(fault.message_xml.get("MaxConcurrencyLimit"), Some("27"));
        assert_eq!(
            fault.server_version.as_ref().map(|v| v.minor_build),
            Some(42)
        );
    }),
    ("syncfolderitems_error_invalidsyncstate_1.xml", |xml| {
        let parsed = parse_sync_folder_items(xml).unwrap();
        assert_eq!(version(&parsed.server_version), (8, 0, 628, 0));
        let err = outcome_err(parsed);
        assert_eq!(
            err.response_code(),
            Some(ResponseCode::ErrorInvalidSyncStateData)
        );
        assert_eq!(err.code(), "EWS_SYNC_STATE_INVALID");
        assert!(!err.is_retryable());
    }),
    ("syncfolderitems_response_1.xml", |xml| {
        let parsed = parse_sync_folder_items(xml).unwrap();
        assert_eq!(parsed.server_version.as_ref().unwrap().version, None);
        let page = ok(parsed);
        assert_eq!(page.sync_state, "H4sIAAAAA=");
        assert!(page.includes_last_item_in_range);
        let [SyncChange::Create(request)] = page.changes.as_slice() else {
            panic!("expected one Create, got {:?}", page.changes)
        };
        assert_eq!(request.kind, ItemKind::MeetingRequest);
        assert_eq!(request.subject.as_deref(), Some("Budget Q3"));
        assert_eq!(request.start, Some(at("2006-08-02T17:30:00Z")));
        assert_eq!(
            request.item_id.as_ref().unwrap().change_key.as_deref(),
            Some("CwAAABYA")
        );
    }),
    ("syncfolderitems_response_2.xml", |xml| {
        let parsed = parse_sync_folder_items(xml).unwrap();
        assert_eq!(
            parsed.server_version.as_ref().unwrap().product(),
            ExchangeProduct::Exchange2013 { sp1: false }
        );
        let page = ok(parsed);
        assert_eq!(page.changes.len(), 4, "the ReadFlagChange is dropped");
        assert_eq!(page.read_flag_changes, 1);
        let SyncChange::Update(updated) = &page.changes[0] else {
            panic!("expected an Update first")
        };
        assert_eq!(updated.kind, ItemKind::Message);
        assert_eq!(updated.subject.as_deref(), Some("RE: Company Soccer Team"));
        let SyncChange::Create(created) = &page.changes[1] else {
            panic!("expected a Create second")
        };
        assert_eq!(created.item_id.as_ref().unwrap().change_key, None);
        assert!(matches!(page.changes[2], SyncChange::Create(_)));
        assert_eq!(
            page.changes[3],
            SyncChange::Delete(ohsync_ews::model::ItemId::new("q1AwAAAA==", "CQAAAA=="))
        );
    }),
    ("syncfolderitems_response_3.xml", |xml| {
        let parsed = parse_sync_folder_items(xml).unwrap();
        assert_eq!(
            parsed.server_version.as_ref().unwrap().product(),
            ExchangeProduct::ExchangeOnline
        );
        let page = ok(parsed);
        let [SyncChange::Create(created)] = page.changes.as_slice() else {
            panic!("expected one Create")
        };
        assert_eq!(created.kind, ItemKind::CalendarItem);
        assert_eq!(created.subject.as_deref(), Some("Test Sync Item Changes"));
        assert_eq!(created.start, Some(at("2020-09-10T14:15:11Z")));
        assert_eq!(created.calendar_item_type, Some(CalendarItemType::Single));
        assert!(
            created
                .uid
                .as_deref()
                .unwrap()
                .starts_with("040000008200E00074C5B7101A82E008")
        );
    }),
    ("syncfolderitems_response_4.xml", |xml| {
        let page = ok(parse_sync_folder_items(xml).unwrap());
        assert!(page.changes.is_empty());
        assert!(page.includes_last_item_in_range);
        assert!(page.sync_state.starts_with("H4sIAAAAAAAEAGNgYGcAAotqE0tHE2NTA0ddZ3NHC10TR2djXSdnJ2ddNyMnC2cnczdLU1OD2vBgveDKvOTgksSSVOfEvMSiSgYr0nW65eekpBZ5pjBYkq43"));
        assert!(page.sync_state.ends_with("AAkBYIvSAgAA"));
    }),
    ("syncfolderitems_response_5.xml", |xml| {
        let parsed = parse_sync_folder_items(xml).unwrap();
        assert_eq!(version(&parsed.server_version), (14, 3, 195, 1));
        let page = ok(parsed);
        assert!(!page.includes_last_item_in_range);
        assert_eq!(page.changes.len(), 10);
        for change in &page.changes {
            let SyncChange::Create(created) = change else {
                panic!("expected only Creates")
            };
            assert_eq!(created.kind, ItemKind::CalendarItem);
            assert!(created.item_id.as_ref().unwrap().change_key.is_some());
        }
    }),
    ("updateitem_calendaritem_response_1.xml", |xml| {
        let parsed = parse_update_item(xml).unwrap();
        assert_eq!(
            parsed.server_version.as_ref().unwrap().product(),
            ExchangeProduct::ExchangeOnline
        );
        let results = ok(parsed);
        let updated = results[0].as_ref().unwrap();
        assert_eq!(updated.conflict_count, 0);
        assert_eq!(
            updated.item_id.change_key.as_deref(),
            Some("DwAAABYAAAC30utV9Qm1Tp6i563HuBDKAAER7BnR")
        );
    }),
    ("updateitem_calendaritem_response_2.xml", |xml| {
        let results = ok(parse_update_item(xml).unwrap());
        assert_eq!(results.len(), 3);
        for result in &results {
            let updated = result.as_ref().unwrap();
            assert_eq!(updated.conflict_count, 1);
            assert_eq!(updated.item_id.change_key.as_deref(), Some("DwAAA"));
        }
    }),
    ("updateitem_calendaritem_response_3.xml", |xml| {
        let parsed = parse_update_item(xml).unwrap();
        assert_eq!(version(&parsed.server_version), (14, 3, 195, 1));
        let results = ok(parsed);
        let updated = results[0].as_ref().unwrap();
        assert_eq!(updated.conflict_count, 0);
        assert!(updated.item_id.id.ends_with("AACQB5EsAAA="));
    }),
];

#[test]
fn samples_folder_exists_and_holds_xml() {
    let dir = samples_dir();
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("samples folder {} missing: {e}", dir.display()));
    let xml_files = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "xml"))
        .count();
    assert!(xml_files > 0, "no XML in {}", dir.display());
}

#[test]
fn samples_every_response_parses_as_asserted() {
    for (name, check) in CASES {
        let xml = read(name);
        let outcome = std::panic::catch_unwind(|| check(&xml));
        if let Err(panic) = outcome {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            panic!("{name}: {message}");
        }
    }
}

#[test]
fn samples_every_response_file_is_covered() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(samples_dir())
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".xml") && !name.contains("_request_"))
        .collect();
    let covered: BTreeSet<String> = CASES.iter().map(|(name, _)| (*name).to_owned()).collect();
    let uncovered: Vec<_> = on_disk.difference(&covered).collect();
    assert!(
        uncovered.is_empty(),
        "response samples without assertions: {uncovered:?}"
    );
    let missing: Vec<_> = covered.difference(&on_disk).collect();
    assert!(
        missing.is_empty(),
        "assertions for samples that are gone: {missing:?}"
    );
}
