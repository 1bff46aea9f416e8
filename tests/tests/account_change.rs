//! The user changes the Exchange account (DESIGN §1, §4): the new account derives a new binding,
//! whose first run starts from nothing — it never reads or applies the old binding's sync state,
//! cursor or mappings — re-links items that carry this tenant's ohsync tag, and creates nothing
//! twice. Switching back resumes the old binding without resurrecting what was deleted meanwhile.
//! Runs on every store backend.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use ohsync_e2e::store_backend::StoreBackend;
use ohsync_engine::identity::OfficeHeartId;
use ohsync_engine::report::RunOutcome;
use ohsync_ews_sim::ItemPatch;
use support::{JAN, JAN_NEW, World, at, oh_data};

async fn a_new_account_starts_from_nothing_and_switching_back_resurrects_nothing(
    backend: StoreBackend,
) {
    let mut world = World::start(backend).await;
    let quote = world.oh_seed(oh_data("Offerte Jansen", at(2, 0)));
    let lunch = world.oh_seed(oh_data("Lunch", at(3, 0)));
    world.oh_seed(oh_data("Teamoverleg", at(6, 0)));
    world.ex_create("Tandarts", at(4, 0));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    world.assert_in_sync().await;
    let old_binding = world.binding.clone();
    let old_state = world.stored_state().await;
    assert!(old_state.mailbox_sync_state.is_some() && old_state.agenda_cursor.is_some());
    assert_eq!(old_state.mapping_count, 4);

    // The new mailbox already holds a copy of one synced item, tag and all (a migrated calendar),
    // and an appointment of its own.
    let original = world.ex_named("Offerte Jansen");
    world.switch_account(JAN_NEW);
    assert_ne!(world.binding, old_binding, "a new account is a new binding");
    let mut patch = ItemPatch::new()
        .subject("Offerte Jansen")
        .location(original.location.as_deref().unwrap_or_default())
        .body(original.body.as_deref().unwrap_or_default())
        .start(original.start)
        .end(original.end);
    for (uri, values) in &original.extended {
        patch = patch.extended(uri, &values[0]);
    }
    let migrated = world.ex().create(&patch).unwrap();
    world.ex_create("Eigen afspraak", at(5, 0));

    world.store.reset();
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    let calls = world.store.calls();
    assert!(!calls.is_empty());
    assert!(
        calls.iter().all(|(_, binding)| *binding == world.binding),
        "the run touched only its own binding: {calls:?}"
    );
    assert_eq!(
        world.state_of(&old_binding).await,
        old_state,
        "the old binding's sync state, cursor and mappings stay as they were"
    );
    assert_eq!(report.counts.created.officeheart, 1, "{report:?}");
    assert_eq!(report.counts.created.exchange, 3, "{report:?}");
    let everything = [
        "Eigen afspraak",
        "Lunch",
        "Offerte Jansen",
        "Tandarts",
        "Teamoverleg",
    ];
    assert_eq!(
        world.oh_subjects(),
        everything,
        "nothing twice in OfficeHeart"
    );
    assert_eq!(world.ex_subjects(), everything);
    assert!(
        world.ex().item(&migrated.item_id).is_some(),
        "the tagged item was kept"
    );
    let relinked = world
        .mappings_of(&world.binding, std::slice::from_ref(&quote.id))
        .await;
    assert_eq!(relinked[0].exchange_item_id.as_str(), migrated.item_id);
    assert_eq!(
        relinked[0].officeheart_id,
        OfficeHeartId::parse(quote.id.as_str()).unwrap()
    );
    world.assert_in_sync().await;

    // While on the new account, one appointment is deleted on each side — after the run that
    // reads back the echoes of the first one: Exchange does not report the deletion of an item
    // created after the sync state the run holds (see the report's gaps).
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    world.oh_remove(&lunch.id);
    let dentist = world.ex_named("Tandarts");
    world.ex().delete(&dentist.item_id).unwrap();
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    let remaining = ["Eigen afspraak", "Offerte Jansen", "Teamoverleg"];
    assert_eq!(world.oh_subjects(), remaining);

    // Back to the old account: its binding resumes from its own positions, and the old mailbox,
    // which still holds both deleted appointments, does not bring them back.
    world.switch_account(JAN);
    assert_eq!(world.binding, old_binding);
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:?}");
    assert_eq!(report.counts.created.officeheart, 0, "{report:?}");
    assert_eq!(world.oh_subjects(), remaining, "nothing resurrected");
    assert_eq!(world.ex_subjects(), remaining);
    world.assert_in_sync().await;
}

on_every_store!(a_new_account_starts_from_nothing_and_switching_back_resurrects_nothing);
