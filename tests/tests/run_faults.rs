//! Faults in the middle of a run, over sockets, on every store backend: OfficeHeart refuses
//! its writes with 500 after the run has read both sides and written to Exchange. The run
//! ends Partial with the agenda's code; Exchange keeps what was written, OfficeHeart has
//! nothing half-done; the next run completes, and each appointment exists once on each side.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use ohsync_e2e::store_backend::StoreBackend;
use ohsync_engine::report::{ErrorCode, RunOutcome};
use ohsync_officeheart::ErrorCode as OfficeHeartCode;
use support::{World, at, oh_data};

async fn officeheart_failing_its_writes_mid_run_loses_and_duplicates_nothing(
    backend: StoreBackend,
) {
    let world = World::start(backend).await;
    world.oh_seed(oh_data("Uit OfficeHeart", at(1, 9)));
    world.ex_create("Uit Outlook", at(2, 13));
    world
        .oh
        .faults()
        .fail_next_writes(100, OfficeHeartCode::InternalError);

    let report = world.run().await;
    assert!(
        matches!(report.outcome, RunOutcome::Partial(_)),
        "{report:?}"
    );
    assert!(
        report
            .errors
            .iter()
            .any(|error| error.code == ErrorCode::AgendaUnavailable),
        "{report:?}"
    );
    assert_eq!(world.ex_subjects(), ["Uit OfficeHeart", "Uit Outlook"]);
    assert_eq!(world.oh_subjects(), ["Uit OfficeHeart"]);
    let state = world.stored_state().await;
    assert!(
        state.mailbox_sync_state.is_none() && state.agenda_cursor.is_none(),
        "a partial run keeps the old positions: {state:?}"
    );

    world.oh.faults().clear();
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(world.oh_subjects(), ["Uit OfficeHeart", "Uit Outlook"]);
    assert_eq!(world.ex_subjects(), ["Uit OfficeHeart", "Uit Outlook"]);
    world.assert_in_sync().await;
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert!(
        report.counts.is_empty(),
        "the third run is quiet: {report:?}"
    );
}

on_every_store!(officeheart_failing_its_writes_mid_run_loses_and_duplicates_nothing);
