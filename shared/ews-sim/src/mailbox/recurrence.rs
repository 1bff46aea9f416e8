//! Recurrence patterns and ranges (EWS-NOTES §7): parsed from a stored `Recurrence` element and
//! expanded into occurrence dates. Occurrences keep the master's local time of day.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::time::parse_date;
use crate::xml::Element;

/// Any series stops expanding this far after its start, whatever its range says.
const HORIZON_DAYS: i64 = 366 * 100;

/// Which days a weekly or relative pattern names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DaySet {
    Days(Vec<Weekday>),
    AnyDay,
    Weekday,
    WeekendDay,
}

impl DaySet {
    fn parse(text: &str) -> Option<Self> {
        let mut days = Vec::new();
        for word in text.split_whitespace() {
            match word {
                "Day" => return Some(Self::AnyDay),
                "Weekday" => return Some(Self::Weekday),
                "WeekendDay" => return Some(Self::WeekendDay),
                other => days.push(parse_weekday(other)?),
            }
        }
        if days.is_empty() {
            None
        } else {
            Some(Self::Days(days))
        }
    }

    fn contains(&self, day: Weekday) -> bool {
        match self {
            Self::Days(days) => days.contains(&day),
            Self::AnyDay => true,
            Self::Weekday => !matches!(day, Weekday::Sat | Weekday::Sun),
            Self::WeekendDay => matches!(day, Weekday::Sat | Weekday::Sun),
        }
    }
}

fn parse_weekday(text: &str) -> Option<Weekday> {
    Some(match text {
        "Sunday" => Weekday::Sun,
        "Monday" => Weekday::Mon,
        "Tuesday" => Weekday::Tue,
        "Wednesday" => Weekday::Wed,
        "Thursday" => Weekday::Thu,
        "Friday" => Weekday::Fri,
        "Saturday" => Weekday::Sat,
        _ => return None,
    })
}

/// `DayOfWeekIndex`: First … Fourth, or Last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WeekIndex {
    Nth(u32),
    Last,
}

impl WeekIndex {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "First" => Self::Nth(1),
            "Second" => Self::Nth(2),
            "Third" => Self::Nth(3),
            "Fourth" => Self::Nth(4),
            "Last" => Self::Last,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    Daily {
        interval: u32,
    },
    Weekly {
        interval: u32,
        days: DaySet,
        first_day: Weekday,
    },
    AbsoluteMonthly {
        interval: u32,
        day: u32,
    },
    RelativeMonthly {
        interval: u32,
        days: DaySet,
        index: WeekIndex,
    },
    AbsoluteYearly {
        month: u32,
        day: u32,
    },
    RelativeYearly {
        month: u32,
        days: DaySet,
        index: WeekIndex,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RangeEnd {
    Never,
    On(NaiveDate),
    After(u32),
}

/// A parsed recurrence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    pattern: Pattern,
    start: NaiveDate,
    end: RangeEnd,
}

/// The Recurrence element is not a pattern and range the simulator can expand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid recurrence: {0}")]
pub struct InvalidRecurrence(&'static str);

fn number(element: &Element, name: &'static str) -> Result<u32, InvalidRecurrence> {
    element
        .child_text(name)
        .and_then(|text| text.parse().ok())
        .ok_or(InvalidRecurrence(name))
}

fn days(element: &Element) -> Result<DaySet, InvalidRecurrence> {
    element
        .child_text("DaysOfWeek")
        .and_then(|text| DaySet::parse(&text))
        .ok_or(InvalidRecurrence("DaysOfWeek"))
}

fn week_index(element: &Element) -> Result<WeekIndex, InvalidRecurrence> {
    element
        .child_text("DayOfWeekIndex")
        .and_then(|text| WeekIndex::parse(&text))
        .ok_or(InvalidRecurrence("DayOfWeekIndex"))
}

fn month(element: &Element) -> Result<u32, InvalidRecurrence> {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let text = element
        .child_text("Month")
        .ok_or(InvalidRecurrence("Month"))?;
    MONTHS
        .iter()
        .position(|name| *name == text)
        .map(|index| index as u32 + 1)
        .ok_or(InvalidRecurrence("Month"))
}

fn positive(value: u32, what: &'static str) -> Result<u32, InvalidRecurrence> {
    if value == 0 {
        Err(InvalidRecurrence(what))
    } else {
        Ok(value)
    }
}

impl Recurrence {
    /// Reads a `Recurrence` element (one pattern child and one range child).
    pub fn parse(element: &Element) -> Result<Self, InvalidRecurrence> {
        let mut pattern = None;
        let mut range = None;
        for child in element.elements() {
            match child.name.as_str() {
                "DailyRecurrence" => {
                    pattern = Some(Pattern::Daily {
                        interval: positive(number(child, "Interval")?, "Interval")?,
                    });
                }
                "WeeklyRecurrence" => {
                    let first_day = match child.child_text("FirstDayOfWeek") {
                        Some(text) => {
                            parse_weekday(&text).ok_or(InvalidRecurrence("FirstDayOfWeek"))?
                        }
                        None => Weekday::Sun,
                    };
                    pattern = Some(Pattern::Weekly {
                        interval: positive(number(child, "Interval")?, "Interval")?,
                        days: days(child)?,
                        first_day,
                    });
                }
                "AbsoluteMonthlyRecurrence" => {
                    pattern = Some(Pattern::AbsoluteMonthly {
                        interval: positive(number(child, "Interval")?, "Interval")?,
                        day: positive(number(child, "DayOfMonth")?, "DayOfMonth")?,
                    });
                }
                "RelativeMonthlyRecurrence" => {
                    pattern = Some(Pattern::RelativeMonthly {
                        interval: positive(number(child, "Interval")?, "Interval")?,
                        days: days(child)?,
                        index: week_index(child)?,
                    });
                }
                "AbsoluteYearlyRecurrence" => {
                    pattern = Some(Pattern::AbsoluteYearly {
                        month: month(child)?,
                        day: positive(number(child, "DayOfMonth")?, "DayOfMonth")?,
                    });
                }
                "RelativeYearlyRecurrence" => {
                    pattern = Some(Pattern::RelativeYearly {
                        month: month(child)?,
                        days: days(child)?,
                        index: week_index(child)?,
                    });
                }
                "NoEndRecurrence" | "EndDateRecurrence" | "NumberedRecurrence" => {
                    let start = child
                        .child_text("StartDate")
                        .and_then(|text| parse_date(&text))
                        .ok_or(InvalidRecurrence("StartDate"))?;
                    let end = match child.name.as_str() {
                        "EndDateRecurrence" => RangeEnd::On(
                            child
                                .child_text("EndDate")
                                .and_then(|text| parse_date(&text))
                                .ok_or(InvalidRecurrence("EndDate"))?,
                        ),
                        "NumberedRecurrence" => RangeEnd::After(positive(
                            number(child, "NumberOfOccurrences")?,
                            "NumberOfOccurrences",
                        )?),
                        _ => RangeEnd::Never,
                    };
                    range = Some((start, end));
                }
                _ => return Err(InvalidRecurrence("unknown pattern or range")),
            }
        }
        let pattern = pattern.ok_or(InvalidRecurrence("pattern missing"))?;
        let (start, end) = range.ok_or(InvalidRecurrence("range missing"))?;
        if let RangeEnd::On(end_date) = end
            && end_date < start
        {
            return Err(InvalidRecurrence("EndDate before StartDate"));
        }
        Ok(Self {
            pattern,
            start,
            end,
        })
    }

    /// The series' occurrence dates in order, with their 1-based instance index.
    pub fn dates(&self) -> OccurrenceDates<'_> {
        OccurrenceDates {
            recurrence: self,
            next: self.start,
            produced: 0,
        }
    }

    /// The date of instance `index` (1-based), if the series has one.
    pub fn nth(&self, index: u32) -> Option<NaiveDate> {
        if index == 0 {
            return None;
        }
        self.dates()
            .find(|(candidate, _)| *candidate == index)
            .map(|(_, date)| date)
    }

    /// The last occurrence of a bounded series.
    pub fn last(&self) -> Option<(u32, NaiveDate)> {
        match self.end {
            RangeEnd::Never => None,
            RangeEnd::On(_) | RangeEnd::After(_) => self.dates().last(),
        }
    }

    fn matches(&self, date: NaiveDate) -> bool {
        let months_since_start = (date.year() - self.start.year()) * 12 + date.month() as i32
            - self.start.month() as i32;
        match &self.pattern {
            Pattern::Daily { interval } => {
                (date - self.start).num_days() % i64::from(*interval) == 0
            }
            Pattern::Weekly {
                interval,
                days,
                first_day,
            } => {
                let week_of = |day: NaiveDate| {
                    let offset = i64::from(day.weekday().days_since(*first_day));
                    (day - Duration::days(offset) - self.start)
                        .num_days()
                        .div_euclid(7)
                };
                days.contains(date.weekday())
                    && (week_of(date) - week_of(self.start)).rem_euclid(i64::from(*interval)) == 0
            }
            Pattern::AbsoluteMonthly { interval, day } => {
                months_since_start % *interval as i32 == 0
                    && date.day() == (*day).min(days_in_month(date))
            }
            Pattern::RelativeMonthly {
                interval,
                days,
                index,
            } => months_since_start % *interval as i32 == 0 && is_relative_day(date, days, *index),
            Pattern::AbsoluteYearly { month, day } => {
                date.month() == *month && date.day() == (*day).min(days_in_month(date))
            }
            Pattern::RelativeYearly { month, days, index } => {
                date.month() == *month && is_relative_day(date, days, *index)
            }
        }
    }
}

fn days_in_month(date: NaiveDate) -> u32 {
    let (year, month) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1)
        .and_then(|first| first.pred_opt())
        .map_or(28, |last| last.day())
}

/// Is `date` the `index`-th day of its month that belongs to `days`?
fn is_relative_day(date: NaiveDate, days: &DaySet, index: WeekIndex) -> bool {
    if !days.contains(date.weekday()) {
        return false;
    }
    let matching: Vec<u32> = (1..=days_in_month(date))
        .filter(|day| {
            NaiveDate::from_ymd_opt(date.year(), date.month(), *day)
                .is_some_and(|d| days.contains(d.weekday()))
        })
        .collect();
    match index {
        WeekIndex::Nth(n) => matching.get(n as usize - 1) == Some(&date.day()),
        WeekIndex::Last => matching.last() == Some(&date.day()),
    }
}

/// Iterator over (instance index, date) of a series.
#[derive(Debug)]
pub struct OccurrenceDates<'a> {
    recurrence: &'a Recurrence,
    next: NaiveDate,
    produced: u32,
}

impl Iterator for OccurrenceDates<'_> {
    type Item = (u32, NaiveDate);

    fn next(&mut self) -> Option<Self::Item> {
        let recurrence = self.recurrence;
        loop {
            let date = self.next;
            if (date - recurrence.start).num_days() > HORIZON_DAYS {
                return None;
            }
            match recurrence.end {
                RangeEnd::On(end) if date > end => return None,
                RangeEnd::After(count) if self.produced >= count => return None,
                _ => {}
            }
            self.next = date.succ_opt()?;
            if recurrence.matches(date) {
                self.produced += 1;
                return Some((self.produced, date));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse;

    fn recurrence(xml: &str) -> Recurrence {
        Recurrence::parse(&parse(xml).unwrap()).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn weekly_numbered_series_from_the_microsoft_sample() {
        let series = recurrence(
            "<Recurrence><WeeklyRecurrence><Interval>1</Interval><DaysOfWeek>Saturday</DaysOfWeek></WeeklyRecurrence>\
             <NumberedRecurrence><StartDate>2014-03-08-08:00</StartDate><NumberOfOccurrences>10</NumberOfOccurrences></NumberedRecurrence></Recurrence>",
        );
        let dates: Vec<_> = series.dates().collect();
        assert_eq!(dates.len(), 10);
        assert_eq!(dates[0], (1, date(2014, 3, 8)));
        assert_eq!(dates[9], (10, date(2014, 5, 10)));
        assert_eq!(series.last(), Some((10, date(2014, 5, 10))));
        assert_eq!(series.nth(3), Some(date(2014, 3, 22)));
        assert_eq!(series.nth(11), None);
    }

    #[test]
    fn biweekly_on_two_days_and_daily_until_a_date() {
        let series = recurrence(
            "<Recurrence><WeeklyRecurrence><Interval>2</Interval><DaysOfWeek>Monday Thursday</DaysOfWeek><FirstDayOfWeek>Monday</FirstDayOfWeek></WeeklyRecurrence>\
             <NoEndRecurrence><StartDate>2026-01-05</StartDate></NoEndRecurrence></Recurrence>",
        );
        let first: Vec<_> = series.dates().take(4).map(|(_, d)| d).collect();
        assert_eq!(
            first,
            vec![
                date(2026, 1, 5),
                date(2026, 1, 8),
                date(2026, 1, 19),
                date(2026, 1, 22)
            ]
        );
        assert_eq!(series.last(), None);
        let daily = recurrence(
            "<Recurrence><DailyRecurrence><Interval>3</Interval></DailyRecurrence>\
             <EndDateRecurrence><StartDate>2026-01-01</StartDate><EndDate>2026-01-10</EndDate></EndDateRecurrence></Recurrence>",
        );
        let dates: Vec<_> = daily.dates().map(|(_, d)| d).collect();
        assert_eq!(
            dates,
            vec![
                date(2026, 1, 1),
                date(2026, 1, 4),
                date(2026, 1, 7),
                date(2026, 1, 10)
            ]
        );
    }

    #[test]
    fn monthly_and_yearly_patterns() {
        let last_friday = recurrence(
            "<Recurrence><RelativeMonthlyRecurrence><Interval>1</Interval><DaysOfWeek>Friday</DaysOfWeek><DayOfWeekIndex>Last</DayOfWeekIndex></RelativeMonthlyRecurrence>\
             <NumberedRecurrence><StartDate>2026-01-01</StartDate><NumberOfOccurrences>2</NumberOfOccurrences></NumberedRecurrence></Recurrence>",
        );
        assert_eq!(
            last_friday.dates().map(|(_, d)| d).collect::<Vec<_>>(),
            vec![date(2026, 1, 30), date(2026, 2, 27)]
        );
        let day_31 = recurrence(
            "<Recurrence><AbsoluteMonthlyRecurrence><Interval>1</Interval><DayOfMonth>31</DayOfMonth></AbsoluteMonthlyRecurrence>\
             <NumberedRecurrence><StartDate>2026-01-31</StartDate><NumberOfOccurrences>2</NumberOfOccurrences></NumberedRecurrence></Recurrence>",
        );
        assert_eq!(day_31.nth(2), Some(date(2026, 2, 28)));
        let birthday = recurrence(
            "<Recurrence><AbsoluteYearlyRecurrence><DayOfMonth>14</DayOfMonth><Month>February</Month></AbsoluteYearlyRecurrence>\
             <NoEndRecurrence><StartDate>2020-02-14</StartDate></NoEndRecurrence></Recurrence>",
        );
        assert_eq!(birthday.nth(7), Some(date(2026, 2, 14)));
    }

    #[test]
    fn rejects_incomplete_recurrences() {
        for bad in [
            "<Recurrence><DailyRecurrence><Interval>1</Interval></DailyRecurrence></Recurrence>",
            "<Recurrence><NoEndRecurrence><StartDate>2026-01-01</StartDate></NoEndRecurrence></Recurrence>",
            "<Recurrence><DailyRecurrence><Interval>0</Interval></DailyRecurrence><NoEndRecurrence><StartDate>2026-01-01</StartDate></NoEndRecurrence></Recurrence>",
            "<Recurrence><WeeklyRecurrence><Interval>1</Interval><DaysOfWeek>Funday</DaysOfWeek></WeeklyRecurrence><NoEndRecurrence><StartDate>2026-01-01</StartDate></NoEndRecurrence></Recurrence>",
        ] {
            assert!(Recurrence::parse(&parse(bad).unwrap()).is_err(), "{bad}");
        }
    }
}
