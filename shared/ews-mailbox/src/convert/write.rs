//! The engine's appointments → CreateItem items and UpdateItem changes.

use std::fmt::Write as _;

use chrono::Utc;
use chrono_tz::Tz;
use ohsync_engine::appointment::{Appointment, Schedule, Text};
use ohsync_engine::identity::{ExchangeUid, IdError};
use ohsync_engine::ports::{ExchangeUpdate, NewExchangeItem};
use ohsync_engine::series::{Recurrence, Series};
use ohsync_ews::model::{
    Body, BodyType, CalendarField, CalendarFieldName, FieldUpdate, ItemChange, ItemId,
    NewCalendarItem, OhsyncTag,
};

use super::properties::{free_busy_status, reminder_value, sensitivity};
use super::rule::ews_from_rule;
use super::{ConvertError, Converter};

/// The class id that starts every Outlook/Exchange GlobalObjectId (MS-OXOCAL PidLidGlobalObjectId).
const GLOBAL_OBJECT_ID_CLASS: &str = "040000008200E00074C5B7101A82E008";
/// 100-ns intervals between 1601-01-01 (the FILETIME epoch) and 1970-01-01.
const FILETIME_UNIX_EPOCH: i64 = 116_444_736_000_000_000;

/// A fresh UID shaped like the ones Exchange gives items it creates: a GlobalObjectId with the
/// creation time and 16 random bytes. ohsync sets it on create, so that the item's stable key is
/// known from the CreateItem answer without reading the item back.
pub fn new_uid() -> Result<ExchangeUid, IdError> {
    let now = Utc::now();
    let filetime = now
        .timestamp()
        .saturating_mul(10_000_000)
        .saturating_add(i64::from(now.timestamp_subsec_nanos() / 100))
        .saturating_add(FILETIME_UNIX_EPOCH);
    let mut uid = String::with_capacity(112);
    uid.push_str(GLOBAL_OBJECT_ID_CLASS);
    // Instance date (zero: not an exception), creation time, 8 reserved bytes, data size 16.
    uid.push_str("00000000");
    for byte in filetime.to_le_bytes() {
        let _ = write!(uid, "{byte:02X}");
    }
    uid.push_str("0000000000000000");
    uid.push_str("10000000");
    for byte in uuid::Uuid::new_v4().as_bytes() {
        let _ = write!(uid, "{byte:02X}");
    }
    ExchangeUid::parse(&uid)
}

/// One synced property: its value, or empty (left out of a create, deleted by an update).
pub(super) enum Synced {
    Value(CalendarField),
    Empty(CalendarFieldName),
}

impl Synced {
    /// As an UpdateItem edit: a value is set, an empty property deleted.
    pub(super) fn update(self) -> FieldUpdate {
        match self {
            Self::Value(field) => FieldUpdate::Set(field),
            Self::Empty(name) => FieldUpdate::Delete(name),
        }
    }
}

fn text(name: CalendarFieldName, value: &str, field: fn(String) -> CalendarField) -> Synced {
    if value.is_empty() {
        Synced::Empty(name)
    } else {
        Synced::Value(field(value.to_owned()))
    }
}

/// The subject, as a field.
pub(super) fn subject(value: &Text) -> Synced {
    text(
        CalendarFieldName::Subject,
        value.as_str(),
        CalendarField::Subject,
    )
}

/// The location, as a field.
pub(super) fn location(value: &Text) -> Synced {
    text(
        CalendarFieldName::Location,
        value.as_str(),
        CalendarField::Location,
    )
}

/// The series of an appointment whose exceptions take requests of their own: those writes are
/// bracketed by the unfinished-write marker.
pub(super) fn series_with_exceptions(appointment: &Appointment) -> Option<&Series> {
    match &appointment.recurrence {
        Some(Recurrence::Series(series)) if !series.exceptions().is_empty() => Some(series),
        _ => None,
    }
}

impl Converter {
    /// When `schedule` takes place, in `zone`: the zone before the times (so that the server
    /// places the times in the right zone), the times before the all-day flag.
    pub(super) fn schedule_fields(&self, schedule: &Schedule, zone: Tz) -> Vec<Synced> {
        let (start, end) = schedule.instants(zone);
        let mut fields: Vec<Synced> =
            CalendarField::time_zone(self.version, self.zones.windows_id(zone))
                .into_iter()
                .map(Synced::Value)
                .collect();
        fields.extend([
            Synced::Value(CalendarField::Start(start)),
            Synced::Value(CalendarField::End(end)),
            Synced::Value(CalendarField::IsAllDayEvent(schedule.is_all_day())),
        ]);
        fields
    }

    /// Every property ohsync syncs, in the order an update applies them (see
    /// [`Converter::schedule_fields`]); a series with exceptions also gets the unfinished-write
    /// marker, which the last request of its write removes.
    fn synced(&self, appointment: &Appointment) -> Result<Vec<Synced>, ConvertError> {
        // A single deletes any rule: that is how a series the user made single elsewhere
        // becomes one appointment in Exchange (deleting an absent property changes nothing, as
        // for the texts above).
        let recurrence = match &appointment.recurrence {
            None => Synced::Empty(CalendarFieldName::Recurrence),
            Some(Recurrence::Series(series)) => {
                let first = appointment.schedule.first_date(appointment.time_zone);
                Synced::Value(CalendarField::Recurrence(ews_from_rule(
                    series.rule(),
                    first,
                )))
            }
            Some(Recurrence::Unsupported(_)) => return Err(ConvertError::UnsupportedRecurrence),
        };
        let mut fields = self.schedule_fields(&appointment.schedule, appointment.time_zone);
        fields.extend([
            subject(&appointment.subject),
            location(&appointment.location),
            text(CalendarFieldName::Body, appointment.body.as_str(), |text| {
                CalendarField::Body(Body {
                    body_type: BodyType::Text,
                    text,
                })
            }),
            Synced::Value(CalendarField::Sensitivity(sensitivity(appointment.private))),
            Synced::Value(CalendarField::LegacyFreeBusyStatus(free_busy_status(
                appointment.show_as,
                self.version,
            ))),
            if appointment.categories.names().is_empty() {
                Synced::Empty(CalendarFieldName::Categories)
            } else {
                Synced::Value(CalendarField::Categories(
                    appointment.categories.names().to_vec(),
                ))
            },
            Synced::Value(CalendarField::ReminderIsSet(
                appointment.reminder_minutes.is_some(),
            )),
        ]);
        // A reminder switched off keeps its time: ReminderIsSet alone decides, as in Outlook.
        if let Some(minutes) = appointment.reminder_minutes {
            fields.push(Synced::Value(CalendarField::ReminderMinutesBeforeStart(
                reminder_value(minutes),
            )));
        }
        fields.push(recurrence);
        if series_with_exceptions(appointment).is_some() {
            fields.push(Synced::Value(CalendarField::UnfinishedMarker));
        }
        Ok(fields)
    }

    /// The CreateItem item for a new appointment, with its ohsync tag and (from Exchange 2007
    /// SP1, which knows UIDs) a fresh UID, which is returned too.
    pub fn new_item(
        &self,
        item: &NewExchangeItem,
    ) -> Result<(NewCalendarItem, Option<ExchangeUid>), ConvertError> {
        let mut fields: Vec<CalendarField> = self
            .synced(&item.appointment)?
            .into_iter()
            .filter_map(|synced| match synced {
                Synced::Value(field) => Some(field),
                Synced::Empty(_) => None,
            })
            .collect();
        let tag = OhsyncTag::new(item.tag.tenant.as_str(), item.tag.officeheart_id.as_str())
            .map_err(|error| ConvertError::BadTag(error.to_string()))?;
        fields.push(CalendarField::OhsyncTag(tag));
        let uid = if self.version.has_uid() {
            let uid = new_uid().map_err(|source| ConvertError::BadId {
                field: "UID",
                source,
            })?;
            fields.push(CalendarField::Uid(uid.as_str().to_owned()));
            Some(uid)
        } else {
            None
        };
        Ok((NewCalendarItem { fields }, uid))
    }

    /// The UpdateItem change that makes the item hold `update.appointment`: every synced
    /// property is set, and the ones that became empty are deleted. Based on the update's
    /// ChangeKey; the tag stays. A series' rule is set whole, which makes Exchange drop the
    /// series' exceptions: [`Converter::exception_writes`] writes them again afterwards.
    pub fn item_change(&self, update: &ExchangeUpdate) -> Result<ItemChange, ConvertError> {
        let updates = self
            .synced(&update.appointment)?
            .into_iter()
            .map(Synced::update)
            .collect();
        Ok(ItemChange {
            item_id: ItemId::new(update.key.item_id.as_str(), update.key.change_key.as_str()),
            updates,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, NaiveDate, TimeZone};
    use chrono_tz::Europe;
    use ohsync_engine::appointment::{Categories, DaySpan, Schedule, ShowAs, Text, TimedSpan};
    use ohsync_engine::identity::{
        ChangeKey, ExchangeItemId, ExchangeItemKey, OhsyncTag as EngineTag,
    };
    use ohsync_engine::recurrence::RecurrenceRule;
    use ohsync_engine::series::{Exception, Series};
    use ohsync_ews::ExchangeVersion;
    use ohsync_ews::model::{LegacyFreeBusyStatus, Sensitivity};

    fn appointment() -> Appointment {
        Appointment {
            subject: Text::new("Overleg"),
            location: Text::new("Kamer 2"),
            body: Text::new("Agenda"),
            schedule: Schedule::Timed(
                TimedSpan::new(
                    "2026-03-02T09:00:00Z".parse().unwrap(),
                    "2026-03-02T10:00:00Z".parse().unwrap(),
                )
                .unwrap(),
            ),
            time_zone: Europe::Amsterdam,
            private: true,
            show_as: ShowAs::WorkingElsewhere,
            reminder_minutes: Some(10),
            categories: Categories::new(["Klant"]),
            recurrence: None,
        }
    }

    fn new_item(appointment: Appointment) -> NewExchangeItem {
        NewExchangeItem {
            tag: "acme:appt-1".parse::<EngineTag>().unwrap(),
            appointment,
        }
    }

    fn update(appointment: Appointment) -> ExchangeUpdate {
        ExchangeUpdate {
            key: ExchangeItemKey {
                item_id: ExchangeItemId::parse("AAMk1").unwrap(),
                change_key: ChangeKey::parse("DwAA1").unwrap(),
                uid: ExchangeUid::parse("UID-1").unwrap(),
            },
            appointment,
        }
    }

    fn converter(version: ExchangeVersion) -> Converter {
        Converter::new(version, Europe::Amsterdam)
    }

    fn field(fields: &[CalendarField], name: CalendarFieldName) -> Option<&CalendarField> {
        fields.iter().find(|field| field.name() == name)
    }

    #[test]
    fn uids_look_like_global_object_ids_and_differ() {
        let one = new_uid().unwrap();
        let two = new_uid().unwrap();
        assert_ne!(one, two);
        assert_eq!(one.as_str().len(), 112);
        assert!(one.as_str().starts_with(GLOBAL_OBJECT_ID_CLASS));
        assert!(one.as_str().chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(&one.as_str()[72..80], "10000000");
    }

    #[test]
    fn a_new_item_carries_every_field_the_tag_and_a_uid() {
        let (item, uid) = converter(ExchangeVersion::Exchange2016)
            .new_item(&new_item(appointment()))
            .unwrap();
        let fields = &item.fields;
        let uid = uid.unwrap();
        assert_eq!(
            field(fields, CalendarFieldName::Uid),
            Some(&CalendarField::Uid(uid.as_str().to_owned()))
        );
        assert_eq!(
            field(fields, CalendarFieldName::OhsyncTag),
            Some(&CalendarField::OhsyncTag(
                OhsyncTag::new("acme", "appt-1").unwrap()
            ))
        );
        assert_eq!(
            field(fields, CalendarFieldName::StartTimeZone),
            Some(&CalendarField::StartTimeZone(
                "W. Europe Standard Time".into()
            ))
        );
        assert_eq!(
            field(fields, CalendarFieldName::Sensitivity),
            Some(&CalendarField::Sensitivity(Sensitivity::Private))
        );
        assert_eq!(
            field(fields, CalendarFieldName::LegacyFreeBusyStatus),
            Some(&CalendarField::LegacyFreeBusyStatus(
                LegacyFreeBusyStatus::WorkingElsewhere
            ))
        );
        assert_eq!(
            field(fields, CalendarFieldName::ReminderMinutesBeforeStart),
            Some(&CalendarField::ReminderMinutesBeforeStart(10))
        );
        assert!(item.validate(ExchangeVersion::Exchange2016).is_ok());
    }

    #[test]
    fn exchange_2007_gets_a_meeting_time_zone_and_no_working_elsewhere() {
        let (item, uid) = converter(ExchangeVersion::Exchange2007Sp1)
            .new_item(&new_item(appointment()))
            .unwrap();
        assert!(uid.is_some());
        assert_eq!(
            field(&item.fields, CalendarFieldName::MeetingTimeZone),
            Some(&CalendarField::MeetingTimeZone(
                "W. Europe Standard Time".into()
            ))
        );
        assert_eq!(field(&item.fields, CalendarFieldName::StartTimeZone), None);
        assert_eq!(
            field(&item.fields, CalendarFieldName::LegacyFreeBusyStatus),
            Some(&CalendarField::LegacyFreeBusyStatus(
                LegacyFreeBusyStatus::Busy
            ))
        );
        assert!(item.validate(ExchangeVersion::Exchange2007Sp1).is_ok());
        let (rtm, rtm_uid) = converter(ExchangeVersion::Exchange2007)
            .new_item(&new_item(appointment()))
            .unwrap();
        assert_eq!(rtm_uid, None);
        assert!(rtm.validate(ExchangeVersion::Exchange2007).is_ok());
    }

    #[test]
    fn all_day_items_are_sent_midnight_to_midnight_in_their_zone() {
        let mut all_day = appointment();
        all_day.schedule = Schedule::AllDay(
            DaySpan::new(
                NaiveDate::from_ymd_opt(2026, 3, 28).unwrap(),
                NaiveDate::from_ymd_opt(2026, 3, 30).unwrap(),
            )
            .unwrap(),
        );
        let (item, _) = converter(ExchangeVersion::Exchange2016)
            .new_item(&new_item(all_day))
            .unwrap();
        let midnight = |day| -> DateTime<Utc> {
            Europe::Amsterdam
                .with_ymd_and_hms(2026, 3, day, 0, 0, 0)
                .unwrap()
                .to_utc()
        };
        assert_eq!(
            field(&item.fields, CalendarFieldName::Start),
            Some(&CalendarField::Start(midnight(28)))
        );
        assert_eq!(
            field(&item.fields, CalendarFieldName::End),
            Some(&CalendarField::End(midnight(30)))
        );
        assert_eq!(
            field(&item.fields, CalendarFieldName::IsAllDayEvent),
            Some(&CalendarField::IsAllDayEvent(true))
        );
    }

    #[test]
    fn empty_fields_are_left_out_of_a_create_and_deleted_by_an_update() {
        let mut bare = appointment();
        bare.location = Text::default();
        bare.body = Text::default();
        bare.categories = Categories::default();
        bare.reminder_minutes = None;
        let converter = converter(ExchangeVersion::Exchange2016);
        let (item, _) = converter.new_item(&new_item(bare.clone())).unwrap();
        for name in [
            CalendarFieldName::Location,
            CalendarFieldName::Body,
            CalendarFieldName::Categories,
            CalendarFieldName::ReminderMinutesBeforeStart,
        ] {
            assert_eq!(field(&item.fields, name), None, "{name:?}");
        }
        assert_eq!(
            field(&item.fields, CalendarFieldName::ReminderIsSet),
            Some(&CalendarField::ReminderIsSet(false))
        );

        let change = converter.item_change(&update(bare)).unwrap();
        assert_eq!(change.item_id, ItemId::new("AAMk1", "DwAA1"));
        for name in [
            CalendarFieldName::Location,
            CalendarFieldName::Body,
            CalendarFieldName::Categories,
        ] {
            assert!(
                change.updates.contains(&FieldUpdate::Delete(name)),
                "{name:?}"
            );
        }
        assert!(
            change
                .updates
                .contains(&FieldUpdate::Set(CalendarField::ReminderIsSet(false)))
        );
        assert!(
            !change
                .updates
                .iter()
                .any(|update| update.name() == CalendarFieldName::ReminderMinutesBeforeStart)
        );
        assert!(
            !change
                .updates
                .iter()
                .any(|update| update.name() == CalendarFieldName::OhsyncTag)
        );
        assert!(change.validate(ExchangeVersion::Exchange2016).is_ok());
    }

    #[test]
    fn an_update_sets_the_zone_before_the_times() {
        let change = converter(ExchangeVersion::Exchange2016)
            .item_change(&update(appointment()))
            .unwrap();
        let position = |name| {
            change
                .updates
                .iter()
                .position(|update| update.name() == name)
                .unwrap()
        };
        assert!(position(CalendarFieldName::StartTimeZone) < position(CalendarFieldName::Start));
        assert!(position(CalendarFieldName::End) < position(CalendarFieldName::IsAllDayEvent));
    }

    #[test]
    fn a_series_is_written_with_its_rule_from_its_first_date() {
        let mut series = appointment();
        let rule: RecurrenceRule = "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;WKST=MO;COUNT=4"
            .parse()
            .unwrap();
        let first = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        series.recurrence = Some(Recurrence::Series(
            Series::new(rule.clone(), first, []).unwrap(),
        ));
        let converter = converter(ExchangeVersion::Exchange2016);
        let expected = CalendarField::Recurrence(ews_from_rule(&rule, first));
        let (created, _) = converter.new_item(&new_item(series.clone())).unwrap();
        assert_eq!(
            field(&created.fields, CalendarFieldName::Recurrence),
            Some(&expected)
        );
        let change = converter.item_change(&update(series)).unwrap();
        assert!(change.updates.contains(&FieldUpdate::Set(expected)));
        let (single, _) = converter.new_item(&new_item(appointment())).unwrap();
        assert_eq!(field(&single.fields, CalendarFieldName::Recurrence), None);
        // An update of a single deletes any rule: a series made single elsewhere.
        let change = converter.item_change(&update(appointment())).unwrap();
        assert!(
            change
                .updates
                .contains(&FieldUpdate::Delete(CalendarFieldName::Recurrence))
        );
    }

    #[test]
    fn a_series_with_exceptions_is_written_with_its_rule_and_the_marker() {
        let mut with_exception = appointment();
        let first = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let series = Series::new(
            "FREQ=DAILY;INTERVAL=1;COUNT=3".parse().unwrap(),
            first,
            [(first.succ_opt().unwrap(), Exception::Cancelled)],
        )
        .unwrap();
        with_exception.recurrence = Some(Recurrence::Series(series));
        let converter = converter(ExchangeVersion::Exchange2016);
        let (created, _) = converter
            .new_item(&new_item(with_exception.clone()))
            .unwrap();
        assert!(field(&created.fields, CalendarFieldName::Recurrence).is_some());
        assert_eq!(
            field(&created.fields, CalendarFieldName::UnfinishedMarker),
            Some(&CalendarField::UnfinishedMarker)
        );
        assert!(created.validate(ExchangeVersion::Exchange2016).is_ok());
        let change = converter.item_change(&update(with_exception)).unwrap();
        assert!(
            change
                .updates
                .contains(&FieldUpdate::Set(CalendarField::UnfinishedMarker))
        );
        let (single, _) = converter.new_item(&new_item(appointment())).unwrap();
        assert_eq!(
            field(&single.fields, CalendarFieldName::UnfinishedMarker),
            None
        );
    }

    #[test]
    fn series_with_unsupported_rules_are_not_written() {
        let mut unsupported = appointment();
        unsupported.recurrence = Some(Recurrence::Unsupported(
            "ews-recurrence/1|Daily;interval=1".into(),
        ));
        let converter = converter(ExchangeVersion::Exchange2016);
        assert_eq!(
            converter
                .new_item(&new_item(unsupported.clone()))
                .unwrap_err(),
            ConvertError::UnsupportedRecurrence
        );
        assert_eq!(
            converter.item_change(&update(unsupported)).unwrap_err(),
            ConvertError::UnsupportedRecurrence
        );
    }
}
