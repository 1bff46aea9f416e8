//! A recurring series' exceptions: occurrences that were cancelled or take place differently.
//!
//! Each names its occurrence by `original_date`, the day (in the appointment's `time_zone`) on
//! which the rule places it. Every supported pattern has at most one occurrence per day, so the
//! date identifies the occurrence, and it stays valid when the series' time of day changes.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::contract::limits;
use crate::invalid_field::{InvalidField, check_text, invalid};
use crate::schedule::Schedule;

/// One changed or cancelled occurrence of a series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exception {
    /// The day the rule places the occurrence on, in the appointment's time zone.
    pub original_date: NaiveDate,
    /// What happens to that occurrence (`kind` on the wire).
    #[serde(flatten)]
    pub kind: ExceptionKind,
}

/// What happens to an occurrence named by an [`Exception`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExceptionKind {
    /// The occurrence does not take place.
    Cancelled,
    /// The occurrence takes place with these values instead of the series'.
    Modified(ModifiedOccurrence),
}

/// The full values of an occurrence that differs from its series (not a diff).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifiedOccurrence {
    /// When this occurrence takes place; all-day exactly when the series is.
    #[serde(flatten)]
    pub schedule: Schedule,
    /// The occurrence's title.
    pub subject: String,
    /// The occurrence's location.
    #[serde(default)]
    pub location: String,
}

impl Exception {
    /// A cancelled occurrence on `original_date`.
    pub fn cancelled(original_date: NaiveDate) -> Self {
        Self {
            original_date,
            kind: ExceptionKind::Cancelled,
        }
    }

    /// The occurrence on `original_date`, taking place as `occurrence` says.
    pub fn modified(original_date: NaiveDate, occurrence: ModifiedOccurrence) -> Self {
        Self {
            original_date,
            kind: ExceptionKind::Modified(occurrence),
        }
    }
}

impl ModifiedOccurrence {
    /// Checks the limits the contract documents; `all_day` is the series'.
    fn validate(&self, all_day: bool) -> Result<(), InvalidField> {
        if self.schedule.is_all_day() != all_day {
            return Err(invalid(
                "all_day",
                format!("must equal the appointment's all_day ({all_day})"),
            ));
        }
        check_text("subject", &self.subject, limits::SUBJECT_CHARS)?;
        check_text("location", &self.location, limits::LOCATION_CHARS)
    }
}

/// Checks a series' exceptions: at most [`limits::EXCEPTIONS`], one per `original_date`, and
/// each modified occurrence within the appointment's limits. `all_day` is the series'.
pub(crate) fn validate_exceptions(
    exceptions: &[Exception],
    all_day: bool,
) -> Result<(), InvalidField> {
    if exceptions.len() > limits::EXCEPTIONS {
        return Err(invalid(
            "exceptions",
            format!("at most {} exceptions", limits::EXCEPTIONS),
        ));
    }
    let mut dates = HashSet::with_capacity(exceptions.len());
    for (index, exception) in exceptions.iter().enumerate() {
        let at = || format!("exceptions[{index}]");
        if !dates.insert(exception.original_date) {
            return Err(invalid(
                format!("{}.original_date", at()),
                "another exception has the same original_date",
            ));
        }
        if let ExceptionKind::Modified(occurrence) = &exception.kind {
            occurrence
                .validate(all_day)
                .map_err(|error| error.within(&at()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn moved() -> Exception {
        let at = |text| chrono::DateTime::parse_from_rfc3339(text).unwrap();
        Exception::modified(
            day("2026-03-11"),
            ModifiedOccurrence {
                schedule: Schedule::timed(
                    at("2026-03-11T14:00:00+01:00"),
                    at("2026-03-11T15:00:00+01:00"),
                )
                .unwrap(),
                subject: "Overleg (verzet)".to_owned(),
                location: "Kamer 2.14".to_owned(),
            },
        )
    }

    #[test]
    fn a_cancelled_occurrence_is_its_date_and_kind() {
        let text = r#"{"original_date":"2026-03-09","kind":"cancelled"}"#;
        let cancelled = Exception::cancelled(day("2026-03-09"));
        assert_eq!(serde_json::to_string(&cancelled).unwrap(), text);
        assert_eq!(serde_json::from_str::<Exception>(text).unwrap(), cancelled);
    }

    #[test]
    fn a_modified_occurrence_carries_its_flat_schedule_subject_and_location() {
        let text = concat!(
            r#"{"original_date":"2026-03-11","kind":"modified","#,
            r#""start":"2026-03-11T14:00:00+01:00","end":"2026-03-11T15:00:00+01:00","#,
            r#""all_day":false,"subject":"Overleg (verzet)","location":"Kamer 2.14"}"#
        );
        assert_eq!(serde_json::to_string(&moved()).unwrap(), text);
        assert_eq!(serde_json::from_str::<Exception>(text).unwrap(), moved());
    }

    #[test]
    fn an_all_day_modified_occurrence_has_dates_and_location_defaults_to_empty() {
        let read: Exception = serde_json::from_str(
            r#"{"kind":"modified","original_date":"2026-03-11","start":"2026-03-12",
                "end":"2026-03-13","all_day":true,"subject":"Heidag"}"#,
        )
        .unwrap();
        let expected = Exception::modified(
            day("2026-03-11"),
            ModifiedOccurrence {
                schedule: Schedule::all_day(day("2026-03-12"), day("2026-03-13")).unwrap(),
                subject: "Heidag".to_owned(),
                location: String::new(),
            },
        );
        assert_eq!(read, expected);
    }

    #[test]
    fn malformed_exceptions_do_not_parse() {
        let refused = [
            // No kind, an unknown kind, a date-time as original_date.
            r#"{"original_date":"2026-03-09"}"#,
            r#"{"original_date":"2026-03-09","kind":"moved"}"#,
            r#"{"original_date":"2026-03-09T09:00:00Z","kind":"cancelled"}"#,
            // A modified occurrence needs its schedule and subject; its end follows its start.
            r#"{"original_date":"2026-03-09","kind":"modified","subject":"x"}"#,
            r#"{"original_date":"2026-03-09","kind":"modified","start":"2026-03-09T10:00:00Z","end":"2026-03-09T11:00:00Z"}"#,
            r#"{"original_date":"2026-03-09","kind":"modified","start":"2026-03-09T10:00:00Z","end":"2026-03-09T09:00:00Z","subject":"x"}"#,
        ];
        for text in refused {
            assert!(serde_json::from_str::<Exception>(text).is_err(), "{text}");
        }
    }
}
