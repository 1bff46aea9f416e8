//! A series' recurrence as an opaque, stable text: how a series ohsync cannot sync is carried
//! (`Recurrence::Unsupported`).
//!
//! The engine never translates such a series, but it hashes its content: the text must be the same
//! for an unchanged series on every read, and differ when anything about the series changes — its
//! pattern, its range, or a single occurrence moved or deleted. Occurrence ids are left out (they
//! say nothing about the schedule), and exceptions are sorted.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, SecondsFormat};
use ohsync_ews::CalendarItem;
use ohsync_ews::model::{DayOfWeek, Recurrence, RecurrencePattern, RecurrenceRange};

/// The version tag that starts every blob; bump it when the encoding changes.
const VERSION: &str = "ews-recurrence/1";

/// The recurrence of a series, or `None` for a single item.
pub fn recurrence_blob(item: &CalendarItem) -> Option<String> {
    if item.recurrence.is_none() && !item.is_recurring_master() {
        return None;
    }
    let mut text = String::from(VERSION);
    match &item.recurrence {
        Some(recurrence) => write_recurrence(&mut text, recurrence),
        // A master whose rule was not returned still is a series.
        None => text.push_str("|rule=unknown"),
    }
    let mut modified: Vec<String> = item
        .modified_occurrences
        .iter()
        .map(|occurrence| {
            format!(
                "{}={}/{}",
                instant(occurrence.original_start.or(occurrence.start)),
                instant(occurrence.start),
                instant(occurrence.end)
            )
        })
        .collect();
    modified.sort();
    let mut deleted: Vec<String> = item
        .deleted_occurrences
        .iter()
        .map(|occurrence| instant(Some(occurrence.start)))
        .collect();
    deleted.sort();
    let _ = write!(
        text,
        "|modified={}|deleted={}",
        modified.join(","),
        deleted.join(",")
    );
    Some(text)
}

fn instant(at: Option<DateTime<FixedOffset>>) -> String {
    at.map(|at| at.to_utc().to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_else(|| "?".to_owned())
}

fn days(days: &[DayOfWeek]) -> String {
    days.iter()
        .map(|day| day.as_str())
        .collect::<Vec<_>>()
        .join("+")
}

// Writing into a String cannot fail; the results of write! are discarded for that reason.
fn write_recurrence(text: &mut String, recurrence: &Recurrence) {
    match &recurrence.pattern {
        RecurrencePattern::Daily { interval } => {
            let _ = write!(text, "|Daily;interval={interval}");
        }
        RecurrencePattern::Weekly {
            interval,
            days_of_week,
            first_day_of_week,
        } => {
            let _ = write!(
                text,
                "|Weekly;interval={interval};days={};first={}",
                days(days_of_week),
                first_day_of_week.map_or("", DayOfWeek::as_str)
            );
        }
        RecurrencePattern::AbsoluteMonthly {
            interval,
            day_of_month,
        } => {
            let _ = write!(
                text,
                "|AbsoluteMonthly;interval={interval};day={day_of_month}"
            );
        }
        RecurrencePattern::RelativeMonthly {
            interval,
            days_of_week,
            index,
        } => {
            let _ = write!(
                text,
                "|RelativeMonthly;interval={interval};days={};index={index}",
                days(days_of_week)
            );
        }
        RecurrencePattern::AbsoluteYearly {
            day_of_month,
            month,
        } => {
            let _ = write!(text, "|AbsoluteYearly;day={day_of_month};month={month}");
        }
        RecurrencePattern::RelativeYearly {
            days_of_week,
            index,
            month,
        } => {
            let _ = write!(
                text,
                "|RelativeYearly;days={};index={index};month={month}",
                days(days_of_week)
            );
        }
    }
    match &recurrence.range {
        RecurrenceRange::NoEnd { start_date } => {
            let _ = write!(text, "|NoEnd;start={start_date}");
        }
        RecurrenceRange::EndDate {
            start_date,
            end_date,
        } => {
            let _ = write!(text, "|EndDate;start={start_date};end={end_date}");
        }
        RecurrenceRange::Numbered {
            start_date,
            occurrences,
        } => {
            let _ = write!(text, "|Numbered;start={start_date};count={occurrences}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use ohsync_ews::model::{
        CalendarItemType, DayOfWeekIndex, DeletedOccurrence, Month, OccurrenceInfo,
    };

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    fn weekly_master() -> CalendarItem {
        CalendarItem {
            calendar_item_type: Some(CalendarItemType::RecurringMaster),
            recurrence: Some(Recurrence {
                pattern: RecurrencePattern::Weekly {
                    interval: 1,
                    days_of_week: vec![DayOfWeek::Monday, DayOfWeek::Thursday],
                    first_day_of_week: Some(DayOfWeek::Monday),
                },
                range: RecurrenceRange::Numbered {
                    start_date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
                    occurrences: 10,
                },
            }),
            ..CalendarItem::default()
        }
    }

    #[test]
    fn singles_have_no_recurrence() {
        assert_eq!(recurrence_blob(&CalendarItem::default()), None);
    }

    #[test]
    fn the_blob_spells_out_pattern_and_range() {
        let blob = recurrence_blob(&weekly_master()).unwrap();
        assert_eq!(
            blob,
            "ews-recurrence/1|Weekly;interval=1;days=Monday+Thursday;first=Monday|Numbered;start=2026-03-02;count=10|modified=|deleted="
        );
    }

    #[test]
    fn exception_order_and_offsets_do_not_change_the_blob() {
        let mut one = weekly_master();
        one.modified_occurrences = vec![
            OccurrenceInfo {
                original_start: Some(at("2026-03-05T09:00:00Z")),
                start: Some(at("2026-03-05T13:00:00+02:00")),
                end: Some(at("2026-03-05T14:00:00+02:00")),
                ..OccurrenceInfo::default()
            },
            OccurrenceInfo {
                original_start: Some(at("2026-03-02T09:00:00Z")),
                start: Some(at("2026-03-02T10:00:00Z")),
                end: Some(at("2026-03-02T11:00:00Z")),
                ..OccurrenceInfo::default()
            },
        ];
        one.deleted_occurrences = vec![
            DeletedOccurrence {
                start: at("2026-03-12T09:00:00Z"),
            },
            DeletedOccurrence {
                start: at("2026-03-09T10:00:00+01:00"),
            },
        ];
        let mut other = one.clone();
        other.modified_occurrences.reverse();
        other.deleted_occurrences.reverse();
        // The same moved occurrence, its times written in UTC instead of +02:00.
        let moved = &mut other.modified_occurrences[1];
        assert_eq!(moved.original_start, Some(at("2026-03-05T09:00:00Z")));
        moved.start = Some(at("2026-03-05T11:00:00Z"));
        moved.end = Some(at("2026-03-05T12:00:00Z"));
        assert_eq!(recurrence_blob(&one), recurrence_blob(&other));
        assert!(
            recurrence_blob(&one)
                .unwrap()
                .ends_with("|deleted=2026-03-09T09:00:00Z,2026-03-12T09:00:00Z")
        );
    }

    #[test]
    fn every_change_to_the_series_changes_the_blob() {
        let base = recurrence_blob(&weekly_master());
        let mut variants = Vec::new();
        let mut moved = weekly_master();
        moved.modified_occurrences.push(OccurrenceInfo {
            original_start: Some(at("2026-03-05T09:00:00Z")),
            start: Some(at("2026-03-05T10:00:00Z")),
            end: Some(at("2026-03-05T11:00:00Z")),
            ..OccurrenceInfo::default()
        });
        variants.push(moved);
        let mut deleted = weekly_master();
        deleted.deleted_occurrences.push(DeletedOccurrence {
            start: at("2026-03-05T09:00:00Z"),
        });
        variants.push(deleted);
        let mut longer = weekly_master();
        if let Some(recurrence) = &mut longer.recurrence {
            recurrence.range = RecurrenceRange::Numbered {
                start_date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
                occurrences: 11,
            };
        }
        variants.push(longer);
        let mut monthly = weekly_master();
        if let Some(recurrence) = &mut monthly.recurrence {
            recurrence.pattern = RecurrencePattern::RelativeYearly {
                days_of_week: vec![DayOfWeek::Monday],
                index: DayOfWeekIndex::Last,
                month: Month::May,
            };
        }
        variants.push(monthly);
        for variant in variants {
            assert_ne!(recurrence_blob(&variant), base, "{variant:?}");
        }
    }

    #[test]
    fn a_master_without_its_rule_still_is_a_series() {
        let master = CalendarItem {
            calendar_item_type: Some(CalendarItemType::RecurringMaster),
            ..CalendarItem::default()
        };
        assert_eq!(
            recurrence_blob(&master).unwrap(),
            "ews-recurrence/1|rule=unknown|modified=|deleted="
        );
    }
}
