//! Which appointments a window listing includes, and the instant it orders them by.
//!
//! A single appointment is listed when it shares an instant with the window. A series is not
//! expanded: it is listed when its first occurrence starts before the window's end and its rule
//! may still place an occurrence that runs at or after the window's start, or when one of its
//! modified occurrences overlaps the window.

use chrono::{DateTime, NaiveDate, Utc};
use ohsync_officeheart::{Appointment, AppointmentData, ExceptionKind, TimeWindow};

/// The instant `appointment` is ordered by (its first occurrence's start) when `window` lists it.
pub(crate) fn listed_at(appointment: &Appointment, window: &TimeWindow) -> Option<DateTime<Utc>> {
    let data = &appointment.data;
    let (start, end) = data.schedule.bounds(data.time_zone);
    let listed = match &data.recurrence {
        None => window.overlaps(start, end),
        Some(rule) => {
            (start < window.to() && may_run_at(rule, data, window.from() - (end - start)))
                || moved_into(data, window)
        }
    };
    listed.then_some(start)
}

/// Whether `rule` may place an occurrence starting at or after `earliest_start`: the start of an
/// occurrence that still runs at the window's start. UNTIL is the last day an occurrence may
/// start, in the appointment's zone.
fn may_run_at(rule: &str, data: &AppointmentData, earliest_start: DateTime<Utc>) -> bool {
    // COUNT, no end, or an UNTIL that is not a date: listing a series too often is harmless to
    // a client, leaving one out is not.
    until_date(rule)
        .is_none_or(|until| until >= earliest_start.with_timezone(&data.time_zone).date_naive())
}

/// The date of `UNTIL=YYYYMMDD[THHMMSS[Z]]`; `None` when the rule has no date there.
fn until_date(rule: &str) -> Option<NaiveDate> {
    let value = rule
        .split(';')
        .find_map(|part| part.strip_prefix("UNTIL="))?;
    NaiveDate::parse_from_str(value.get(..8)?, "%Y%m%d").ok()
}

/// Whether a modified occurrence, which may lie outside the rule's range, overlaps the window.
fn moved_into(data: &AppointmentData, window: &TimeWindow) -> bool {
    data.exceptions
        .iter()
        .any(|exception| match &exception.kind {
            ExceptionKind::Modified(occurrence) => {
                let (start, end) = occurrence.schedule.bounds(data.time_zone);
                window.overlaps(start, end)
            }
            ExceptionKind::Cancelled => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn until_is_read_as_a_date_with_or_without_a_time() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 31);
        assert_eq!(until_date("FREQ=DAILY;UNTIL=20260331"), date);
        assert_eq!(
            until_date("FREQ=DAILY;UNTIL=20260331T235959Z;INTERVAL=2"),
            date
        );
        assert_eq!(until_date("FREQ=DAILY;COUNT=3"), None);
        assert_eq!(until_date("FREQ=DAILY;UNTIL=soon"), None);
        assert_eq!(until_date("FREQ=DAILY;UNTIL=2026"), None);
    }
}
