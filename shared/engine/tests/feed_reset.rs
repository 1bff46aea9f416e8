//! Feed resets: after an invalid sync state or an expired cursor a side is listed, and linked
//! items the listing leaves out are verified by a direct read (a confirmed NotFound is a
//! deletion; a failed read is not). A listing whose paging state Exchange drops is restarted
//! once. The intent lease follows the worker's timeout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::TimeDelta;
use ohsync_engine::ports::{AgendaItem, Clock};
use ohsync_engine::reconcile::AbortReason;
use ohsync_engine::report::{ErrorCode, PartialReason, RunOutcome, RunReport};
use ohsync_engine::testkit::{TestWorld, appointment};

use common::{
    Identity, UserLog, a_run_dies_after_its_exchange_create, check_invariants, timed, world,
};

/// `count` OfficeHeart appointments, copied to Exchange and settled.
async fn linked(world: &TestWorld, count: i64, log: &mut UserLog) -> Vec<AgendaItem> {
    let items: Vec<_> = (0..count)
        .map(|n| {
            world
                .agenda
                .user_create(appointment(&format!("Afspraak {n}"), timed(n + 1, 9, 60)))
        })
        .collect();
    for item in &items {
        log.created.insert(Identity::OfficeHeart(item.id.clone()));
    }
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    world.run().await;
    world.clock.advance(TimeDelta::minutes(1));
    items
}

fn copy_of(world: &TestWorld, item: &AgendaItem) -> ohsync_engine::ports::ExchangeItem {
    world
        .mailbox
        .items()
        .into_iter()
        .find(|copy| {
            copy.tag
                .as_ref()
                .is_some_and(|tag| tag.officeheart_id == item.id)
        })
        .unwrap()
}

#[tokio::test]
async fn a_deletion_in_exchange_before_an_invalid_sync_state_is_propagated() {
    let world = world();
    let mut log = UserLog::default();
    let items = linked(&world, 3, &mut log).await;
    let copy = copy_of(&world, &items[1]);
    world.mailbox.user_delete(&copy.key.item_id);
    log.deleted.insert(Identity::Exchange(copy.key.uid));
    world.mailbox.invalidate_sync_state();
    world.reset_requests();

    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:#?}");
    assert_eq!(report.counts.deleted.officeheart, 1);
    assert_eq!(world.agenda.items().len(), 2);
    assert_eq!(world.mailbox.requests.of("get_items"), 1);
    assert_eq!(world.store.requests.of("list_mappings"), 1);
    assert_eq!(world.store.state(&world.binding).mapping_count, 2);
    check_invariants(&world, &log).unwrap();
}

#[tokio::test]
async fn a_failed_verification_read_is_never_a_deletion_and_holds_the_position() {
    let world = world();
    let mut log = UserLog::default();
    let items = linked(&world, 3, &mut log).await;
    world.agenda.user_delete(&items[0].id);
    log.deleted
        .insert(Identity::OfficeHeart(items[0].id.clone()));
    world.agenda.expire_cursors();
    let before = world.store.state(&world.binding).agenda_cursor;
    world.agenda.fail_next_reads(1);

    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Partial(PartialReason::WorkLeft));
    assert_eq!(report.counts.deleted.exchange, 0);
    assert_eq!(world.mailbox.items().len(), 3);
    assert_eq!(world.store.state(&world.binding).agenda_cursor, before);

    let retry = world.run().await;
    assert_eq!(retry.outcome, RunOutcome::Completed, "{retry:#?}");
    assert_eq!(retry.counts.deleted.exchange, 1);
    assert_eq!(world.mailbox.items().len(), 2);
    check_invariants(&world, &log).unwrap();
}

#[tokio::test]
async fn an_item_rescheduled_out_of_the_window_during_the_gap_is_updated_not_deleted() {
    let world = world();
    let mut log = UserLog::default();
    let items = linked(&world, 2, &mut log).await;
    let copy = copy_of(&world, &items[0]);
    let far = appointment("Afspraak 0", timed(400, 9, 60));
    world.mailbox.user_update(&copy.key.item_id, far.clone());
    world.mailbox.invalidate_sync_state();

    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:#?}");
    assert_eq!(report.counts.deleted.officeheart, 0);
    assert_eq!(report.counts.updated.officeheart, 1);
    let officeheart = world.agenda.items();
    assert_eq!(officeheart.len(), 2);
    assert!(officeheart.iter().any(|item| item.appointment == far));
}

#[tokio::test]
async fn a_moved_item_missing_from_a_listing_is_found_by_its_uid() {
    let world = world();
    let mut log = UserLog::default();
    let items = linked(&world, 2, &mut log).await;
    let copy = copy_of(&world, &items[0]);
    let moved = world.mailbox.user_move(&copy.key.item_id).unwrap();
    let far = appointment("Afspraak 0", timed(400, 9, 60));
    world.mailbox.user_update(&moved, far.clone());
    world.mailbox.invalidate_sync_state();

    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:#?}");
    assert_eq!(report.counts.deleted.officeheart, 0);
    assert_eq!(world.mailbox.requests.of("find_by_uids"), 1);
    assert!(
        world
            .agenda
            .items()
            .iter()
            .any(|item| item.appointment == far)
    );
    check_invariants(&world, &log).unwrap();
}

#[tokio::test]
async fn a_linked_item_last_synced_outside_the_window_is_not_read_after_a_reset() {
    let world = world();
    let mut log = UserLog::default();
    let items = linked(&world, 2, &mut log).await;
    world
        .agenda
        .user_update(&items[0].id, appointment("Afspraak 0", timed(400, 9, 60)));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    // The next run reads the echo of that write; after it nothing about the item is reported.
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    world.agenda.user_delete(&items[0].id);
    world.agenda.expire_cursors();
    world.reset_requests();

    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:#?}");
    assert_eq!(world.agenda.requests.of("get"), 0);
    assert_eq!(report.counts.deleted.exchange, 0);
    assert_eq!(world.mailbox.items().len(), 2);
}

#[tokio::test]
async fn verified_deletions_are_subject_to_the_deletion_guard() {
    let world = world();
    let mut log = UserLog::default();
    let items = linked(&world, 10, &mut log).await;
    for item in &items[..6] {
        world
            .mailbox
            .user_delete(&copy_of(&world, item).key.item_id);
    }
    world.mailbox.invalidate_sync_state();

    let report = world.run().await;
    assert_eq!(
        report.outcome,
        RunOutcome::Aborted(AbortReason::DeletionGuard {
            planned: 6,
            limit: 5
        })
    );
    assert_eq!(world.agenda.items().len(), 10);
}

#[tokio::test]
async fn only_a_run_after_a_reset_lists_the_mappings_in_pages() {
    let world = world();
    let mut log = UserLog::default();
    let items = linked(&world, 5, &mut log).await;
    world
        .agenda
        .user_update(&items[0].id, appointment("Verzet", timed(2, 14, 30)));
    world.reset_requests();
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    assert_eq!(world.store.requests.of("list_mappings"), 0);

    world.store.set_page_size(2);
    world.agenda.user_delete(&items[4].id);
    log.deleted
        .insert(Identity::OfficeHeart(items[4].id.clone()));
    world.agenda.expire_cursors();
    world.reset_requests();
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    assert_eq!(world.store.requests.of("list_mappings"), 3);
    assert_eq!(world.mailbox.items().len(), 4);
    check_invariants(&world, &log).unwrap();
}

#[tokio::test]
async fn an_invalid_sync_state_while_paging_a_listing_restarts_it_once() {
    let world = world();
    let mut log = UserLog::default();
    linked(&world, 5, &mut log).await;
    world.mailbox.set_page_size(2);
    world.mailbox.invalidate_sync_state();
    world.mailbox.invalidate_listing_pages(1);
    world.reset_requests();

    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:#?}");
    // Page 1, page 2 refused, then pages 1–3 again.
    assert_eq!(world.mailbox.requests.of("list_window"), 5);
    assert!(report.counts.is_empty(), "{report:#?}");
    check_invariants(&world, &log).unwrap();
}

#[tokio::test]
async fn a_second_invalid_sync_state_in_one_listing_stops_the_run_with_its_code() {
    let world = world();
    let mut log = UserLog::default();
    linked(&world, 5, &mut log).await;
    let before = world.store.state(&world.binding);
    world.mailbox.set_page_size(2);
    world.mailbox.invalidate_sync_state();
    world.mailbox.invalidate_listing_pages(2);

    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Failed);
    assert_eq!(report.errors[0].code, ErrorCode::MailboxListingInvalidated);
    assert_eq!(
        ErrorCode::MailboxListingInvalidated.as_str(),
        "mailbox_listing_invalidated"
    );
    let after = world.store.state(&world.binding);
    assert_eq!(after.mailbox_sync_state, before.mailbox_sync_state);
    assert_eq!(after.status.unwrap().outcome, RunOutcome::Failed);
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    check_invariants(&world, &log).unwrap();
}

#[tokio::test]
async fn a_lease_from_the_worker_timeout_resumes_a_crashed_binding_within_the_tick() {
    let world = world();
    world
        .agenda
        .user_create(appointment("Overleg", timed(1, 9, 60)));
    let options = world.options().with_max_run_time(TimeDelta::minutes(2));
    assert_eq!(options.intent_lease, TimeDelta::minutes(3));
    // Effect 1 is the intent, effect 2 the Exchange create: the process dies right after it.
    world.faults.crash_after(2);
    world.run_with(&options).await;
    world.faults.restart();

    world.clock.advance(TimeDelta::minutes(2));
    let options = world.options().with_max_run_time(TimeDelta::minutes(2));
    assert_eq!(world.run_with(&options).await.outcome, RunOutcome::Busy);
    world.clock.advance(TimeDelta::minutes(2));
    let options = world.options().with_max_run_time(TimeDelta::minutes(2));
    let report = world.run_with(&options).await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:#?}");
    assert_eq!(report.counts.created.exchange, 0);
    assert_eq!(world.mailbox.items().len(), 1);

    // Without the worker's timeout the lease falls back to the Lambda maximum.
    assert_eq!(world.options().intent_lease, TimeDelta::minutes(15));
}

/// A linked pair moved out of the window; during a reset gap its copy is deleted or moved
/// (the listing cannot show it and it is not verified: it lies outside the window). When the
/// original comes back, the update finds the old ItemId gone and the UID decides.
async fn original_returns_after_copy_left_unseen(
    move_copy: bool,
) -> (TestWorld, UserLog, AgendaItem, RunReport) {
    let world = world();
    let mut log = UserLog::default();
    // The second pair keeps the listing from being empty (the storage-empty guard).
    let item = linked(&world, 2, &mut log).await.remove(0);
    let mut away = item.appointment.clone();
    away.schedule = timed(-60, 9, 60);
    world.agenda.user_update(&item.id, away);
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    let copy = copy_of(&world, &item);
    if move_copy {
        world.mailbox.user_move(&copy.key.item_id).unwrap();
    } else {
        world.mailbox.user_delete(&copy.key.item_id);
        log.deleted.insert(Identity::Exchange(copy.key.uid));
    }
    world.mailbox.invalidate_sync_state();
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);

    world.clock.advance(TimeDelta::minutes(1));
    let mut back = item.appointment.clone();
    back.schedule = timed(2, 9, 60);
    world.agenda.user_update(&item.id, back);
    world.reset_requests();
    let report = world.run().await;
    (world, log, item, report)
}

#[tokio::test]
async fn an_update_of_a_copy_deleted_unseen_recreates_it_instead_of_waiting_for_the_feed() {
    let (world, log, item, report) = original_returns_after_copy_left_unseen(false).await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:#?}");
    assert_eq!(world.mailbox.requests.of("find_by_uids"), 1);
    assert_eq!(report.counts.created.exchange, 1);
    assert_eq!(copy_of(&world, &item).appointment.schedule, timed(2, 9, 60));
    check_invariants(&world, &log).unwrap();
}

#[tokio::test]
async fn an_update_of_a_copy_moved_unseen_follows_it_by_uid() {
    let (world, log, item, report) = original_returns_after_copy_left_unseen(true).await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:#?}");
    assert_eq!(report.counts.created.exchange, 0);
    assert_eq!(report.counts.updated.exchange, 1);
    assert_eq!(world.mailbox.items().len(), 2);
    assert_eq!(copy_of(&world, &item).appointment.schedule, timed(2, 9, 60));
    check_invariants(&world, &log).unwrap();
}

#[tokio::test]
async fn intents_from_before_a_sole_process_started_are_recovered_at_once() {
    let world = world();
    a_run_dies_after_its_exchange_create(&world).await;
    world.clock.advance(TimeDelta::seconds(5));

    // A process that may share the store must wait out the lease; one that holds it alone
    // and started after the intent was recorded knows its writer is dead.
    assert_eq!(world.run().await.outcome, RunOutcome::Busy);
    let mut options = world.options();
    options.intents_dead_before = Some(world.clock.now() - TimeDelta::seconds(10));
    assert_eq!(
        world.run_with(&options).await.outcome,
        RunOutcome::Busy,
        "an intent younger than the process start may be its own run's"
    );
    options.intents_dead_before = Some(world.clock.now());
    let report = world.run_with(&options).await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:#?}");
    assert_eq!(report.counts.created.exchange, 0, "found by its tag");
    assert_eq!(world.mailbox.items().len(), 1);
    assert!(world.store.state(&world.binding).intents.is_empty());
}
