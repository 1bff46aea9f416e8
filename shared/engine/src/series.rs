//! A recurring series as the engine syncs it: a rule, and the occurrences that differ from it.
//!
//! An occurrence is named by its original date — the day, in the appointment's zone, on which the
//! rule places it. Every supported pattern places at most one occurrence on a day, so the date
//! names it on both sides (Exchange's `OriginalStart`, OfficeHeart's `original_date`) and stays
//! valid when the whole series moves to another time of day.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

use crate::appointment::{DaySpan, Schedule, Text, TimedSpan};
use crate::recurrence::RecurrenceRule;

/// What makes an appointment recur.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recurrence {
    /// A rule in the subset ohsync syncs, with its exceptions.
    Series(Series),
    /// A rule ohsync cannot sync, in the side's own words: carried and counted, never copied or
    /// written over.
    Unsupported(String),
}

/// One occurrence that differs from the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exception {
    /// The occurrence does not take place.
    Cancelled,
    /// The occurrence takes place with these values.
    Modified(ModifiedOccurrence),
}

/// The values of a modified occurrence: whole values, not differences from the series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModifiedOccurrence {
    /// When it takes place now (all-day exactly when the series is).
    pub schedule: Schedule,
    /// Its subject.
    pub subject: Text,
    /// Its location.
    pub location: Text,
}

/// A supported rule and its exceptions, keyed by original date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    rule: RecurrenceRule,
    exceptions: BTreeMap<NaiveDate, Exception>,
}

impl Series {
    /// The series whose first occurrence is on `first`, or `None` when the rule does not give
    /// that date (Exchange would move such a start, so the two sides would disagree). Exceptions
    /// on dates the rule does not give are dropped: they name no occurrence.
    pub fn new(
        rule: RecurrenceRule,
        first: NaiveDate,
        exceptions: impl IntoIterator<Item = (NaiveDate, Exception)>,
    ) -> Option<Self> {
        if !rule.starts_on(first) {
            return None;
        }
        let exceptions = exceptions
            .into_iter()
            .filter(|(date, _)| rule.instance_index(first, *date).is_some())
            .collect();
        Some(Self { rule, exceptions })
    }

    /// The rule.
    pub fn rule(&self) -> &RecurrenceRule {
        &self.rule
    }

    /// The exceptions by original date, earliest first.
    pub fn exceptions(&self) -> &BTreeMap<NaiveDate, Exception> {
        &self.exceptions
    }
}

impl Schedule {
    /// The day the schedule starts on in `zone`: a series' first occurrence date.
    pub fn first_date(&self, zone: Tz) -> NaiveDate {
        match self {
            Self::Timed(span) => span.start().with_timezone(&zone).date_naive(),
            Self::AllDay(days) => days.first_day(),
        }
    }

    /// The same schedule moved to `date` at the same local time in `zone`: an unmodified
    /// occurrence. A timed one keeps its length in real time; a local start the clocks skip
    /// (02:30 on the last Sunday of March in Europe) moves on by the skipped hour, as Outlook does.
    pub fn on(&self, zone: Tz, date: NaiveDate) -> Schedule {
        match self {
            Self::Timed(span) => {
                let local = span.start().with_timezone(&zone).time();
                let start = resolve_local(zone, date.and_time(local));
                let end = start + (span.end() - span.start());
                TimedSpan::new(start, end).map_or(*self, Schedule::Timed)
            }
            Self::AllDay(days) => {
                let length = days.end_day() - days.first_day();
                date.checked_add_signed(length)
                    .and_then(|end| DaySpan::new(date, end).ok())
                    .map_or(*self, Schedule::AllDay)
            }
        }
    }
}

fn resolve_local(zone: Tz, local: chrono::NaiveDateTime) -> DateTime<Utc> {
    zone.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(local + TimeDelta::hours(1)))
                .earliest()
        })
        .map_or_else(|| local.and_utc(), |at| at.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test")]

    use chrono_tz::Europe::Amsterdam;

    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn timed(start: &str, end: &str) -> Schedule {
        Schedule::Timed(TimedSpan::new(start.parse().unwrap(), end.parse().unwrap()).unwrap())
    }

    #[test]
    fn an_occurrence_keeps_its_local_time_across_daylight_saving_changes() {
        // 09:00 in Amsterdam: 08:00 UTC in winter, 07:00 UTC in summer.
        let winter = timed("2026-03-23T08:00:00Z", "2026-03-23T09:00:00Z");
        assert_eq!(
            winter.on(Amsterdam, date("2026-03-30")),
            timed("2026-03-30T07:00:00Z", "2026-03-30T08:00:00Z")
        );
        assert_eq!(
            winter.on(Amsterdam, date("2026-10-26")),
            timed("2026-10-26T08:00:00Z", "2026-10-26T09:00:00Z")
        );
        // 02:30 does not exist on 29 March 2026 in Amsterdam: it becomes 03:30 (01:30 UTC).
        let night = timed("2026-03-22T01:30:00Z", "2026-03-22T02:00:00Z");
        assert_eq!(
            night.on(Amsterdam, date("2026-03-29")),
            timed("2026-03-29T01:30:00Z", "2026-03-29T02:00:00Z")
        );
    }

    #[test]
    fn an_all_day_occurrence_keeps_its_dates_and_length() {
        let days = Schedule::AllDay(DaySpan::new(date("2026-03-02"), date("2026-03-04")).unwrap());
        assert_eq!(days.first_date(Amsterdam), date("2026-03-02"));
        assert_eq!(
            days.on(Amsterdam, date("2026-03-09")),
            Schedule::AllDay(DaySpan::new(date("2026-03-09"), date("2026-03-11")).unwrap())
        );
    }

    #[test]
    fn a_series_keeps_only_exceptions_on_its_dates_and_starts_on_one() {
        let rule: RecurrenceRule = "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;WKST=MO;COUNT=4"
            .parse()
            .unwrap();
        let series = Series::new(
            rule.clone(),
            date("2026-03-02"),
            [
                (date("2026-03-09"), Exception::Cancelled),
                (date("2026-03-10"), Exception::Cancelled),
                (date("2026-03-30"), Exception::Cancelled),
            ],
        )
        .unwrap();
        assert_eq!(
            series.exceptions().keys().copied().collect::<Vec<_>>(),
            [date("2026-03-09")]
        );
        assert_eq!(Series::new(rule, date("2026-03-03"), []), None);
    }
}
