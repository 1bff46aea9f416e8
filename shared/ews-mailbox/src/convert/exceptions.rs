//! A series' exceptions → the occurrence writes that follow the master's own write.
//!
//! Setting a master's `Recurrence` leaves the series without exceptions (Exchange drops them all),
//! so after that one request each cancelled occurrence is deleted and each modified one edited,
//! addressed by its 1-based instance index. Exchange refuses to move an occurrence onto or past
//! the day of the occurrence before or after it (`ErrorOccurrenceCrossingBoundary`); such a
//! series is refused here, before anything is written.

use chrono::NaiveDate;
use chrono_tz::Tz;
use ohsync_engine::appointment::Appointment;
use ohsync_engine::series::{Exception, ModifiedOccurrence, Series};
use ohsync_ews::model::FieldUpdate;

use super::write::{Synced, location, series_with_exceptions, subject};
use super::{ConvertError, Converter};

/// The occurrence writes that give a series, just written with its rule, its exceptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionWrites {
    /// The instance indexes of the cancelled occurrences, earliest first.
    pub cancelled: Vec<u32>,
    /// The instance index and edits of each modified occurrence, earliest first.
    pub modified: Vec<(u32, Vec<FieldUpdate>)>,
}

impl Converter {
    /// The occurrence writes of `appointment`'s exceptions, or `None` when it has none (a single
    /// or a series without exceptions is written whole by one request). Refused when a modified
    /// occurrence would cross a neighbour, which Exchange refuses too.
    pub fn exception_writes(
        &self,
        appointment: &Appointment,
    ) -> Result<Option<ExceptionWrites>, ConvertError> {
        let Some(series) = series_with_exceptions(appointment) else {
            return Ok(None);
        };
        let zone = appointment.time_zone;
        let first = appointment.schedule.first_date(zone);
        check_moves(series, first, zone)?;
        let index = |date: &NaiveDate| {
            series
                .rule()
                .instance_index(first, *date)
                .ok_or(ConvertError::NotAnOccurrence(*date))
        };
        let mut writes = ExceptionWrites {
            cancelled: Vec::new(),
            modified: Vec::new(),
        };
        for (date, exception) in series.exceptions() {
            match exception {
                Exception::Cancelled => writes.cancelled.push(index(date)?),
                Exception::Modified(occurrence) => writes
                    .modified
                    .push((index(date)?, self.occurrence_edits(occurrence, zone))),
            }
        }
        Ok(Some(writes))
    }

    /// Every value of a modified occurrence: its times (all-day exactly when the series is),
    /// subject and location; an empty text is deleted, so the occurrence does not inherit the
    /// series' text.
    fn occurrence_edits(&self, occurrence: &ModifiedOccurrence, zone: Tz) -> Vec<FieldUpdate> {
        self.schedule_fields(&occurrence.schedule, zone)
            .into_iter()
            .chain([subject(&occurrence.subject), location(&occurrence.location)])
            .map(Synced::update)
            .collect()
    }
}

/// Refuses a series whose modified occurrences Exchange would not accept, applied in the order
/// they are sent (earliest original date first) after the cancellations: each must start on a
/// day strictly after the day its previous remaining occurrence is on by then, and strictly
/// before its next one's (Exchange compares the neighbours' current days, moved or not).
fn check_moves(series: &Series, first: NaiveDate, zone: Tz) -> Result<(), ConvertError> {
    let exceptions = series.exceptions();
    let Some(last_moved) = exceptions
        .iter()
        .rev()
        .find_map(|(date, exception)| matches!(exception, Exception::Modified(_)).then_some(*date))
    else {
        return Ok(());
    };
    // (original date, the day it is on now) of each remaining occurrence, up to the one after
    // the last modified occurrence.
    let mut days: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for date in series.rule().dates(first) {
        if !matches!(exceptions.get(&date), Some(Exception::Cancelled)) {
            days.push((date, date));
        }
        if date > last_moved {
            break;
        }
    }
    for (original, exception) in exceptions {
        let Exception::Modified(occurrence) = exception else {
            continue;
        };
        let moved_to = occurrence.schedule.first_date(zone);
        let position = days
            .iter()
            .position(|(date, _)| date == original)
            .ok_or(ConvertError::NotAnOccurrence(*original))?;
        let previous = position
            .checked_sub(1)
            .and_then(|before| days.get(before))
            .map(|(_, day)| *day);
        let next = days.get(position + 1).map(|(_, day)| *day);
        if previous.is_some_and(|day| day >= moved_to) || next.is_some_and(|day| day <= moved_to) {
            return Err(ConvertError::OccurrenceCrossesNeighbour {
                original: *original,
                moved_to,
            });
        }
        if let Some((_, day)) = days.get_mut(position) {
            *day = moved_to;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test")]

    use chrono::{DateTime, Utc};
    use chrono_tz::Europe::Amsterdam;
    use ohsync_engine::appointment::{Categories, DaySpan, Schedule, ShowAs, Text, TimedSpan};
    use ohsync_engine::series::Recurrence;
    use ohsync_ews::ExchangeVersion;
    use ohsync_ews::model::{CalendarField, CalendarFieldName};

    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn timed(start: &str, end: &str) -> Schedule {
        Schedule::Timed(TimedSpan::new(at(start), at(end)).unwrap())
    }

    fn moved(schedule: Schedule, subject: &str, location: &str) -> Exception {
        Exception::Modified(ModifiedOccurrence {
            schedule,
            subject: Text::new(subject),
            location: Text::new(location),
        })
    }

    /// Mondays 10:00–11:00 Amsterdam time from 2 March 2026, five times, with `exceptions`.
    fn weekly(exceptions: Vec<(&str, Exception)>) -> Appointment {
        let rule = "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;WKST=MO;COUNT=5"
            .parse()
            .unwrap();
        let series = Series::new(
            rule,
            date("2026-03-02"),
            exceptions
                .into_iter()
                .map(|(day, exception)| (date(day), exception)),
        )
        .unwrap();
        Appointment {
            subject: Text::new("Overleg"),
            location: Text::new("Kamer 2"),
            body: Text::default(),
            schedule: timed("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
            time_zone: Amsterdam,
            private: false,
            show_as: ShowAs::Busy,
            reminder_minutes: None,
            categories: Categories::default(),
            recurrence: Some(Recurrence::Series(series)),
        }
    }

    fn converter() -> Converter {
        Converter::new(ExchangeVersion::Exchange2016, Amsterdam)
    }

    #[test]
    fn exceptions_become_instance_indexes_and_whole_occurrence_values() {
        let appointment = weekly(vec![
            ("2026-03-16", Exception::Cancelled),
            (
                "2026-03-09",
                moved(
                    timed("2026-03-10T13:00:00Z", "2026-03-10T14:00:00Z"),
                    "Verzet",
                    "",
                ),
            ),
        ]);
        let writes = converter().exception_writes(&appointment).unwrap().unwrap();
        assert_eq!(writes.cancelled, [3]);
        let [(index, edits)] = writes.modified.as_slice() else {
            panic!("{writes:?}");
        };
        assert_eq!(*index, 2);
        assert_eq!(
            edits,
            &[
                FieldUpdate::Set(CalendarField::StartTimeZone(
                    "W. Europe Standard Time".into()
                )),
                FieldUpdate::Set(CalendarField::EndTimeZone("W. Europe Standard Time".into())),
                FieldUpdate::Set(CalendarField::Start(at("2026-03-10T13:00:00Z"))),
                FieldUpdate::Set(CalendarField::End(at("2026-03-10T14:00:00Z"))),
                FieldUpdate::Set(CalendarField::IsAllDayEvent(false)),
                FieldUpdate::Set(CalendarField::Subject("Verzet".into())),
                FieldUpdate::Delete(CalendarFieldName::Location),
            ]
        );
    }

    #[test]
    fn singles_and_series_without_exceptions_need_no_occurrence_writes() {
        let mut single = weekly(vec![]);
        assert_eq!(converter().exception_writes(&single), Ok(None));
        single.recurrence = None;
        assert_eq!(converter().exception_writes(&single), Ok(None));
    }

    #[test]
    fn an_all_day_occurrence_is_written_all_day() {
        let mut appointment = weekly(vec![(
            "2026-03-09",
            moved(
                Schedule::AllDay(DaySpan::new(date("2026-03-11"), date("2026-03-12")).unwrap()),
                "Heidag",
                "Bos",
            ),
        )]);
        appointment.schedule =
            Schedule::AllDay(DaySpan::new(date("2026-03-02"), date("2026-03-03")).unwrap());
        let writes = converter().exception_writes(&appointment).unwrap().unwrap();
        let edits = &writes.modified[0].1;
        assert!(edits.contains(&FieldUpdate::Set(CalendarField::IsAllDayEvent(true))));
        assert!(edits.contains(&FieldUpdate::Set(CalendarField::Start(at(
            "2026-03-10T23:00:00Z"
        )))));
    }

    #[test]
    fn a_move_onto_or_past_a_neighbours_day_is_refused() {
        let onto_next = weekly(vec![(
            "2026-03-09",
            moved(
                timed("2026-03-16T13:00:00Z", "2026-03-16T14:00:00Z"),
                "Te ver",
                "",
            ),
        )]);
        assert_eq!(
            converter().exception_writes(&onto_next),
            Err(ConvertError::OccurrenceCrossesNeighbour {
                original: date("2026-03-09"),
                moved_to: date("2026-03-16"),
            })
        );
        let back_past_previous = weekly(vec![(
            "2026-03-16",
            moved(
                timed("2026-03-06T13:00:00Z", "2026-03-06T14:00:00Z"),
                "Te vroeg",
                "",
            ),
        )]);
        assert!(converter().exception_writes(&back_past_previous).is_err());
    }

    #[test]
    fn a_cancelled_neighbour_leaves_room_and_a_moved_one_is_counted_where_it_went() {
        let past_a_cancelled_one = weekly(vec![
            ("2026-03-16", Exception::Cancelled),
            (
                "2026-03-09",
                moved(
                    timed("2026-03-17T09:00:00Z", "2026-03-17T10:00:00Z"),
                    "Later",
                    "",
                ),
            ),
        ]);
        assert!(converter().exception_writes(&past_a_cancelled_one).is_ok());
        // The 9th moves to the 4th; the 16th may then move back to the 5th, past the 9th's slot.
        let both_early = weekly(vec![
            (
                "2026-03-09",
                moved(
                    timed("2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z"),
                    "Eerder",
                    "",
                ),
            ),
            (
                "2026-03-16",
                moved(
                    timed("2026-03-05T09:00:00Z", "2026-03-05T10:00:00Z"),
                    "Veel eerder",
                    "",
                ),
            ),
        ]);
        assert!(converter().exception_writes(&both_early).is_ok());
        // But not onto the day the 9th moved to.
        let onto_a_moved_one = weekly(vec![
            (
                "2026-03-09",
                moved(
                    timed("2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z"),
                    "Eerder",
                    "",
                ),
            ),
            (
                "2026-03-16",
                moved(
                    timed("2026-03-04T12:00:00Z", "2026-03-04T13:00:00Z"),
                    "Zelfde dag",
                    "",
                ),
            ),
        ]);
        assert!(converter().exception_writes(&onto_a_moved_one).is_err());
    }
}
