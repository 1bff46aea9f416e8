//! Recurrence patterns and ranges of a recurring master (EWS-NOTES §7).

use chrono::NaiveDate;

use super::wire_enum::wire_enum;

wire_enum! {
    /// A `DayOfWeek` / `DaysOfWeek` entry, including the grouped values.
    pub enum DayOfWeek {
        /// Sunday.
        Sunday = "Sunday",
        /// Monday.
        Monday = "Monday",
        /// Tuesday.
        Tuesday = "Tuesday",
        /// Wednesday.
        Wednesday = "Wednesday",
        /// Thursday.
        Thursday = "Thursday",
        /// Friday.
        Friday = "Friday",
        /// Saturday.
        Saturday = "Saturday",
        /// Any day.
        Day = "Day",
        /// Monday to Friday.
        Weekday = "Weekday",
        /// Saturday or Sunday.
        WeekendDay = "WeekendDay",
    }
}

wire_enum! {
    /// `DayOfWeekIndex` of relative patterns.
    pub enum DayOfWeekIndex {
        /// The first.
        First = "First",
        /// The second.
        Second = "Second",
        /// The third.
        Third = "Third",
        /// The fourth.
        Fourth = "Fourth",
        /// The last.
        Last = "Last",
    }
}

wire_enum! {
    /// `Month` of yearly patterns.
    pub enum Month {
        /// January.
        January = "January",
        /// February.
        February = "February",
        /// March.
        March = "March",
        /// April.
        April = "April",
        /// May.
        May = "May",
        /// June.
        June = "June",
        /// July.
        July = "July",
        /// August.
        August = "August",
        /// September.
        September = "September",
        /// October.
        October = "October",
        /// November.
        November = "November",
        /// December.
        December = "December",
    }
}

/// How often a series repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecurrencePattern {
    /// Every `interval` days.
    Daily {
        /// Days between occurrences.
        interval: u32,
    },
    /// Every `interval` weeks on `days_of_week`.
    Weekly {
        /// Weeks between occurrences.
        interval: u32,
        /// The days of each week.
        days_of_week: Vec<DayOfWeek>,
        /// `FirstDayOfWeek` (2010 SP1+), when sent.
        first_day_of_week: Option<DayOfWeek>,
    },
    /// Every `interval` months on day `day_of_month`.
    AbsoluteMonthly {
        /// Months between occurrences.
        interval: u32,
        /// 1–31.
        day_of_month: u32,
    },
    /// Every `interval` months on the `index`-th `days_of_week`.
    RelativeMonthly {
        /// Months between occurrences.
        interval: u32,
        /// The days (usually one).
        days_of_week: Vec<DayOfWeek>,
        /// Which one in the month.
        index: DayOfWeekIndex,
    },
    /// Every year on `month` `day_of_month`.
    AbsoluteYearly {
        /// 1–31.
        day_of_month: u32,
        /// The month.
        month: Month,
    },
    /// Every year on the `index`-th `days_of_week` of `month`.
    RelativeYearly {
        /// The days (usually one).
        days_of_week: Vec<DayOfWeek>,
        /// Which one in the month.
        index: DayOfWeekIndex,
        /// The month.
        month: Month,
    },
}

/// When a series ends. Dates are calendar dates; EWS appends a zone (`2014-03-08-08:00`) that is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecurrenceRange {
    /// Never.
    NoEnd {
        /// First date.
        start_date: NaiveDate,
    },
    /// On `end_date`.
    EndDate {
        /// First date.
        start_date: NaiveDate,
        /// Last date.
        end_date: NaiveDate,
    },
    /// After `occurrences` occurrences.
    Numbered {
        /// First date.
        start_date: NaiveDate,
        /// Number of occurrences.
        occurrences: u32,
    },
}

impl RecurrenceRange {
    /// The first date of the series.
    pub fn start_date(&self) -> NaiveDate {
        match self {
            Self::NoEnd { start_date }
            | Self::EndDate { start_date, .. }
            | Self::Numbered { start_date, .. } => *start_date,
        }
    }
}

/// A series' `Recurrence`: a pattern and a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    /// How often.
    pub pattern: RecurrencePattern,
    /// Until when.
    pub range: RecurrenceRange,
}

/// Parses a `DaysOfWeek` list (space-separated); unknown words are an error.
pub(crate) fn parse_days_of_week(raw: &str) -> Option<Vec<DayOfWeek>> {
    raw.split_whitespace().map(DayOfWeek::parse).collect()
}

/// Writes a `DaysOfWeek` list.
pub(crate) fn days_of_week_text(days: &[DayOfWeek]) -> String {
    days.iter()
        .map(|day| day.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_of_week_lists_round_trip() {
        let days = parse_days_of_week(" Monday  Wednesday Friday ").unwrap();
        assert_eq!(
            days,
            vec![DayOfWeek::Monday, DayOfWeek::Wednesday, DayOfWeek::Friday]
        );
        assert_eq!(days_of_week_text(&days), "Monday Wednesday Friday");
        assert_eq!(parse_days_of_week("Monday Funday"), None);
    }
}
