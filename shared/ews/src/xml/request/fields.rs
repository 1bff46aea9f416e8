//! Writing calendar fields: as children of `t:CalendarItem`, and their FieldURIs.

use std::io;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use super::writer::SoapWriter;
use crate::model::{
    CalendarField, CalendarFieldName, ExtendedFieldUri, OHSYNC_TAG_FIELD, OHSYNC_UNFINISHED_FIELD,
    OHSYNC_UNFINISHED_VALUE, Recurrence, RecurrencePattern, RecurrenceRange, days_of_week_text,
};

fn date_time(value: &DateTime<Utc>) -> String {
    value.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn date(value: &NaiveDate) -> String {
    value.format("%Y-%m-%d").to_string()
}

fn boolean(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// `<t:ExtendedFieldURI …/>`.
pub(crate) fn write_extended_field_uri(
    soap: &mut SoapWriter,
    field: &ExtendedFieldUri,
) -> io::Result<()> {
    let property_id = field.property_id.map(|id| id.to_string());
    let attributes: Vec<(&str, &str)> = [
        (
            "DistinguishedPropertySetId",
            field.distinguished_property_set_id.as_deref(),
        ),
        ("PropertySetId", field.property_set_id.as_deref()),
        ("PropertyTag", field.property_tag.as_deref()),
        ("PropertyName", field.property_name.as_deref()),
        ("PropertyId", property_id.as_deref()),
        ("PropertyType", Some(field.property_type.as_ref())),
    ]
    .into_iter()
    .filter_map(|(key, value)| value.map(|value| (key, value)))
    .collect();
    soap.empty("t:ExtendedFieldURI", &attributes)
}

/// The FieldURI (or ExtendedFieldURI) naming a field in SetItemField/DeleteItemField.
pub(crate) fn write_field_uri(soap: &mut SoapWriter, name: CalendarFieldName) -> io::Result<()> {
    match (name.field_uri(), name.extended_field_uri()) {
        (Some(uri), _) => soap.empty("t:FieldURI", &[("FieldURI", uri)]),
        (None, Some(field)) => write_extended_field_uri(soap, &field),
        (None, None) => Err(io::Error::other(format!("{name:?} has no field URI"))),
    }
}

fn write_extended_property(
    soap: &mut SoapWriter,
    field: &ExtendedFieldUri,
    value: &str,
) -> io::Result<()> {
    soap.start("t:ExtendedProperty", &[])?;
    write_extended_field_uri(soap, field)?;
    soap.text("t:Value", value)?;
    soap.end("t:ExtendedProperty")
}

fn write_recurrence(soap: &mut SoapWriter, recurrence: &Recurrence) -> io::Result<()> {
    soap.start("t:Recurrence", &[])?;
    match &recurrence.pattern {
        RecurrencePattern::Daily { interval } => {
            soap.start("t:DailyRecurrence", &[])?;
            soap.text("t:Interval", &interval.to_string())?;
            soap.end("t:DailyRecurrence")?;
        }
        RecurrencePattern::Weekly {
            interval,
            days_of_week,
            first_day_of_week,
        } => {
            soap.start("t:WeeklyRecurrence", &[])?;
            soap.text("t:Interval", &interval.to_string())?;
            soap.text("t:DaysOfWeek", &days_of_week_text(days_of_week))?;
            if let Some(first) = first_day_of_week {
                soap.text("t:FirstDayOfWeek", first.as_str())?;
            }
            soap.end("t:WeeklyRecurrence")?;
        }
        RecurrencePattern::AbsoluteMonthly {
            interval,
            day_of_month,
        } => {
            soap.start("t:AbsoluteMonthlyRecurrence", &[])?;
            soap.text("t:Interval", &interval.to_string())?;
            soap.text("t:DayOfMonth", &day_of_month.to_string())?;
            soap.end("t:AbsoluteMonthlyRecurrence")?;
        }
        RecurrencePattern::RelativeMonthly {
            interval,
            days_of_week,
            index,
        } => {
            soap.start("t:RelativeMonthlyRecurrence", &[])?;
            soap.text("t:Interval", &interval.to_string())?;
            soap.text("t:DaysOfWeek", &days_of_week_text(days_of_week))?;
            soap.text("t:DayOfWeekIndex", index.as_str())?;
            soap.end("t:RelativeMonthlyRecurrence")?;
        }
        RecurrencePattern::AbsoluteYearly {
            day_of_month,
            month,
        } => {
            soap.start("t:AbsoluteYearlyRecurrence", &[])?;
            soap.text("t:DayOfMonth", &day_of_month.to_string())?;
            soap.text("t:Month", month.as_str())?;
            soap.end("t:AbsoluteYearlyRecurrence")?;
        }
        RecurrencePattern::RelativeYearly {
            days_of_week,
            index,
            month,
        } => {
            soap.start("t:RelativeYearlyRecurrence", &[])?;
            soap.text("t:DaysOfWeek", &days_of_week_text(days_of_week))?;
            soap.text("t:DayOfWeekIndex", index.as_str())?;
            soap.text("t:Month", month.as_str())?;
            soap.end("t:RelativeYearlyRecurrence")?;
        }
    }
    match &recurrence.range {
        RecurrenceRange::NoEnd { start_date } => {
            soap.start("t:NoEndRecurrence", &[])?;
            soap.text("t:StartDate", &date(start_date))?;
            soap.end("t:NoEndRecurrence")?;
        }
        RecurrenceRange::EndDate {
            start_date,
            end_date,
        } => {
            soap.start("t:EndDateRecurrence", &[])?;
            soap.text("t:StartDate", &date(start_date))?;
            soap.text("t:EndDate", &date(end_date))?;
            soap.end("t:EndDateRecurrence")?;
        }
        RecurrenceRange::Numbered {
            start_date,
            occurrences,
        } => {
            soap.start("t:NumberedRecurrence", &[])?;
            soap.text("t:StartDate", &date(start_date))?;
            soap.text("t:NumberOfOccurrences", &occurrences.to_string())?;
            soap.end("t:NumberedRecurrence")?;
        }
    }
    soap.end("t:Recurrence")
}

/// One field as a child of `t:CalendarItem`.
pub(crate) fn write_field(soap: &mut SoapWriter, field: &CalendarField) -> io::Result<()> {
    match field {
        CalendarField::Subject(subject) => soap.text("t:Subject", subject),
        CalendarField::Sensitivity(sensitivity) => soap.text("t:Sensitivity", sensitivity.as_str()),
        CalendarField::Body(body) => soap.text_with(
            "t:Body",
            &[("BodyType", body.body_type.as_str())],
            &body.text,
        ),
        CalendarField::Categories(categories) => {
            soap.start("t:Categories", &[])?;
            for category in categories {
                soap.text("t:String", category)?;
            }
            soap.end("t:Categories")
        }
        CalendarField::ReminderIsSet(set) => soap.text("t:ReminderIsSet", boolean(*set)),
        CalendarField::ReminderMinutesBeforeStart(minutes) => {
            soap.text("t:ReminderMinutesBeforeStart", &minutes.to_string())
        }
        CalendarField::OhsyncTag(tag) => {
            write_extended_property(soap, &OHSYNC_TAG_FIELD, &tag.to_string())
        }
        CalendarField::UnfinishedMarker => {
            write_extended_property(soap, &OHSYNC_UNFINISHED_FIELD, OHSYNC_UNFINISHED_VALUE)
        }
        CalendarField::Uid(uid) => soap.text("t:UID", uid),
        CalendarField::Start(start) => soap.text("t:Start", &date_time(start)),
        CalendarField::End(end) => soap.text("t:End", &date_time(end)),
        CalendarField::IsAllDayEvent(all_day) => soap.text("t:IsAllDayEvent", boolean(*all_day)),
        CalendarField::LegacyFreeBusyStatus(status) => {
            soap.text("t:LegacyFreeBusyStatus", status.as_str())
        }
        CalendarField::Location(location) => soap.text("t:Location", location),
        CalendarField::Recurrence(recurrence) => write_recurrence(soap, recurrence),
        CalendarField::MeetingTimeZone(zone) => {
            soap.empty("t:MeetingTimeZone", &[("TimeZoneName", zone)])
        }
        CalendarField::StartTimeZone(zone) => soap.empty("t:StartTimeZone", &[("Id", zone)]),
        CalendarField::EndTimeZone(zone) => soap.empty("t:EndTimeZone", &[("Id", zone)]),
    }
}
