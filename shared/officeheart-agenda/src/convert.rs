//! Conversions between OfficeHeart's wire appointment and the engine's normalised one.

use chrono::Utc;
use chrono_tz::Tz;
use ohsync_engine::appointment::{
    Appointment, Categories, DaySpan, Schedule, ShowAs, Text, TimedSpan,
};
use ohsync_engine::identity::{AgendaVersion, ExchangeUid, OfficeHeartId};
use ohsync_engine::ports::{AgendaChange, AgendaChangePage, AgendaCursor, AgendaError, AgendaItem};
use ohsync_engine::recurrence::RecurrenceRule;
use ohsync_engine::series::{Exception, ModifiedOccurrence, Recurrence, Series};
use ohsync_officeheart as wire;

/// The engine's view of an appointment OfficeHeart returned.
pub(crate) fn agenda_item(appointment: wire::Appointment) -> Result<AgendaItem, AgendaError> {
    let id = officeheart_id(&appointment.id)?;
    let version = agenda_version(&appointment.version)?;
    let external_ref = match appointment.data.external_ref.as_deref() {
        Some(raw) => Some(
            ExchangeUid::parse(raw)
                .map_err(|error| invalid(&id, format!("external_ref: {error}")))?,
        ),
        None => None,
    };
    let content = engine_appointment(&appointment.data).map_err(|reason| invalid(&id, reason))?;
    Ok(AgendaItem {
        id,
        version,
        updated_at: appointment.updated_at,
        external_ref,
        appointment: content,
    })
}

/// The engine's id for an OfficeHeart appointment id.
pub(crate) fn officeheart_id(id: &wire::AppointmentId) -> Result<OfficeHeartId, AgendaError> {
    OfficeHeartId::parse(id.as_str())
        .map_err(|error| AgendaError::Invalid(format!("appointment id {id}: {error}")))
}

/// The engine's version for an OfficeHeart version.
pub(crate) fn agenda_version(version: &wire::Version) -> Result<AgendaVersion, AgendaError> {
    AgendaVersion::parse(version.as_str())
        .map_err(|error| AgendaError::Invalid(format!("version {version}: {error}")))
}

/// The contract's id for an engine id; both sides accept the same printable ids.
pub(crate) fn wire_id(id: &OfficeHeartId) -> Result<wire::AppointmentId, AgendaError> {
    wire::AppointmentId::new(id.as_str())
        .map_err(|error| AgendaError::Invalid(format!("appointment id {id}: {error}")))
}

/// The contract's version for an engine version.
pub(crate) fn wire_version(version: &AgendaVersion) -> Result<wire::Version, AgendaError> {
    wire::Version::new(version.as_str())
        .map_err(|error| AgendaError::Invalid(format!("version {version}: {error}")))
}

/// The fields OfficeHeart stores for `appointment`, linked to the Exchange item `external_ref`.
pub(crate) fn wire_data(
    appointment: &Appointment,
    external_ref: Option<&ExchangeUid>,
) -> Result<wire::AppointmentData, AgendaError> {
    let schedule = wire_schedule(&appointment.schedule, appointment.time_zone)?;
    let (recurrence, exceptions) = match &appointment.recurrence {
        None => (None, Vec::new()),
        Some(Recurrence::Series(series)) => (
            Some(series.rule().to_string()),
            wire_exceptions(series, appointment.time_zone)?,
        ),
        // The engine never copies such a series; writing another side's text would be a lie.
        Some(Recurrence::Unsupported(text)) => {
            return Err(AgendaError::Invalid(format!(
                "a series with a rule ohsync cannot sync: {text}"
            )));
        }
    };
    let data = wire::AppointmentData {
        subject: appointment.subject.as_str().to_owned(),
        location: appointment.location.as_str().to_owned(),
        body: appointment.body.as_str().to_owned(),
        schedule,
        time_zone: appointment.time_zone,
        private: appointment.private,
        show_as: wire_show_as(appointment.show_as),
        reminder_minutes: appointment.reminder_minutes,
        categories: appointment.categories.names().to_vec(),
        recurrence,
        exceptions,
        external_ref: external_ref.map(|uid| uid.as_str().to_owned()),
    };
    data.validate()
        .map_err(|error| AgendaError::Invalid(format!("{}: {}", error.field, error.reason)))?;
    Ok(data)
}

fn wire_schedule(schedule: &Schedule, zone: Tz) -> Result<wire::Schedule, AgendaError> {
    match *schedule {
        Schedule::Timed(span) => wire::Schedule::timed(
            span.start().with_timezone(&zone).fixed_offset(),
            span.end().with_timezone(&zone).fixed_offset(),
        ),
        Schedule::AllDay(days) => wire::Schedule::all_day(days.first_day(), days.end_day()),
    }
    .map_err(|error| AgendaError::Invalid(format!("schedule: {error}")))
}

fn wire_exceptions(series: &Series, zone: Tz) -> Result<Vec<wire::Exception>, AgendaError> {
    series
        .exceptions()
        .iter()
        .map(|(date, exception)| {
            Ok(match exception {
                Exception::Cancelled => wire::Exception::cancelled(*date),
                Exception::Modified(occurrence) => wire::Exception::modified(
                    *date,
                    wire::ModifiedOccurrence {
                        schedule: wire_schedule(&occurrence.schedule, zone)?,
                        subject: occurrence.subject.as_str().to_owned(),
                        location: occurrence.location.as_str().to_owned(),
                    },
                ),
            })
        })
        .collect()
}

fn engine_schedule(schedule: &wire::Schedule) -> Result<Schedule, String> {
    Ok(match schedule {
        wire::Schedule::Timed { start, end } => Schedule::Timed(
            TimedSpan::new(start.with_timezone(&Utc), end.with_timezone(&Utc))
                .map_err(|error| format!("schedule: {error}"))?,
        ),
        wire::Schedule::AllDay { start, end } => Schedule::AllDay(
            DaySpan::new(*start, *end).map_err(|error| format!("schedule: {error}"))?,
        ),
    })
}

/// The series of an appointment with a rule: a rule outside the subset, or one its first date
/// does not fall on, is carried as OfficeHeart wrote it and never copied.
fn engine_recurrence(
    text: &str,
    data: &wire::AppointmentData,
    schedule: &Schedule,
) -> Result<Recurrence, String> {
    let Ok(rule) = text.parse::<RecurrenceRule>() else {
        return Ok(Recurrence::Unsupported(text.to_owned()));
    };
    let mut exceptions = Vec::with_capacity(data.exceptions.len());
    for exception in &data.exceptions {
        let engine = match &exception.kind {
            wire::ExceptionKind::Cancelled => Exception::Cancelled,
            wire::ExceptionKind::Modified(occurrence) => Exception::Modified(ModifiedOccurrence {
                schedule: engine_schedule(&occurrence.schedule)
                    .map_err(|error| format!("exception {}: {error}", exception.original_date))?,
                subject: Text::new(&occurrence.subject),
                location: Text::new(&occurrence.location),
            }),
        };
        exceptions.push((exception.original_date, engine));
    }
    let first = schedule.first_date(data.time_zone);
    Ok(Series::new(rule, first, exceptions).map_or_else(
        || Recurrence::Unsupported(text.to_owned()),
        Recurrence::Series,
    ))
}

fn engine_appointment(data: &wire::AppointmentData) -> Result<Appointment, String> {
    let schedule = engine_schedule(&data.schedule)?;
    let recurrence = match &data.recurrence {
        Some(text) => Some(engine_recurrence(text, data, &schedule)?),
        None => None,
    };
    Ok(Appointment {
        subject: Text::new(&data.subject),
        location: Text::new(&data.location),
        body: Text::new(&data.body),
        schedule,
        time_zone: data.time_zone,
        private: data.private,
        show_as: engine_show_as(data.show_as),
        reminder_minutes: data.reminder_minutes,
        categories: Categories::new(&data.categories),
        recurrence,
    })
}

fn engine_show_as(show_as: wire::ShowAs) -> ShowAs {
    match show_as {
        wire::ShowAs::Free => ShowAs::Free,
        wire::ShowAs::Tentative => ShowAs::Tentative,
        wire::ShowAs::Busy => ShowAs::Busy,
        wire::ShowAs::OutOfOffice => ShowAs::OutOfOffice,
        wire::ShowAs::WorkingElsewhere => ShowAs::WorkingElsewhere,
    }
}

fn wire_show_as(show_as: ShowAs) -> wire::ShowAs {
    match show_as {
        ShowAs::Free => wire::ShowAs::Free,
        ShowAs::Tentative => wire::ShowAs::Tentative,
        ShowAs::Busy => wire::ShowAs::Busy,
        ShowAs::OutOfOffice => wire::ShowAs::OutOfOffice,
        ShowAs::WorkingElsewhere => wire::ShowAs::WorkingElsewhere,
    }
}

fn invalid(id: &OfficeHeartId, reason: String) -> AgendaError {
    AgendaError::Invalid(format!("appointment {id}: {reason}"))
}

/// One page of the change feed as the engine's changes: the conversion every page read
/// through [`OfficeHeartAgenda`](crate::OfficeHeartAgenda) goes through (and the fuzz target's).
///
/// # Errors
/// [`AgendaError::Invalid`] when a change holds what the engine cannot represent.
pub fn change_page(page: wire::ChangesPage) -> Result<AgendaChangePage, AgendaError> {
    let changes = page
        .changes
        .into_iter()
        .map(|change| match change {
            wire::Change::Upserted(appointment) => {
                agenda_item(*appointment).map(AgendaChange::Upserted)
            }
            wire::Change::Deleted { id, .. } => {
                officeheart_id(&id).map(|id| AgendaChange::Deleted { id })
            }
        })
        .collect::<Result<_, _>>()?;
    Ok(AgendaChangePage {
        changes,
        cursor: AgendaCursor(page.next_cursor.to_string()),
        more: page.has_more,
    })
}
