//! Series written through the adapter keep their local time and their dates in every zone and on
//! both time-zone paths: Exchange 2007 SP1's `MeetingTimeZone` and 2010+'s `StartTimeZone` /
//! `EndTimeZone`. What Outlook shows is read back through CalendarView on the simulator, which
//! expands series in the zone it was given.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};
use chrono_tz::Tz;
use ohsync_engine::appointment::{Appointment, DaySpan, Schedule, TimedSpan};
use ohsync_engine::ports::{CreateOutcome, Mailbox};
use ohsync_engine::series::{Recurrence, Series};
use ohsync_ews::ExchangeVersion;
use ohsync_ews::model::ItemShape;
use ohsync_ews_sim::ServerVersion;
use support::{PASSWORD, appointment, client_for, mailbox_with, new_item, quick_retries, start};

/// The `n`-th `weekday` of `month` in the first year from next week on where it is still ahead
/// (`n` = -1: the last).
fn upcoming(month: u32, weekday: Weekday, n: i8) -> NaiveDate {
    let soon = Utc::now().date_naive() + TimeDelta::days(7);
    (soon.year()..)
        .filter_map(|year| {
            let days: Vec<NaiveDate> = NaiveDate::from_ymd_opt(year, month, 1)?
                .iter_days()
                .take_while(|day| day.month() == month)
                .filter(|day| day.weekday() == weekday)
                .collect();
            match n {
                -1 => days.last().copied(),
                n => days.get(usize::try_from(n - 1).ok()?).copied(),
            }
        })
        .find(|day| *day > soon)
        .unwrap()
}

fn local(zone: Tz, date: NaiveDate, hour: u32) -> DateTime<Utc> {
    date.and_hms_opt(hour, 0, 0)
        .unwrap()
        .and_local_timezone(zone)
        .unwrap()
        .to_utc()
}

/// A weekly series at `hour`:00 in `zone`, four times from `first`.
fn weekly(zone: Tz, first: NaiveDate, hour: u32) -> Appointment {
    let start = local(zone, first, hour);
    let mut series = appointment("Weekoverleg", 0);
    series.time_zone = zone;
    series.schedule = Schedule::Timed(TimedSpan::new(start, start + TimeDelta::hours(1)).unwrap());
    let rule = format!(
        "FREQ=WEEKLY;INTERVAL=1;BYDAY={};WKST=MO;COUNT=4",
        &first.weekday().to_string()[..2].to_uppercase()
    );
    series.recurrence = Some(Recurrence::Series(
        Series::new(rule.parse().unwrap(), first, []).unwrap(),
    ));
    series
}

/// An all-day series on `first` and the three days after it (daily, four times).
fn all_day_daily(zone: Tz, first: NaiveDate) -> Appointment {
    let mut series = appointment("Beurs", 0);
    series.time_zone = zone;
    series.schedule = Schedule::AllDay(DaySpan::new(first, first + TimeDelta::days(1)).unwrap());
    series.recurrence = Some(Recurrence::Series(
        Series::new("FREQ=DAILY;INTERVAL=1;COUNT=4".parse().unwrap(), first, []).unwrap(),
    ));
    series
}

/// Writes `series` with a client stating `version`, reads it back equal, and returns the
/// starts of the occurrences CalendarView shows from `from` on.
async fn write_and_view(
    server: ServerVersion,
    version: ExchangeVersion,
    series: &Appointment,
    from: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let sim = start(server).await;
    let mailbox = mailbox_with(&sim, version, quick_retries());
    let created = mailbox
        .create_items(&[new_item("s1", series.clone())])
        .await
        .unwrap();
    let [CreateOutcome::Created(key)] = created.as_slice() else {
        panic!("{created:?}");
    };
    let read = mailbox
        .get_items(std::slice::from_ref(&key.item_id))
        .await
        .unwrap();
    let item = read.into_iter().next().unwrap().unwrap();
    assert_eq!(&item.appointment, series, "{version:?}");
    let client = client_for(&sim.url(), r"OHSIM\jan", PASSWORD, version, quick_retries())
        .build()
        .unwrap();
    let view = client
        .find_calendar_view(from, from + TimeDelta::days(40), 50, ItemShape::Summary)
        .await
        .unwrap();
    let mut starts: Vec<DateTime<Utc>> = view
        .items
        .iter()
        .map(|item| item.start.unwrap().to_utc())
        .collect();
    starts.sort();
    starts
}

const PATHS: [(ServerVersion, ExchangeVersion); 2] = [
    (
        ServerVersion::Exchange2007Sp1,
        ExchangeVersion::Exchange2007Sp1,
    ),
    (ServerVersion::Exchange2016, ExchangeVersion::Exchange2016),
];

#[tokio::test]
async fn a_series_keeps_its_local_time_across_its_zones_clock_changes_on_both_paths() {
    let cases = [
        // Europe: the last Sunday of March and of October.
        (chrono_tz::Europe::Amsterdam, upcoming(3, Weekday::Sun, -1)),
        (chrono_tz::Europe::Amsterdam, upcoming(10, Weekday::Sun, -1)),
        // The United States change on the second Sunday of March, weeks before Europe.
        (chrono_tz::America::New_York, upcoming(3, Weekday::Sun, 2)),
    ];
    for (server, version) in PATHS {
        for (zone, change) in cases {
            // Tuesdays at 09:00 from two weeks before the change.
            let first = change - TimeDelta::days(12);
            let series = weekly(zone, first, 9);
            let expected: Vec<DateTime<Utc>> = (0..4)
                .map(|week| local(zone, first + TimeDelta::weeks(week), 9))
                .collect();
            assert_ne!(
                expected[1].time(),
                expected[2].time(),
                "the change lies between the second and third occurrence"
            );
            let shown = write_and_view(server, version, &series, local(zone, first, 0)).await;
            assert_eq!(shown, expected, "{zone} around {change}, {version:?}");
        }
    }
}

#[tokio::test]
async fn an_all_day_series_stays_on_its_dates_in_every_zone_on_both_paths() {
    for (server, version) in PATHS {
        for zone in [
            chrono_tz::Europe::Amsterdam,
            chrono_tz::America::Los_Angeles,
            chrono_tz::Pacific::Auckland,
        ] {
            // Across the European spring change: the dates must not move by a day.
            let first = upcoming(3, Weekday::Sun, -1) - TimeDelta::days(1);
            let series = all_day_daily(zone, first);
            let shown = write_and_view(server, version, &series, local(zone, first, 0)).await;
            let expected: Vec<DateTime<Utc>> = (0..4)
                .map(|day| local(zone, first + TimeDelta::days(day), 0))
                .collect();
            assert_eq!(shown, expected, "{zone}, {version:?}");
        }
    }
}
