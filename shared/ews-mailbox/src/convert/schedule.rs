//! When an item takes place: Exchange sends instants (with an offset) and an all-day flag; the
//! engine keeps all-day appointments as whole local days.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use ohsync_engine::appointment::{DaySpan, Schedule, ScheduleError, TimedSpan};

/// The schedule of an item from `start` to `end`, all-day or not, planned in `zone`.
///
/// All-day bounds are taken as local days in `zone`, DST-safe because the work is done on dates:
/// the start's day is the first day, and an end past midnight covers its whole day — the same
/// way Exchange itself widens an all-day item whose bounds are not at midnight. An all-day item
/// always covers at least one day.
pub fn read_schedule(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    all_day: bool,
    zone: Tz,
) -> Result<Schedule, ScheduleError> {
    if !all_day {
        return TimedSpan::new(start, end).map(Schedule::Timed);
    }
    let first_day = start.with_timezone(&zone).date_naive();
    let local_end = end.with_timezone(&zone);
    let end_day = if local_end.time() == NaiveTime::MIN {
        local_end.date_naive()
    } else {
        next_day(local_end.date_naive())
    };
    DaySpan::new(first_day, end_day.max(next_day(first_day))).map(Schedule::AllDay)
}

fn next_day(day: NaiveDate) -> NaiveDate {
    day.checked_add_days(Days::new(1)).unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::{Europe, Pacific};

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn days(first: (i32, u32, u32), end: (i32, u32, u32)) -> Schedule {
        Schedule::AllDay(
            DaySpan::new(
                NaiveDate::from_ymd_opt(first.0, first.1, first.2).unwrap(),
                NaiveDate::from_ymd_opt(end.0, end.1, end.2).unwrap(),
            )
            .unwrap(),
        )
    }

    #[test]
    fn timed_items_keep_their_instants() {
        let schedule = read_schedule(
            utc("2026-03-02T09:00:00Z"),
            utc("2026-03-02T10:30:00Z"),
            false,
            Europe::Amsterdam,
        )
        .unwrap();
        assert_eq!(
            schedule.instants(Europe::Amsterdam),
            (utc("2026-03-02T09:00:00Z"), utc("2026-03-02T10:30:00Z"))
        );
        assert!(
            read_schedule(
                utc("2026-03-02T10:00:00Z"),
                utc("2026-03-02T09:00:00Z"),
                false,
                Europe::Amsterdam
            )
            .is_err()
        );
    }

    #[test]
    fn all_day_midnights_become_local_days() {
        // The birthday of getitem_occurrence_response_1: midnight to midnight in CEST.
        let schedule = read_schedule(
            utc("2013-04-17T22:00:00Z"),
            utc("2013-04-18T22:00:00Z"),
            true,
            Europe::Amsterdam,
        )
        .unwrap();
        assert_eq!(schedule, days((2013, 4, 18), (2013, 4, 19)));
    }

    #[test]
    fn all_day_across_a_dst_change_stays_whole_days() {
        // 2026-03-29 has 23 hours in Amsterdam: the span is still three whole days.
        let start = Europe::Amsterdam
            .with_ymd_and_hms(2026, 3, 28, 0, 0, 0)
            .unwrap()
            .to_utc();
        let end = Europe::Amsterdam
            .with_ymd_and_hms(2026, 3, 31, 0, 0, 0)
            .unwrap()
            .to_utc();
        assert_eq!((end - start).num_hours(), 71);
        let schedule = read_schedule(start, end, true, Europe::Amsterdam).unwrap();
        assert_eq!(schedule, days((2026, 3, 28), (2026, 3, 31)));
        assert_eq!(schedule.instants(Europe::Amsterdam), (start, end));
    }

    #[test]
    fn all_day_bounds_off_midnight_are_widened_to_local_days() {
        let schedule = read_schedule(
            utc("2026-06-10T08:00:00Z"),
            utc("2026-06-11T15:00:00Z"),
            true,
            Europe::Amsterdam,
        )
        .unwrap();
        assert_eq!(schedule, days((2026, 6, 10), (2026, 6, 12)));
    }

    #[test]
    fn an_empty_all_day_item_covers_its_day() {
        let at = utc("2026-06-10T00:00:00Z");
        let schedule = read_schedule(at, at, true, chrono_tz::UTC).unwrap();
        assert_eq!(schedule, days((2026, 6, 10), (2026, 6, 11)));
    }

    #[test]
    fn the_zone_decides_the_day() {
        // Midnight in Kiritimati (UTC+14) is still the previous day in UTC.
        let start = Pacific::Kiritimati
            .with_ymd_and_hms(2026, 1, 5, 0, 0, 0)
            .unwrap()
            .to_utc();
        let schedule = read_schedule(
            start,
            start + chrono::TimeDelta::days(1),
            true,
            Pacific::Kiritimati,
        )
        .unwrap();
        assert_eq!(schedule, days((2026, 1, 5), (2026, 1, 6)));
    }
}
