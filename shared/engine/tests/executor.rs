//! The executor over the fakes: first runs, crashes after every side effect, racing runs,
//! recovery from an invalid sync state or an expired cursor, guards, dry runs, deadlines and
//! version conflicts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::TimeDelta;
use ohsync_engine::appointment::Text;
use ohsync_engine::executor::{ProgressSink, RunProgress};
use ohsync_engine::ports::Clock;
use ohsync_engine::reconcile::{AbortReason, Side};
use ohsync_engine::report::{PartialReason, RunOutcome};
use ohsync_engine::testkit::{TestWorld, appointment};

use common::{
    Identity, UserLog, a_run_dies_after_its_exchange_create, check_invariants, timed, world,
};

fn lease_passes(world: &TestWorld) {
    world.clock.advance(TimeDelta::minutes(16));
}

/// Two linked items, then on both sides a new item, an edit and a deletion.
async fn world_with_pending_changes() -> (TestWorld, UserLog) {
    let world = world();
    let mut log = UserLog::default();
    let kept = world
        .agenda
        .user_create(appointment("Overleg", timed(1, 9, 60)));
    let gone = world
        .agenda
        .user_create(appointment("Weg", timed(2, 9, 60)));
    let mail = world
        .mailbox
        .user_create(appointment("Lunch", timed(3, 12, 60)));
    log.created.insert(Identity::OfficeHeart(kept.id.clone()));
    log.created.insert(Identity::OfficeHeart(gone.id.clone()));
    log.created.insert(Identity::Exchange(mail.uid.clone()));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    world.run().await;

    world.clock.advance(TimeDelta::minutes(1));
    let fresh = world
        .agenda
        .user_create(appointment("Nieuw OH", timed(4, 9, 60)));
    log.created.insert(Identity::OfficeHeart(fresh.id));
    let fresh = world
        .mailbox
        .user_create(appointment("Nieuw EX", timed(5, 9, 60)));
    log.created.insert(Identity::Exchange(fresh.uid));
    let mut edited = kept.appointment.clone();
    edited.location = Text::new("Kamer 4");
    world.agenda.user_update(&kept.id, edited);
    let mut edited = appointment("Lunch", timed(3, 13, 60));
    edited.body = Text::new("Met klant");
    world.mailbox.user_update(&mail.item_id, edited);
    world.agenda.user_delete(&gone.id);
    log.deleted.insert(Identity::OfficeHeart(gone.id));
    (world, log)
}

#[tokio::test]
async fn a_first_run_copies_both_ways_and_links_what_is_clearly_the_same() {
    let world = world();
    let mut log = UserLog::default();
    let shared = appointment("Gedeeld", timed(1, 9, 60));
    for item in [
        world
            .agenda
            .user_create(appointment("Alleen OH", timed(2, 9, 60))),
        world.agenda.user_create(shared.clone()),
    ] {
        log.created.insert(Identity::OfficeHeart(item.id));
    }
    for key in [
        world
            .mailbox
            .user_create(appointment("Alleen EX", timed(3, 9, 60))),
        world.mailbox.user_create(shared),
    ] {
        log.created.insert(Identity::Exchange(key.uid));
    }
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed);
    assert_eq!(report.counts.created.officeheart, 1);
    assert_eq!(report.counts.created.exchange, 1);
    assert_eq!(report.counts.linked, 1);
    assert_eq!(world.agenda.items().len(), 3);
    assert_eq!(world.mailbox.items().len(), 3);
    check_invariants(&world, &log).unwrap();
}

#[tokio::test]
async fn a_crash_after_any_side_effect_is_recovered_without_duplicates_or_losses() {
    let (clean, _) = world_with_pending_changes().await;
    let before = clean.faults.effects();
    assert_eq!(clean.run().await.outcome, RunOutcome::Completed);
    let effects = clean.faults.effects() - before;
    assert!(effects >= 6, "the scenario has {effects} side effects");

    for crash_after in 1..=effects {
        let (world, log) = world_with_pending_changes().await;
        world.faults.crash_after(crash_after);
        world.run().await;
        assert!(world.faults.crashed(), "crash {crash_after} did not happen");
        world.faults.restart();
        lease_passes(&world);
        let retry = world.run().await;
        assert_eq!(
            retry.outcome,
            RunOutcome::Completed,
            "after crash {crash_after}: {retry:#?}"
        );
        check_invariants(&world, &log).unwrap_or_else(|e| panic!("after crash {crash_after}: {e}"));
        world.reset_requests();
        world.run().await;
        world.run().await;
        let writes = world.mailbox.requests.of("create_items") + world.agenda.requests.of("create");
        assert_eq!(
            writes, 0,
            "after crash {crash_after} a later run created again"
        );
    }
}

#[tokio::test]
async fn racing_runs_end_with_one_loser_and_no_duplicates() {
    let mut losses = 0;
    for seed in 0..40u64 {
        let (world, log) = world_with_pending_changes().await;
        world.faults.interleave(seed);
        let (first, second) = tokio::join!(world.run(), world.run());
        world.faults.stop_interleaving();
        let outcomes = [first.outcome, second.outcome];
        if outcomes
            .iter()
            .any(|outcome| matches!(outcome, RunOutcome::LostRace | RunOutcome::Busy))
        {
            losses += 1;
        }
        lease_passes(&world);
        assert_eq!(world.run().await.outcome, RunOutcome::Completed);
        check_invariants(&world, &log).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
    assert!(losses > 0, "no interleaving made a run lose");
}

#[tokio::test]
async fn a_pending_intent_is_found_by_its_tag_instead_of_creating_again() {
    let world = world();
    a_run_dies_after_its_exchange_create(&world).await;
    assert_eq!(world.mailbox.items().len(), 1);
    assert_eq!(world.store.state(&world.binding).intents.len(), 1);

    assert_eq!(
        world.run().await.outcome,
        RunOutcome::Busy,
        "a fresh intent may be a live run"
    );
    lease_passes(&world);
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed);
    assert_eq!(report.counts.created.exchange, 0);
    assert_eq!(world.mailbox.items().len(), 1);
    let state = world.store.state(&world.binding);
    assert!(state.intents.is_empty());
    assert_eq!(state.mapping_count, 1);
}

#[tokio::test]
async fn an_invalid_sync_state_relists_the_window_against_the_mappings() {
    let (world, log) = world_with_pending_changes().await;
    world.reset_requests();
    world.mailbox.invalidate_sync_state();
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed);
    check_invariants(&world, &log).unwrap();
    assert_eq!(world.mailbox.requests.of("list_window"), 1);
}

#[tokio::test]
async fn an_expired_cursor_relists_the_window_against_the_mappings() {
    let (world, log) = world_with_pending_changes().await;
    // The deletion happened before the cursor expired: the listing cannot show it, so the one
    // linked item it leaves out is read directly, found gone, and its copy deleted.
    world.agenda.expire_cursors();
    world.reset_requests();
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed);
    assert_eq!(report.counts.deleted.exchange, 1);
    assert_eq!(report.counts.created.exchange, 1);
    assert_eq!(report.counts.updated.exchange, 1);
    assert_eq!(world.agenda.requests.of("get"), 1);
    let tags = world
        .mailbox
        .items()
        .into_iter()
        .filter(|item| item.tag.is_some())
        .count();
    assert_eq!(tags, 2, "no duplicate copies after a re-listing");
    check_invariants(&world, &log).unwrap();
}

async fn ten_linked(world: &TestWorld) -> Vec<ohsync_engine::ports::AgendaItem> {
    let items: Vec<_> = (0..10)
        .map(|n| {
            world
                .agenda
                .user_create(appointment(&format!("Afspraak {n}"), timed(n + 1, 9, 60)))
        })
        .collect();
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    world.run().await;
    items
}

#[tokio::test]
async fn the_deletion_guard_stops_a_mass_deletion_until_overridden() {
    let mut world = world();
    let items = ten_linked(&world).await;
    for item in &items[..6] {
        world.agenda.user_delete(&item.id);
    }
    let report = world.run().await;
    assert_eq!(
        report.outcome,
        RunOutcome::Aborted(AbortReason::DeletionGuard {
            planned: 6,
            limit: 5
        })
    );
    assert_eq!(world.mailbox.items().len(), 10);
    let status = world.store.state(&world.binding).status.unwrap();
    assert_eq!(status.outcome, report.outcome);

    world.policy.guard_override = true;
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    assert_eq!(world.mailbox.items().len(), 4);
}

#[tokio::test]
async fn the_storage_empty_guard_stops_a_run_whose_listing_is_suddenly_empty() {
    let world = world();
    let items = ten_linked(&world).await;
    for item in &items {
        world.agenda.user_delete(&item.id);
    }
    world.agenda.expire_cursors();
    let report = world.run().await;
    assert_eq!(
        report.outcome,
        RunOutcome::Aborted(AbortReason::StorageEmpty {
            side: Side::OfficeHeart
        })
    );
    assert_eq!(world.mailbox.items().len(), 10);
}

#[tokio::test]
async fn a_dry_run_returns_the_plan_and_writes_nothing() {
    let (world, _) = world_with_pending_changes().await;
    let effects = world.faults.effects();
    world.reset_requests();
    let mut options = world.options();
    options.dry_run = true;
    let report = world.run_with(&options).await;
    assert_eq!(report.outcome, RunOutcome::DryRun);
    let plan = report.plan.unwrap();
    let writes = plan
        .decisions
        .iter()
        .flat_map(|decision| &decision.actions)
        .filter(|action| action.is_write())
        .count();
    assert_eq!(writes, 5, "{plan:#?}");
    assert_eq!(world.faults.effects(), effects);
    assert_eq!(world.store.requests.of("commit"), 0);
}

#[tokio::test]
async fn a_watcher_is_told_the_reads_the_plan_and_every_write_sent() {
    let world = world();
    for day in 1..=7 {
        world
            .agenda
            .user_create(appointment(&format!("OH {day}"), timed(day, 9, 60)));
    }
    for day in 1..=3 {
        world
            .mailbox
            .user_create(appointment(&format!("EX {day}"), timed(day, 14, 60)));
    }
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut options = world.options();
    options.exchange_batch_size = 3;
    options.progress = Some(ProgressSink::new({
        let seen = seen.clone();
        move |progress| seen.lock().unwrap().push(progress)
    }));
    let report = world.run_with(&options).await;
    assert_eq!(report.outcome, RunOutcome::Completed);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen[..2],
        [
            RunProgress::Read {
                exchange: 3,
                officeheart: 7
            },
            RunProgress::Planned { writes: 10 },
        ],
        "{seen:?}"
    );
    // Seven Exchange creates in batches of 3, then three OfficeHeart creates one by one.
    let wrote: Vec<usize> = seen[2..]
        .iter()
        .filter_map(|progress| match progress {
            RunProgress::Wrote { items } => Some(*items),
            _ => None,
        })
        .collect();
    assert_eq!(wrote, [3, 3, 1, 1, 1, 1], "{seen:?}");
}

#[tokio::test]
async fn after_the_deadline_no_work_starts_and_positions_stay() {
    let (world, log) = world_with_pending_changes().await;
    let before = world.store.state(&world.binding);
    let mut options = world.options();
    options.deadline = world.clock.now() - TimeDelta::seconds(1);
    let report = world.run_with(&options).await;
    assert_eq!(report.outcome, RunOutcome::Partial(PartialReason::Deadline));
    assert!(report.counts.is_empty());
    let after = world.store.state(&world.binding);
    assert_eq!(after.mailbox_sync_state, before.mailbox_sync_state);
    assert_eq!(after.agenda_cursor, before.agenda_cursor);
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    check_invariants(&world, &log).unwrap();
}

#[tokio::test]
async fn a_version_conflict_rereads_and_replans_instead_of_overwriting() {
    let world = world();
    let item = world
        .agenda
        .user_create(appointment("Overleg", timed(1, 9, 60)));
    world.run().await;
    world.run().await;
    let exchange_id = world.mailbox.items()[0].key.item_id.clone();

    world.clock.advance(TimeDelta::minutes(1));
    let mut from_officeheart = item.appointment.clone();
    from_officeheart.location = Text::new("Kamer 1");
    world.agenda.user_update(&item.id, from_officeheart);
    world.clock.advance(TimeDelta::minutes(1));
    let mut from_outlook = item.appointment.clone();
    from_outlook.location = Text::new("Kamer 9");
    world
        .mailbox
        .edit_before_next_write(&exchange_id, from_outlook.clone());

    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:#?}");
    assert_eq!(report.conflicts.len(), 1);
    assert_eq!(report.conflicts[0].winner, Side::Exchange);
    let status = world.store.state(&world.binding).status.unwrap();
    assert_eq!(
        (status.conflicts.exchange, status.conflicts.officeheart),
        (1, 0),
        "the stored status counts the conflict by the side kept"
    );
    assert_eq!(world.mailbox.items()[0].appointment, from_outlook);
    assert_eq!(world.agenda.items()[0].appointment, from_outlook);
}

#[tokio::test]
async fn a_copy_made_in_a_partial_run_and_deleted_before_the_next_is_seen_deleted() {
    let world = world();
    let mut log = UserLog::default();
    let linked = world
        .agenda
        .user_create(appointment("Overleg", timed(1, 9, 60)));
    log.created.insert(Identity::OfficeHeart(linked.id));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);

    world.clock.advance(TimeDelta::minutes(1));
    let fresh = world
        .agenda
        .user_create(appointment("Nieuw", timed(2, 9, 60)));
    log.created.insert(Identity::OfficeHeart(fresh.id.clone()));
    world.mailbox.fail_read_after_next_write(true);
    let report = world.run().await;
    assert_eq!(
        report.outcome,
        RunOutcome::Partial(PartialReason::WorkLeft),
        "{report:#?}"
    );
    let copy = world
        .mailbox
        .items()
        .into_iter()
        .find(|item| item.appointment.subject == Text::new("Nieuw"))
        .unwrap();

    // Created and deleted after the stored position: SyncFolderItems reports nothing of it.
    world.clock.advance(TimeDelta::minutes(1));
    world.mailbox.user_delete(&copy.key.item_id);
    log.deleted.insert(Identity::Exchange(copy.key.uid));
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:#?}");
    assert!(
        world.agenda.items().iter().all(|item| item.id != fresh.id),
        "the deletion of the copy reached OfficeHeart"
    );
    check_invariants(&world, &log).unwrap();
    assert!(
        world
            .store
            .state(&world.binding)
            .unconfirmed_items
            .is_empty(),
        "a completed run confirms them"
    );
}
