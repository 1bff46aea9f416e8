//! A run's own Exchange writes are confirmed in the same run. Exchange reports net changes
//! since a sync state, so an item created after the stored state and deleted before the next
//! run would never be reported: the copy's deletion would be lost and its original kept.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ohsync_engine::appointment::Text;
use ohsync_engine::identity::OhsyncTag;
use ohsync_engine::ports::AgendaItem;
use ohsync_engine::report::RunOutcome;
use ohsync_engine::testkit::{TestWorld, appointment};

use common::{Identity, UserLog, check_invariants, timed, world};

fn tag_of(world: &TestWorld, item: &AgendaItem) -> OhsyncTag {
    format!("{}:{}", world.tenant.as_str(), item.id.as_str())
        .parse()
        .unwrap()
}

fn copy_of(world: &TestWorld, item: &AgendaItem) -> ohsync_engine::ports::ExchangeItem {
    let tag = tag_of(world, item);
    world
        .mailbox
        .items()
        .into_iter()
        .find(|copy| copy.tag.as_ref() == Some(&tag))
        .unwrap()
}

/// The property test's counterexample: a copy deleted in Outlook before the next run.
#[tokio::test]
async fn a_copy_deleted_before_the_next_run_deletes_its_original() {
    let world = world();
    let mut log = UserLog::default();
    let first = world
        .agenda
        .user_create(appointment("Overleg", timed(0, 8, 60)));
    assert_eq!(world.run().await.outcome, RunOutcome::Completed);
    let second = world
        .agenda
        .user_create(appointment("Overleg", timed(0, 8, 60)));
    log.created.insert(Identity::OfficeHeart(first.id.clone()));
    log.created.insert(Identity::OfficeHeart(second.id.clone()));
    let copy = copy_of(&world, &first);
    assert!(world.mailbox.user_delete(&copy.key.item_id));
    log.deleted.insert(Identity::Exchange(copy.key.uid));

    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:#?}");
    assert_eq!(report.counts.deleted.officeheart, 1);
    let left: Vec<_> = world.agenda.items().into_iter().map(|i| i.id).collect();
    assert_eq!(left, vec![second.id]);
    check_invariants(&world, &log).unwrap();
}

#[tokio::test]
async fn only_a_run_that_wrote_to_exchange_reads_one_more_change_page() {
    let world = world();
    world
        .agenda
        .user_create(appointment("Overleg", timed(1, 9, 60)));
    world
        .mailbox
        .user_create(appointment("Lunch", timed(2, 12, 60)));
    world.run().await;
    world.run().await;

    world
        .agenda
        .user_create(appointment("Nieuw", timed(3, 9, 60)));
    world.reset_requests();
    let report = world.run().await;
    assert_eq!(report.counts.created.exchange, 1);
    assert_eq!(world.mailbox.requests.of("changes"), 2);

    // The echo of that create was consumed by the run that made it: nothing is left to read.
    world.reset_requests();
    let quiet = world.run().await;
    assert!(quiet.counts.is_empty(), "{quiet:#?}");
    assert_eq!(world.store.requests.of("commit"), 0);

    world
        .mailbox
        .user_create(appointment("Alleen EX", timed(4, 9, 60)));
    world.reset_requests();
    let report = world.run().await;
    assert_eq!(report.counts.created.officeheart, 1);
    assert_eq!(world.mailbox.requests.of("changes"), 1);
}

#[tokio::test]
async fn a_copy_deleted_while_its_run_is_under_way_is_read_and_its_original_deleted() {
    let world = world();
    let mut log = UserLog::default();
    let linked = world
        .agenda
        .user_create(appointment("Overleg", timed(1, 9, 60)));
    log.created.insert(Identity::OfficeHeart(linked.id.clone()));
    world.run().await;

    let fresh = world
        .agenda
        .user_create(appointment("Nieuw", timed(2, 9, 60)));
    log.created.insert(Identity::OfficeHeart(fresh.id.clone()));
    let mut edited = linked.appointment.clone();
    edited.location = Text::new("Kamer 2");
    world.agenda.user_update(&linked.id, edited);
    // Creates go first: the copy of `fresh` exists when the update of `linked` is sent.
    world
        .mailbox
        .delete_tagged_before_next_write(&tag_of(&world, &fresh));
    world.reset_requests();
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:#?}");
    assert_eq!(report.counts.created.exchange, 1);
    assert_eq!(report.counts.deleted.officeheart, 1);
    assert_eq!(world.mailbox.requests.of("get_items"), 1);
    let left: Vec<_> = world.agenda.items().into_iter().map(|i| i.id).collect();
    assert_eq!(left, vec![linked.id]);
    log.deleted.insert(Identity::OfficeHeart(fresh.id));
    check_invariants(&world, &log).unwrap();
}

#[tokio::test]
async fn an_outlook_edit_racing_the_run_is_decided_in_the_same_run() {
    let world = world();
    let written = world
        .agenda
        .user_create(appointment("Overleg", timed(1, 9, 60)));
    let other = world
        .agenda
        .user_create(appointment("Lunch", timed(2, 12, 60)));
    world.run().await;

    let mut edited = written.appointment.clone();
    edited.location = Text::new("Kamer 2");
    world.agenda.user_update(&written.id, edited);
    let mut from_outlook = other.appointment.clone();
    from_outlook.location = Text::new("Kamer 9");
    world
        .mailbox
        .edit_before_next_write(&copy_of(&world, &other).key.item_id, from_outlook.clone());
    world.reset_requests();
    let report = world.run().await;
    assert_eq!(report.outcome, RunOutcome::Completed, "{report:#?}");
    assert_eq!(report.counts.updated.exchange, 1);
    assert_eq!(report.counts.updated.officeheart, 1);
    let updated = world
        .agenda
        .items()
        .into_iter()
        .find(|item| item.id == other.id)
        .unwrap();
    assert_eq!(updated.appointment, from_outlook);

    world.reset_requests();
    let quiet = world.run().await;
    assert_eq!(quiet.outcome, RunOutcome::Completed);
    assert_eq!(world.mailbox.requests.of("update_items"), 0);
    assert_eq!(world.agenda.requests.of("update"), 0);
}
