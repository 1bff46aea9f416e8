//! Occurrences of a recurring master: where instance N falls, and which instances overlap a window.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::item::StoredItem;
use super::recurrence::Recurrence;
use crate::response_code::ResponseCode;
use crate::time::local_to_utc;

/// One expanded occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// 1-based instance index.
    pub index: u32,
    /// Start of this instance.
    pub start: DateTime<Utc>,
    /// End of this instance.
    pub end: DateTime<Utc>,
}

fn instance(master: &StoredItem, index: u32, date: NaiveDate) -> Occurrence {
    let zone = master.zone().unwrap_or(Tz::UTC);
    let time_of_day = master.start().with_timezone(&zone).time();
    let start = local_to_utc(date.and_time(time_of_day), zone);
    Occurrence {
        index,
        start,
        end: start + (master.end() - master.start()),
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

/// Non-deleted instances that overlap `[from, to)` (ending after `from`, starting before `to`).
pub fn occurrences_overlapping(
    master: &StoredItem,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Occurrence> {
    let Some(recurrence) = series(master) else {
        return Vec::new();
    };
    let last_date = (to + Duration::days(1)).date_naive();
    recurrence
        .dates()
        .take_while(|(_, date)| *date <= last_date)
        .filter(|(index, _)| !master.deleted_occurrences.contains(index))
        .map(|(index, date)| instance(master, index, date))
        .filter(|occurrence| occurrence.end > from && occurrence.start < to)
        .collect()
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
                .map(|date| instance(master, *index, date).start)
        })
        .collect()
}
