//! End-to-end sync runs: `run_user_sync` over `EwsMailbox` (against the Exchange simulator,
//! NTLM over a socket) and `OfficeHeartAgenda` (against the OfficeHeart simulator). Each scenario
//! is written once and runs on every store backend (`fake::…`, `embedded::…`, `dynamodb::…`).
//! Every scenario checks both calendars afterwards.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use std::time::Duration;

use ohsync_e2e::observed_store::StoreCall;
use ohsync_e2e::store_backend::StoreBackend;
use ohsync_engine::reconcile::{AbortReason, ConflictPolicy, Side};
use ohsync_engine::report::{ErrorCode, RunOutcome};
use ohsync_ews::RetryPolicy;
use ohsync_ews_sim::ItemPatch;
use ohsync_officeheart::contract::Operation;
use support::{World, at, oh_data};

fn ews_writes(world: &World) -> u64 {
    let counters = world.ews.counters();
    counters.operation("CreateItem")
        + counters.operation("UpdateItem")
        + counters.operation("DeleteItem")
}

fn oh_writes(world: &World) -> u64 {
    let stats = world.oh.stats();
    stats.requests(Operation::CreateAppointment)
        + stats.requests(Operation::UpdateAppointment)
        + stats.requests(Operation::DeleteAppointment)
}

async fn creates_updates_and_deletes_in_officeheart_reach_exchange(backend: StoreBackend) {
    let world = World::start(backend).await;
    let kept = world.oh_seed(oh_data("Offerte Jansen", at(2, 0)));
    let dropped = world.oh_seed(oh_data("Lunch", at(3, 0)));

    let first = world.run().await;
    assert_eq!(first.outcome, RunOutcome::Completed, "{first:?}");
    assert_eq!(first.counts.created.exchange, 2);
    assert_eq!(world.ex_subjects(), ["Lunch", "Offerte Jansen"]);
    world.assert_in_sync().await;

    world.oh_edit(&kept.id, |data| {
        data.subject = "Offerte Jansen (verzet)".into();
        data.location = String::new();
        data.reminder_minutes = None;
    });
    world.oh_remove(&dropped.id);
    let second = world.run().await;
    assert_eq!(second.outcome, RunOutcome::Completed, "{second:?}");
    assert_eq!(second.counts.updated.exchange, 1);
    assert_eq!(second.counts.deleted.exchange, 1);
    let items = world.ex_all();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].subject.as_deref(), Some("Offerte Jansen (verzet)"));
    assert_eq!(items[0].location, None);
    let pairs = world.assert_in_sync().await;
    assert_eq!(pairs[0].1.appointment.reminder_minutes, None);

    // The echoes of its own writes come back once; after that a run with no changes costs one
    // EWS request and writes nothing.
    world.run().await;
    world.ews.counters().reset();
    world.store.reset();
    let quiet = world.run().await;
    assert_eq!(quiet.outcome, RunOutcome::Completed);
    assert!(quiet.counts.is_empty(), "{quiet:?}");
    assert_eq!(world.ews.counters().soap_requests(), 1);
    assert_eq!(world.ews.counters().operation("SyncFolderItems"), 1);
    assert_eq!(world.store.count(StoreCall::Commit), 0);
    assert!(world.store.reads() <= 2, "{:?}", world.store.calls());
}

async fn creates_updates_and_deletes_in_exchange_reach_officeheart(backend: StoreBackend) {
    let world = World::start(backend).await;
    let kept = world.ex_create("Klantbezoek", at(2, 0));
    let dropped = world.ex_create("Tandarts", at(4, 0));

    let first = world.run().await;
    assert_eq!(first.outcome, RunOutcome::Completed, "{first:?}");
    assert_eq!(first.counts.created.officeheart, 2);
    assert_eq!(world.oh_subjects(), ["Klantbezoek", "Tandarts"]);
    let refs: Vec<Option<String>> = world
        .oh_all()
        .into_iter()
        .map(|appointment| appointment.data.external_ref)
        .collect();
    assert!(refs.contains(&Some(kept.uid.clone())));
    world.assert_in_sync().await;

    world
        .ex()
        .edit(
            &kept.item_id,
            &ItemPatch::new()
                .subject("Klantbezoek Utrecht")
                .location("Utrecht CS"),
        )
        .unwrap();
    world.ex().delete(&dropped.item_id).unwrap();
    let second = world.run().await;
    assert_eq!(second.outcome, RunOutcome::Completed, "{second:?}");
    assert_eq!(second.counts.updated.officeheart, 1);
    assert_eq!(second.counts.deleted.officeheart, 1);
    let appointments = world.oh_all();
    assert_eq!(appointments.len(), 1);
    assert_eq!(appointments[0].data.subject, "Klantbezoek Utrecht");
    assert_eq!(appointments[0].data.location, "Utrecht CS");
    world.assert_in_sync().await;
}

/// Both sides edit one appointment between runs: `first` edits first, a second later the other.
async fn conflict(
    backend: StoreBackend,
    policy: ConflictPolicy,
    officeheart_edits_last: bool,
) -> World {
    let mut world = World::start(backend).await;
    world.policy.conflict = policy;
    let seeded = world.oh_seed(oh_data("Origineel", at(5, 0)));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    let item = world.ex_all().remove(0);
    let edit_officeheart = |world: &World| {
        world.oh_edit(&seeded.id, |data| data.subject = "Van OfficeHeart".into());
    };
    let edit_exchange = |world: &World| {
        world
            .ex()
            .edit(&item.item_id, &ItemPatch::new().subject("Van Exchange"))
            .unwrap();
    };
    // LastModifiedTime and updated_at are compared; whole seconds apart is unambiguous.
    if officeheart_edits_last {
        edit_exchange(&world);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        edit_officeheart(&world);
    } else {
        edit_officeheart(&world);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        edit_exchange(&world);
    }
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(report.conflicts.len(), 1, "{report:?}");
    world
}

async fn a_conflict_goes_to_the_newest_change_by_default(backend: StoreBackend) {
    let world = conflict(backend, ConflictPolicy::NewestWins, true).await;
    assert_eq!(world.oh_subjects(), ["Van OfficeHeart"]);
    assert_eq!(world.ex_subjects(), ["Van OfficeHeart"]);
    world.assert_in_sync().await;
    let world = conflict(backend, ConflictPolicy::NewestWins, false).await;
    assert_eq!(world.oh_subjects(), ["Van Exchange"]);
    assert_eq!(world.ex_subjects(), ["Van Exchange"]);
    world.assert_in_sync().await;
}

async fn a_conflict_goes_to_officeheart_under_officeheart_wins(backend: StoreBackend) {
    let world = conflict(backend, ConflictPolicy::OfficeHeartWins, false).await;
    assert_eq!(world.oh_subjects(), ["Van OfficeHeart"]);
    assert_eq!(world.ex_subjects(), ["Van OfficeHeart"]);
    world.assert_in_sync().await;
}

async fn a_conflict_goes_to_exchange_under_exchange_wins(backend: StoreBackend) {
    let world = conflict(backend, ConflictPolicy::ExchangeWins, true).await;
    assert_eq!(world.oh_subjects(), ["Van Exchange"]);
    assert_eq!(world.ex_subjects(), ["Van Exchange"]);
    world.assert_in_sync().await;
}

async fn a_first_run_links_identical_items_instead_of_copying_them(backend: StoreBackend) {
    let world = World::start(backend).await;
    let start = at(3, 0);
    world.oh_seed(oh_data("Teamoverleg", start));
    world.ex_create("Teamoverleg", start);
    world.oh_seed(oh_data("Alleen in OfficeHeart", at(4, 0)));

    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(report.counts.created.officeheart, 0);
    assert_eq!(report.counts.created.exchange, 1, "only the unmatched one");
    assert!(report.counts.linked >= 1, "{report:?}");
    assert_eq!(
        world.oh_subjects(),
        ["Alleen in OfficeHeart", "Teamoverleg"]
    );
    assert_eq!(
        world.ex_subjects(),
        ["Alleen in OfficeHeart", "Teamoverleg"]
    );
    // The linked pair's contents differed (body, reminder…): the newer side won, so both agree.
    world.assert_in_sync().await;
}

async fn an_invalid_sync_state_relists_without_duplicating_anything(backend: StoreBackend) {
    let world = World::start(backend).await;
    world.oh_seed(oh_data("Een", at(1, 0)));
    world.ex_create("Twee", at(2, 0));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);

    world.ews.faults().invalidate_next_sync_states(1);
    let later = world.oh_seed(oh_data("Drie", at(3, 0)));
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(report.counts.created.officeheart, 0, "{report:?}");
    assert_eq!(report.counts.created.exchange, 1, "{report:?}");
    assert_eq!(world.ex_subjects(), ["Drie", "Een", "Twee"]);
    assert_eq!(world.oh_subjects(), ["Drie", "Een", "Twee"]);
    world.assert_in_sync().await;

    // The relisting left a position that follows changes again.
    world.oh_edit(&later.id, |data| data.subject = "Drie (gewijzigd)".into());
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    assert_eq!(world.ex_subjects(), ["Drie (gewijzigd)", "Een", "Twee"]);
}

async fn a_busy_server_is_waited_out_or_left_for_the_next_run(backend: StoreBackend) {
    let world = World::start_with(
        backend,
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            ..RetryPolicy::default()
        },
    )
    .await;
    world.oh_seed(oh_data("Een", at(1, 0)));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);

    // Two busy answers with a short back-off: the client waits and the run completes.
    world.oh_seed(oh_data("Twee", at(2, 0)));
    world
        .ews
        .faults()
        .server_busy_for_next(2, Duration::from_millis(40));
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(world.ex_subjects(), ["Een", "Twee"]);

    // Busier than the client will wait: the run stops cleanly and says why.
    world.oh_seed(oh_data("Drie", at(3, 0)));
    world
        .ews
        .faults()
        .server_busy_for_next(3, Duration::from_millis(20));
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Failed, "{report:?}");
    assert_eq!(report.errors[0].code, ErrorCode::MailboxThrottled);
    assert_eq!(world.ex_subjects(), ["Een", "Twee"]);
    let status = world.stored_state().await.status.unwrap();
    assert_eq!(status.errors[0].code, ErrorCode::MailboxThrottled);

    // The next run finishes the work.
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(world.ex_subjects(), ["Drie", "Een", "Twee"]);
    world.assert_in_sync().await;
}

async fn ews_blocked_for_the_user_is_reported_as_access_blocked(backend: StoreBackend) {
    let world = World::start(backend).await;
    world.oh_seed(oh_data("Een", at(1, 0)));
    assert!(world.ews.set_ews_blocked(support::JAN.smtp, true));
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Failed, "{report:?}");
    assert_eq!(report.errors[0].code, ErrorCode::MailboxAccessBlocked);
    assert_eq!(oh_writes(&world), 0);
    assert!(world.ex_all().is_empty());
    let status = world.stored_state().await.status.unwrap();
    assert_eq!(status.errors[0].code, ErrorCode::MailboxAccessBlocked);

    world.ews.set_ews_blocked(support::JAN.smtp, false);
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    world.assert_in_sync().await;
}

async fn an_exchange_calendar_that_lists_empty_stops_the_run(backend: StoreBackend) {
    let world = World::start(backend).await;
    for n in 0..3 {
        world.oh_seed(oh_data(&format!("Afspraak {n}"), at(n + 1, 0)));
    }
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    assert_eq!(world.ex_all().len(), 3);

    // The calendar comes back empty and the sync state is refused: a full listing of nothing.
    for item in world.ex_all() {
        world.ex().delete(&item.item_id).unwrap();
    }
    world.ews.faults().invalidate_next_sync_states(1);
    world.ews.counters().reset();
    let report = world.run().await;
    assert_eq!(
        report.outcome,
        RunOutcome::Aborted(AbortReason::StorageEmpty {
            side: Side::Exchange
        }),
        "{report:?}"
    );
    assert_eq!(
        world.oh_all().len(),
        3,
        "nothing was deleted in OfficeHeart"
    );
    assert!(
        world.ex_all().is_empty(),
        "nothing was re-created in Exchange"
    );
    assert_eq!(ews_writes(&world), 0);
    assert_eq!(world.stored_state().await.mapping_count, 3);
    let ids: Vec<_> = world
        .oh_all()
        .into_iter()
        .map(|appointment| appointment.id)
        .collect();
    assert_eq!(world.mappings_of(&world.binding, &ids).await.len(), 3);
}

async fn a_dry_run_writes_nothing_anywhere(backend: StoreBackend) {
    let world = World::start(backend).await;
    world.oh_seed(oh_data("Een", at(1, 0)));
    world.oh_seed(oh_data("Twee", at(2, 0)));
    world.ex_create("Drie", at(3, 0));
    let change_before = world.ex().last_change();
    world.store.reset();

    let mut options = world.options();
    options.dry_run = true;
    let report = world.run_with(&options).await;

    assert_eq!(report.outcome, RunOutcome::DryRun);
    let plan = report.plan.unwrap();
    assert_eq!(plan.decisions.len(), 3, "{plan:?}");
    assert_eq!(ews_writes(&world), 0);
    assert_eq!(world.ex().last_change(), change_before);
    assert_eq!(oh_writes(&world), 0);
    assert_eq!(world.store.count(StoreCall::Commit), 0);
    assert_eq!(world.oh_subjects(), ["Een", "Twee"]);
    assert_eq!(world.ex_subjects(), ["Drie"]);
}

on_every_store!(
    creates_updates_and_deletes_in_officeheart_reach_exchange,
    creates_updates_and_deletes_in_exchange_reach_officeheart,
    a_conflict_goes_to_the_newest_change_by_default,
    a_conflict_goes_to_officeheart_under_officeheart_wins,
    a_conflict_goes_to_exchange_under_exchange_wins,
    a_first_run_links_identical_items_instead_of_copying_them,
    an_invalid_sync_state_relists_without_duplicating_anything,
    a_busy_server_is_waited_out_or_left_for_the_next_run,
    ews_blocked_for_the_user_is_reported_as_access_blocked,
    an_exchange_calendar_that_lists_empty_stops_the_run,
    a_dry_run_writes_nothing_anywhere,
);
