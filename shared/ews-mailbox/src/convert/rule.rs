//! Exchange's recurrence (a pattern and a range) ⇄ the engine's recurrence rule (issue #6).
//!
//! Exchange's `DaysOfWeek` groups (`Day`, `Weekday`, `WeekendDay`) become day sets, and a
//! relative pattern's set that equals a group is written back as the group, so that Exchange
//! counts "the first weekday of the month" the way the rule means it. A weekly pattern without
//! `FirstDayOfWeek` (sent only from Exchange 2010 SP1) counts its weeks from Sunday, Exchange's
//! own default.

use chrono::{NaiveDate, Weekday};
use ohsync_engine::recurrence::{
    Days, Ordinal, Pattern, RecurrenceError, RecurrenceRule, SeriesEnd,
};
use ohsync_ews::model::{
    DayOfWeek, DayOfWeekIndex, Month, Recurrence, RecurrencePattern, RecurrenceRange,
};

const WEEKDAYS: [(DayOfWeek, Weekday); 7] = [
    (DayOfWeek::Monday, Weekday::Mon),
    (DayOfWeek::Tuesday, Weekday::Tue),
    (DayOfWeek::Wednesday, Weekday::Wed),
    (DayOfWeek::Thursday, Weekday::Thu),
    (DayOfWeek::Friday, Weekday::Fri),
    (DayOfWeek::Saturday, Weekday::Sat),
    (DayOfWeek::Sunday, Weekday::Sun),
];

const MONTHS: [Month; 12] = [
    Month::January,
    Month::February,
    Month::March,
    Month::April,
    Month::May,
    Month::June,
    Month::July,
    Month::August,
    Month::September,
    Month::October,
    Month::November,
    Month::December,
];

const ORDINALS: [(DayOfWeekIndex, Ordinal); 5] = [
    (DayOfWeekIndex::First, Ordinal::First),
    (DayOfWeekIndex::Second, Ordinal::Second),
    (DayOfWeekIndex::Third, Ordinal::Third),
    (DayOfWeekIndex::Fourth, Ordinal::Fourth),
    (DayOfWeekIndex::Last, Ordinal::Last),
];

fn unsupported(what: impl Into<String>) -> RecurrenceError {
    RecurrenceError::Unsupported(what.into())
}

fn weekday(day: DayOfWeek) -> Option<Weekday> {
    WEEKDAYS
        .iter()
        .find(|(ews, _)| *ews == day)
        .map(|(_, weekday)| *weekday)
}

fn days_of(days: &[DayOfWeek]) -> Result<Days, RecurrenceError> {
    let set = days.iter().fold(Days::default(), |set, day| {
        let group = match day {
            DayOfWeek::Day => Days::EVERY_DAY,
            DayOfWeek::Weekday => Days::WEEKDAYS,
            DayOfWeek::WeekendDay => Days::WEEKEND,
            single => Days::of(weekday(*single)),
        };
        Days::of(set.iter().chain(group.iter()))
    });
    if set.is_empty() {
        return Err(unsupported("a recurrence without days of the week"));
    }
    Ok(set)
}

fn single_days(days: Days) -> Vec<DayOfWeek> {
    WEEKDAYS
        .iter()
        .filter(|(_, weekday)| days.contains(*weekday))
        .map(|(ews, _)| *ews)
        .collect()
}

fn grouped_days(days: Days) -> Vec<DayOfWeek> {
    match days {
        Days::EVERY_DAY => vec![DayOfWeek::Day],
        Days::WEEKDAYS => vec![DayOfWeek::Weekday],
        Days::WEEKEND => vec![DayOfWeek::WeekendDay],
        _ => single_days(days),
    }
}

fn interval(raw: u32) -> Result<u16, RecurrenceError> {
    u16::try_from(raw)
        .ok()
        .filter(|interval| *interval >= 1)
        .ok_or_else(|| unsupported(format!("interval {raw}")))
}

fn day_of_month(raw: u32) -> Result<u8, RecurrenceError> {
    u8::try_from(raw)
        .ok()
        .filter(|day| (1..=31).contains(day))
        .ok_or_else(|| unsupported(format!("day of month {raw}")))
}

fn month_number(month: Month) -> u8 {
    MONTHS
        .iter()
        .position(|known| *known == month)
        .and_then(|index| u8::try_from(index + 1).ok())
        .unwrap_or(1)
}

fn month_of(number: u8) -> Month {
    MONTHS[usize::from(number.clamp(1, 12) - 1)]
}

fn ordinal(index: DayOfWeekIndex) -> Ordinal {
    ORDINALS
        .iter()
        .find(|(ews, _)| *ews == index)
        .map_or(Ordinal::First, |(_, ordinal)| *ordinal)
}

fn index(ordinal: Ordinal) -> DayOfWeekIndex {
    ORDINALS
        .iter()
        .find(|(_, known)| *known == ordinal)
        .map_or(DayOfWeekIndex::First, |(ews, _)| *ews)
}

/// The rule of an Exchange recurrence; one outside what the rule model holds is refused.
pub fn rule_from_ews(recurrence: &Recurrence) -> Result<RecurrenceRule, RecurrenceError> {
    let pattern = match &recurrence.pattern {
        RecurrencePattern::Daily { interval: raw } => Pattern::Daily {
            interval: interval(*raw)?,
        },
        RecurrencePattern::Weekly {
            interval: raw,
            days_of_week,
            first_day_of_week,
        } => Pattern::Weekly {
            interval: interval(*raw)?,
            days: days_of(days_of_week)?,
            week_start: first_day_of_week.and_then(weekday).unwrap_or(Weekday::Sun),
        },
        RecurrencePattern::AbsoluteMonthly {
            interval: raw,
            day_of_month: day,
        } => Pattern::MonthlyOnDay {
            interval: interval(*raw)?,
            day: day_of_month(*day)?,
        },
        RecurrencePattern::RelativeMonthly {
            interval: raw,
            days_of_week,
            index,
        } => Pattern::MonthlyOnWeekday {
            interval: interval(*raw)?,
            ordinal: ordinal(*index),
            days: days_of(days_of_week)?,
        },
        RecurrencePattern::AbsoluteYearly {
            day_of_month: day,
            month,
        } => Pattern::YearlyOnDay {
            month: month_number(*month),
            day: day_of_month(*day)?,
        },
        RecurrencePattern::RelativeYearly {
            days_of_week,
            index,
            month,
        } => Pattern::YearlyOnWeekday {
            month: month_number(*month),
            ordinal: ordinal(*index),
            days: days_of(days_of_week)?,
        },
    };
    let end = match &recurrence.range {
        RecurrenceRange::NoEnd { .. } => SeriesEnd::Never,
        RecurrenceRange::EndDate { end_date, .. } => SeriesEnd::Until(*end_date),
        RecurrenceRange::Numbered { occurrences: 0, .. } => {
            return Err(unsupported("a numbered range of 0 occurrences"));
        }
        RecurrenceRange::Numbered { occurrences, .. } => SeriesEnd::Count(*occurrences),
    };
    Ok(RecurrenceRule { pattern, end })
}

/// The Exchange recurrence of `rule` for a series whose first occurrence is on `first_date`.
pub fn ews_from_rule(rule: &RecurrenceRule, first_date: NaiveDate) -> Recurrence {
    let pattern = match &rule.pattern {
        Pattern::Daily { interval } => RecurrencePattern::Daily {
            interval: u32::from(*interval),
        },
        Pattern::Weekly {
            interval,
            days,
            week_start,
        } => RecurrencePattern::Weekly {
            interval: u32::from(*interval),
            days_of_week: single_days(*days),
            first_day_of_week: WEEKDAYS
                .iter()
                .find(|(_, weekday)| weekday == week_start)
                .map(|(ews, _)| *ews),
        },
        Pattern::MonthlyOnDay { interval, day } => RecurrencePattern::AbsoluteMonthly {
            interval: u32::from(*interval),
            day_of_month: u32::from(*day),
        },
        Pattern::MonthlyOnWeekday {
            interval,
            ordinal,
            days,
        } => RecurrencePattern::RelativeMonthly {
            interval: u32::from(*interval),
            days_of_week: grouped_days(*days),
            index: index(*ordinal),
        },
        Pattern::YearlyOnDay { month, day } => RecurrencePattern::AbsoluteYearly {
            day_of_month: u32::from(*day),
            month: month_of(*month),
        },
        Pattern::YearlyOnWeekday {
            month,
            ordinal,
            days,
        } => RecurrencePattern::RelativeYearly {
            days_of_week: grouped_days(*days),
            index: index(*ordinal),
            month: month_of(*month),
        },
    };
    let range = match rule.end {
        SeriesEnd::Never => RecurrenceRange::NoEnd {
            start_date: first_date,
        },
        SeriesEnd::Until(end_date) => RecurrenceRange::EndDate {
            start_date: first_date,
            end_date,
        },
        SeriesEnd::Count(occurrences) => RecurrenceRange::Numbered {
            start_date: first_date,
            occurrences,
        },
    };
    Recurrence { pattern, range }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test")]

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn every_pattern_and_range_goes_to_exchange_and_back_unchanged() {
        let rules = [
            "FREQ=DAILY;INTERVAL=3;COUNT=10",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;WKST=MO;UNTIL=20270601",
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR;WKST=SU",
            "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=31",
            "FREQ=MONTHLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1",
            "FREQ=MONTHLY;INTERVAL=1;BYDAY=SA,SU;BYSETPOS=-1",
            "FREQ=MONTHLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=3",
            "FREQ=MONTHLY;INTERVAL=1;BYDAY=TU,TH;BYSETPOS=2",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            "FREQ=YEARLY;BYMONTH=3;BYDAY=SU;BYSETPOS=-1;COUNT=5",
        ];
        for text in rules {
            let rule: RecurrenceRule = text.parse().unwrap();
            let ews = ews_from_rule(&rule, date(2026, 3, 29));
            assert_eq!(ews.range.start_date(), date(2026, 3, 29));
            assert_eq!(rule_from_ews(&ews).unwrap(), rule, "{text}");
        }
    }

    #[test]
    fn exchange_groups_become_day_sets_and_are_written_back_as_groups() {
        let ews = Recurrence {
            pattern: RecurrencePattern::RelativeMonthly {
                interval: 1,
                days_of_week: vec![DayOfWeek::Weekday],
                index: DayOfWeekIndex::First,
            },
            range: RecurrenceRange::NoEnd {
                start_date: date(2026, 1, 1),
            },
        };
        let rule = rule_from_ews(&ews).unwrap();
        assert_eq!(
            rule.to_string(),
            "FREQ=MONTHLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1"
        );
        assert_eq!(ews_from_rule(&rule, date(2026, 1, 1)), ews);
    }

    #[test]
    fn a_weekly_pattern_without_first_day_counts_weeks_from_sunday() {
        let ews = Recurrence {
            pattern: RecurrencePattern::Weekly {
                interval: 2,
                days_of_week: vec![DayOfWeek::Saturday],
                first_day_of_week: None,
            },
            range: RecurrenceRange::EndDate {
                start_date: date(2026, 1, 3),
                end_date: date(2026, 6, 27),
            },
        };
        assert_eq!(
            rule_from_ews(&ews).unwrap().to_string(),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;WKST=SU;UNTIL=20260627"
        );
    }

    #[test]
    fn what_the_rule_model_cannot_hold_is_refused() {
        let range = RecurrenceRange::NoEnd {
            start_date: date(2026, 1, 1),
        };
        for pattern in [
            RecurrencePattern::Daily { interval: 0 },
            RecurrencePattern::Daily { interval: 70_000 },
            RecurrencePattern::AbsoluteMonthly {
                interval: 1,
                day_of_month: 32,
            },
            RecurrencePattern::Weekly {
                interval: 1,
                days_of_week: Vec::new(),
                first_day_of_week: None,
            },
        ] {
            let ews = Recurrence {
                pattern: pattern.clone(),
                range: range.clone(),
            };
            assert!(rule_from_ews(&ews).is_err(), "{pattern:?}");
        }
        let numbered = Recurrence {
            pattern: RecurrencePattern::Daily { interval: 1 },
            range: RecurrenceRange::Numbered {
                start_date: date(2026, 1, 1),
                occurrences: 0,
            },
        };
        assert!(rule_from_ews(&numbered).is_err());
    }
}
