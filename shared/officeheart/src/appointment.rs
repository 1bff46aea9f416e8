//! The appointment resource: the writable fields (the body of create and update) and the
//! representation OfficeHeart returns.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::contract::limits;
use crate::exception::{Exception, validate_exceptions};
use crate::ids::{AppointmentId, Version};
use crate::invalid_field::{InvalidField, check_text, invalid};
use crate::schedule::Schedule;

/// How the time shows in the user's free/busy information.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShowAs {
    /// Available.
    Free,
    /// Tentatively booked.
    Tentative,
    /// Booked (the default).
    #[default]
    Busy,
    /// Away from the office.
    OutOfOffice,
    /// Working, but elsewhere.
    WorkingElsewhere,
}

impl ShowAs {
    /// Every value, in the order the contract lists them.
    pub const ALL: [Self; 5] = [
        Self::Free,
        Self::Tentative,
        Self::Busy,
        Self::OutOfOffice,
        Self::WorkingElsewhere,
    ];
}

/// The fields a client writes: the body of `POST` (create) and `PUT` (full replacement).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentData {
    /// The title.
    pub subject: String,
    /// Free-text location.
    #[serde(default)]
    pub location: String,
    /// Plain-text description.
    #[serde(default)]
    pub body: String,
    /// When it takes place (`start`, `end`, `all_day` on the wire).
    #[serde(flatten)]
    pub schedule: Schedule,
    /// The IANA zone the appointment was planned in; all-day dates are days in this zone.
    pub time_zone: Tz,
    /// Hidden from other users' views of this agenda.
    #[serde(default)]
    pub private: bool,
    /// Free/busy status.
    #[serde(default)]
    pub show_as: ShowAs,
    /// Minutes before the start to remind; `None` for no reminder.
    #[serde(default)]
    pub reminder_minutes: Option<u32>,
    /// Category names, in the user's order.
    #[serde(default)]
    pub categories: Vec<String>,
    /// An RFC 5545 RRULE value (without `RRULE:`), stored unchanged; makes this a series whose
    /// first occurrence is `schedule`.
    #[serde(default)]
    pub recurrence: Option<String>,
    /// The series' cancelled and modified occurrences; empty unless `recurrence` is set.
    #[serde(default)]
    pub exceptions: Vec<Exception>,
    /// The id of the same appointment in another system (ohsync: the Exchange UID).
    #[serde(default)]
    pub external_ref: Option<String>,
}

/// An appointment as OfficeHeart stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    /// Assigned by OfficeHeart.
    pub id: AppointmentId,
    /// Changes on every write; the `ETag` of the resource.
    pub version: Version,
    /// The writable fields.
    #[serde(flatten)]
    pub data: AppointmentData,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last written.
    pub updated_at: DateTime<Utc>,
}

impl AppointmentData {
    /// An appointment with `subject` at `schedule`, planned in `time_zone`, and nothing else:
    /// no location, body, reminder, categories, recurrence or exceptions; busy; not private.
    pub fn new(subject: impl Into<String>, schedule: Schedule, time_zone: Tz) -> Self {
        Self {
            subject: subject.into(),
            location: String::new(),
            body: String::new(),
            schedule,
            time_zone,
            private: false,
            show_as: ShowAs::default(),
            reminder_minutes: None,
            categories: Vec::new(),
            recurrence: None,
            exceptions: Vec::new(),
            external_ref: None,
        }
    }

    /// Checks the limits the contract documents (lengths, counts, ranges) that types alone do not.
    pub fn validate(&self) -> Result<(), InvalidField> {
        check_text("subject", &self.subject, limits::SUBJECT_CHARS)?;
        check_text("location", &self.location, limits::LOCATION_CHARS)?;
        check_text("body", &self.body, limits::BODY_CHARS)?;
        if self.categories.len() > limits::CATEGORIES {
            return Err(invalid(
                "categories",
                format!("at most {} categories", limits::CATEGORIES),
            ));
        }
        for category in &self.categories {
            if category.trim().is_empty() {
                return Err(invalid(
                    "categories",
                    "a category must not be blank".to_owned(),
                ));
            }
            check_text("categories", category, limits::CATEGORY_CHARS)?;
        }
        if let Some(minutes) = self.reminder_minutes
            && minutes > limits::REMINDER_MINUTES
        {
            return Err(invalid(
                "reminder_minutes",
                format!("at most {}", limits::REMINDER_MINUTES),
            ));
        }
        if let Some(rule) = &self.recurrence {
            check_text("recurrence", rule, limits::RECURRENCE_CHARS)?;
            if !rule.split(';').any(|part| part.starts_with("FREQ=")) {
                return Err(invalid(
                    "recurrence",
                    "an RRULE value needs FREQ=…".to_owned(),
                ));
            }
        }
        if self.recurrence.is_none() && !self.exceptions.is_empty() {
            return Err(invalid(
                "exceptions",
                "only a series (with recurrence) has exceptions",
            ));
        }
        validate_exceptions(&self.exceptions, self.schedule.is_all_day())?;
        if let Some(external_ref) = &self.external_ref {
            check_text("external_ref", external_ref, limits::EXTERNAL_REF_CHARS)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exception::{ExceptionKind, ModifiedOccurrence};

    fn minimal() -> serde_json::Value {
        serde_json::json!({
            "subject": "Overleg",
            "start": "2026-03-02T09:00:00+01:00",
            "end": "2026-03-02T10:00:00+01:00",
            "time_zone": "Europe/Amsterdam"
        })
    }

    #[test]
    fn omitted_optional_fields_take_documented_defaults() {
        let data: AppointmentData = serde_json::from_value(minimal()).unwrap();
        assert_eq!(data.show_as, ShowAs::Busy);
        assert!(!data.private && data.location.is_empty() && data.categories.is_empty());
        assert_eq!(
            (data.reminder_minutes, data.recurrence, data.external_ref),
            (None, None, None)
        );
    }

    #[test]
    fn unknown_time_zones_are_refused() {
        let mut value = minimal();
        value["time_zone"] = "Mars/Olympus".into();
        assert!(serde_json::from_value::<AppointmentData>(value).is_err());
    }

    #[test]
    fn limits_are_enforced() {
        let valid: AppointmentData = serde_json::from_value(minimal()).unwrap();
        assert!(valid.validate().is_ok());
        type Breaker = fn(&mut AppointmentData);
        let cases: [(&str, Breaker); 5] = [
            ("subject", |d| {
                d.subject = "x".repeat(limits::SUBJECT_CHARS + 1)
            }),
            ("reminder_minutes", |d| {
                d.reminder_minutes = Some(limits::REMINDER_MINUTES + 1)
            }),
            ("categories", |d| d.categories = vec![" ".to_owned()]),
            ("recurrence", |d| d.recurrence = Some("BYDAY=MO".to_owned())),
            ("external_ref", |d| {
                d.external_ref = Some("u".repeat(limits::EXTERNAL_REF_CHARS + 1))
            }),
        ];
        for (field, break_it) in cases {
            let mut data = valid.clone();
            break_it(&mut data);
            assert_eq!(data.validate().unwrap_err().field, field);
        }
    }

    /// A weekly series with a cancelled and a moved occurrence.
    fn series() -> AppointmentData {
        let mut value = minimal();
        value["recurrence"] = "FREQ=WEEKLY;BYDAY=MO;COUNT=10".into();
        value["exceptions"] = serde_json::json!([
            { "original_date": "2026-03-09", "kind": "cancelled" },
            {
                "original_date": "2026-03-16", "kind": "modified",
                "start": "2026-03-17T09:00:00+01:00", "end": "2026-03-17T10:00:00+01:00",
                "all_day": false, "subject": "Overleg (dinsdag)", "location": "Kamer 2.14"
            }
        ]);
        serde_json::from_value(value).unwrap()
    }

    fn modified(data: &mut AppointmentData) -> &mut ModifiedOccurrence {
        match &mut data.exceptions[1].kind {
            ExceptionKind::Modified(occurrence) => occurrence,
            ExceptionKind::Cancelled => unreachable!("the second exception is modified"),
        }
    }

    #[test]
    fn a_series_with_exceptions_is_valid_and_exceptions_default_to_none() {
        assert!(series().validate().is_ok());
        let single: AppointmentData = serde_json::from_value(minimal()).unwrap();
        assert!(single.exceptions.is_empty());
        assert_eq!(
            serde_json::to_value(&single).unwrap()["exceptions"],
            serde_json::json!([])
        );
    }

    #[test]
    fn invalid_exceptions_are_refused_naming_the_field() {
        type Breaker = fn(&mut AppointmentData);
        let cases: [(&str, Breaker); 7] = [
            ("exceptions", |d| d.recurrence = None),
            ("exceptions", |d| {
                let extra = (0..limits::EXCEPTIONS).map(|n| {
                    let day = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()
                        + chrono::Days::new(u64::try_from(n).unwrap());
                    Exception::cancelled(day)
                });
                d.exceptions.extend(extra);
            }),
            ("exceptions[2].original_date", |d| {
                let again = Exception::cancelled(d.exceptions[1].original_date);
                d.exceptions.push(again);
            }),
            ("exceptions[1].all_day", |d| {
                let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 17).unwrap();
                modified(d).schedule = Schedule::all_day(day, day.succ_opt().unwrap()).unwrap();
            }),
            ("exceptions[1].subject", |d| {
                modified(d).subject = "x".repeat(limits::SUBJECT_CHARS + 1)
            }),
            ("exceptions[1].location", |d| {
                modified(d).location = "x".repeat(limits::LOCATION_CHARS + 1)
            }),
            ("exceptions[1].all_day", |d| {
                // An all-day series whose modified occurrence is timed.
                let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
                d.schedule = Schedule::all_day(day, day.succ_opt().unwrap()).unwrap();
            }),
        ];
        for (field, break_it) in cases {
            let mut data = series();
            break_it(&mut data);
            assert_eq!(data.validate().unwrap_err().field, field);
        }
    }

    #[test]
    fn exactly_the_limit_of_exceptions_is_accepted() {
        let mut data = series();
        let start = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        data.exceptions = (0..limits::EXCEPTIONS)
            .map(|n| Exception::cancelled(start + chrono::Days::new(u64::try_from(n).unwrap())))
            .collect();
        assert!(data.validate().is_ok());
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let mut data: AppointmentData = serde_json::from_value(minimal()).unwrap();
        data.subject = "é".repeat(limits::SUBJECT_CHARS);
        assert!(data.validate().is_ok());
    }
}
