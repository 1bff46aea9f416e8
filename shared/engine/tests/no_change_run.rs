//! The cost target: a run with no changes makes one request per calendar, at most two store
//! reads and no store write.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ohsync_engine::report::RunOutcome;
use ohsync_engine::testkit::{TestWorld, appointment};

use common::{timed, world};

async fn synced_world() -> TestWorld {
    let world = world();
    world
        .agenda
        .user_create(appointment("Overleg", timed(1, 9, 60)));
    world
        .mailbox
        .user_create(appointment("Lunch", timed(2, 12, 60)));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    world
}

#[tokio::test]
async fn a_run_with_no_changes_makes_one_request_per_side_and_writes_nothing() {
    let world = synced_world().await;
    // The second run reads the first run's own writes back: echoes, recognised and consumed.
    let echoes = world.run().await;
    assert_eq!(echoes.outcome, RunOutcome::Completed);
    assert!(echoes.counts.is_empty(), "{echoes:#?}");

    world.reset_requests();
    let quiet = world.run().await;
    assert_eq!(quiet.outcome, RunOutcome::Completed);
    assert_eq!(
        world
            .mailbox
            .requests
            .snapshot()
            .into_iter()
            .collect::<Vec<_>>(),
        vec![("changes", 1)]
    );
    assert_eq!(
        world
            .agenda
            .requests
            .snapshot()
            .into_iter()
            .collect::<Vec<_>>(),
        vec![("changes", 1)]
    );
    let store_reads = world.store.requests.of("load") + world.store.requests.of("find_mappings");
    assert!(store_reads <= 2, "{store_reads} store reads");
    assert_eq!(world.store.requests.of("commit"), 0);
}

#[tokio::test]
async fn a_run_reading_only_echoes_writes_no_calendar_and_only_its_positions() {
    let world = synced_world().await;
    world.reset_requests();
    let echoes = world.run().await;
    assert_eq!(echoes.outcome, RunOutcome::Completed);
    for write in ["create_items", "update_items", "delete_items"] {
        assert_eq!(world.mailbox.requests.of(write), 0, "{write}");
    }
    for write in ["create", "update", "delete"] {
        assert_eq!(world.agenda.requests.of(write), 0, "{write}");
    }
    assert_eq!(world.store.requests.of("commit"), 1);
}

#[tokio::test]
async fn a_healthy_run_after_a_failed_one_writes_the_status_once() {
    let world = synced_world().await;
    world.run().await;
    world.faults.crash_after(1);
    world
        .mailbox
        .user_create(appointment("Nieuw", timed(3, 9, 30)));
    world.run().await;
    world.faults.restart();
    world.clock.advance(chrono::TimeDelta::minutes(16));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    world.run().await;
    world.reset_requests();
    world.run().await;
    assert_eq!(world.store.requests.of("commit"), 0);
    assert!(
        world
            .store
            .state(&world.binding)
            .status
            .unwrap()
            .is_healthy()
    );
}
