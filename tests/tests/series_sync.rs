//! Recurring series through the real sync (issue #6): `run_user_sync` over the EWS adapter
//! against the Exchange simulator and the OfficeHeart adapter against oh-sim. A series is one
//! appointment with a rule; Exchange shows its occurrences (CalendarView), which must keep
//! their local time across the clock changes. Each scenario runs on every store backend.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};
use chrono_tz::Europe::Amsterdam;
use ohsync_e2e::store_backend::StoreBackend;
use ohsync_engine::reconcile::SkipReason;
use ohsync_engine::report::RunOutcome;
use ohsync_ews::ItemId;
use ohsync_ews::model::{CalendarFieldName, ConflictResolution, FieldUpdate, ItemChange};
use ohsync_ews_sim::ItemPatch;
use ohsync_officeheart::{
    Appointment, AppointmentData, AppointmentId, Exception, ExceptionKind, ModifiedOccurrence,
};
use support::{World, amsterdam, oh_data};

const MONDAYS_4: &str = "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;WKST=MO;COUNT=4";

/// The Monday two weeks before the next last Sunday of March that is at least a week away:
/// a weekly series from there has two occurrences in winter time and two in summer time.
fn monday_before_the_march_change() -> NaiveDate {
    let soon = Utc::now().date_naive() + TimeDelta::days(7);
    (soon.year()..)
        .filter_map(|year| NaiveDate::from_ymd_opt(year, 3, 31))
        .map(|end| end - TimeDelta::days(i64::from(end.weekday().num_days_from_sunday())))
        .map(|last_sunday| last_sunday - TimeDelta::days(13))
        .find(|monday| *monday > soon)
        .unwrap()
}

fn series_data(subject: &str, first: NaiveDate, rule: &str) -> AppointmentData {
    AppointmentData {
        recurrence: Some(rule.to_owned()),
        ..oh_data(subject, amsterdam(first, 9))
    }
}

/// The occurrences Exchange shows for 60 days from `first`, as (start, subject).
async fn occurrences(world: &World, first: NaiveDate) -> Vec<(DateTime<Utc>, String)> {
    world.outlook_view(amsterdam(first, 0), 60).await
}

fn the_series(world: &World) -> Appointment {
    let all = world.oh_all();
    assert_eq!(all.len(), 1, "{all:?}");
    all.into_iter().next().unwrap()
}

async fn a_weekly_series_from_officeheart_keeps_nine_oclock_across_the_clock_change(
    backend: StoreBackend,
) {
    let world = World::start(backend).await;
    let first = monday_before_the_march_change();
    world.oh_seed(series_data("Weekstart", first, MONDAYS_4));

    let report = world.run().await;

    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(
        report.counts.created.exchange, 1,
        "one series, not four items"
    );
    let stored = world.ex_all();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].is_recurring_master);
    let mondays: Vec<NaiveDate> = (0..4).map(|week| first + TimeDelta::weeks(week)).collect();
    let expected: Vec<(DateTime<Utc>, String)> = mondays
        .iter()
        .map(|monday| (amsterdam(*monday, 9), "Weekstart".to_owned()))
        .collect();
    assert_eq!(occurrences(&world, first).await, expected);
    // 09:00 is 08:00 UTC before the change and 07:00 UTC after it.
    assert_eq!(expected[1].0.format("%H").to_string(), "08");
    assert_eq!(expected[2].0.format("%H").to_string(), "07");
    world.assert_settled().await;
}

async fn a_series_made_in_outlook_reaches_officeheart_as_its_rule(backend: StoreBackend) {
    let world = World::start(backend).await;
    let first = monday_before_the_march_change();
    let start = amsterdam(first, 14);
    world
        .ex()
        .create(
            &ItemPatch::new()
                .subject("Klantoverleg")
                .start(start)
                .end(start + TimeDelta::minutes(30))
                .recurrence_xml(&format!(
                    "<t:Recurrence xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><t:WeeklyRecurrence><t:Interval>2</t:Interval><t:DaysOfWeek>Monday Thursday</t:DaysOfWeek><t:FirstDayOfWeek>Monday</t:FirstDayOfWeek></t:WeeklyRecurrence><t:EndDateRecurrence><t:StartDate>{first}</t:StartDate><t:EndDate>{}</t:EndDate></t:EndDateRecurrence></t:Recurrence>",
                    first + TimeDelta::days(30)
                ))
                .unwrap(),
        )
        .unwrap();

    let report = world.run().await;

    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(report.counts.created.officeheart, 1);
    let series = the_series(&world);
    let until = (first + TimeDelta::days(30)).format("%Y%m%d");
    assert_eq!(
        series.data.recurrence.as_deref(),
        Some(format!("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;WKST=MO;UNTIL={until}").as_str())
    );
    assert!(series.data.exceptions.is_empty());
    world.assert_settled().await;
}

async fn occurrences_cancelled_and_moved_in_outlook_reach_officeheart_as_exceptions(
    backend: StoreBackend,
) {
    let world = World::start(backend).await;
    let first = monday_before_the_march_change();
    world.oh_seed(series_data("Weekstart", first, MONDAYS_4));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    let master = world.ex_all().pop().unwrap();

    // In Outlook: the second Monday is cancelled, the third moved to Tuesday 13:00 in room 4.
    world.ex().delete_occurrence(&master.item_id, 2).unwrap();
    let tuesday = first + TimeDelta::days(15);
    let moved = amsterdam(tuesday, 13);
    world
        .ex()
        .edit_occurrence(
            &master.item_id,
            3,
            &ItemPatch::new()
                .subject("Weekstart (dinsdag)")
                .location("Kamer 4")
                .start(moved)
                .end(moved + TimeDelta::hours(1)),
        )
        .unwrap();
    let report = world.run().await;

    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(
        report.counts.updated.officeheart, 1,
        "the series, not an occurrence"
    );
    let series = the_series(&world);
    let exceptions: Vec<(NaiveDate, ExceptionKind)> = series
        .data
        .exceptions
        .iter()
        .map(|exception| (exception.original_date, exception.kind.clone()))
        .collect();
    let schedule = ohsync_officeheart::Schedule::timed(
        moved.with_timezone(&Amsterdam).fixed_offset(),
        (moved + TimeDelta::hours(1))
            .with_timezone(&Amsterdam)
            .fixed_offset(),
    )
    .unwrap();
    assert_eq!(
        exceptions,
        [
            (first + TimeDelta::weeks(1), ExceptionKind::Cancelled),
            (
                first + TimeDelta::weeks(2),
                ExceptionKind::Modified(ModifiedOccurrence {
                    schedule,
                    subject: "Weekstart (dinsdag)".to_owned(),
                    location: "Kamer 4".to_owned(),
                })
            ),
        ]
    );
    assert_eq!(series.data.recurrence.as_deref(), Some(MONDAYS_4));
    world.assert_settled().await;
}

async fn moving_a_series_or_shortening_it_in_officeheart_rewrites_it_in_exchange(
    backend: StoreBackend,
) {
    let world = World::start(backend).await;
    let first = monday_before_the_march_change();
    let seeded = world.oh_seed(series_data("Weekstart", first, MONDAYS_4));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);

    // The whole series to 10:30, and two occurrences instead of four.
    world.oh_edit(&seeded.id, |data| {
        let start = amsterdam(first, 10) + TimeDelta::minutes(30);
        data.schedule = ohsync_officeheart::Schedule::timed(
            start.with_timezone(&Amsterdam).fixed_offset(),
            (start + TimeDelta::hours(1))
                .with_timezone(&Amsterdam)
                .fixed_offset(),
        )
        .unwrap();
        data.recurrence = Some("FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;WKST=MO;COUNT=2".to_owned());
    });
    let report = world.run().await;

    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(report.counts.updated.exchange, 1);
    assert_eq!(world.ex_all().len(), 1, "the series is updated, not copied");
    let expected: Vec<(DateTime<Utc>, String)> = [first, first + TimeDelta::weeks(1)]
        .iter()
        .map(|monday| {
            (
                amsterdam(*monday, 10) + TimeDelta::minutes(30),
                "Weekstart".to_owned(),
            )
        })
        .collect();
    assert_eq!(occurrences(&world, first).await, expected);
    world.assert_settled().await;
}

/// Two series made in OfficeHeart and synced: "Weekstart" (four Mondays; its id is returned) and
/// "Vrijdagborrel" (every Friday, no end).
async fn two_synced_series(backend: StoreBackend) -> (World, AppointmentId) {
    let world = World::start(backend).await;
    let first = monday_before_the_march_change();
    let weekstart = world.oh_seed(series_data("Weekstart", first, MONDAYS_4));
    world.oh_seed(series_data(
        "Vrijdagborrel",
        first + TimeDelta::days(4),
        "FREQ=WEEKLY;INTERVAL=1;BYDAY=FR;WKST=MO",
    ));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    (world, weekstart.id)
}

async fn a_series_made_single_on_either_side_becomes_single_on_the_other(backend: StoreBackend) {
    let (world, from_officeheart) = two_synced_series(backend).await;

    world.oh_edit(&from_officeheart, |data| data.recurrence = None);
    // In Outlook (any EWS client): the borrel's rule deleted.
    let borrel = world.ex_named("Vrijdagborrel");
    let unrecur = ItemChange {
        item_id: ItemId::new(borrel.item_id.as_str(), borrel.change_key.as_str()),
        updates: vec![FieldUpdate::Delete(CalendarFieldName::Recurrence)],
    };
    let results = world
        .ews_client()
        .update_items_with(&[unrecur], ConflictResolution::AlwaysOverwrite)
        .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let report = world.run().await;

    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(report.counts.updated.exchange, 1, "{report:?}");
    assert_eq!(report.counts.updated.officeheart, 1, "{report:?}");
    assert!(
        world.ex_all().iter().all(|item| !item.is_recurring_master),
        "Outlook shows single appointments"
    );
    assert!(
        world
            .oh_all()
            .iter()
            .all(|item| item.data.recurrence.is_none())
    );
    world.assert_settled().await;
}

async fn deleting_a_series_on_either_side_deletes_it_on_the_other(backend: StoreBackend) {
    let (world, from_officeheart) = two_synced_series(backend).await;
    assert_eq!(world.ex_all().len(), 2);

    world.oh_remove(&from_officeheart);
    let borrel = world.ex_named("Vrijdagborrel");
    world.ex().delete(&borrel.item_id).unwrap();
    let report = world.run().await;

    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(report.counts.deleted.exchange, 1);
    assert_eq!(report.counts.deleted.officeheart, 1);
    assert!(world.ex_all().is_empty());
    assert!(world.oh_all().is_empty());
    world.assert_settled().await;
}

/// Mondays at 09:00 four times from `first`: the second cancelled, the third moved to Tuesday
/// 13:00 and renamed.
fn with_exceptions(first: NaiveDate) -> AppointmentData {
    let moved = amsterdam(first + TimeDelta::days(15), 13);
    AppointmentData {
        exceptions: vec![
            Exception::cancelled(first + TimeDelta::weeks(1)),
            Exception::modified(
                first + TimeDelta::weeks(2),
                ModifiedOccurrence {
                    schedule: ohsync_officeheart::Schedule::timed(
                        moved.with_timezone(&Amsterdam).fixed_offset(),
                        (moved + TimeDelta::hours(1))
                            .with_timezone(&Amsterdam)
                            .fixed_offset(),
                    )
                    .unwrap(),
                    subject: "Weekstart (dinsdag)".to_owned(),
                    location: "Kamer 4".to_owned(),
                },
            ),
        ],
        ..series_data("Weekstart", first, MONDAYS_4)
    }
}

/// What Outlook shows of [`with_exceptions`].
fn shown_with_exceptions(first: NaiveDate) -> Vec<(DateTime<Utc>, String)> {
    vec![
        (amsterdam(first, 9), "Weekstart".to_owned()),
        (
            amsterdam(first + TimeDelta::days(15), 13),
            "Weekstart (dinsdag)".to_owned(),
        ),
        (
            amsterdam(first + TimeDelta::weeks(3), 9),
            "Weekstart".to_owned(),
        ),
    ]
}

async fn exceptions_made_in_officeheart_show_in_outlook(backend: StoreBackend) {
    let world = World::start(backend).await;
    let first = monday_before_the_march_change();
    world.oh_seed(with_exceptions(first));

    let report = world.run().await;

    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(report.counts.created.exchange, 1);
    assert_eq!(
        occurrences(&world, first).await,
        shown_with_exceptions(first)
    );
    world.assert_settled().await;
}

async fn a_series_write_cut_off_half_way_is_finished_by_the_next_run(backend: StoreBackend) {
    let world = World::start(backend).await;
    let first = monday_before_the_march_change();
    let seeded = world.oh_seed(series_data("Weekstart", first, MONDAYS_4));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);

    // The OfficeHeart user adds the exceptions; Exchange stops answering right after the
    // series itself was rewritten, before its occurrences are.
    world.oh_edit(&seeded.id, |data| *data = with_exceptions(first));
    world.ews.faults().fail_next_of("DeleteItem", 20);
    let cut = world.run().await;
    world.ews.faults().clear();
    assert_ne!(cut.outcome, RunOutcome::Completed, "{cut:?}");
    assert_eq!(world.ex_all().len(), 1);

    let report = world.run().await;

    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert!(report.conflicts.is_empty(), "{report:?}");
    assert_eq!(report.counts.updated.exchange, 1, "{report:?}");
    assert_eq!(report.counts.updated.officeheart, 0, "{report:?}");
    assert_eq!(
        occurrences(&world, first).await,
        shown_with_exceptions(first)
    );
    assert_eq!(
        the_series(&world).data.exceptions,
        with_exceptions(first).exceptions
    );
    world.assert_settled().await;
}

async fn a_series_whose_rule_ohsync_cannot_sync_is_counted_and_left_alone(backend: StoreBackend) {
    let world = World::start(backend).await;
    let first = monday_before_the_march_change();
    world.oh_seed(series_data(
        "Elk uur",
        first,
        "FREQ=HOURLY;INTERVAL=2;COUNT=3",
    ));

    let report = world.run().await;

    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(
        report.skipped.get(&SkipReason::UnsupportedRecurrence),
        Some(&1)
    );
    assert!(world.ex_all().is_empty());
    assert_eq!(
        world.oh_all().len(),
        1,
        "nothing is lost on the OfficeHeart side"
    );
}

#[test]
fn the_series_of_these_tests_straddle_the_march_clock_change() {
    let first = monday_before_the_march_change();
    assert_eq!(first.weekday(), Weekday::Mon);
    assert_eq!(first.month(), 3);
    let change = first + TimeDelta::days(13);
    assert_eq!(change.weekday(), Weekday::Sun);
    assert!(
        (change + TimeDelta::days(7)).month() == 4,
        "the last Sunday of March"
    );
}

on_every_store!(
    a_weekly_series_from_officeheart_keeps_nine_oclock_across_the_clock_change,
    a_series_made_in_outlook_reaches_officeheart_as_its_rule,
    occurrences_cancelled_and_moved_in_outlook_reach_officeheart_as_exceptions,
    moving_a_series_or_shortening_it_in_officeheart_rewrites_it_in_exchange,
    deleting_a_series_on_either_side_deletes_it_on_the_other,
    a_series_made_single_on_either_side_becomes_single_on_the_other,
    exceptions_made_in_officeheart_show_in_outlook,
    a_series_write_cut_off_half_way_is_finished_by_the_next_run,
    a_series_whose_rule_ohsync_cannot_sync_is_counted_and_left_alone,
);
