//! Series, occurrences and exceptions end to end: the client against the Exchange simulator over
//! real sockets, addressing instances by `OccurrenceItemId` and by their own ids.

// Test code: a failed unwrap is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use ohsync_ews::model::{
    CalendarField, CalendarItemType, ConflictResolution, DayOfWeek, FieldUpdate, FindItemPage,
    ItemChange, ItemShape, Recurrence, RecurrencePattern, RecurrenceRange, SyncChange,
    TargetChange,
};
use ohsync_ews::{
    BasicAuth, CalendarItem, EwsClient, ExchangeVersion, ItemId, ItemTarget, NewCalendarItem,
    ResponseCode,
};
use ohsync_ews_sim::{EwsSimulator, RunningSim, SimConfig, SimUser};
use secrecy::SecretString;
use support::{PASSWORD, transport_config};

async fn simulator() -> RunningSim {
    let user = SimUser::new("OFFICEHEART", "jan", PASSWORD, "jan@officeheart.example");
    EwsSimulator::start(SimConfig::default().with_user(user), "127.0.0.1:0")
        .await
        .unwrap()
}

fn client(sim: &RunningSim) -> EwsClient {
    let auth = BasicAuth::new("OFFICEHEART\\jan", SecretString::from(PASSWORD)).unwrap();
    EwsClient::builder(sim.url(), auth, ExchangeVersion::Exchange2016)
        .transport(transport_config())
        .build()
        .unwrap()
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// Mondays from 2030-03-04, `count` times.
fn mondays(count: u32) -> Recurrence {
    Recurrence {
        pattern: RecurrencePattern::Weekly {
            interval: 1,
            days_of_week: vec![DayOfWeek::Monday],
            first_day_of_week: None,
        },
        range: RecurrenceRange::Numbered {
            start_date: NaiveDate::from_ymd_opt(2030, 3, 4).unwrap(),
            occurrences: count,
        },
    }
}

/// The start the series gives instance `index` (09:00 UTC on the index-th Monday).
fn slot(index: u32) -> DateTime<Utc> {
    at("2030-03-04T09:00:00Z") + TimeDelta::weeks(i64::from(index) - 1)
}

/// Creates "Weekoverleg", six Mondays 09:00–10:00 UTC, and returns the master's id.
async fn create_series(client: &EwsClient) -> ItemId {
    let created = client
        .create_items(&[NewCalendarItem {
            fields: vec![
                CalendarField::Subject("Weekoverleg".into()),
                CalendarField::Location("Kamer 1".into()),
                CalendarField::Start(slot(1)),
                CalendarField::End(slot(1) + TimeDelta::hours(1)),
                CalendarField::Recurrence(mondays(6)),
            ],
        }])
        .await;
    created.into_iter().next().unwrap().unwrap()
}

/// CalendarView over all six Mondays.
async fn whole_series(client: &EwsClient) -> FindItemPage {
    client
        .find_calendar_view(
            slot(1),
            slot(6) + TimeDelta::days(1),
            50,
            ItemShape::Summary,
        )
        .await
        .unwrap()
}

async fn get(client: &EwsClient, target: ItemTarget) -> CalendarItem {
    client
        .get_targets(&[target])
        .await
        .into_iter()
        .next()
        .unwrap()
        .unwrap()
}

/// Moves instance `index` by `shift` and retitles it, against the master's ChangeKey.
fn move_and_retitle(master: &ItemId, index: u32, shift: TimeDelta, subject: &str) -> TargetChange {
    TargetChange {
        target: ItemTarget::occurrence(master.clone(), index),
        updates: vec![
            FieldUpdate::Set(CalendarField::Subject(subject.into())),
            FieldUpdate::Set(CalendarField::Start(slot(index) + shift)),
            FieldUpdate::Set(CalendarField::End(
                slot(index) + shift + TimeDelta::hours(1),
            )),
        ],
    }
}

fn utc(value: Option<DateTime<chrono::FixedOffset>>) -> Option<DateTime<Utc>> {
    value.map(|instant| instant.to_utc())
}

#[tokio::test]
async fn a_series_created_by_the_client_reads_back_as_a_master() {
    let sim = simulator().await;
    let client = client(&sim);
    let master_id = create_series(&client).await;
    let master = get(&client, ItemTarget::Item(master_id)).await;
    assert!(master.is_recurring_master());
    assert_eq!(master.recurrence, Some(mondays(6)));
    assert_eq!(utc(master.first_occurrence.unwrap().start), Some(slot(1)));
    assert_eq!(utc(master.last_occurrence.unwrap().start), Some(slot(6)));
    assert!(master.modified_occurrences.is_empty() && master.deleted_occurrences.is_empty());

    let third = get(&client, ItemTarget::occurrence(master.item_id.unwrap(), 3)).await;
    assert_eq!(third.calendar_item_type, Some(CalendarItemType::Occurrence));
    assert_eq!(utc(third.start), Some(slot(3)));
    assert_eq!(utc(third.original_start), Some(slot(3)));
    assert_eq!(third.is_recurring, Some(true));
}

#[tokio::test]
async fn modifying_an_instance_makes_an_exception_seen_in_every_read() {
    let sim = simulator().await;
    let client = client(&sim);
    let master_id = create_series(&client).await;
    let first_sync = client
        .sync_folder_items_all(None, 512, ItemShape::IdOnly)
        .await
        .unwrap();
    let state = first_sync.last().unwrap().sync_state.clone();

    let updated = client
        .update_targets(&[move_and_retitle(
            &master_id,
            3,
            TimeDelta::hours(1),
            "Verzet",
        )])
        .await;
    let updated = updated.into_iter().next().unwrap().unwrap();
    assert_ne!(
        updated.item_id.id, master_id.id,
        "the answer names the occurrence"
    );
    assert_ne!(updated.item_id.change_key, master_id.change_key);
    assert_eq!(updated.conflict_count, 0);

    let master = get(&client, ItemTarget::Item(master_id.clone())).await;
    assert_eq!(
        master.item_id.as_ref().unwrap().change_key,
        updated.item_id.change_key,
        "master and instances share one ChangeKey"
    );
    let [modified] = master.modified_occurrences.as_slice() else {
        panic!("one exception expected: {:?}", master.modified_occurrences);
    };
    assert_eq!(utc(modified.start), Some(slot(3) + TimeDelta::hours(1)));
    assert_eq!(utc(modified.end), Some(slot(3) + TimeDelta::hours(2)));
    assert_eq!(utc(modified.original_start), Some(slot(3)));
    assert_eq!(modified.item_id.as_ref().unwrap().id, updated.item_id.id);
    assert_eq!(master.subject.as_deref(), Some("Weekoverleg"));

    let by_index = get(&client, ItemTarget::occurrence(master_id.clone(), 3)).await;
    let by_id = get(&client, ItemTarget::Item(updated.item_id.clone())).await;
    for exception in [&by_index, &by_id] {
        assert_eq!(
            exception.calendar_item_type,
            Some(CalendarItemType::Exception)
        );
        assert_eq!(exception.subject.as_deref(), Some("Verzet"));
        assert_eq!(
            exception.location.as_deref(),
            Some("Kamer 1"),
            "not overridden"
        );
        assert_eq!(utc(exception.start), Some(slot(3) + TimeDelta::hours(1)));
        assert_eq!(utc(exception.original_start), Some(slot(3)));
        assert_eq!(utc(exception.recurrence_id), Some(slot(3)));
        assert_eq!(exception.is_recurring, Some(true));
    }

    let view = client
        .find_calendar_view(
            slot(3),
            slot(3) + TimeDelta::days(1),
            50,
            ItemShape::Summary,
        )
        .await
        .unwrap();
    let [shown] = view.items.as_slice() else {
        panic!("one instance on that day: {:?}", view.items);
    };
    assert_eq!(shown.calendar_item_type, Some(CalendarItemType::Exception));
    assert_eq!(shown.subject.as_deref(), Some("Verzet"));
    assert_eq!(utc(shown.start), Some(slot(3) + TimeDelta::hours(1)));
    let early = client
        .find_calendar_view(
            slot(3),
            slot(3) + TimeDelta::minutes(30),
            50,
            ItemShape::IdOnly,
        )
        .await
        .unwrap();
    assert!(early.items.is_empty(), "the instance left its old slot");

    let changes = client
        .sync_folder_items_all(Some(state), 512, ItemShape::IdOnly)
        .await
        .unwrap();
    let changes: Vec<SyncChange> = changes.into_iter().flat_map(|page| page.changes).collect();
    let [SyncChange::Update(item)] = changes.as_slice() else {
        panic!("only the master is reported, as an update: {changes:?}");
    };
    assert_eq!(item.item_id.as_ref().unwrap().id, master_id.id);
}

#[tokio::test]
async fn deleting_a_plain_and_a_modified_instance() {
    let sim = simulator().await;
    let client = client(&sim);
    let master_id = create_series(&client).await;
    let updated = client
        .update_targets(&[move_and_retitle(&master_id, 3, TimeDelta::zero(), "Anders")])
        .await;
    let exception_id = updated.into_iter().next().unwrap().unwrap().item_id;
    let state = client
        .sync_folder_items_all(None, 512, ItemShape::IdOnly)
        .await
        .unwrap()
        .last()
        .unwrap()
        .sync_state
        .clone();

    let deleted = client
        .delete_targets(&[
            ItemTarget::occurrence(ItemId::without_change_key(master_id.id.clone()), 5),
            ItemTarget::Item(ItemId::without_change_key(exception_id.id)),
        ])
        .await;
    assert!(deleted.iter().all(Result::is_ok), "{deleted:?}");

    let master = get(&client, ItemTarget::Item(master_id.clone())).await;
    assert!(master.modified_occurrences.is_empty());
    let deleted_starts: Vec<_> = master
        .deleted_occurrences
        .iter()
        .map(|deleted| deleted.start.to_utc())
        .collect();
    assert_eq!(deleted_starts, vec![slot(3), slot(5)]);
    assert_ne!(
        master.item_id.unwrap().change_key,
        exception_id.change_key,
        "deleting changed the master"
    );
    let view = whole_series(&client).await;
    let starts: Vec<_> = view.items.iter().map(|item| utc(item.start)).collect();
    assert_eq!(starts, [1, 2, 4, 6].map(|index| Some(slot(index))));

    let changes: Vec<SyncChange> = client
        .sync_folder_items_all(Some(state), 512, ItemShape::IdOnly)
        .await
        .unwrap()
        .into_iter()
        .flat_map(|page| page.changes)
        .collect();
    assert!(
        matches!(changes.as_slice(), [SyncChange::Update(item)] if item.item_id.as_ref().unwrap().id == master_id.id),
        "{changes:?}"
    );
}

#[tokio::test]
async fn instance_errors_are_per_item_in_a_batch() {
    let sim = simulator().await;
    let client = client(&sim);
    let master_id = create_series(&client).await;
    let deleted = client
        .delete_targets(&[ItemTarget::occurrence(master_id.clone(), 5)])
        .await;
    assert!(deleted[0].is_ok());
    let master_id = get(&client, ItemTarget::Item(master_id))
        .await
        .item_id
        .unwrap();
    let instance = |index| ItemTarget::occurrence(master_id.clone(), index);

    let read = client
        .get_targets(&[
            instance(2),
            instance(99),
            instance(5),
            ItemTarget::Item(master_id.clone()),
        ])
        .await;
    assert_eq!(utc(read[0].as_ref().unwrap().start), Some(slot(2)));
    assert_eq!(
        read[1].as_ref().unwrap_err().response_code(),
        Some(ResponseCode::ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange)
    );
    assert_eq!(
        read[2].as_ref().unwrap_err().response_code(),
        Some(ResponseCode::ErrorCalendarOccurrenceIsDeletedFromRecurrence)
    );
    assert!(read[3].as_ref().unwrap().is_recurring_master());

    let retitle = |index| TargetChange {
        target: instance(index),
        updates: vec![FieldUpdate::Set(CalendarField::Subject("x".into()))],
    };
    let reversed = TargetChange {
        target: instance(4),
        updates: vec![
            FieldUpdate::Set(CalendarField::Start(slot(4) + TimeDelta::hours(2))),
            FieldUpdate::Set(CalendarField::End(slot(4) + TimeDelta::hours(1))),
        ],
    };
    let updated = client
        .update_targets(&[
            retitle(99),
            retitle(5),
            move_and_retitle(&master_id, 3, TimeDelta::weeks(1), "Botst"),
            move_and_retitle(&master_id, 3, -TimeDelta::days(7), "Botst"),
            reversed,
            retitle(2),
        ])
        .await;
    let codes: Vec<Option<ResponseCode>> = updated
        .iter()
        .map(|result| {
            result
                .as_ref()
                .err()
                .and_then(|error| error.response_code())
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            Some(ResponseCode::ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange),
            Some(ResponseCode::ErrorCalendarOccurrenceIsDeletedFromRecurrence),
            Some(ResponseCode::ErrorOccurrenceCrossingBoundary),
            Some(ResponseCode::ErrorOccurrenceCrossingBoundary),
            Some(ResponseCode::Other(
                "ErrorCalendarEndDateIsEarlierThanStartDate".into()
            )),
            None,
        ]
    );
    let crossing = updated[2].as_ref().unwrap_err();
    assert_eq!(crossing.code(), "EWS_OCCURRENCE_CROSSING_BOUNDARY");
    assert!(!crossing.is_retryable() && !crossing.is_throttled());
    let missing = updated[0].as_ref().unwrap_err();
    assert_eq!(missing.code(), "EWS_OCCURRENCE_NOT_FOUND");
    assert!(!missing.is_retryable());

    let stale = client
        .update_targets_with(&[retitle(4)], ConflictResolution::NeverOverwrite)
        .await;
    assert_eq!(
        stale[0].as_ref().unwrap_err().response_code(),
        Some(ResponseCode::ErrorIrresolvableConflict),
        "instance 2's edit changed the ChangeKey instance 4 shares"
    );

    let removed = client
        .delete_targets(&[instance(99), instance(5), instance(6)])
        .await;
    assert_eq!(
        removed[0].as_ref().unwrap_err().response_code(),
        Some(ResponseCode::ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange)
    );
    assert_eq!(
        removed[1].as_ref().unwrap_err().response_code(),
        Some(ResponseCode::ErrorCalendarOccurrenceIsDeletedFromRecurrence)
    );
    assert!(removed[2].is_ok());
    let master = get(&client, ItemTarget::Item(master_id)).await;
    let [only] = master.modified_occurrences.as_slice() else {
        panic!(
            "only instance 2 was modified: {:?}",
            master.modified_occurrences
        );
    };
    assert_eq!(utc(only.original_start), Some(slot(2)));
}

#[tokio::test]
async fn master_edits_keep_exceptions_until_the_recurrence_is_set() {
    let sim = simulator().await;
    let client = client(&sim);
    let master_id = create_series(&client).await;
    client
        .update_targets(&[move_and_retitle(
            &master_id,
            3,
            TimeDelta::hours(2),
            "Eigen",
        )])
        .await[0]
        .as_ref()
        .unwrap();
    let master_id = get(&client, ItemTarget::Item(master_id))
        .await
        .item_id
        .unwrap();
    client
        .delete_targets(&[ItemTarget::occurrence(master_id.clone(), 5)])
        .await[0]
        .as_ref()
        .unwrap();
    let master_id = get(&client, ItemTarget::Item(master_id))
        .await
        .item_id
        .unwrap();

    let half_hour = TimeDelta::minutes(30);
    let retimed = client
        .update_items(&[ItemChange {
            item_id: master_id.clone(),
            updates: vec![
                FieldUpdate::Set(CalendarField::Subject("Nieuwe titel".into())),
                FieldUpdate::Set(CalendarField::Start(slot(1) + half_hour)),
                FieldUpdate::Set(CalendarField::End(
                    slot(1) + half_hour + TimeDelta::hours(1),
                )),
            ],
        }])
        .await;
    let master_id = retimed[0].as_ref().unwrap().item_id.clone();
    let master = get(&client, ItemTarget::Item(master_id.clone())).await;
    assert_eq!(master.modified_occurrences.len(), 1, "exceptions survive");
    assert_eq!(master.deleted_occurrences.len(), 1);
    let view = whole_series(&client).await;
    let shown: Vec<(Option<&str>, Option<DateTime<Utc>>)> = view
        .items
        .iter()
        .map(|item| (item.subject.as_deref(), utc(item.start)))
        .collect();
    assert_eq!(
        shown,
        vec![
            (Some("Nieuwe titel"), Some(slot(1) + half_hour)),
            (Some("Nieuwe titel"), Some(slot(2) + half_hour)),
            (Some("Eigen"), Some(slot(3) + TimeDelta::hours(2))),
            (Some("Nieuwe titel"), Some(slot(4) + half_hour)),
            (Some("Nieuwe titel"), Some(slot(6) + half_hour)),
        ],
        "unmodified instances follow the master; the exception keeps its own values"
    );

    let repeated = client
        .update_items(&[ItemChange {
            item_id: master_id,
            updates: vec![FieldUpdate::Set(CalendarField::Recurrence(mondays(4)))],
        }])
        .await;
    let master_id = repeated[0].as_ref().unwrap().item_id.clone();
    let master = get(&client, ItemTarget::Item(master_id)).await;
    assert!(
        master.modified_occurrences.is_empty(),
        "a new pattern drops exceptions"
    );
    assert!(
        master.deleted_occurrences.is_empty(),
        "and deleted instances"
    );
    let view = whole_series(&client).await;
    assert_eq!(view.items.len(), 4);
    assert!(
        view.items
            .iter()
            .all(|item| item.calendar_item_type == Some(CalendarItemType::Occurrence))
    );
}
