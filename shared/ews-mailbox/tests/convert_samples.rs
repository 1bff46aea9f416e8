//! The conversion of the real calendar items in ../shared/ews-samples/getitem_*: each file is
//! parsed by the EWS client's own parser, then converted as the adapter converts GetItem answers.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::{America, Atlantic, Etc, Europe, Tz};
use ohsync_engine::appointment::{DaySpan, Schedule, ShowAs};
use ohsync_engine::ports::ExchangeItem;
use ohsync_engine::series::Recurrence;
use ohsync_engine::window::WindowBounds;
use ohsync_ews::xml::response::parse_get_item;
use ohsync_ews::{CalendarItem, ExchangeVersion};
use ohsync_ews_mailbox::convert::{
    ConvertError, Converter, OccurrenceDetails, ews_from_rule, recurrence_blob, rule_from_ews,
};
use ohsync_ews_mailbox::overlaps_window;

fn samples_dir() -> PathBuf {
    match std::env::var_os("EWS_SAMPLES_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ews-samples"),
    }
}

/// Every item of a GetItem sample, in message order (failed messages left out).
fn items(name: &str) -> Vec<CalendarItem> {
    let path = samples_dir().join(name);
    let xml =
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    parse_get_item(&xml)
        .unwrap()
        .outcome
        .unwrap()
        .into_iter()
        .filter_map(Result::ok)
        .collect()
}

fn converter(default_zone: Tz) -> Converter {
    Converter::new(ExchangeVersion::Exchange2016, default_zone)
}

fn read(name: &str, index: usize) -> ExchangeItem {
    converter(Europe::Amsterdam)
        .exchange_item(&items(name)[index], &OccurrenceDetails::new())
        .unwrap()
}

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn all_day(first: (i32, u32, u32), end: (i32, u32, u32)) -> Schedule {
    Schedule::AllDay(
        DaySpan::new(
            NaiveDate::from_ymd_opt(first.0, first.1, first.2).unwrap(),
            NaiveDate::from_ymd_opt(end.0, end.1, end.2).unwrap(),
        )
        .unwrap(),
    )
}

#[test]
fn a_master_without_start_cannot_be_read_but_its_rule_is_carried() {
    let master = &items("getitem_calendaritem_response_1.xml")[0];
    assert_eq!(
        converter(Europe::Amsterdam).exchange_item(master, &OccurrenceDetails::new()),
        Err(ConvertError::Missing("Start"))
    );
    assert_eq!(
        recurrence_blob(master).unwrap(),
        "ews-recurrence/1|Weekly;interval=1;days=Saturday;first=|Numbered;start=2014-03-08;count=10|modified=|deleted="
    );
}

#[test]
fn a_2019_master_with_is_recurring_false_is_a_series() {
    let read = read("getitem_calendaritem_response_2.xml", 0);
    let appointment = &read.appointment;
    assert!(appointment.is_series());
    assert!(read.summary().is_series);
    assert_eq!(appointment.subject.as_str(), "Weekly Team Meeting");
    assert_eq!(appointment.location.as_str(), "Conference Room A");
    assert_eq!(
        appointment.instants(),
        (utc("2025-07-02T10:00:00Z"), utc("2025-07-02T11:00:00Z"))
    );
    assert_eq!(appointment.show_as, ShowAs::Busy);
    assert_eq!(appointment.reminder_minutes, Some(15));
    assert!(!appointment.private);
    // "(UTC+00:00) Monrovia, Reykjavik" is a display name, not an id: the user's zone.
    assert_eq!(appointment.time_zone, Europe::Amsterdam);
    assert_eq!(read.last_modified, utc("2025-07-05T16:15:07Z"));
    assert_eq!(
        read.key.uid.as_str(),
        "040000008200E00074C5B7101A82E008000000001AF45EF9C7EDDB01000000000000000010000000F73231FC2ADB164D941E037E14477E38"
    );
    // Weekly without FirstDayOfWeek counts its weeks from Sunday.
    let Some(Recurrence::Series(series)) = &appointment.recurrence else {
        panic!("not a synced series: {:?}", appointment.recurrence);
    };
    assert_eq!(
        series.rule().to_string(),
        "FREQ=WEEKLY;INTERVAL=1;BYDAY=WE;WKST=SU;COUNT=4"
    );
    assert!(series.exceptions().is_empty());
}

#[test]
fn a_master_is_kept_in_a_window_its_last_occurrence_reaches() {
    let master = &items("getitem_calendaritem_response_2.xml")[0];
    let summary = converter(Europe::Amsterdam).summary(master).unwrap();
    let window_from = |start: &str| WindowBounds {
        start: utc(start),
        end: utc(start) + TimeDelta::days(365),
    };
    // The first occurrence is 2 July, the last 23 July 2025.
    assert!(overlaps_window(
        master,
        &summary,
        &window_from("2025-07-20T00:00:00Z")
    ));
    assert!(!overlaps_window(
        master,
        &summary,
        &window_from("2025-08-01T00:00:00Z")
    ));
}

#[test]
fn doc_items_without_reminder_flag_keep_their_reminder_time() {
    let items = items("getitem_calendaritem_response_3.xml");
    let converter = converter(Europe::Amsterdam);
    let read: Vec<ExchangeItem> = items
        .iter()
        .map(|item| {
            converter
                .exchange_item(item, &OccurrenceDetails::new())
                .unwrap()
        })
        .collect();
    assert_eq!(read.len(), 3);
    assert_eq!(read[0].appointment.reminder_minutes, Some(30));
    assert_eq!(read[0].appointment.location.as_str(), "Local food bank");
    assert!(!read[0].appointment.is_series());
    // A master whose Recurrence was not returned is still a series.
    assert!(read[1].appointment.is_series());
    assert_eq!(
        read[2].appointment.instants(),
        (utc("2014-01-20T18:59:08Z"), utc("2014-01-21T00:59:08Z"))
    );
}

#[test]
fn an_exchange_2007_item_without_uid_is_keyed_by_its_id_in_its_named_zone() {
    let read = read("getitem_calendaritem_response_4.xml", 0);
    assert_eq!(read.key.item_id.as_str(), "ASUAdT");
    assert_eq!(read.key.uid.as_str(), "ASUAdT");
    assert_eq!(read.key.change_key.as_str(), "otlIqB==");
    assert_eq!(read.appointment.time_zone, America::Los_Angeles);
    assert_eq!(read.appointment.subject.as_str(), "");
    assert_eq!(read.last_modified, DateTime::UNIX_EPOCH);
    assert_eq!(
        read.appointment.instants(),
        (utc("2006-06-16T00:30:00Z"), utc("2006-06-16T01:00:00Z"))
    );
}

#[test]
fn a_2010_item_in_utc() {
    let read = read("getitem_calendaritem_response_5.xml", 0);
    assert_eq!(read.appointment.subject.as_str(), "Test Get Item 2");
    assert_eq!(read.appointment.time_zone, Etc::UTC);
    assert_eq!(read.appointment.reminder_minutes, Some(15));
    assert_eq!(read.last_modified, utc("2016-05-02T08:55:56Z"));
}

#[test]
fn a_daily_master_in_w_europe_reads_in_the_users_zone_of_that_id() {
    let master = &items("getitem_calendaritem_response_6.xml")[0];
    let amsterdam = converter(Europe::Amsterdam)
        .exchange_item(master, &OccurrenceDetails::new())
        .unwrap();
    assert_eq!(amsterdam.appointment.time_zone, Europe::Amsterdam);
    assert_eq!(
        amsterdam.appointment.instants(),
        (utc("2013-05-19T16:00:00Z"), utc("2013-05-19T17:00:00Z"))
    );
    let Some(Recurrence::Series(series)) = &amsterdam.appointment.recurrence else {
        panic!("not a synced series");
    };
    assert_eq!(series.rule().to_string(), "FREQ=DAILY;INTERVAL=1;COUNT=3");
    // A user elsewhere gets CLDR's own zone for the id.
    let london = converter(Europe::London)
        .exchange_item(master, &OccurrenceDetails::new())
        .unwrap();
    assert_eq!(london.appointment.time_zone, Europe::Berlin);
    // Reading twice gives the same content hash: an unchanged series hashes equal.
    let again = converter(Europe::Amsterdam)
        .exchange_item(master, &OccurrenceDetails::new())
        .unwrap();
    assert_eq!(
        again.appointment.content_hash(),
        amsterdam.appointment.content_hash()
    );
}

#[test]
fn a_2013_item_in_microsoft_utc() {
    let read = read("getitem_calendaritem_response_7.xml", 0);
    assert_eq!(read.appointment.subject.as_str(), "Meet the Fockers");
    assert_eq!(read.appointment.time_zone, Etc::UTC);
    assert_eq!(
        read.appointment.instants(),
        (utc("2004-12-25T10:00:00Z"), utc("2004-12-27T10:00:00Z"))
    );
    assert_eq!(read.last_modified, utc("2017-03-13T09:04:43Z"));
}

#[test]
fn an_occurrence_is_not_a_stored_item_but_its_all_day_content_reads() {
    let occurrence = &items("getitem_occurrence_response_1.xml")[0];
    let converter = converter(Europe::Amsterdam);
    assert_eq!(
        converter.exchange_item(occurrence, &OccurrenceDetails::new()),
        Err(ConvertError::NotStored("Occurrence".into()))
    );
    let birthday = converter
        .appointment(occurrence, &OccurrenceDetails::new())
        .unwrap();
    assert_eq!(birthday.subject.as_str(), "Nico jarig");
    assert_eq!(birthday.schedule, all_day((2013, 4, 18), (2013, 4, 19)));
    assert_eq!(birthday.categories.names(), ["Birthday"]);
    assert_eq!(birthday.show_as, ShowAs::Free);
    assert_eq!(birthday.reminder_minutes, None);
}

#[test]
fn all_day_items_in_greenwich_time_and_a_foreign_uid() {
    let items = items("getitem_occurrence_response_2.xml");
    let converter = converter(Europe::Amsterdam);
    let standby = converter
        .exchange_item(&items[0], &OccurrenceDetails::new())
        .unwrap();
    assert_eq!(standby.appointment.time_zone, Atlantic::Reykjavik);
    assert_eq!(
        standby.appointment.schedule,
        all_day((2011, 9, 26), (2011, 10, 3))
    );
    assert_eq!(
        standby.key.uid.as_str(),
        "1bd13542-6b78-4b7b-b5d8-6a7f71923711"
    );
    let update = converter
        .exchange_item(&items[2], &OccurrenceDetails::new())
        .unwrap();
    assert_eq!(update.appointment.show_as, ShowAs::Tentative);
    assert_eq!(update.appointment.location.as_str(), "Kantine");
    assert_eq!(update.appointment.time_zone, Europe::Amsterdam);
    assert!(matches!(
        converter.exchange_item(&items[3], &OccurrenceDetails::new()),
        Err(ConvertError::NotStored(_))
    ));
}

#[test]
fn items_with_only_a_start_are_refused_not_guessed() {
    let items = items("getitem_occurrenceitemid_mixed_response_1.xml");
    assert_eq!(items.len(), 2, "the two successful messages of fifteen");
    let converter = converter(Europe::Amsterdam);
    for item in &items {
        assert_eq!(
            converter.exchange_item(item, &OccurrenceDetails::new()),
            Err(ConvertError::Missing("End"))
        );
        assert_eq!(converter.summary(item), Err(ConvertError::Missing("End")));
    }
}

#[test]
fn the_recurring_samples_parse_into_recurrence_rules_and_back() {
    let expected = [
        (
            "getitem_calendaritem_response_1.xml",
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=SA;WKST=SU;COUNT=10",
        ),
        (
            "getitem_calendaritem_response_2.xml",
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=WE;WKST=SU;COUNT=4",
        ),
        (
            "getitem_calendaritem_response_6.xml",
            "FREQ=DAILY;INTERVAL=1;COUNT=3",
        ),
    ];
    for (name, rule) in expected {
        let series: Vec<_> = items(name)
            .into_iter()
            .filter_map(|item| item.recurrence)
            .collect();
        assert_eq!(series.len(), 1, "{name}");
        let read = rule_from_ews(&series[0]).unwrap();
        assert_eq!(read.to_string(), rule, "{name}");
        let written = ews_from_rule(&read, series[0].range.start_date());
        assert_eq!(written.range, series[0].range, "{name}");
        assert_eq!(rule_from_ews(&written).unwrap(), read, "{name}");
    }
}
