//! Occurrences of a recurring master: where instance N falls (moved, if it is an exception), which
//! instances overlap a window, and the rules for moving or deleting one instance.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::item::StoredItem;
use super::recurrence::Recurrence;
use super::schema::{FieldIndex, field};
use crate::response_code::ResponseCode;
use crate::time::{local_to_utc, parse_instant};

/// One expanded occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// 1-based instance index.
    pub index: u32,
    /// Start of this instance (an exception's own start when it was moved).
    pub start: DateTime<Utc>,
    /// End of this instance.
    pub end: DateTime<Utc>,
    /// Where the series puts this instance (OriginalStart, RecurrenceId).
    pub original_start: DateTime<Utc>,
}

fn instance(master: &StoredItem, index: u32, date: NaiveDate) -> Occurrence {
    let zone = master.zone().unwrap_or(Tz::UTC);
    let time_of_day = master.start().with_timezone(&zone).time();
    let original_start = local_to_utc(date.and_time(time_of_day), zone);
    let original_end = original_start + (master.end() - master.start());
    let overridden = |index_of: FieldIndex| {
        master
            .exceptions
            .get(&index)
            .and_then(|exception| exception.fields.get(&index_of))
            .and_then(Option::as_ref)
            .and_then(|element| parse_instant(element.text().trim()))
    };
    Occurrence {
        index,
        start: overridden(field::start()).unwrap_or(original_start),
        end: overridden(field::end()).unwrap_or(original_end),
        original_start,
    }
}

fn series(master: &StoredItem) -> Option<Recurrence> {
    master.recurrence().and_then(Result::ok)
}

/// Instance `index` of a master, or the error Exchange gives for it.
pub fn occurrence_at(master: &StoredItem, index: u32) -> Result<Occurrence, ResponseCode> {
    let recurrence = series(master).ok_or(ResponseCode::ErrorItemNotFound)?;
    let date = recurrence
        .nth(index)
        .ok_or(ResponseCode::ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange)?;
    if master.deleted_occurrences.contains(&index) {
        return Err(ResponseCode::ErrorCalendarOccurrenceIsDeletedFromRecurrence);
    }
    Ok(instance(master, index, date))
}

/// Non-deleted instances that overlap `[from, to)` (ending after `from`, starting before `to`), at
/// their current times: a moved exception can leave or enter the window.
pub fn occurrences_overlapping(
    master: &StoredItem,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Occurrence> {
    let Some(recurrence) = series(master) else {
        return Vec::new();
    };
    let last_date = (to + Duration::days(1)).date_naive();
    let dates: Vec<(u32, NaiveDate)> = recurrence
        .dates()
        .take_while(|(_, date)| *date <= last_date)
        .collect();
    let covered = dates.last().map_or(0, |(index, _)| *index);
    let mut found: Vec<Occurrence> = dates
        .into_iter()
        .filter(|(index, _)| !master.deleted_occurrences.contains(index))
        .map(|(index, date)| instance(master, index, date))
        .collect();
    // An exception moved earlier may come from an instance dated after the window.
    found.extend(
        master
            .exceptions
            .keys()
            .filter(|index| **index > covered)
            .filter_map(|index| occurrence_at(master, *index).ok()),
    );
    found.retain(|occurrence| occurrence.end > from && occurrence.start < to);
    found
}

/// The first and (for bounded series) last instance, for FirstOccurrence / LastOccurrence.
pub fn bounds(master: &StoredItem) -> (Option<Occurrence>, Option<Occurrence>) {
    let Some(recurrence) = series(master) else {
        return (None, None);
    };
    let first = recurrence
        .dates()
        .next()
        .map(|(index, date)| instance(master, index, date));
    let last = recurrence
        .last()
        .map(|(index, date)| instance(master, index, date));
    (first, last)
}

/// The start of every deleted instance, for DeletedOccurrences.
pub fn deleted_starts(master: &StoredItem) -> Vec<DateTime<Utc>> {
    let Some(recurrence) = series(master) else {
        return Vec::new();
    };
    master
        .deleted_occurrences
        .iter()
        .filter_map(|index| {
            recurrence
                .nth(*index)
                .map(|date| instance(master, *index, date).original_start)
        })
        .collect()
}

/// Every modified instance in index order, for ModifiedOccurrences.
pub fn modified(master: &StoredItem) -> Vec<Occurrence> {
    master
        .exceptions
        .keys()
        .filter_map(|index| occurrence_at(master, *index).ok())
        .collect()
}

/// Exchange refuses to move an instance onto or past the day of the instance before or after it
/// (deleted instances do not count); days are those of the series' zone.
pub fn check_move(
    master: &StoredItem,
    index: u32,
    new_start: DateTime<Utc>,
) -> Result<(), ResponseCode> {
    let recurrence = series(master).ok_or(ResponseCode::ErrorItemNotFound)?;
    let zone = master.zone().unwrap_or(Tz::UTC);
    let day = |instant: DateTime<Utc>| instant.with_timezone(&zone).date_naive();
    let live = |(candidate, _): &(u32, NaiveDate)| !master.deleted_occurrences.contains(candidate);
    let previous = recurrence
        .dates()
        .take_while(|(candidate, _)| *candidate < index)
        .filter(live)
        .last();
    let next = recurrence
        .dates()
        .skip_while(|(candidate, _)| *candidate <= index)
        .find(live);
    let new_day = day(new_start);
    let day_of = |(candidate, date): (u32, NaiveDate)| day(instance(master, candidate, date).start);
    if previous.is_some_and(|adjacent| day_of(adjacent) >= new_day)
        || next.is_some_and(|adjacent| day_of(adjacent) <= new_day)
    {
        return Err(ResponseCode::ErrorOccurrenceCrossingBoundary);
    }
    Ok(())
}

/// Removes instance `index` from the series, dropping its exception if it was modified.
pub fn delete_occurrence(master: &mut StoredItem, index: u32) -> Result<(), ResponseCode> {
    occurrence_at(master, index)?;
    master.exceptions.remove(&index);
    master.deleted_occurrences.insert(index);
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::Utc;

    use super::*;
    use crate::xml::{Element, parse};

    /// A weekly series of six on Mondays 2030-03-04 … 2030-04-08, 09:00–10:00 UTC.
    pub(crate) fn weekly() -> StoredItem {
        let mut master = StoredItem::new(1, Utc::now(), "t");
        master.set_field(field::subject(), Element::with_text("Subject", "Weekly"), 1);
        master.set_field(
            field::start(),
            Element::with_text("Start", "2030-03-04T09:00:00Z"),
            1,
        );
        master.set_field(
            field::end(),
            Element::with_text("End", "2030-03-04T10:00:00Z"),
            1,
        );
        let recurrence = parse(
            "<Recurrence><WeeklyRecurrence><Interval>1</Interval><DaysOfWeek>Monday</DaysOfWeek></WeeklyRecurrence>\
             <NumberedRecurrence><StartDate>2030-03-04</StartDate><NumberOfOccurrences>6</NumberOfOccurrences></NumberedRecurrence></Recurrence>",
        )
        .unwrap();
        master.set_field(field::recurrence(), recurrence, 1);
        master.version = 1;
        master
    }

    fn at(text: &str) -> DateTime<Utc> {
        parse_instant(text).unwrap()
    }

    #[test]
    fn moves_stay_strictly_between_the_days_of_the_neighbours() {
        let master = weekly();
        assert_eq!(check_move(&master, 3, at("2030-03-12T00:00:00Z")), Ok(()));
        assert_eq!(check_move(&master, 3, at("2030-03-24T23:59:00Z")), Ok(()));
        for crossing in [
            "2030-03-11T23:00:00Z",
            "2030-03-25T00:00:00Z",
            "2030-04-01T09:00:00Z",
        ] {
            assert_eq!(
                check_move(&master, 3, at(crossing)),
                Err(ResponseCode::ErrorOccurrenceCrossingBoundary),
                "{crossing}"
            );
        }
        assert_eq!(
            check_move(&master, 1, at("2030-03-01T09:00:00Z")),
            Ok(()),
            "the first has no previous"
        );
        assert_eq!(
            check_move(&master, 6, at("2030-05-01T09:00:00Z")),
            Ok(()),
            "the last has no next"
        );
    }

    #[test]
    fn deleting_instances_marks_them_and_reports_their_original_start() {
        let mut master = weekly();
        delete_occurrence(&mut master, 2).unwrap();
        assert_eq!(deleted_starts(&master), vec![at("2030-03-11T09:00:00Z")]);
        assert_eq!(
            delete_occurrence(&mut master, 2),
            Err(ResponseCode::ErrorCalendarOccurrenceIsDeletedFromRecurrence)
        );
        assert_eq!(
            delete_occurrence(&mut master, 7),
            Err(ResponseCode::ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange)
        );
        let window = occurrences_overlapping(
            &master,
            at("2030-03-01T00:00:00Z"),
            at("2030-03-19T00:00:00Z"),
        );
        assert_eq!(
            window.iter().map(|o| o.index).collect::<Vec<_>>(),
            vec![1, 3]
        );
        assert!(modified(&master).is_empty());
    }
}
