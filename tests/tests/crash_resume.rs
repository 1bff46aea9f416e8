//! Crash and resume on the embedded store: a run dies between side effects — the Exchange
//! simulator closes the connection after committing a write, the OfficeHeart simulator after
//! applying one, so the worker never learns the outcome — and the process restarts (the store is
//! opened afresh from its file). The next runs create nothing twice and lose nothing.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use chrono::TimeDelta;
use ohsync_e2e::store_backend::StoreBackend;
use ohsync_engine::report::RunOutcome;
use support::{World, at, oh_data};

/// Runs until a run completes, moving the clock past the intent lease when a run finds the
/// dead run's intents; panics after a few tries.
async fn run_until_completed(world: &World) {
    for _ in 0..4 {
        let report = world.run().await;
        if report.outcome == RunOutcome::Completed {
            return;
        }
        world.clock.advance(TimeDelta::minutes(16));
    }
    panic!("no run completed after the crash");
}

#[tokio::test]
async fn a_run_cut_off_after_an_exchange_write_resumes_without_duplicates() {
    let mut world = World::start(StoreBackend::Embedded).await;
    world.oh_seed(oh_data("Een", at(1, 0)));
    world.oh_seed(oh_data("Twee", at(2, 0)));
    world.ex_create("Drie", at(3, 0));

    // The run may finish anyway (the lost create is found by its tag within the run) or stop;
    // either way the create happened once.
    world.ews.faults().drop_connection_after_next_writes(1);
    world.run().await;
    assert_eq!(world.ex_all().len(), 3, "the create was committed once");

    world.restart_store();
    run_until_completed(&world).await;
    assert_eq!(world.ex_subjects(), ["Drie", "Een", "Twee"]);
    assert_eq!(world.oh_subjects(), ["Drie", "Een", "Twee"]);
    world.assert_in_sync().await;
    run_until_completed(&world).await;
    assert_eq!(world.ex_subjects(), ["Drie", "Een", "Twee"]);
    assert_eq!(world.oh_subjects(), ["Drie", "Een", "Twee"]);
}

#[tokio::test]
async fn a_run_cut_off_after_an_officeheart_write_resumes_without_duplicates() {
    let mut world = World::start(StoreBackend::Embedded).await;
    world.oh_seed(oh_data("Een", at(1, 0)));
    world.ex_create("Twee", at(2, 0));
    world.ex_create("Drie", at(3, 0));

    world.oh.faults().drop_next_write();
    let crashed = world.run().await;
    assert_ne!(crashed.outcome, RunOutcome::Completed, "{crashed:?}");

    world.restart_store();
    run_until_completed(&world).await;
    assert_eq!(world.ex_subjects(), ["Drie", "Een", "Twee"]);
    assert_eq!(world.oh_subjects(), ["Drie", "Een", "Twee"]);
    world.assert_in_sync().await;
}

#[tokio::test]
async fn an_edit_cut_off_on_both_sides_resumes_without_losing_either() {
    let mut world = World::start(StoreBackend::Embedded).await;
    let een = world.oh_seed(oh_data("Een", at(1, 0)));
    let twee = world.ex_create("Twee", at(2, 0));
    run_until_completed(&world).await;
    run_until_completed(&world).await;

    world.oh_edit(&een.id, |data| data.subject = "Een (verzet)".into());
    world
        .ex()
        .edit(
            &twee.item_id,
            &ohsync_ews_sim::ItemPatch::new().subject("Twee (verzet)"),
        )
        .unwrap();
    world.ews.faults().drop_connection_after_next_writes(1);
    world.oh.faults().drop_next_write();
    let crashed = world.run().await;
    assert_ne!(crashed.outcome, RunOutcome::Completed, "{crashed:?}");

    world.restart_store();
    run_until_completed(&world).await;
    assert_eq!(world.ex_subjects(), ["Een (verzet)", "Twee (verzet)"]);
    assert_eq!(world.oh_subjects(), ["Een (verzet)", "Twee (verzet)"]);
    world.assert_in_sync().await;
}
