//! A master's recurrence → the engine's series: the rule, its cancelled occurrences
//! (`DeletedOccurrences`) and its modified ones (`ModifiedOccurrences`, whose subject and location
//! only a read of the occurrence itself tells).

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;
use ohsync_engine::appointment::{Schedule, Text};
use ohsync_engine::series::{Exception, ModifiedOccurrence, Recurrence, Series};
use ohsync_ews::CalendarItem;
use ohsync_ews::model::OccurrenceInfo;

use super::ConvertError;
use super::recurrence::recurrence_blob;
use super::rule::rule_from_ews;
use super::schedule::read_schedule;

/// The modified occurrences of the masters being read, by ItemId.
pub type OccurrenceDetails = HashMap<String, CalendarItem>;

/// The ItemIds of a master's modified occurrences: what must be read besides the master.
pub fn modified_occurrence_ids(master: &CalendarItem) -> impl Iterator<Item = &str> {
    master
        .modified_occurrences
        .iter()
        .filter_map(|occurrence| occurrence.item_id.as_ref())
        .map(|id| id.id.as_str())
}

/// What makes `item` recur, or `None` for a single item. A rule outside the subset, a master
/// whose rule was not returned, or a first occurrence the rule does not give is carried as
/// [`Recurrence::Unsupported`] (its stable text), never approximated.
pub fn read_recurrence(
    item: &CalendarItem,
    schedule: &Schedule,
    zone: Tz,
    occurrences: &OccurrenceDetails,
) -> Result<Option<Recurrence>, ConvertError> {
    let Some(text) = recurrence_blob(item) else {
        return Ok(None);
    };
    let Some(rule) = item
        .recurrence
        .as_ref()
        .and_then(|recurrence| rule_from_ews(recurrence).ok())
    else {
        return Ok(Some(Recurrence::Unsupported(text)));
    };
    let mut exceptions = Vec::new();
    for deleted in &item.deleted_occurrences {
        exceptions.push((local_date(deleted.start, zone), Exception::Cancelled));
    }
    for modified in &item.modified_occurrences {
        exceptions.push(modified_occurrence(modified, schedule, zone, occurrences)?);
    }
    let first = schedule.first_date(zone);
    Ok(Some(match Series::new(rule, first, exceptions) {
        Some(series) => Recurrence::Series(series),
        None => Recurrence::Unsupported(text),
    }))
}

fn local_date(at: DateTime<FixedOffset>, zone: Tz) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

fn modified_occurrence(
    info: &OccurrenceInfo,
    series_schedule: &Schedule,
    zone: Tz,
    occurrences: &OccurrenceDetails,
) -> Result<(NaiveDate, Exception), ConvertError> {
    let missing = ConvertError::Missing("ModifiedOccurrences/Occurrence");
    let original = info.original_start.ok_or(missing.clone())?;
    let id = info.item_id.as_ref().ok_or(missing)?;
    let details = occurrences
        .get(&id.id)
        .ok_or_else(|| ConvertError::OccurrenceUnread(id.id.clone()))?;
    let start = info
        .start
        .or(details.start)
        .ok_or(ConvertError::Missing("Start"))?;
    let end = info
        .end
        .or(details.end)
        .ok_or(ConvertError::Missing("End"))?;
    let schedule = read_schedule(
        start.to_utc(),
        end.to_utc(),
        series_schedule.is_all_day(),
        zone,
    )?;
    Ok((
        local_date(original, zone),
        Exception::Modified(ModifiedOccurrence {
            schedule,
            subject: Text::new(details.subject.as_deref().unwrap_or_default()),
            location: Text::new(details.location.as_deref().unwrap_or_default()),
        }),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test")]

    use chrono_tz::Europe::Amsterdam;
    use ohsync_engine::appointment::TimedSpan;
    use ohsync_ews::ItemId;
    use ohsync_ews::model::{
        CalendarItemType, DayOfWeek, DeletedOccurrence, Recurrence as EwsRecurrence,
        RecurrencePattern, RecurrenceRange,
    };

    use super::*;

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    /// Mondays and Thursdays at 10:00 Amsterdam time from 2 March 2026, ten times; the first
    /// Thursday (5 March) moved to 14:00 and renamed, the second Monday (9 March) cancelled.
    fn master() -> CalendarItem {
        CalendarItem {
            calendar_item_type: Some(CalendarItemType::RecurringMaster),
            recurrence: Some(EwsRecurrence {
                pattern: RecurrencePattern::Weekly {
                    interval: 1,
                    days_of_week: vec![DayOfWeek::Monday, DayOfWeek::Thursday],
                    first_day_of_week: Some(DayOfWeek::Monday),
                },
                range: RecurrenceRange::Numbered {
                    start_date: date("2026-03-02"),
                    occurrences: 10,
                },
            }),
            modified_occurrences: vec![OccurrenceInfo {
                item_id: Some(ItemId::new("AAMkOcc", "CK9")),
                start: Some(at("2026-03-05T14:00:00+01:00")),
                end: Some(at("2026-03-05T15:00:00+01:00")),
                original_start: Some(at("2026-03-05T09:00:00Z")),
            }],
            deleted_occurrences: vec![DeletedOccurrence {
                start: at("2026-03-09T09:00:00Z"),
            }],
            ..CalendarItem::default()
        }
    }

    fn schedule() -> Schedule {
        Schedule::Timed(
            TimedSpan::new(
                "2026-03-02T09:00:00Z".parse().unwrap(),
                "2026-03-02T10:00:00Z".parse().unwrap(),
            )
            .unwrap(),
        )
    }

    fn details() -> OccurrenceDetails {
        let occurrence = CalendarItem {
            subject: Some("Overleg (verzet)".into()),
            location: Some("Kamer 4".into()),
            ..CalendarItem::default()
        };
        OccurrenceDetails::from([("AAMkOcc".to_owned(), occurrence)])
    }

    #[test]
    fn a_master_reads_into_its_rule_with_cancelled_and_modified_occurrences() {
        let Some(Recurrence::Series(series)) =
            read_recurrence(&master(), &schedule(), Amsterdam, &details()).unwrap()
        else {
            panic!("not a series");
        };
        assert_eq!(
            series.rule().to_string(),
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH;WKST=MO;COUNT=10"
        );
        let moved = Schedule::Timed(
            TimedSpan::new(
                "2026-03-05T13:00:00Z".parse().unwrap(),
                "2026-03-05T14:00:00Z".parse().unwrap(),
            )
            .unwrap(),
        );
        assert_eq!(
            series.exceptions().iter().collect::<Vec<_>>(),
            [
                (
                    &date("2026-03-05"),
                    &Exception::Modified(ModifiedOccurrence {
                        schedule: moved,
                        subject: Text::new("Overleg (verzet)"),
                        location: Text::new("Kamer 4"),
                    })
                ),
                (&date("2026-03-09"), &Exception::Cancelled),
            ]
        );
        assert_eq!(
            modified_occurrence_ids(&master()).collect::<Vec<_>>(),
            ["AAMkOcc"]
        );
    }

    #[test]
    fn a_series_whose_modified_occurrence_was_not_read_is_not_read() {
        assert_eq!(
            read_recurrence(&master(), &schedule(), Amsterdam, &OccurrenceDetails::new()),
            Err(ConvertError::OccurrenceUnread("AAMkOcc".into()))
        );
    }

    #[test]
    fn what_the_subset_cannot_say_is_carried_unsupported() {
        let mut no_rule = master();
        no_rule.recurrence = None;
        let mut off_pattern = master();
        off_pattern.modified_occurrences.clear();
        let tuesday = Schedule::Timed(
            TimedSpan::new(
                "2026-03-03T09:00:00Z".parse().unwrap(),
                "2026-03-03T10:00:00Z".parse().unwrap(),
            )
            .unwrap(),
        );
        for (item, schedule) in [(no_rule, schedule()), (off_pattern, tuesday)] {
            let read = read_recurrence(&item, &schedule, Amsterdam, &details()).unwrap();
            assert!(
                matches!(&read, Some(Recurrence::Unsupported(text)) if text.starts_with("ews-recurrence/1")),
                "{read:?}"
            );
        }
        let single = CalendarItem::default();
        assert_eq!(
            read_recurrence(&single, &schedule(), Amsterdam, &details()),
            Ok(None)
        );
    }
}
