//! A series with exceptions reaches Exchange in more than one request (the series, then its
//! exceptions); the fake mailbox writes it in two side effects the same way. A run that dies
//! between them leaves a series marked unfinished, which the next run must finish from
//! OfficeHeart — never take for the user's edit, never copy back, never duplicate.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod common;

use chrono::{NaiveDate, TimeDelta};
use ohsync_engine::appointment::{Appointment, Text};
use ohsync_engine::report::RunOutcome;
use ohsync_engine::series::{Exception, ModifiedOccurrence, Recurrence, Series};
use ohsync_engine::testkit::{TestWorld, appointment};

use common::{timed, world};

/// Daily at 09:00 for five days from tomorrow, with `exceptions` (by day after the first).
fn series(exceptions: &[(i64, Exception)]) -> Appointment {
    let mut content = appointment("Dagstart", timed(1, 9, 30));
    let first = content.schedule.first_date(content.time_zone);
    let rule = "FREQ=DAILY;INTERVAL=1;COUNT=5".parse().unwrap();
    let exceptions = exceptions
        .iter()
        .map(|(day, exception)| (first + TimeDelta::days(*day), exception.clone()));
    content.recurrence = Some(Recurrence::Series(
        Series::new(rule, first, exceptions).unwrap(),
    ));
    content
}

fn moved_to_the_afternoon(day: i64) -> Exception {
    Exception::Modified(ModifiedOccurrence {
        schedule: timed(1 + day, 14, 30),
        subject: Text::new("Dagstart ('s middags)"),
        location: Text::new("Kamer 1"),
    })
}

fn exceptions_of(appointment: &Appointment) -> Vec<NaiveDate> {
    match &appointment.recurrence {
        Some(Recurrence::Series(series)) => series.exceptions().keys().copied().collect(),
        _ => Vec::new(),
    }
}

/// Both sides hold exactly one appointment, equal to `expected`, and Exchange's is whole.
fn assert_one_each(world: &TestWorld, expected: &Appointment) {
    let officeheart = world.agenda.items();
    let exchange = world.mailbox.items();
    assert_eq!(officeheart.len(), 1, "{officeheart:?}");
    assert_eq!(exchange.len(), 1, "{exchange:?}");
    assert_eq!(&officeheart[0].appointment, expected);
    assert_eq!(&exchange[0].appointment, expected);
    assert!(!exchange[0].unfinished);
}

#[tokio::test]
async fn a_series_create_that_dies_half_way_is_finished_from_officeheart() {
    let world = world();
    let content = series(&[(1, Exception::Cancelled), (2, moved_to_the_afternoon(2))]);
    world.agenda.user_create(content.clone());
    // Effect 1 is the intent, 2 the series without its exceptions, 3 the rest.
    world.faults.crash_after(2);
    world.run().await;
    world.faults.restart();
    let half = world.mailbox.items();
    assert_eq!(half.len(), 1);
    assert!(half[0].unfinished);
    assert!(exceptions_of(&half[0].appointment).is_empty());
    // The intent marks the binding busy until its lease ends.
    world
        .clock
        .advance(world.options().intent_lease + TimeDelta::seconds(1));

    let report = world.run().await;

    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(report.counts.updated.exchange, 1, "{report:?}");
    assert_eq!(report.counts.updated.officeheart, 0, "{report:?}");
    assert_one_each(&world, &content);
    assert!(world.run().await.counts.is_empty());
}

#[tokio::test]
async fn a_series_update_that_dies_half_way_is_not_taken_for_a_newer_outlook_edit() {
    let world = world();
    let created = world
        .agenda
        .user_create(series(&[(4, Exception::Cancelled)]));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);

    // The OfficeHeart user restores the last day, cancels the second and moves the fourth; the
    // update to Exchange dies after its first request (the series without exceptions), which
    // is newer than the OfficeHeart edit and differs from what was last synced.
    let edited = series(&[(1, Exception::Cancelled), (3, moved_to_the_afternoon(3))]);
    world.agenda.user_update(&created.id, edited.clone());
    world.clock.advance(TimeDelta::minutes(5));
    world.faults.crash_after(1);
    world.run().await;
    world.faults.restart();
    assert!(world.mailbox.items()[0].unfinished);
    world.clock.advance(TimeDelta::minutes(5));

    let report = world.run().await;

    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert!(report.conflicts.is_empty(), "{report:?}");
    assert_eq!(report.counts.updated.exchange, 1, "{report:?}");
    assert_one_each(&world, &edited);
}

#[tokio::test]
async fn a_half_written_series_deleted_in_officeheart_is_deleted_in_exchange() {
    let world = world();
    let created = world
        .agenda
        .user_create(series(&[(1, Exception::Cancelled)]));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    world
        .agenda
        .user_update(&created.id, series(&[(4, Exception::Cancelled)]));
    world.faults.crash_after(1);
    world.run().await;
    world.faults.restart();

    world.agenda.user_delete(&created.id);
    let report = world.run().await;

    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(report.counts.deleted.exchange, 1, "{report:?}");
    assert!(world.mailbox.items().is_empty());
    assert!(world.agenda.items().is_empty());
}

#[tokio::test]
async fn exceptions_made_in_outlook_reach_officeheart_and_back_unchanged() {
    let world = world();
    let created = world.agenda.user_create(series(&[]));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    let item = world.mailbox.items().pop().unwrap();
    let in_outlook = series(&[(2, Exception::Cancelled)]);
    world
        .mailbox
        .user_update(&item.key.item_id, in_outlook.clone());

    let report = world.run().await;

    assert_eq!(report.counts.updated.officeheart, 1, "{report:?}");
    assert_eq!(
        world.agenda.items()[0].id,
        created.id,
        "the series is updated, not copied"
    );
    assert_one_each(&world, &in_outlook);
    assert!(world.run().await.counts.is_empty(), "no echo");
}

#[tokio::test]
async fn a_half_written_series_whose_officeheart_side_is_quiet_is_read_and_finished() {
    let world = world();
    let content = series(&[(1, Exception::Cancelled), (2, moved_to_the_afternoon(2))]);
    world.agenda.user_create(content.clone());
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    let item = world.mailbox.items().pop().unwrap();
    world
        .mailbox
        .leave_unfinished(&item.key.item_id, series(&[]));
    world.agenda.requests.reset();

    let report = world.run().await;

    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(report.counts.updated.exchange, 1, "{report:?}");
    assert_eq!(
        world.agenda.requests.of("get"),
        1,
        "the quiet appointment is read"
    );
    assert_one_each(&world, &content);
    assert!(world.run().await.counts.is_empty());
}
