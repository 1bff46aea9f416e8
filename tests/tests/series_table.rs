//! Issue #6's table through the real sync: every kind of series ohsync syncs (daily, weekly,
//! monthly on a day and on the k-th weekday, yearly on a day and on the k-th weekday) × every edit
//! (move one occurrence, cancel one, change the series' end, move the whole series, delete it)
//! × the side the edit is made on. Each cell starts from a series made in OfficeHeart and synced,
//! makes the edit as the user would (oh-sim's data; Outlook through the Exchange simulator), syncs,
//! and checks the edit's effect, both sides equal, what Outlook shows against the engine's own
//! expansion of the rule, and that one more run writes nothing.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Europe::Amsterdam;
use ohsync_e2e::store_backend::StoreBackend;
use ohsync_engine::appointment::{Appointment, Schedule, TimedSpan};
use ohsync_engine::recurrence::{RecurrenceRule, SeriesEnd};
use ohsync_engine::report::RunOutcome;
use ohsync_engine::series::{Exception, Recurrence};
use ohsync_ews::ItemId;
use ohsync_ews::model::{CalendarField, ConflictResolution, FieldUpdate, ItemChange};
use ohsync_ews_mailbox::convert::ews_from_rule;
use ohsync_ews_sim::ItemPatch;
use ohsync_officeheart::{AppointmentData, ModifiedOccurrence};
use support::{World, amsterdam, oh_data};

/// The kinds of series, with four occurrences each.
const KINDS: [&str; 6] = [
    "FREQ=DAILY;INTERVAL=2;COUNT=4",
    "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE,FR;WKST=MO;COUNT=4",
    "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=15;COUNT=4",
    "FREQ=MONTHLY;INTERVAL=1;BYDAY=TU;BYSETPOS=2;COUNT=4",
    "FREQ=YEARLY;BYMONTH={month};BYMONTHDAY=12;COUNT=4",
    "FREQ=YEARLY;BYMONTH={month};BYDAY=FR;BYSETPOS=-1;COUNT=4",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    MoveOne,
    CancelOne,
    ChangeEnd,
    MoveAll,
    Delete,
}

const EDITS: [Edit; 5] = [
    Edit::MoveOne,
    Edit::CancelOne,
    Edit::ChangeEnd,
    Edit::MoveAll,
    Edit::Delete,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SideOfEdit {
    OfficeHeart,
    Outlook,
}

fn timed(start: DateTime<Utc>) -> ohsync_officeheart::Schedule {
    ohsync_officeheart::Schedule::timed(
        start.with_timezone(&Amsterdam).fixed_offset(),
        (start + TimeDelta::hours(1))
            .with_timezone(&Amsterdam)
            .fixed_offset(),
    )
    .unwrap()
}

/// The rule of `kind` and its first date: the first one it gives from next week on (yearly
/// kinds in the month after next, so that their first occurrence is near).
fn rule_and_first(kind: &str) -> (RecurrenceRule, NaiveDate) {
    let soon = Utc::now().date_naive() + TimeDelta::days(7);
    let month = (soon + TimeDelta::days(40)).format("%-m").to_string();
    let rule: RecurrenceRule = kind.replace("{month}", &month).parse().unwrap();
    let first = rule.dates(soon).next().unwrap();
    (rule, first)
}

/// How far one CalendarView reaches here (EWS refuses more than two years).
const VIEW_DAYS: i64 = 720;

/// The occurrences the engine's model says Outlook shows from `from` on: (start, subject), in
/// order.
fn expected_view(series: &Appointment, from: DateTime<Utc>) -> Vec<(DateTime<Utc>, String)> {
    let Some(Recurrence::Series(recurring)) = &series.recurrence else {
        panic!("not a series: {series:?}");
    };
    let first = series.schedule.first_date(series.time_zone);
    let mut shown: Vec<(DateTime<Utc>, String)> = recurring
        .rule()
        .dates(first)
        .filter_map(|date| match recurring.exceptions().get(&date) {
            Some(Exception::Cancelled) => None,
            Some(Exception::Modified(moved)) => Some((
                moved.schedule.instants(series.time_zone).0,
                moved.subject.to_string(),
            )),
            None => Some((
                series
                    .schedule
                    .on(series.time_zone, date)
                    .instants(series.time_zone)
                    .0,
                series.subject.to_string(),
            )),
        })
        .filter(|(start, _)| *start >= from && *start < from + TimeDelta::days(VIEW_DAYS))
        .collect();
    shown.sort();
    shown
}

fn edit_in_officeheart(
    world: &World,
    id: &ohsync_officeheart::AppointmentId,
    edit: Edit,
    second: NaiveDate,
) {
    match edit {
        Edit::MoveOne => world.oh_edit(id, |data| {
            data.exceptions = vec![ohsync_officeheart::Exception::modified(
                second,
                ModifiedOccurrence {
                    schedule: timed(amsterdam(second, 11)),
                    subject: data.subject.clone(),
                    location: data.location.clone(),
                },
            )];
        }),
        Edit::CancelOne => world.oh_edit(id, |data| {
            data.exceptions = vec![ohsync_officeheart::Exception::cancelled(second)];
        }),
        Edit::ChangeEnd => world.oh_edit(id, |data| {
            data.recurrence = data
                .recurrence
                .as_ref()
                .map(|rule| rule.replace("COUNT=4", "COUNT=2"));
        }),
        Edit::MoveAll => world.oh_edit(id, |data| {
            let ohsync_officeheart::Schedule::Timed { start, .. } = &data.schedule else {
                panic!("timed");
            };
            data.schedule = timed(start.to_utc() + TimeDelta::hours(1));
        }),
        Edit::Delete => world.oh_remove(id),
    }
}

async fn edit_in_outlook(
    world: &World,
    edit: Edit,
    rule: &RecurrenceRule,
    first: NaiveDate,
    second: NaiveDate,
) {
    let master = world.ex_all().pop().unwrap();
    match edit {
        Edit::MoveOne => {
            let start = amsterdam(second, 11);
            world
                .ex()
                .edit_occurrence(
                    &master.item_id,
                    2,
                    &ItemPatch::new()
                        .start(start)
                        .end(start + TimeDelta::hours(1)),
                )
                .unwrap();
        }
        Edit::CancelOne => {
            world.ex().delete_occurrence(&master.item_id, 2).unwrap();
        }
        Edit::ChangeEnd => {
            // Outlook writes the whole pattern with its new range.
            let shorter = RecurrenceRule {
                end: SeriesEnd::Count(2),
                ..rule.clone()
            };
            let change = ItemChange {
                item_id: ItemId::new(master.item_id.as_str(), master.change_key.as_str()),
                updates: vec![FieldUpdate::Set(CalendarField::Recurrence(ews_from_rule(
                    &shorter, first,
                )))],
            };
            let results = world
                .ews_client()
                .update_items_with(&[change], ConflictResolution::AlwaysOverwrite)
                .await;
            assert!(results.iter().all(Result::is_ok), "{results:?}");
        }
        Edit::MoveAll => {
            world
                .ex()
                .edit(
                    &master.item_id,
                    &ItemPatch::new()
                        .start(master.start + TimeDelta::hours(1))
                        .end(master.end + TimeDelta::hours(1)),
                )
                .unwrap();
        }
        Edit::Delete => world.ex().delete(&master.item_id).unwrap(),
    }
}

/// The edit's effect on the synced series, as the engine reads it.
fn assert_effect(
    edit: Edit,
    series: &Appointment,
    first: NaiveDate,
    second: NaiveDate,
    cell: &str,
) {
    let Some(Recurrence::Series(recurring)) = &series.recurrence else {
        panic!("{cell}: not a series: {series:?}");
    };
    match edit {
        Edit::MoveOne => {
            let Some(Exception::Modified(moved)) = recurring.exceptions().get(&second) else {
                panic!("{cell}: {:?}", recurring.exceptions());
            };
            assert_eq!(recurring.exceptions().len(), 1, "{cell}");
            let start = amsterdam(second, 11);
            assert_eq!(
                moved.schedule,
                Schedule::Timed(TimedSpan::new(start, start + TimeDelta::hours(1)).unwrap()),
                "{cell}"
            );
        }
        Edit::CancelOne => assert_eq!(
            recurring.exceptions().iter().collect::<Vec<_>>(),
            [(&second, &Exception::Cancelled)],
            "{cell}"
        ),
        Edit::ChangeEnd => {
            assert_eq!(recurring.rule().end, SeriesEnd::Count(2), "{cell}");
            assert!(recurring.exceptions().is_empty(), "{cell}");
        }
        Edit::MoveAll => {
            assert_eq!(series.instants().0, amsterdam(first, 10), "{cell}");
            assert!(recurring.exceptions().is_empty(), "{cell}");
        }
        Edit::Delete => unreachable!("a deleted series has no content"),
    }
}

async fn one_cell(kind: &str, edit: Edit, side: SideOfEdit) {
    let cell = format!("{kind} × {edit:?} in {side:?}");
    let world = World::start(StoreBackend::Embedded).await;
    let (rule, first) = rule_and_first(kind);
    let second = rule.dates(first).nth(1).unwrap();
    let seeded = world.oh_seed(AppointmentData {
        recurrence: Some(rule.to_string()),
        ..oh_data("Serie", amsterdam(first, 9))
    });
    let setup = world.run().await;
    assert_eq!(setup.outcome, RunOutcome::Completed, "{cell}: {setup:?}");
    assert_eq!(setup.counts.created.exchange, 1, "{cell}");

    match side {
        SideOfEdit::OfficeHeart => edit_in_officeheart(&world, &seeded.id, edit, second),
        SideOfEdit::Outlook => edit_in_outlook(&world, edit, &rule, first, second).await,
    }
    let report = world.run().await;

    assert_eq!(report.outcome, RunOutcome::Completed, "{cell}: {report:?}");
    assert!(report.skipped.is_empty(), "{cell}: {report:?}");
    let pairs = world.assert_settled().await;
    if edit == Edit::Delete {
        assert!(pairs.is_empty(), "{cell}");
        assert!(
            world.ex_all().is_empty() && world.oh_all().is_empty(),
            "{cell}"
        );
    } else {
        assert_eq!(pairs.len(), 1, "{cell}");
        let series = &pairs[0].0.appointment;
        assert_effect(edit, series, first, second, &cell);
        let from = amsterdam(first, 0);
        assert_eq!(
            world.outlook_view(from, VIEW_DAYS).await,
            expected_view(series, from),
            "{cell}: Outlook shows what the rule and exceptions say"
        );
    }
}

#[tokio::test]
async fn every_series_kind_takes_every_edit_from_officeheart() {
    for kind in KINDS {
        for edit in EDITS {
            one_cell(kind, edit, SideOfEdit::OfficeHeart).await;
        }
    }
}

#[tokio::test]
async fn every_series_kind_takes_every_edit_from_outlook() {
    for kind in KINDS {
        for edit in EDITS {
            one_cell(kind, edit, SideOfEdit::Outlook).await;
        }
    }
}
