//! Reads one item element (`t:CalendarItem`, `t:MeetingRequest`, …) into a [`CalendarItem`].

use std::borrow::Cow;

use super::reader::{Element, XmlReader};
use super::values;
use crate::error::EwsError;
use crate::model::{
    Body, BodyType, CalendarItem, CalendarItemType, DayOfWeek, DayOfWeekIndex, DeletedOccurrence,
    ExtendedFieldUri, ExtendedProperty, FolderId, ItemId, ItemKind, LegacyFreeBusyStatus, Mailbox,
    Month, OccurrenceInfo, Recurrence, RecurrencePattern, RecurrenceRange, Sensitivity,
};

/// Field values that did not parse; the element is still read to its end so the document stays in step.
#[derive(Debug, Default)]
struct Problems(Vec<String>);

impl Problems {
    fn keep<T>(&mut self, field: &str, value: Result<T, String>) -> Option<T> {
        match value {
            Ok(value) => Some(value),
            Err(problem) => {
                self.0.push(format!("{field}: {problem}"));
                None
            }
        }
    }
}

/// An `Id`/`ChangeKey` pair; the documentation samples pad some ids with a space, which no real id has.
pub(crate) fn read_item_id(element: &Element<'_>) -> Result<ItemId, EwsError> {
    let id = element.attr(b"Id")?.ok_or_else(|| {
        EwsError::malformed(format!("<{}> has no Id", element.name_for_display()))
    })?;
    Ok(ItemId {
        id: id.trim().to_owned(),
        change_key: element.attr(b"ChangeKey")?.map(|key| key.trim().to_owned()),
    })
}

/// Reads a `FolderId`-shaped element.
pub(crate) fn read_folder_id(element: &Element<'_>) -> Result<FolderId, EwsError> {
    let ItemId { id, change_key } = read_item_id(element)?;
    Ok(FolderId { id, change_key })
}

/// Reads an item element. The outer error means the XML itself is broken; the inner one that a
/// field value did not parse (the item is skipped, the rest of the response is still good).
pub(crate) fn read_item<'a>(
    reader: &mut XmlReader<'a>,
    element: &Element<'a>,
) -> Result<Result<CalendarItem, EwsError>, EwsError> {
    let mut item = CalendarItem {
        kind: ItemKind::from_element(&element.name_for_display()),
        ..CalendarItem::default()
    };
    let mut problems = Problems::default();
    while let Some(child) = reader.child_of(element)? {
        read_field(reader, &child, &mut item, &mut problems)?;
    }
    if problems.0.is_empty() {
        Ok(Ok(item))
    } else {
        let id = item.item_id.map(|id| id.id).unwrap_or_default();
        Ok(Err(EwsError::malformed(format!(
            "item {id:?} has unreadable fields: {}",
            problems.0.join("; ")
        ))))
    }
}

fn read_field<'a>(
    reader: &mut XmlReader<'a>,
    child: &Element<'a>,
    item: &mut CalendarItem,
    problems: &mut Problems,
) -> Result<(), EwsError> {
    match child.local_name() {
        b"ItemId" => {
            item.item_id = Some(read_item_id(child)?);
            reader.skip(child)?;
        }
        b"ParentFolderId" => {
            item.parent_folder_id = Some(read_folder_id(child)?);
            reader.skip(child)?;
        }
        b"ItemClass" => item.item_class = Some(reader.text(child)?.into_owned()),
        b"Subject" => item.subject = Some(reader.text(child)?.into_owned()),
        b"Sensitivity" => item.sensitivity = Sensitivity::parse(&reader.text(child)?),
        b"Body" => {
            let body_type = child
                .attr(b"BodyType")?
                .and_then(|kind| BodyType::parse(&kind))
                .unwrap_or(BodyType::Text);
            item.body = Some(Body {
                body_type,
                text: reader.text(child)?.into_owned(),
            });
        }
        b"Categories" => item.categories = read_strings(reader, child)?,
        b"ReminderIsSet" => {
            item.reminder_is_set =
                problems.keep("ReminderIsSet", values::boolean(&reader.text(child)?))
        }
        b"ReminderMinutesBeforeStart" => {
            item.reminder_minutes_before_start = problems.keep(
                "ReminderMinutesBeforeStart",
                values::number(&reader.text(child)?),
            );
        }
        b"LastModifiedTime" => {
            item.last_modified_time =
                problems.keep("LastModifiedTime", values::date_time(&reader.text(child)?));
        }
        b"UID" => item.uid = Some(reader.text(child)?.into_owned()),
        b"RecurrenceId" => {
            item.recurrence_id =
                problems.keep("RecurrenceId", values::date_time(&reader.text(child)?))
        }
        b"Start" => item.start = problems.keep("Start", values::date_time(&reader.text(child)?)),
        b"End" => item.end = problems.keep("End", values::date_time(&reader.text(child)?)),
        b"OriginalStart" => {
            item.original_start =
                problems.keep("OriginalStart", values::date_time(&reader.text(child)?));
        }
        b"IsAllDayEvent" => {
            item.is_all_day = problems.keep("IsAllDayEvent", values::boolean(&reader.text(child)?))
        }
        b"LegacyFreeBusyStatus" => {
            item.legacy_free_busy_status = LegacyFreeBusyStatus::parse(&reader.text(child)?)
        }
        b"Location" => item.location = Some(reader.text(child)?.into_owned()),
        b"IsMeeting" => {
            item.is_meeting = problems.keep("IsMeeting", values::boolean(&reader.text(child)?))
        }
        b"IsCancelled" => {
            item.is_cancelled = problems.keep("IsCancelled", values::boolean(&reader.text(child)?))
        }
        b"IsRecurring" => {
            item.is_recurring = problems.keep("IsRecurring", values::boolean(&reader.text(child)?))
        }
        b"CalendarItemType" => {
            item.calendar_item_type = CalendarItemType::parse(&reader.text(child)?)
        }
        b"Organizer" => item.organizer = read_organizer(reader, child)?,
        b"TimeZone" => item.time_zone_name = Some(reader.text(child)?.into_owned()),
        b"StartTimeZone" => {
            item.start_time_zone_id = child.attr(b"Id")?;
            reader.skip(child)?;
        }
        b"EndTimeZone" => {
            item.end_time_zone_id = child.attr(b"Id")?;
            reader.skip(child)?;
        }
        b"StartTimeZoneId" => item.start_time_zone_id = Some(reader.text(child)?.into_owned()),
        b"EndTimeZoneId" => item.end_time_zone_id = Some(reader.text(child)?.into_owned()),
        b"MeetingTimeZone" => {
            item.meeting_time_zone = child.attr(b"TimeZoneName")?;
            reader.skip(child)?;
        }
        b"Recurrence" => item.recurrence = read_recurrence(reader, child, problems)?,
        b"FirstOccurrence" => {
            item.first_occurrence = Some(read_occurrence(reader, child, problems)?)
        }
        b"LastOccurrence" => item.last_occurrence = Some(read_occurrence(reader, child, problems)?),
        b"ModifiedOccurrences" => {
            while let Some(occurrence) = reader.child_of(child)? {
                item.modified_occurrences
                    .push(read_occurrence(reader, &occurrence, problems)?);
            }
        }
        b"DeletedOccurrences" => {
            while let Some(deleted) = reader.child_of(child)? {
                let occurrence = read_occurrence(reader, &deleted, problems)?;
                match occurrence.start {
                    Some(start) => item.deleted_occurrences.push(DeletedOccurrence { start }),
                    None => problems.0.push("DeletedOccurrence without Start".into()),
                }
            }
        }
        b"ExtendedProperty" => item
            .extended_properties
            .push(read_extended_property(reader, child, problems)?),
        _ => reader.skip(child)?,
    }
    Ok(())
}

/// The texts of the children (`Categories/String`, `Values/Value`).
fn read_strings<'a>(
    reader: &mut XmlReader<'a>,
    element: &Element<'a>,
) -> Result<Vec<String>, EwsError> {
    let mut strings = Vec::new();
    while let Some(child) = reader.child_of(element)? {
        strings.push(reader.text(&child)?.into_owned());
    }
    Ok(strings)
}

fn read_organizer<'a>(
    reader: &mut XmlReader<'a>,
    element: &Element<'a>,
) -> Result<Option<Mailbox>, EwsError> {
    let mut mailbox = None;
    while let Some(child) = reader.child_of(element)? {
        if child.local_name() != b"Mailbox" {
            reader.skip(&child)?;
            continue;
        }
        let mut found = Mailbox::default();
        while let Some(field) = reader.child_of(&child)? {
            match field.local_name() {
                b"Name" => found.name = Some(reader.text(&field)?.into_owned()),
                b"EmailAddress" => found.email_address = Some(reader.text(&field)?.into_owned()),
                b"RoutingType" => found.routing_type = Some(reader.text(&field)?.into_owned()),
                _ => reader.skip(&field)?,
            }
        }
        mailbox = Some(found);
    }
    Ok(mailbox)
}

fn read_occurrence<'a>(
    reader: &mut XmlReader<'a>,
    element: &Element<'a>,
    problems: &mut Problems,
) -> Result<OccurrenceInfo, EwsError> {
    let mut occurrence = OccurrenceInfo::default();
    while let Some(child) = reader.child_of(element)? {
        match child.local_name() {
            b"ItemId" => {
                occurrence.item_id = Some(read_item_id(&child)?);
                reader.skip(&child)?;
            }
            b"Start" => {
                occurrence.start =
                    problems.keep("Occurrence Start", values::date_time(&reader.text(&child)?))
            }
            b"End" => {
                occurrence.end =
                    problems.keep("Occurrence End", values::date_time(&reader.text(&child)?))
            }
            b"OriginalStart" => {
                occurrence.original_start = problems.keep(
                    "Occurrence OriginalStart",
                    values::date_time(&reader.text(&child)?),
                );
            }
            _ => reader.skip(&child)?,
        }
    }
    Ok(occurrence)
}

fn read_extended_property<'a>(
    reader: &mut XmlReader<'a>,
    element: &Element<'a>,
    problems: &mut Problems,
) -> Result<ExtendedProperty, EwsError> {
    let mut field = None;
    let mut property_values = Vec::new();
    while let Some(child) = reader.child_of(element)? {
        match child.local_name() {
            b"ExtendedFieldURI" => {
                let property_id = child
                    .attr(b"PropertyId")?
                    .and_then(|id| problems.keep("PropertyId", values::number(&id)));
                field = Some(ExtendedFieldUri {
                    distinguished_property_set_id: child
                        .attr(b"DistinguishedPropertySetId")?
                        .map(Cow::Owned),
                    property_set_id: child.attr(b"PropertySetId")?.map(Cow::Owned),
                    property_tag: child.attr(b"PropertyTag")?.map(Cow::Owned),
                    property_name: child.attr(b"PropertyName")?.map(Cow::Owned),
                    property_id,
                    property_type: Cow::Owned(child.attr(b"PropertyType")?.unwrap_or_default()),
                });
                reader.skip(&child)?;
            }
            b"Value" => property_values.push(reader.text(&child)?.into_owned()),
            b"Values" => property_values.extend(read_strings(reader, &child)?),
            _ => reader.skip(&child)?,
        }
    }
    let field =
        field.ok_or_else(|| EwsError::malformed("ExtendedProperty without ExtendedFieldURI"))?;
    Ok(ExtendedProperty {
        field,
        values: property_values,
    })
}

/// The children of a pattern element, before the variant is chosen.
#[derive(Debug, Default)]
struct PatternParts {
    interval: Option<u32>,
    days_of_week: Option<Vec<DayOfWeek>>,
    first_day_of_week: Option<DayOfWeek>,
    day_of_month: Option<u32>,
    index: Option<DayOfWeekIndex>,
    month: Option<Month>,
}

fn read_recurrence<'a>(
    reader: &mut XmlReader<'a>,
    element: &Element<'a>,
    problems: &mut Problems,
) -> Result<Option<Recurrence>, EwsError> {
    let mut pattern = None;
    let mut range = None;
    while let Some(child) = reader.child_of(element)? {
        match child.local_name() {
            b"NoEndRecurrence" | b"EndDateRecurrence" | b"NumberedRecurrence" => {
                range = read_range(reader, &child, problems)?;
            }
            _ => pattern = read_pattern(reader, &child, problems)?,
        }
    }
    match (pattern, range) {
        (Some(pattern), Some(range)) => Ok(Some(Recurrence { pattern, range })),
        _ => {
            problems
                .0
                .push("Recurrence without a readable pattern and range".into());
            Ok(None)
        }
    }
}

fn read_pattern<'a>(
    reader: &mut XmlReader<'a>,
    element: &Element<'a>,
    problems: &mut Problems,
) -> Result<Option<RecurrencePattern>, EwsError> {
    let mut parts = PatternParts::default();
    while let Some(child) = reader.child_of(element)? {
        let text = reader.text(&child)?;
        match child.local_name() {
            b"Interval" => parts.interval = problems.keep("Interval", values::number(&text)),
            b"DaysOfWeek" => {
                parts.days_of_week = problems.keep(
                    "DaysOfWeek",
                    crate::model::parse_days_of_week(&text)
                        .ok_or_else(|| format!("unknown day in {text:?}")),
                );
            }
            b"FirstDayOfWeek" => parts.first_day_of_week = DayOfWeek::parse(&text),
            b"DayOfMonth" => {
                parts.day_of_month = problems.keep("DayOfMonth", values::number(&text))
            }
            b"DayOfWeekIndex" => parts.index = DayOfWeekIndex::parse(&text),
            b"Month" => parts.month = Month::parse(&text),
            _ => {}
        }
    }
    let kind = element.name_for_display();
    let pattern = match (kind.as_str(), parts) {
        (
            "DailyRecurrence",
            PatternParts {
                interval: Some(interval),
                ..
            },
        ) => RecurrencePattern::Daily { interval },
        (
            "WeeklyRecurrence",
            PatternParts {
                interval: Some(interval),
                days_of_week: Some(days_of_week),
                first_day_of_week,
                ..
            },
        ) => RecurrencePattern::Weekly {
            interval,
            days_of_week,
            first_day_of_week,
        },
        (
            "AbsoluteMonthlyRecurrence",
            PatternParts {
                interval: Some(interval),
                day_of_month: Some(day_of_month),
                ..
            },
        ) => RecurrencePattern::AbsoluteMonthly {
            interval,
            day_of_month,
        },
        (
            "RelativeMonthlyRecurrence",
            PatternParts {
                interval: Some(interval),
                days_of_week: Some(days_of_week),
                index: Some(index),
                ..
            },
        ) => RecurrencePattern::RelativeMonthly {
            interval,
            days_of_week,
            index,
        },
        (
            "AbsoluteYearlyRecurrence",
            PatternParts {
                day_of_month: Some(day_of_month),
                month: Some(month),
                ..
            },
        ) => RecurrencePattern::AbsoluteYearly {
            day_of_month,
            month,
        },
        (
            "RelativeYearlyRecurrence",
            PatternParts {
                days_of_week: Some(days_of_week),
                index: Some(index),
                month: Some(month),
                ..
            },
        ) => RecurrencePattern::RelativeYearly {
            days_of_week,
            index,
            month,
        },
        (kind, _) => {
            problems
                .0
                .push(format!("unsupported or incomplete pattern {kind}"));
            return Ok(None);
        }
    };
    Ok(Some(pattern))
}

fn read_range<'a>(
    reader: &mut XmlReader<'a>,
    element: &Element<'a>,
    problems: &mut Problems,
) -> Result<Option<RecurrenceRange>, EwsError> {
    let mut start_date = None;
    let mut end_date = None;
    let mut occurrences = None;
    while let Some(child) = reader.child_of(element)? {
        let text = reader.text(&child)?;
        match child.local_name() {
            b"StartDate" => start_date = problems.keep("StartDate", values::date(&text)),
            b"EndDate" => end_date = problems.keep("EndDate", values::date(&text)),
            b"NumberOfOccurrences" => {
                occurrences = problems.keep("NumberOfOccurrences", values::number(&text))
            }
            _ => {}
        }
    }
    let kind = element.name_for_display();
    let range = match (kind.as_str(), start_date, end_date, occurrences) {
        ("NoEndRecurrence", Some(start_date), _, _) => RecurrenceRange::NoEnd { start_date },
        ("EndDateRecurrence", Some(start_date), Some(end_date), _) => RecurrenceRange::EndDate {
            start_date,
            end_date,
        },
        ("NumberedRecurrence", Some(start_date), _, Some(occurrences)) => {
            RecurrenceRange::Numbered {
                start_date,
                occurrences,
            }
        }
        (kind, ..) => {
            problems
                .0
                .push(format!("unsupported or incomplete range {kind}"));
            return Ok(None);
        }
    };
    Ok(Some(range))
}
