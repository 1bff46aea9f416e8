//! When an appointment takes place: either two instants, or a range of whole days.
//!
//! On the wire this is the flat triple `start`, `end`, `all_day`; in Rust it is an enum so that a
//! date-time with `all_day: true` (or a date without it) cannot be represented.

use chrono::{
    DateTime, FixedOffset, LocalResult, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The wire format of an all-day boundary.
const DATE_FORMAT: &str = "%Y-%m-%d";

/// An appointment's time span; `end` is always after `start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ScheduleWire", into = "ScheduleWire")]
pub enum Schedule {
    /// A span between two instants, each with the UTC offset it was written with.
    Timed {
        /// The first instant of the appointment.
        start: DateTime<FixedOffset>,
        /// The instant the appointment ends (exclusive).
        end: DateTime<FixedOffset>,
    },
    /// Whole days in the appointment's time zone; `end` is the first day *after* the appointment.
    AllDay {
        /// The first day.
        start: NaiveDate,
        /// The day after the last day (exclusive), so a one-day appointment has `end = start + 1`.
        end: NaiveDate,
    },
}

/// A schedule whose end is not after its start, or whose boundaries do not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidSchedule {
    /// `end` must be strictly after `start`.
    #[error("end must be after start")]
    EndNotAfterStart,
    /// A boundary is not in the format `all_day` calls for.
    #[error("{field} must be {expected} when all_day is {all_day}")]
    BadBoundary {
        /// `start` or `end`.
        field: &'static str,
        /// The expected format.
        expected: &'static str,
        /// The `all_day` flag the boundary was read with.
        all_day: bool,
    },
}

impl Schedule {
    /// A timed schedule; refuses an end that is not after the start.
    pub fn timed(
        start: DateTime<FixedOffset>,
        end: DateTime<FixedOffset>,
    ) -> Result<Self, InvalidSchedule> {
        if end <= start {
            return Err(InvalidSchedule::EndNotAfterStart);
        }
        Ok(Self::Timed { start, end })
    }

    /// An all-day schedule from `start` up to, not including, `end`.
    pub fn all_day(start: NaiveDate, end: NaiveDate) -> Result<Self, InvalidSchedule> {
        if end <= start {
            return Err(InvalidSchedule::EndNotAfterStart);
        }
        Ok(Self::AllDay { start, end })
    }

    /// Whether this is an all-day schedule.
    pub fn is_all_day(&self) -> bool {
        matches!(self, Self::AllDay { .. })
    }

    /// The span as UTC instants; all-day boundaries are midnight in `time_zone`.
    pub fn bounds(&self, time_zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        match self {
            Self::Timed { start, end } => (start.to_utc(), end.to_utc()),
            Self::AllDay { start, end } => (
                local_midnight(*start, time_zone),
                local_midnight(*end, time_zone),
            ),
        }
    }
}

/// The first instant of `day` in `time_zone`. Where a DST jump skips midnight (a few zones do), the
/// day starts at the first instant after the gap; chrono-tz gaps are at most a few hours.
fn local_midnight(day: NaiveDate, time_zone: Tz) -> DateTime<Utc> {
    let mut local = day.and_time(NaiveTime::MIN);
    for _ in 0..24 {
        match time_zone.from_local_datetime(&local) {
            LocalResult::Single(instant) | LocalResult::Ambiguous(instant, _) => {
                return instant.to_utc();
            }
            LocalResult::None => local += chrono::Duration::minutes(15),
        }
    }
    Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN))
}

/// The flat wire form of [`Schedule`].
#[derive(Serialize, Deserialize)]
struct ScheduleWire {
    start: String,
    end: String,
    #[serde(default)]
    all_day: bool,
}

impl TryFrom<ScheduleWire> for Schedule {
    type Error = InvalidSchedule;

    fn try_from(wire: ScheduleWire) -> Result<Self, Self::Error> {
        if wire.all_day {
            let parse = |field, value: &str| {
                NaiveDate::parse_from_str(value, DATE_FORMAT).map_err(|_| {
                    InvalidSchedule::BadBoundary {
                        field,
                        expected: "a date YYYY-MM-DD",
                        all_day: true,
                    }
                })
            };
            Self::all_day(parse("start", &wire.start)?, parse("end", &wire.end)?)
        } else {
            let parse = |field, value: &str| {
                DateTime::parse_from_rfc3339(value).map_err(|_| InvalidSchedule::BadBoundary {
                    field,
                    expected: "an RFC 3339 date-time with offset",
                    all_day: false,
                })
            };
            Self::timed(parse("start", &wire.start)?, parse("end", &wire.end)?)
        }
    }
}

impl From<Schedule> for ScheduleWire {
    fn from(schedule: Schedule) -> Self {
        match schedule {
            Schedule::Timed { start, end } => Self {
                start: start.to_rfc3339_opts(SecondsFormat::AutoSi, false),
                end: end.to_rfc3339_opts(SecondsFormat::AutoSi, false),
                all_day: false,
            },
            Schedule::AllDay { start, end } => Self {
                start: start.format(DATE_FORMAT).to_string(),
                end: end.format(DATE_FORMAT).to_string(),
                all_day: true,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(start: &str, end: &str, all_day: bool) -> serde_json::Value {
        serde_json::json!({ "start": start, "end": end, "all_day": all_day })
    }

    #[test]
    fn timed_schedule_keeps_its_offset_on_the_wire() {
        let schedule: Schedule = serde_json::from_value(wire(
            "2026-03-02T09:00:00+01:00",
            "2026-03-02T10:30:00+01:00",
            false,
        ))
        .unwrap();
        assert_eq!(
            serde_json::to_value(&schedule).unwrap(),
            wire(
                "2026-03-02T09:00:00+01:00",
                "2026-03-02T10:30:00+01:00",
                false
            )
        );
    }

    #[test]
    fn all_day_schedule_is_dates_with_exclusive_end() {
        let schedule: Schedule =
            serde_json::from_value(wire("2026-03-02", "2026-03-03", true)).unwrap();
        assert_eq!(
            schedule,
            Schedule::all_day(
                NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
                NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()
            )
            .unwrap()
        );
        assert_eq!(
            serde_json::to_value(&schedule).unwrap(),
            wire("2026-03-02", "2026-03-03", true)
        );
    }

    #[test]
    fn boundaries_must_match_the_all_day_flag() {
        assert!(
            serde_json::from_value::<Schedule>(wire("2026-03-02", "2026-03-03", false)).is_err()
        );
        assert!(
            serde_json::from_value::<Schedule>(wire(
                "2026-03-02T00:00:00Z",
                "2026-03-03T00:00:00Z",
                true
            ))
            .is_err()
        );
    }

    #[test]
    fn end_must_be_after_start() {
        assert!(
            serde_json::from_value::<Schedule>(wire("2026-03-02", "2026-03-02", true)).is_err()
        );
        assert!(
            serde_json::from_value::<Schedule>(wire(
                "2026-03-02T10:00:00Z",
                "2026-03-02T09:00:00Z",
                false
            ))
            .is_err()
        );
    }

    #[test]
    fn all_day_bounds_are_local_midnights() {
        let schedule = Schedule::all_day(
            NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 7, 2).unwrap(),
        )
        .unwrap();
        let (start, end) = schedule.bounds(chrono_tz::Europe::Amsterdam);
        assert_eq!(start.to_rfc3339(), "2026-06-30T22:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-07-01T22:00:00+00:00");
    }

    #[test]
    fn a_midnight_skipped_by_dst_starts_the_day_after_the_gap() {
        // Santiago moved clocks from 00:00 to 01:00 on 2023-09-03.
        let day = NaiveDate::from_ymd_opt(2023, 9, 3).unwrap();
        assert_eq!(
            local_midnight(day, chrono_tz::America::Santiago).to_rfc3339(),
            "2023-09-03T04:00:00+00:00"
        );
    }
}
