//! One test per cell of the decision table (OfficeHeart state × Exchange state), each asserting
//! the exact actions; then the rules' guards (window, series, direction, policy) and the plan
//! guards (storage empty, deletion cap).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use ohsync_engine::appointment::{Appointment, Text};
use ohsync_engine::identity::{
    AgendaVersion, BindingId, ChangeKey, ExchangeItemId, ExchangeItemKey, ExchangeUid,
    IdempotencyKey, OfficeHeartId, OhsyncTag, TenantId,
};
use ohsync_engine::ports::{
    AgendaChange, AgendaItem, ExchangeItem, ExchangeUpdate, Mapping, NewAgendaItem,
    NewExchangeItem, SyncedSpan,
};
use ohsync_engine::reconcile::{
    AbortReason, Action, AgendaRevision, Cell, Conflict, ConflictKind, ConflictPolicy, Content,
    Direction, ExchangeObservation, Pair, ReadMode, ReconcileInput, Side, SideState, SideView,
    SkipReason, SyncPolicy, content_needed, decide_cell, reconcile, storage_empty,
};
use ohsync_engine::series::{Recurrence, Series};
use ohsync_engine::testkit::appointment;

use SideState::{Absent, Changed, Deleted, New, Unchanged};
use common::{start_time, timed, world};

fn at(minutes: i64) -> DateTime<Utc> {
    start_time() + TimeDelta::minutes(minutes)
}

fn content_a() -> Appointment {
    appointment("Overleg", timed(1, 9, 60))
}

fn content_b() -> Appointment {
    appointment("Overleg (verplaatst)", timed(2, 9, 60))
}

fn content_c() -> Appointment {
    appointment("Lunch", timed(3, 12, 60))
}

fn tenant() -> TenantId {
    TenantId::parse("acme").unwrap()
}

fn binding() -> BindingId {
    world().binding
}

fn oh_id() -> OfficeHeartId {
    OfficeHeartId::parse("oh-1").unwrap()
}

fn version(v: &str) -> AgendaVersion {
    AgendaVersion::parse(v).unwrap()
}

fn key(item: &str, change_key: &str) -> ExchangeItemKey {
    ExchangeItemKey {
        item_id: ExchangeItemId::parse(item).unwrap(),
        change_key: ChangeKey::parse(change_key).unwrap(),
        uid: ExchangeUid::parse("UID1").unwrap(),
    }
}

fn oh_item(v: &str, content: Appointment, changed_at: i64) -> AgendaItem {
    AgendaItem {
        id: oh_id(),
        version: version(v),
        updated_at: at(changed_at),
        external_ref: None,
        appointment: content,
    }
}

fn ex_item(change_key: &str, content: Appointment, changed_at: i64) -> ExchangeItem {
    ExchangeItem {
        key: key("AAMk1", change_key),
        tag: None,
        last_modified: at(changed_at),
        appointment: content,
        unfinished: false,
    }
}

fn present(item: ExchangeItem) -> ExchangeObservation {
    ExchangeObservation::Present {
        summary: item.summary(),
        content: Content::Fetched(Box::new(item)),
    }
}

fn deleted_in_exchange() -> ExchangeObservation {
    ExchangeObservation::Deleted(ExchangeItemId::parse("AAMk1").unwrap())
}

fn deleted_in_officeheart() -> AgendaChange {
    AgendaChange::Deleted { id: oh_id() }
}

fn revision(v: &str) -> AgendaRevision {
    AgendaRevision {
        id: oh_id(),
        version: version(v),
    }
}

fn recorded() -> Mapping {
    Mapping {
        officeheart_id: oh_id(),
        officeheart_version: version("v1"),
        exchange_item_id: ExchangeItemId::parse("AAMk1").unwrap(),
        exchange_uid: ExchangeUid::parse("UID1").unwrap(),
        exchange_change_key: Some(ChangeKey::parse("CK1").unwrap()),
        content_hash: content_a().content_hash(),
        span: Some(SyncedSpan::of(&content_a())),
    }
}

/// An input with no mappings and nothing observed, both sides read as deltas.
fn input() -> ReconcileInput {
    ReconcileInput {
        tenant: tenant(),
        binding: binding(),
        now: start_time(),
        first_run: false,
        mapping_count: 50,
        policy: SyncPolicy::default(),
        mappings: Vec::new(),
        exchange: SideView {
            mode: ReadMode::Delta,
            observations: Vec::new(),
        },
        officeheart: SideView {
            mode: ReadMode::Delta,
            observations: Vec::new(),
        },
    }
}

fn linked_input() -> ReconcileInput {
    ReconcileInput {
        mappings: vec![recorded()],
        ..input()
    }
}

fn with(
    mut input: ReconcileInput,
    officeheart: Option<AgendaChange>,
    exchange: Option<ExchangeObservation>,
) -> ReconcileInput {
    input.officeheart.observations.extend(officeheart);
    input.exchange.observations.extend(exchange);
    input
}

// A listing that holds nothing but the linked pair's absence trips the storage-empty guard
// (tested on its own below); these cells are about the table, so the guard is overridden.
fn officeheart_listed(mut input: ReconcileInput) -> ReconcileInput {
    input.officeheart.mode = ReadMode::Listing;
    input.policy.guard_override = true;
    input
}

fn exchange_listed(mut input: ReconcileInput) -> ReconcileInput {
    input.exchange.mode = ReadMode::Listing;
    input.policy.guard_override = true;
    input
}

/// Reconciles and checks that there is exactly one decision, in `cell`; returns its actions.
fn decide(input: &ReconcileInput, cell: (SideState, SideState)) -> Vec<Action> {
    let plan = reconcile(input);
    assert_eq!(plan.abort, None);
    assert_eq!(plan.decisions.len(), 1, "{plan:#?}");
    let decision = &plan.decisions[0];
    assert_eq!(
        decision.cell,
        Some(Cell {
            officeheart: cell.0,
            exchange: cell.1,
        })
    );
    decision.actions.clone()
}

fn create_in_exchange(v: &str, content: Appointment) -> Action {
    Action::CreateInExchange {
        source: revision(v),
        item: NewExchangeItem {
            tag: OhsyncTag {
                tenant: tenant(),
                officeheart_id: oh_id(),
            },
            appointment: content,
        },
    }
}

fn create_in_officeheart(change_key: &str, content: Appointment) -> Action {
    let source = key("AAMk1", change_key);
    Action::CreateInOfficeHeart {
        item: NewAgendaItem {
            idempotency_key: IdempotencyKey::for_officeheart_create(&binding(), &source),
            external_ref: source.uid.clone(),
            appointment: content,
        },
        source,
    }
}

fn update_exchange(v: &str, change_key: &str, content: Appointment) -> Action {
    Action::UpdateExchange {
        source: revision(v),
        update: ExchangeUpdate {
            key: key("AAMk1", change_key),
            appointment: content,
        },
    }
}

fn update_officeheart(v: &str, change_key: &str, content: Appointment) -> Action {
    Action::UpdateOfficeHeart {
        target: revision(v),
        source: key("AAMk1", change_key),
        appointment: content,
    }
}

fn empty_pair() -> Pair {
    Pair {
        mapping: None,
        officeheart: None,
        exchange: None,
    }
}

// ---- row: OfficeHeart Absent ----

#[test]
fn cell_absent_absent_does_nothing() {
    let deletions_of_unlinked = with(
        input(),
        Some(deleted_in_officeheart()),
        Some(deleted_in_exchange()),
    );
    assert!(reconcile(&deletions_of_unlinked).decisions.is_empty());
    let cell = Cell {
        officeheart: Absent,
        exchange: Absent,
    };
    assert_eq!(decide_cell(&input(), cell, &empty_pair()), Vec::new());
}

#[test]
fn cell_absent_new_copies_into_officeheart() {
    let input = with(input(), None, Some(present(ex_item("CK1", content_a(), 0))));
    assert_eq!(
        decide(&input, (Absent, New)),
        vec![create_in_officeheart("CK1", content_a())]
    );
}

#[test]
fn cell_absent_unchanged_is_missing_from_listing_never_a_deletion() {
    let input = officeheart_listed(with(
        linked_input(),
        None,
        Some(present(ex_item("CK1", content_a(), 0))),
    ));
    assert_eq!(
        decide(&input, (Absent, Unchanged)),
        vec![Action::Skip(SkipReason::MissingFromListing)]
    );
}

#[test]
fn cell_absent_changed_updates_officeheart_at_the_recorded_version() {
    let input = officeheart_listed(with(
        linked_input(),
        None,
        Some(present(ex_item("CK2", content_b(), 5))),
    ));
    assert_eq!(
        decide(&input, (Absent, Changed)),
        vec![update_officeheart("v1", "CK2", content_b())]
    );
}

#[test]
fn cell_absent_deleted_deletes_in_officeheart() {
    let input = officeheart_listed(with(linked_input(), None, Some(deleted_in_exchange())));
    assert_eq!(
        decide(&input, (Absent, Deleted)),
        vec![Action::DeleteInOfficeHeart {
            target: revision("v1")
        }]
    );
}

// ---- row: OfficeHeart New ----

#[test]
fn cell_new_absent_copies_into_exchange_with_the_tag() {
    let input = with(
        input(),
        Some(AgendaChange::Upserted(oh_item("v1", content_a(), 0))),
        None,
    );
    assert_eq!(
        decide(&input, (New, Absent)),
        vec![create_in_exchange("v1", content_a())]
    );
}

#[test]
fn cell_new_new_links_items_recognised_by_tag() {
    let mut tagged = ex_item("CK1", content_a(), 0);
    tagged.tag = Some(OhsyncTag {
        tenant: tenant(),
        officeheart_id: oh_id(),
    });
    let input = with(
        input(),
        Some(AgendaChange::Upserted(oh_item("v1", content_a(), 0))),
        Some(present(tagged)),
    );
    assert_eq!(decide(&input, (New, New)), vec![Action::Link(recorded())]);
}

#[test]
fn cell_new_new_on_a_first_run_links_the_same_appointment_and_resolves_differences() {
    let mut officeheart = content_a();
    officeheart.location = Text::new("Kamer 2");
    let mut input = with(
        input(),
        Some(AgendaChange::Upserted(oh_item(
            "v1",
            officeheart.clone(),
            10,
        ))),
        Some(present(ex_item("CK1", content_a(), 0))),
    );
    input.first_run = true;
    let mut link = recorded();
    link.content_hash = officeheart.content_hash();
    assert_eq!(
        decide(&input, (New, New)),
        vec![
            Action::Link(link),
            Action::Conflict(Conflict {
                kind: ConflictKind::DifferentWhenMatched,
                winner: Side::OfficeHeart,
            }),
            update_exchange("v1", "CK1", officeheart),
        ]
    );
    input.first_run = false;
    assert_eq!(
        reconcile(&input).decisions.len(),
        2,
        "only a first run matches by content"
    );
}

fn assert_inconsistent(officeheart: SideState, exchange: SideState) {
    // Classification gives New only to unlinked items and Unchanged/Changed/Deleted only to
    // linked ones, so no pair lands here; the arm still answers, and does nothing.
    let pair = Pair {
        mapping: Some(recorded()),
        officeheart: Some(AgendaChange::Upserted(oh_item("v1", content_a(), 0))),
        exchange: Some(present(ex_item("CK1", content_a(), 0))),
    };
    let cell = Cell {
        officeheart,
        exchange,
    };
    assert_eq!(
        decide_cell(&linked_input(), cell, &pair),
        vec![Action::Skip(SkipReason::InconsistentPair)]
    );
}

#[test]
fn cell_new_unchanged_is_inconsistent() {
    assert_inconsistent(New, Unchanged);
}

#[test]
fn cell_new_changed_is_inconsistent() {
    assert_inconsistent(New, Changed);
}

#[test]
fn cell_new_deleted_is_inconsistent() {
    assert_inconsistent(New, Deleted);
}

// ---- row: OfficeHeart Unchanged ----

#[test]
fn cell_unchanged_absent_is_missing_from_listing_never_a_deletion() {
    let input = exchange_listed(with(
        linked_input(),
        Some(AgendaChange::Upserted(oh_item("v1", content_a(), 0))),
        None,
    ));
    assert_eq!(
        decide(&input, (Unchanged, Absent)),
        vec![Action::Skip(SkipReason::MissingFromListing)]
    );
}

#[test]
fn cell_unchanged_new_is_inconsistent() {
    assert_inconsistent(Unchanged, New);
}

#[test]
fn cell_unchanged_unchanged_does_nothing_for_an_exact_echo() {
    let input = with(
        linked_input(),
        Some(AgendaChange::Upserted(oh_item("v1", content_a(), 0))),
        Some(present(ex_item("CK1", content_a(), 0))),
    );
    assert_eq!(decide(&input, (Unchanged, Unchanged)), Vec::new());
}

#[test]
fn cell_unchanged_unchanged_refreshes_versions_of_a_content_echo() {
    let input = with(
        linked_input(),
        Some(AgendaChange::Upserted(oh_item("v7", content_a(), 0))),
        Some(present(ex_item("CK9", content_a(), 0))),
    );
    let mut refreshed = recorded();
    refreshed.officeheart_version = version("v7");
    refreshed.exchange_change_key = Some(ChangeKey::parse("CK9").unwrap());
    assert_eq!(
        decide(&input, (Unchanged, Unchanged)),
        vec![Action::Link(refreshed)]
    );
}

#[test]
fn cell_unchanged_changed_updates_officeheart() {
    let input = with(
        linked_input(),
        None,
        Some(present(ex_item("CK2", content_b(), 5))),
    );
    assert_eq!(
        decide(&input, (Unchanged, Changed)),
        vec![update_officeheart("v1", "CK2", content_b())]
    );
}

#[test]
fn cell_unchanged_deleted_deletes_in_officeheart() {
    let input = with(linked_input(), None, Some(deleted_in_exchange()));
    assert_eq!(
        decide(&input, (Unchanged, Deleted)),
        vec![Action::DeleteInOfficeHeart {
            target: revision("v1")
        }]
    );
}

// ---- row: OfficeHeart Changed ----

#[test]
fn cell_changed_absent_updates_exchange_at_the_recorded_change_key() {
    let input = exchange_listed(with(
        linked_input(),
        Some(AgendaChange::Upserted(oh_item("v2", content_b(), 5))),
        None,
    ));
    assert_eq!(
        decide(&input, (Changed, Absent)),
        vec![update_exchange("v2", "CK1", content_b())]
    );
}

#[test]
fn cell_changed_new_is_inconsistent() {
    assert_inconsistent(Changed, New);
}

#[test]
fn cell_changed_unchanged_updates_exchange() {
    let input = with(
        linked_input(),
        Some(AgendaChange::Upserted(oh_item("v2", content_b(), 5))),
        None,
    );
    assert_eq!(
        decide(&input, (Changed, Unchanged)),
        vec![update_exchange("v2", "CK1", content_b())]
    );
}

#[test]
fn cell_changed_changed_lets_the_newer_change_win() {
    let input = with(
        linked_input(),
        Some(AgendaChange::Upserted(oh_item("v2", content_b(), 10))),
        Some(present(ex_item("CK2", content_c(), 20))),
    );
    assert_eq!(
        decide(&input, (Changed, Changed)),
        vec![
            Action::Conflict(Conflict {
                kind: ConflictKind::BothChanged,
                winner: Side::Exchange,
            }),
            update_officeheart("v2", "CK2", content_c()),
        ]
    );
}

#[test]
fn cell_changed_changed_to_the_same_content_just_links() {
    let input = with(
        linked_input(),
        Some(AgendaChange::Upserted(oh_item("v2", content_b(), 10))),
        Some(present(ex_item("CK2", content_b(), 20))),
    );
    let mut link = recorded();
    link.officeheart_version = version("v2");
    link.exchange_change_key = Some(ChangeKey::parse("CK2").unwrap());
    link.content_hash = content_b().content_hash();
    link.span = Some(SyncedSpan::of(&content_b()));
    assert_eq!(decide(&input, (Changed, Changed)), vec![Action::Link(link)]);
}

#[test]
fn cell_changed_deleted_keeps_the_change_by_recreating_in_exchange() {
    let input = with(
        linked_input(),
        Some(AgendaChange::Upserted(oh_item("v2", content_b(), 10))),
        Some(deleted_in_exchange()),
    );
    assert_eq!(
        decide(&input, (Changed, Deleted)),
        vec![
            Action::Conflict(Conflict {
                kind: ConflictKind::ChangedVersusDeleted,
                winner: Side::OfficeHeart,
            }),
            create_in_exchange("v2", content_b()),
        ]
    );
}

// ---- row: OfficeHeart Deleted ----

#[test]
fn cell_deleted_absent_deletes_in_exchange() {
    let input = exchange_listed(with(linked_input(), Some(deleted_in_officeheart()), None));
    assert_eq!(
        decide(&input, (Deleted, Absent)),
        vec![Action::DeleteInExchange {
            target: key("AAMk1", "CK1")
        }]
    );
}

#[test]
fn cell_deleted_new_is_inconsistent() {
    assert_inconsistent(Deleted, New);
}

#[test]
fn cell_deleted_unchanged_deletes_in_exchange() {
    let input = with(linked_input(), Some(deleted_in_officeheart()), None);
    assert_eq!(
        decide(&input, (Deleted, Unchanged)),
        vec![Action::DeleteInExchange {
            target: key("AAMk1", "CK1")
        }]
    );
}

#[test]
fn cell_deleted_changed_keeps_the_change_by_recreating_in_officeheart() {
    let input = with(
        linked_input(),
        Some(deleted_in_officeheart()),
        Some(present(ex_item("CK2", content_c(), 20))),
    );
    assert_eq!(
        decide(&input, (Deleted, Changed)),
        vec![
            Action::Conflict(Conflict {
                kind: ConflictKind::ChangedVersusDeleted,
                winner: Side::Exchange,
            }),
            create_in_officeheart("CK2", content_c()),
        ]
    );
}

#[test]
fn cell_deleted_deleted_unlinks() {
    let input = with(
        linked_input(),
        Some(deleted_in_officeheart()),
        Some(deleted_in_exchange()),
    );
    assert_eq!(
        decide(&input, (Deleted, Deleted)),
        vec![Action::Unlink {
            officeheart_id: oh_id()
        }]
    );
}

// ---- the rules' guards and the policy ----

#[test]
fn new_items_outside_the_window_are_not_copied() {
    let far = appointment("Later", timed(400, 9, 60));
    let input = with(input(), None, Some(present(ex_item("CK1", far, 0))));
    assert_eq!(
        decide(&input, (Absent, New)),
        vec![Action::Skip(SkipReason::OutsideWindow)]
    );
}

#[test]
fn linked_items_that_leave_the_window_are_updated_not_deleted() {
    let far = appointment("Overleg", timed(400, 9, 60));
    let input = with(
        linked_input(),
        None,
        Some(present(ex_item("CK2", far.clone(), 5))),
    );
    assert_eq!(
        decide(&input, (Unchanged, Changed)),
        vec![update_officeheart("v1", "CK2", far)]
    );
}

fn series(first_day: i64, rule: &str) -> Appointment {
    let mut content = appointment("Weekoverleg", timed(first_day, 9, 60));
    let first = content.schedule.first_date(content.time_zone);
    let series = Series::new(rule.parse().unwrap(), first, []).unwrap();
    content.recurrence = Some(Recurrence::Series(series));
    content
}

fn unsupported_series() -> Appointment {
    let mut content = content_a();
    content.recurrence = Some(Recurrence::Unsupported("FREQ=HOURLY".into()));
    content
}

#[test]
fn series_are_copied_both_ways_while_they_recur_into_the_window() {
    // First held 400 days ago, every seven days without end: later occurrences are in the window.
    let recurring = series(-400, "FREQ=DAILY;INTERVAL=7");
    let from_officeheart = with(
        input(),
        Some(AgendaChange::Upserted(oh_item("v1", recurring.clone(), 0))),
        None,
    );
    assert_eq!(
        decide(&from_officeheart, (New, Absent)),
        vec![create_in_exchange("v1", recurring.clone())]
    );
    let from_exchange = with(
        input(),
        None,
        Some(present(ex_item("CK1", recurring.clone(), 0))),
    );
    assert_eq!(
        decide(&from_exchange, (Absent, New)),
        vec![create_in_officeheart("CK1", recurring)]
    );
}

#[test]
fn series_that_ended_before_the_window_are_not_copied() {
    let ended = series(-400, "FREQ=DAILY;INTERVAL=7;COUNT=3");
    let input = with(input(), None, Some(present(ex_item("CK1", ended, 0))));
    assert_eq!(
        decide(&input, (Absent, New)),
        vec![Action::Skip(SkipReason::OutsideWindow)]
    );
}

#[test]
fn unsupported_series_are_skipped_but_their_deletion_reaches_the_other_side() {
    let new = with(
        input(),
        Some(AgendaChange::Upserted(oh_item(
            "v1",
            unsupported_series(),
            0,
        ))),
        None,
    );
    assert_eq!(
        decide(&new, (New, Absent)),
        vec![Action::Skip(SkipReason::UnsupportedRecurrence)]
    );
    let changed = with(
        linked_input(),
        None,
        Some(present(ex_item("CK2", unsupported_series(), 5))),
    );
    assert_eq!(
        decide(&changed, (Unchanged, Changed)),
        vec![Action::Skip(SkipReason::UnsupportedRecurrence)]
    );
    let deleted = with(
        linked_input(),
        Some(deleted_in_officeheart()),
        Some(present(ex_item("CK1", unsupported_series(), 0))),
    );
    assert_eq!(
        decide(&deleted, (Deleted, Unchanged)),
        vec![Action::DeleteInExchange {
            target: key("AAMk1", "CK1")
        }]
    );
}

fn unfinished(item: ExchangeItem) -> ExchangeItem {
    ExchangeItem {
        unfinished: true,
        ..item
    }
}

#[test]
fn an_unfinished_exchange_write_is_finished_from_officeheart_and_never_copied_back() {
    // OfficeHeart unchanged since the link, Exchange "newer" only by ohsync's own half write.
    let unchanged = with(
        linked_input(),
        Some(AgendaChange::Upserted(oh_item("v1", content_a(), 0))),
        Some(present(unfinished(ex_item("CK2", content_b(), 50)))),
    );
    assert_eq!(
        decide(&unchanged, (Changed, Unchanged)),
        vec![update_exchange("v1", "CK2", content_a())]
    );
    let changed = with(
        linked_input(),
        Some(AgendaChange::Upserted(oh_item("v2", content_c(), 10))),
        Some(present(unfinished(ex_item("CK2", content_b(), 50)))),
    );
    assert_eq!(
        decide(&changed, (Changed, Unchanged)),
        vec![update_exchange("v2", "CK2", content_c())]
    );
    let deleted = with(
        linked_input(),
        Some(deleted_in_officeheart()),
        Some(present(unfinished(ex_item("CK2", content_b(), 50)))),
    );
    assert_eq!(
        decide(&deleted, (Deleted, Unchanged)),
        vec![Action::DeleteInExchange {
            target: key("AAMk1", "CK2")
        }]
    );
}

#[test]
fn an_unfinished_exchange_write_without_officeheart_content_waits() {
    let input = with(
        linked_input(),
        None,
        Some(present(unfinished(ex_item("CK2", content_b(), 50)))),
    );
    let plan = reconcile(&input);
    assert_eq!(plan.decisions.len(), 1);
    assert_eq!(plan.decisions[0].cell, None);
    assert_eq!(
        plan.decisions[0].actions,
        vec![Action::Skip(SkipReason::UnfinishedWrite)]
    );
    assert!(!SkipReason::UnfinishedWrite.holds_back_sync());
}

#[test]
fn one_way_direction_ignores_the_other_side() {
    let mut input = with(
        linked_input(),
        None,
        Some(present(ex_item("CK2", content_b(), 5))),
    );
    input.policy.direction = Direction::OfficeHeartToExchange;
    assert_eq!(
        decide(&input, (Unchanged, Changed)),
        vec![Action::Skip(SkipReason::DirectionExcluded)]
    );
}

#[test]
fn exchange_wins_applies_the_deletion_over_a_change() {
    let mut input = with(
        linked_input(),
        Some(AgendaChange::Upserted(oh_item("v2", content_b(), 10))),
        Some(deleted_in_exchange()),
    );
    input.policy.conflict = ConflictPolicy::ExchangeWins;
    assert_eq!(
        decide(&input, (Changed, Deleted)),
        vec![
            Action::Conflict(Conflict {
                kind: ConflictKind::ChangedVersusDeleted,
                winner: Side::Exchange,
            }),
            Action::DeleteInOfficeHeart {
                target: revision("v2")
            },
        ]
    );
}

#[test]
fn officeheart_wins_over_a_newer_exchange_change() {
    let mut input = with(
        linked_input(),
        Some(AgendaChange::Upserted(oh_item("v2", content_b(), 10))),
        Some(present(ex_item("CK2", content_c(), 20))),
    );
    input.policy.conflict = ConflictPolicy::OfficeHeartWins;
    assert_eq!(
        decide(&input, (Changed, Changed)),
        vec![
            Action::Conflict(Conflict {
                kind: ConflictKind::BothChanged,
                winner: Side::OfficeHeart,
            }),
            update_exchange("v2", "CK2", content_b()),
        ]
    );
}

#[test]
fn a_moved_item_is_relinked_not_deleted() {
    let mut moved = ex_item("CK1", content_a(), 0);
    moved.key.item_id = ExchangeItemId::parse("AAMk9").unwrap();
    let mut input = with(linked_input(), None, Some(deleted_in_exchange()));
    input.exchange.observations.push(present(moved));
    let mut relinked = recorded();
    relinked.exchange_item_id = ExchangeItemId::parse("AAMk9").unwrap();
    assert_eq!(
        decide(&input, (Unchanged, Unchanged)),
        vec![Action::Link(relinked)]
    );
}

#[test]
fn only_content_that_a_decision_needs_is_read() {
    let unchanged = ExchangeObservation::Present {
        summary: ex_item("CK1", content_a(), 0).summary(),
        content: Content::NotFetched,
    };
    assert!(content_needed(&with(linked_input(), None, Some(unchanged))).is_empty());
    let changed = ExchangeObservation::Present {
        summary: ex_item("CK2", content_a(), 0).summary(),
        content: Content::NotFetched,
    };
    assert_eq!(
        content_needed(&with(linked_input(), None, Some(changed))),
        vec![ExchangeItemId::parse("AAMk1").unwrap()]
    );
    let far = ExchangeObservation::Present {
        summary: ex_item("CK1", appointment("x", timed(400, 9, 60)), 0).summary(),
        content: Content::NotFetched,
    };
    assert!(content_needed(&with(input(), None, Some(far))).is_empty());
}

#[test]
fn an_unreadable_changed_item_is_skipped_and_holds_back_the_sync() {
    let unreadable = ExchangeObservation::Present {
        summary: ex_item("CK2", content_a(), 0).summary(),
        content: Content::Unreadable { retryable: true },
    };
    let plan = reconcile(&with(linked_input(), None, Some(unreadable)));
    assert_eq!(plan.decisions[0].cell, None);
    assert_eq!(
        plan.decisions[0].actions,
        vec![Action::Skip(SkipReason::Unreadable { retryable: true })]
    );
    assert!(SkipReason::Unreadable { retryable: true }.holds_back_sync());
}

// ---- plan guards ----

fn linked_many(count: usize) -> (Vec<Mapping>, Vec<AgendaChange>) {
    (0..count)
        .map(|n| {
            let id = OfficeHeartId::parse(&format!("oh-{n}")).unwrap();
            let mapping = Mapping {
                officeheart_id: id.clone(),
                exchange_item_id: ExchangeItemId::parse(&format!("AAMk{n}")).unwrap(),
                exchange_uid: ExchangeUid::parse(&format!("UID{n}")).unwrap(),
                ..recorded()
            };
            (mapping, AgendaChange::Deleted { id })
        })
        .unzip()
}

#[test]
fn the_deletion_guard_stops_a_plan_deleting_more_than_the_cap() {
    let (mappings, deletions) = linked_many(6);
    let mut input = linked_input();
    input.mappings = mappings;
    input.officeheart.observations = deletions;
    input.mapping_count = 10;
    assert_eq!(
        reconcile(&input).abort,
        Some(AbortReason::DeletionGuard {
            planned: 6,
            limit: 5
        })
    );
    input.mapping_count = 30;
    assert_eq!(reconcile(&input).abort, None, "20 % of 30 allows 6");
    input.mapping_count = 10;
    input.policy.guard_override = true;
    assert_eq!(reconcile(&input).abort, None);
}

#[test]
fn the_storage_empty_guard_stops_a_plan_when_a_listing_is_empty_but_links_exist() {
    let mut input = with(input(), None, Some(present(ex_item("CK1", content_a(), 0))));
    input.officeheart.mode = ReadMode::Listing;
    input.mapping_count = 3;
    assert_eq!(
        reconcile(&input).abort,
        Some(AbortReason::StorageEmpty {
            side: Side::OfficeHeart
        })
    );
    input.mapping_count = 0;
    assert_eq!(reconcile(&input).abort, None);
}

#[test]
fn a_linked_item_verified_gone_after_a_listing_is_a_deletion_not_an_absence() {
    // Exchange was listed; the linked item was not in the listing and a direct read found it
    // gone, which the executor reports as an explicit deletion.
    let input = exchange_listed(with(linked_input(), None, Some(deleted_in_exchange())));
    assert_eq!(
        decide(&input, (Unchanged, Deleted)),
        vec![Action::DeleteInOfficeHeart {
            target: revision("v1")
        }]
    );
    let unverified = exchange_listed(linked_input());
    assert_eq!(
        decide(&unverified, (Unchanged, Absent)),
        vec![Action::Skip(SkipReason::MissingFromListing)]
    );
}

#[test]
fn the_storage_empty_guard_can_be_asked_on_its_own_and_yields_to_the_override() {
    let mut input = input();
    input.exchange.mode = ReadMode::Listing;
    assert_eq!(
        storage_empty(&input),
        Some(AbortReason::StorageEmpty {
            side: Side::Exchange
        })
    );
    input.policy.guard_override = true;
    assert_eq!(storage_empty(&input), None);
}
