//! The recurrence rules ohsync understands (issue #6): the patterns Exchange offers — daily,
//! weekly, absolute and relative monthly, absolute and relative yearly — and their ranges (no
//! end, an end date, a number of occurrences), written as a subset of RFC 5545 RRULE for the
//! OfficeHeart contract. The series' first occurrence is the appointment's own start (RRULE's
//! DTSTART), so a rule holds no start of its own.
//!
//! The subset, one form per pattern (every other RRULE is refused as unsupported, never
//! approximated):
//!
//! | pattern | RRULE |
//! | --- | --- |
//! | every N days | `FREQ=DAILY;INTERVAL=N` |
//! | every N weeks on days | `FREQ=WEEKLY;INTERVAL=N;BYDAY=MO,WE;WKST=MO` |
//! | every N months on day D | `FREQ=MONTHLY;INTERVAL=N;BYMONTHDAY=D` |
//! | every N months on the k-th of days | `FREQ=MONTHLY;INTERVAL=N;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=k` |
//! | every year on month M day D | `FREQ=YEARLY;BYMONTH=M;BYMONTHDAY=D` |
//! | every year on the k-th of days of month M | `FREQ=YEARLY;BYMONTH=M;BYDAY=SU;BYSETPOS=k` |
//!
//! `k` is 1–4 or -1 (last). `BYSETPOS` picks from the set of all the listed days in the month,
//! which is exactly Exchange's `DayOfWeekIndex` over a `DaysOfWeek` group (`Weekday` = MO–FR,
//! `WeekendDay` = SA,SU, `Day` = all seven). The end is `;UNTIL=YYYYMMDD` (a date: the last day
//! an occurrence may start, in the appointment's zone) or `;COUNT=N`, or absent.

use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};

/// Why a recurrence rule was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    /// The text is not `NAME=VALUE` parts separated by `;`, or a part is repeated.
    #[error("the recurrence rule is malformed: {0}")]
    Malformed(String),
    /// A valid RRULE outside the subset ohsync syncs.
    #[error("the recurrence rule is not one ohsync can sync: {0}")]
    Unsupported(String),
}

/// Days of the week, as a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Days(u8);

impl Days {
    /// Monday to Friday (Exchange's `Weekday`).
    pub const WEEKDAYS: Self = Self(0b001_1111);
    /// Saturday and Sunday (Exchange's `WeekendDay`).
    pub const WEEKEND: Self = Self(0b110_0000);
    /// Every day (Exchange's `Day`).
    pub const EVERY_DAY: Self = Self(0b111_1111);

    /// The set of `days`.
    pub fn of(days: impl IntoIterator<Item = Weekday>) -> Self {
        days.into_iter().fold(Self(0), |set, day| set.with(day))
    }

    /// This set with `day` added.
    pub fn with(self, day: Weekday) -> Self {
        Self(self.0 | 1 << day.num_days_from_monday())
    }

    /// Whether `day` is in the set.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The days, Monday first.
    pub fn iter(self) -> impl Iterator<Item = Weekday> {
        [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .into_iter()
        .filter(move |day| self.contains(*day))
    }
}

/// Which of the matching days in a month: Exchange's `DayOfWeekIndex`, RRULE's `BYSETPOS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ordinal {
    /// The first.
    First,
    /// The second.
    Second,
    /// The third.
    Third,
    /// The fourth.
    Fourth,
    /// The last.
    Last,
}

impl Ordinal {
    fn position(self) -> i8 {
        match self {
            Self::First => 1,
            Self::Second => 2,
            Self::Third => 3,
            Self::Fourth => 4,
            Self::Last => -1,
        }
    }

    fn from_position(position: i8) -> Option<Self> {
        Some(match position {
            1 => Self::First,
            2 => Self::Second,
            3 => Self::Third,
            4 => Self::Fourth,
            -1 => Self::Last,
            _ => return None,
        })
    }
}

/// How often a series repeats. Intervals are at least 1; days and months are in range (the
/// constructors of this module's parser and the adapters check it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Pattern {
    /// Every `interval` days.
    Daily {
        /// Days between occurrences.
        interval: u16,
    },
    /// Every `interval` weeks on `days`.
    Weekly {
        /// Weeks between occurrences.
        interval: u16,
        /// The days of each week (not empty).
        days: Days,
        /// The day a week starts on (it decides which weeks an interval above 1 skips).
        week_start: Weekday,
    },
    /// Every `interval` months on day `day` (1–31; a shorter month has none, as in Exchange).
    MonthlyOnDay {
        /// Months between occurrences.
        interval: u16,
        /// The day of the month.
        day: u8,
    },
    /// Every `interval` months on the `ordinal`-th of `days`.
    MonthlyOnWeekday {
        /// Months between occurrences.
        interval: u16,
        /// Which one.
        ordinal: Ordinal,
        /// The days it is counted among (not empty).
        days: Days,
    },
    /// Every year on `month` `day`.
    YearlyOnDay {
        /// 1–12.
        month: u8,
        /// 1–31.
        day: u8,
    },
    /// Every year on the `ordinal`-th of `days` in `month`.
    YearlyOnWeekday {
        /// 1–12.
        month: u8,
        /// Which one.
        ordinal: Ordinal,
        /// The days it is counted among (not empty).
        days: Days,
    },
}

/// When a series ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeriesEnd {
    /// Never.
    Never,
    /// No occurrence starts after this date (in the appointment's zone).
    Until(NaiveDate),
    /// After this many occurrences (at least 1).
    Count(u32),
}

/// A recurrence rule: a pattern and an end.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecurrenceRule {
    /// How often.
    pub pattern: Pattern,
    /// Until when.
    pub end: SeriesEnd,
}

const DAY_CODES: [(Weekday, &str); 7] = [
    (Weekday::Mon, "MO"),
    (Weekday::Tue, "TU"),
    (Weekday::Wed, "WE"),
    (Weekday::Thu, "TH"),
    (Weekday::Fri, "FR"),
    (Weekday::Sat, "SA"),
    (Weekday::Sun, "SU"),
];

fn day_code(day: Weekday) -> &'static str {
    DAY_CODES
        .iter()
        .find(|(known, _)| *known == day)
        .map_or("MO", |(_, code)| code)
}

fn day_from_code(code: &str) -> Option<Weekday> {
    DAY_CODES
        .iter()
        .find(|(_, known)| *known == code)
        .map(|(day, _)| *day)
}

fn day_list(days: Days) -> String {
    days.iter().map(day_code).collect::<Vec<_>>().join(",")
}

impl fmt::Display for RecurrenceRule {
    /// The RRULE text (without the `RRULE:` prefix), in the one form the module doc gives.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pattern {
            Pattern::Daily { interval } => write!(f, "FREQ=DAILY;INTERVAL={interval}")?,
            Pattern::Weekly {
                interval,
                days,
                week_start,
            } => write!(
                f,
                "FREQ=WEEKLY;INTERVAL={interval};BYDAY={};WKST={}",
                day_list(*days),
                day_code(*week_start)
            )?,
            Pattern::MonthlyOnDay { interval, day } => {
                write!(f, "FREQ=MONTHLY;INTERVAL={interval};BYMONTHDAY={day}")?;
            }
            Pattern::MonthlyOnWeekday {
                interval,
                ordinal,
                days,
            } => write!(
                f,
                "FREQ=MONTHLY;INTERVAL={interval};BYDAY={};BYSETPOS={}",
                day_list(*days),
                ordinal.position()
            )?,
            Pattern::YearlyOnDay { month, day } => {
                write!(f, "FREQ=YEARLY;BYMONTH={month};BYMONTHDAY={day}")?;
            }
            Pattern::YearlyOnWeekday {
                month,
                ordinal,
                days,
            } => write!(
                f,
                "FREQ=YEARLY;BYMONTH={month};BYDAY={};BYSETPOS={}",
                day_list(*days),
                ordinal.position()
            )?,
        }
        match self.end {
            SeriesEnd::Never => Ok(()),
            SeriesEnd::Until(date) => write!(f, ";UNTIL={}", date.format("%Y%m%d")),
            SeriesEnd::Count(count) => write!(f, ";COUNT={count}"),
        }
    }
}

/// The parts of an RRULE, each taken once.
struct Parts<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Parts<'a> {
    fn split(text: &'a str) -> Result<Self, RecurrenceError> {
        let text = text.strip_prefix("RRULE:").unwrap_or(text);
        let mut parts: Vec<(&str, &str)> = Vec::new();
        for part in text.split(';') {
            let (name, value) = part
                .split_once('=')
                .filter(|(name, value)| !name.is_empty() && !value.is_empty())
                .ok_or_else(|| RecurrenceError::Malformed(format!("part {part:?}")))?;
            if parts.iter().any(|(seen, _)| *seen == name) {
                return Err(RecurrenceError::Malformed(format!("{name} given twice")));
            }
            parts.push((name, value));
        }
        Ok(Self(parts))
    }

    fn take(&mut self, name: &str) -> Option<&'a str> {
        let index = self.0.iter().position(|(seen, _)| *seen == name)?;
        Some(self.0.remove(index).1)
    }

    fn number<T: std::str::FromStr + PartialOrd>(
        &mut self,
        name: &str,
        range: std::ops::RangeInclusive<T>,
    ) -> Result<Option<T>, RecurrenceError> {
        let Some(raw) = self.take(name) else {
            return Ok(None);
        };
        match raw.parse::<T>() {
            Ok(value) if range.contains(&value) => Ok(Some(value)),
            _ => Err(RecurrenceError::Unsupported(format!("{name}={raw}"))),
        }
    }

    fn days(&mut self) -> Result<Option<Days>, RecurrenceError> {
        let Some(raw) = self.take("BYDAY") else {
            return Ok(None);
        };
        let mut days = Days::default();
        for code in raw.split(',') {
            // "2MO"-style ordinals are RFC 5545 too, but outside the one form kept here.
            let day = day_from_code(code)
                .ok_or_else(|| RecurrenceError::Unsupported(format!("BYDAY={raw}")))?;
            days = days.with(day);
        }
        Ok(Some(days))
    }

    fn finish(self) -> Result<(), RecurrenceError> {
        match self.0.first() {
            None => Ok(()),
            Some((name, value)) => Err(RecurrenceError::Unsupported(format!("{name}={value}"))),
        }
    }
}

impl std::str::FromStr for RecurrenceRule {
    type Err = RecurrenceError;

    /// Parses the subset of RRULE in the module doc; `RRULE:` in front is accepted.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = Parts::split(text)?;
        let frequency = parts
            .take("FREQ")
            .ok_or_else(|| RecurrenceError::Malformed("FREQ is missing".into()))?;
        let interval = parts.number("INTERVAL", 1..=999u16)?.unwrap_or(1);
        let days = parts.days()?;
        let month_day = parts.number("BYMONTHDAY", 1..=31u8)?;
        let month = parts.number("BYMONTH", 1..=12u8)?;
        let ordinal = match parts.number("BYSETPOS", -1..=4i8)? {
            None => None,
            Some(position) => Some(
                Ordinal::from_position(position)
                    .ok_or_else(|| RecurrenceError::Unsupported(format!("BYSETPOS={position}")))?,
            ),
        };
        let week_start = match parts.take("WKST") {
            None => Weekday::Mon,
            Some(code) => day_from_code(code)
                .ok_or_else(|| RecurrenceError::Unsupported(format!("WKST={code}")))?,
        };
        let until = parts.take("UNTIL");
        let count = parts.number("COUNT", 1..=u32::MAX)?;
        let unsupported = || RecurrenceError::Unsupported(text.to_owned());
        let some_days = days.filter(|days| !days.is_empty());
        let pattern = match (frequency, some_days, month_day, month, ordinal) {
            ("DAILY", None, None, None, None) => Pattern::Daily { interval },
            ("WEEKLY", Some(days), None, None, None) => Pattern::Weekly {
                interval,
                days,
                week_start,
            },
            ("MONTHLY", None, Some(day), None, None) => Pattern::MonthlyOnDay { interval, day },
            ("MONTHLY", Some(days), None, None, Some(ordinal)) => Pattern::MonthlyOnWeekday {
                interval,
                ordinal,
                days,
            },
            ("YEARLY", None, Some(day), Some(month), None) if interval == 1 => {
                Pattern::YearlyOnDay { month, day }
            }
            ("YEARLY", Some(days), None, Some(month), Some(ordinal)) if interval == 1 => {
                Pattern::YearlyOnWeekday {
                    month,
                    ordinal,
                    days,
                }
            }
            _ => return Err(unsupported()),
        };
        let end = match (until, count) {
            (None, None) => SeriesEnd::Never,
            (None, Some(count)) => SeriesEnd::Count(count),
            (Some(date), None) => SeriesEnd::Until(
                NaiveDate::parse_from_str(date, "%Y%m%d")
                    .map_err(|_| RecurrenceError::Unsupported(format!("UNTIL={date}")))?,
            ),
            (Some(_), Some(_)) => {
                return Err(RecurrenceError::Malformed(
                    "UNTIL and COUNT together".into(),
                ));
            }
        };
        parts.finish()?;
        Ok(Self { pattern, end })
    }
}

/// How far past the first occurrence dates are looked for: a series is taken to end there, and
/// a pattern that never matches (30 February) ends the search instead of running forever.
const HORIZON_YEARS: i32 = 100;

impl RecurrenceRule {
    /// The dates the series occurs on when its first occurrence is on `first`: every date the
    /// pattern gives from `first` on, up to the series' end (and at most [`HORIZON_YEARS`]).
    /// `first` itself is among them only when the pattern gives it (see [`Self::starts_on`]).
    pub fn dates(&self, first: NaiveDate) -> impl Iterator<Item = NaiveDate> + '_ {
        let horizon = first
            .with_year(first.year().saturating_add(HORIZON_YEARS))
            .unwrap_or(NaiveDate::MAX);
        let (until, count) = match self.end {
            SeriesEnd::Never => (NaiveDate::MAX, usize::MAX),
            SeriesEnd::Until(date) => (date, usize::MAX),
            SeriesEnd::Count(count) => (NaiveDate::MAX, count as usize),
        };
        (0u32..)
            .map_while(move |period| self.pattern.period(first, period))
            .take_while(move |(period_start, _)| *period_start <= horizon)
            .flat_map(|(_, dates)| dates)
            .filter(move |date| *date >= first)
            .take_while(move |date| *date <= until && *date <= horizon)
            .take(count)
    }

    /// Whether a series with this rule can start on `first`: Exchange moves a start that the
    /// pattern does not give to the next date it does, so such a series is not synced.
    pub fn starts_on(&self, first: NaiveDate) -> bool {
        self.dates(first).next() == Some(first)
    }

    /// The 1-based position of `date` among the series' dates (Exchange's `InstanceIndex`), or
    /// `None` when the series does not occur on it.
    pub fn instance_index(&self, first: NaiveDate, date: NaiveDate) -> Option<u32> {
        let position = self
            .dates(first)
            .take_while(|candidate| *candidate <= date)
            .position(|candidate| candidate == date)?;
        u32::try_from(position + 1).ok()
    }

    /// The date of the last occurrence, or `None` for a series without end.
    pub fn last_date(&self, first: NaiveDate) -> Option<NaiveDate> {
        match self.end {
            SeriesEnd::Never => None,
            SeriesEnd::Until(_) | SeriesEnd::Count(_) => self.dates(first).last(),
        }
    }
}

impl Pattern {
    /// Period `index` (a day, week, month or year step from `first`'s): its first day and the
    /// pattern's dates in it, in order. `None` past the calendar's end.
    fn period(&self, first: NaiveDate, index: u32) -> Option<(NaiveDate, Vec<NaiveDate>)> {
        match *self {
            Self::Daily { interval } => {
                let day = first
                    .checked_add_days(chrono::Days::new(u64::from(index) * u64::from(interval)))?;
                Some((day, vec![day]))
            }
            Self::Weekly {
                interval,
                days,
                week_start,
            } => {
                let back = first.weekday().days_since(week_start);
                let origin = first.checked_sub_days(chrono::Days::new(u64::from(back)))?;
                let start = origin.checked_add_days(chrono::Days::new(
                    7 * u64::from(index) * u64::from(interval),
                ))?;
                let dates = start
                    .iter_days()
                    .take(7)
                    .filter(|date| days.contains(date.weekday()))
                    .collect();
                Some((start, dates))
            }
            Self::MonthlyOnDay { interval, day } => {
                let start = month_start(first, i64::from(index) * i64::from(interval))?;
                let dates = start.with_day(u32::from(day)).into_iter().collect();
                Some((start, dates))
            }
            Self::MonthlyOnWeekday {
                interval,
                ordinal,
                days,
            } => {
                let start = month_start(first, i64::from(index) * i64::from(interval))?;
                Some((start, ordinal.pick(start, days).into_iter().collect()))
            }
            Self::YearlyOnDay { month, day } => {
                let start = year_month_start(first, index, month)?;
                let dates = start.with_day(u32::from(day)).into_iter().collect();
                Some((start, dates))
            }
            Self::YearlyOnWeekday {
                month,
                ordinal,
                days,
            } => {
                let start = year_month_start(first, index, month)?;
                Some((start, ordinal.pick(start, days).into_iter().collect()))
            }
        }
    }
}

/// The first day of the month `months` after `date`'s.
fn month_start(date: NaiveDate, months: i64) -> Option<NaiveDate> {
    let index = i64::from(date.year()) * 12 + i64::from(date.month0()) + months;
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = u32::try_from(index.rem_euclid(12)).ok()? + 1;
    NaiveDate::from_ymd_opt(year, month, 1)
}

/// The first day of `month` in the year `years` after `date`'s.
fn year_month_start(date: NaiveDate, years: u32, month: u8) -> Option<NaiveDate> {
    let year = date.year().checked_add(i32::try_from(years).ok()?)?;
    NaiveDate::from_ymd_opt(year, u32::from(month), 1)
}

impl Ordinal {
    /// The chosen one of the month's dates that fall on `days` (`month` is its first day).
    fn pick(self, month: NaiveDate, days: Days) -> Option<NaiveDate> {
        let matching: Vec<NaiveDate> = month
            .iter_days()
            .take_while(|date| date.month() == month.month())
            .filter(|date| days.contains(date.weekday()))
            .collect();
        match self.position() {
            -1 => matching.last().copied(),
            position => matching.get(usize::try_from(position - 1).ok()?).copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test")]

    use proptest::prelude::*;

    use super::*;

    fn rule(text: &str) -> RecurrenceRule {
        text.parse().unwrap()
    }

    #[test]
    fn each_pattern_has_one_form_that_round_trips() {
        let table = [
            "FREQ=DAILY;INTERVAL=2;COUNT=10",
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE,FR;WKST=MO",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;WKST=SU;UNTIL=20270331",
            "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=31",
            "FREQ=MONTHLY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1",
            "FREQ=MONTHLY;INTERVAL=1;BYDAY=TH;BYSETPOS=-1;COUNT=12",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            "FREQ=YEARLY;BYMONTH=10;BYDAY=SU;BYSETPOS=-1",
        ];
        for text in table {
            assert_eq!(rule(text).to_string(), text);
        }
        assert_eq!(
            rule("FREQ=MONTHLY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1").pattern,
            Pattern::MonthlyOnWeekday {
                interval: 3,
                ordinal: Ordinal::First,
                days: Days::WEEKDAYS,
            }
        );
    }

    #[test]
    fn defaults_and_the_rrule_prefix_are_accepted_and_written_in_full() {
        assert_eq!(
            rule("RRULE:FREQ=WEEKLY;BYDAY=TU").to_string(),
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;WKST=MO"
        );
        assert_eq!(
            rule("UNTIL=20261231;FREQ=DAILY").end,
            SeriesEnd::Until(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap())
        );
    }

    #[test]
    fn rules_outside_the_subset_are_refused_not_approximated() {
        for text in [
            "FREQ=HOURLY",
            "FREQ=DAILY;BYHOUR=9",
            "FREQ=WEEKLY",
            "FREQ=WEEKLY;BYDAY=2MO",
            "FREQ=MONTHLY;BYDAY=MO",
            "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=5",
            "FREQ=MONTHLY;BYMONTHDAY=32",
            "FREQ=YEARLY;INTERVAL=2;BYMONTH=1;BYMONTHDAY=1",
            "FREQ=YEARLY;BYMONTHDAY=1",
            "FREQ=DAILY;INTERVAL=0",
            "FREQ=DAILY;COUNT=0",
            "FREQ=DAILY;UNTIL=20261231T120000Z",
        ] {
            assert!(
                matches!(
                    text.parse::<RecurrenceRule>(),
                    Err(RecurrenceError::Unsupported(_))
                ),
                "{text}"
            );
        }
        for text in [
            "",
            "FREQ",
            "INTERVAL=2",
            "FREQ=DAILY;FREQ=DAILY",
            "FREQ=DAILY;COUNT=2;UNTIL=20261231",
        ] {
            assert!(
                matches!(
                    text.parse::<RecurrenceRule>(),
                    Err(RecurrenceError::Malformed(_))
                ),
                "{text:?}"
            );
        }
    }

    fn days() -> impl Strategy<Value = Days> {
        (1u8..128).prop_map(Days)
    }

    fn ordinal() -> impl Strategy<Value = Ordinal> {
        prop_oneof![
            Just(Ordinal::First),
            Just(Ordinal::Second),
            Just(Ordinal::Third),
            Just(Ordinal::Fourth),
            Just(Ordinal::Last),
        ]
    }

    fn weekday() -> impl Strategy<Value = Weekday> {
        (0u8..7).prop_map(|n| Weekday::try_from(n).unwrap())
    }

    fn pattern() -> impl Strategy<Value = Pattern> {
        prop_oneof![
            (1u16..=999).prop_map(|interval| Pattern::Daily { interval }),
            (1u16..=999, days(), weekday()).prop_map(|(interval, days, week_start)| {
                Pattern::Weekly {
                    interval,
                    days,
                    week_start,
                }
            }),
            (1u16..=999, 1u8..=31)
                .prop_map(|(interval, day)| Pattern::MonthlyOnDay { interval, day }),
            (1u16..=999, ordinal(), days()).prop_map(|(interval, ordinal, days)| {
                Pattern::MonthlyOnWeekday {
                    interval,
                    ordinal,
                    days,
                }
            }),
            (1u8..=12, 1u8..=31).prop_map(|(month, day)| Pattern::YearlyOnDay { month, day }),
            (1u8..=12, ordinal(), days()).prop_map(|(month, ordinal, days)| {
                Pattern::YearlyOnWeekday {
                    month,
                    ordinal,
                    days,
                }
            }),
        ]
    }

    fn end() -> impl Strategy<Value = SeriesEnd> {
        prop_oneof![
            Just(SeriesEnd::Never),
            (1u32..=10_000).prop_map(SeriesEnd::Count),
            (0i64..20_000).prop_map(|offset| SeriesEnd::Until(
                NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(offset as u64)
            )),
        ]
    }

    proptest! {
        #[test]
        fn every_rule_is_written_and_read_back_unchanged(pattern in pattern(), end in end()) {
            let rule = RecurrenceRule { pattern, end };
            let text = rule.to_string();
            prop_assert_eq!(text.parse::<RecurrenceRule>(), Ok(rule), "{}", text);
        }

        #[test]
        fn dates_rise_start_at_the_first_and_keep_to_the_end(
            pattern in pattern(),
            end in end(),
            offset in 0u64..20_000,
        ) {
            let rule = RecurrenceRule { pattern, end };
            let first = date("2000-01-01") + chrono::Days::new(offset);
            let dates: Vec<NaiveDate> = rule.dates(first).take(50).collect();
            prop_assert!(dates.windows(2).all(|pair| pair[0] < pair[1]), "{:?}", dates);
            prop_assert!(dates.iter().all(|date| *date >= first));
            match rule.end {
                SeriesEnd::Never => {}
                SeriesEnd::Until(until) => prop_assert!(dates.iter().all(|date| *date <= until)),
                SeriesEnd::Count(count) => prop_assert!(dates.len() <= count as usize),
            }
            for (position, date) in dates.iter().enumerate().take(5) {
                prop_assert_eq!(rule.instance_index(first, *date), Some(position as u32 + 1));
            }
        }
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn dates(text: &str, first: &str, take: usize) -> Vec<String> {
        rule(text)
            .dates(date(first))
            .take(take)
            .map(|date| date.to_string())
            .collect()
    }

    #[test]
    fn each_pattern_gives_its_dates() {
        let table: [(&str, &str, &[&str]); 9] = [
            (
                "FREQ=DAILY;INTERVAL=2;COUNT=3",
                "2026-03-01",
                &["2026-03-01", "2026-03-03", "2026-03-05"],
            ),
            // RFC 5545's own example of WKST deciding which weeks an interval skips.
            (
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=MO;COUNT=4",
                "1997-08-05",
                &["1997-08-05", "1997-08-10", "1997-08-19", "1997-08-24"],
            ),
            (
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU;COUNT=4",
                "1997-08-05",
                &["1997-08-05", "1997-08-17", "1997-08-19", "1997-08-31"],
            ),
            // A shorter month has no 31st.
            (
                "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=31;COUNT=4",
                "2026-01-31",
                &["2026-01-31", "2026-03-31", "2026-05-31", "2026-07-31"],
            ),
            (
                "FREQ=MONTHLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
                "2026-01-30",
                &["2026-01-30", "2026-02-27", "2026-03-31"],
            ),
            (
                "FREQ=MONTHLY;INTERVAL=2;BYDAY=TH;BYSETPOS=2;UNTIL=20260612",
                "2026-02-12",
                &["2026-02-12", "2026-04-09", "2026-06-11"],
            ),
            (
                "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=3",
                "2024-02-29",
                &["2024-02-29", "2028-02-29", "2032-02-29"],
            ),
            // The last Sunday of October: the day Europe's summer time ends.
            (
                "FREQ=YEARLY;BYMONTH=10;BYDAY=SU;BYSETPOS=-1;COUNT=2",
                "2026-10-25",
                &["2026-10-25", "2027-10-31"],
            ),
            (
                "FREQ=YEARLY;BYMONTH=3;BYDAY=SA,SU;BYSETPOS=1;UNTIL=20280301",
                "2026-03-01",
                &["2026-03-01", "2027-03-06"],
            ),
        ];
        for (text, first, expected) in table {
            assert_eq!(dates(text, first, 10), expected, "{text} from {first}");
        }
    }

    #[test]
    fn a_series_starts_only_on_a_date_its_pattern_gives() {
        let mondays = rule("FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;WKST=MO");
        assert!(mondays.starts_on(date("2026-03-02")));
        assert!(!mondays.starts_on(date("2026-03-03")));
        assert_eq!(
            mondays.dates(date("2026-03-03")).next(),
            Some(date("2026-03-09"))
        );
    }

    #[test]
    fn instance_indexes_count_from_one_and_miss_other_dates() {
        let rule = rule("FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;WKST=MO;COUNT=6");
        let first = date("2026-03-02");
        assert_eq!(rule.instance_index(first, first), Some(1));
        assert_eq!(rule.instance_index(first, date("2026-03-11")), Some(4));
        assert_eq!(rule.instance_index(first, date("2026-03-03")), None);
        assert_eq!(rule.instance_index(first, date("2026-03-18")), Some(6));
        assert_eq!(
            rule.instance_index(first, date("2026-03-23")),
            None,
            "past COUNT"
        );
        assert_eq!(rule.last_date(first), Some(date("2026-03-18")));
    }

    #[test]
    fn a_pattern_without_dates_ends_at_the_horizon() {
        let never = rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30");
        assert_eq!(never.dates(date("2026-01-01")).next(), None);
        assert_eq!(
            rule("FREQ=DAILY;INTERVAL=1").last_date(date("2026-01-01")),
            None
        );
        let horizon = rule("FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1");
        assert_eq!(horizon.dates(date("2026-01-01")).count(), 101);
    }
}
