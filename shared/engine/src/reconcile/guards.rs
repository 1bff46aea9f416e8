//! The guards: a plan that looks like a disaster is not carried out.

use super::{
    AbortReason, AgendaChange, Decision, ExchangeObservation, ReadMode, ReconcileInput, Side,
};

/// The first guard a plan trips, if any (unless an operator set the override).
pub(super) fn check(input: &ReconcileInput, decisions: &[Decision]) -> Option<AbortReason> {
    if input.policy.guard_override {
        return None;
    }
    storage_empty(input).or_else(|| deletion_guard(input, decisions))
}

/// A side whose listing came back empty while mappings exist is more likely broken (a wrong
/// folder, a permissions change, a restore in progress) than empty.
pub(super) fn storage_empty(input: &ReconcileInput) -> Option<AbortReason> {
    if input.mapping_count == 0 {
        return None;
    }
    let officeheart_empty = input.officeheart.mode == ReadMode::Listing
        && !input
            .officeheart
            .observations
            .iter()
            .any(|change| matches!(change, AgendaChange::Upserted(_)));
    let exchange_empty = input.exchange.mode == ReadMode::Listing
        && !input
            .exchange
            .observations
            .iter()
            .any(|observation| matches!(observation, ExchangeObservation::Present { .. }));
    if officeheart_empty {
        Some(AbortReason::StorageEmpty {
            side: Side::OfficeHeart,
        })
    } else if exchange_empty {
        Some(AbortReason::StorageEmpty {
            side: Side::Exchange,
        })
    } else {
        None
    }
}

fn deletion_guard(input: &ReconcileInput, decisions: &[Decision]) -> Option<AbortReason> {
    let planned = decisions
        .iter()
        .flat_map(|decision| &decision.actions)
        .filter(|action| action.is_deletion())
        .count() as u64;
    let limit = input.policy.deletion_cap.limit(input.mapping_count);
    (planned > limit).then_some(AbortReason::DeletionGuard { planned, limit })
}
