//! One contract test suite for every [`Store`](ohsync_engine::ports::Store) backend.
//!
//! Each case is an async function over `Arc<dyn Store>` that panics on a broken promise. Cases use
//! their own tenants, users and bindings, so they may share a store, but each backend's test file
//! normally hands every case a fresh one through [`store_contract_tests!`](crate::store_contract_tests).
//! Lists, intents and unconfirmed items are compared as sets: the port promises no order.

// A failed store call is a failed case, reported with the error by unwrap.
#![allow(clippy::unwrap_used, reason = "test suite")]

mod conflicts;
pub mod fixtures;
mod intents;
mod isolation;
mod listing;
mod lookups;
mod spans;
mod state;
mod unconfirmed;
mod volume;

pub use conflicts::{
    concurrent_commits_from_one_version_have_one_winner, stale_commit_conflicts_and_writes_nothing,
    stale_large_commit_conflicts_and_writes_nothing,
};
pub use intents::intents_are_added_replaced_and_removed;
pub use isolation::tenants_users_and_bindings_are_isolated;
pub use listing::{
    empty_binding_lists_nothing, listing_is_isolated_between_bindings,
    thousand_mappings_are_listed_once,
};
pub use lookups::{
    id_kinds_do_not_collide, item_id_passed_between_mappings_in_one_commit,
    mappings_are_found_by_each_id_kind, mixed_query_finds_each_mapping_once,
    removed_mappings_are_gone, replaced_mapping_drops_its_old_ids,
};
pub use spans::spans_round_trip_with_and_without;
pub use state::{
    commit_round_trips_through_load, fresh_binding_loads_as_default,
    positions_advance_only_when_set, status_round_trips, versions_advance_by_one_per_commit,
};
pub use unconfirmed::{
    many_unconfirmed_items_round_trip, unconfirmed_items_are_added_kept_and_removed,
};
pub use volume::{odd_characters_in_ids_round_trip, thousand_mappings_round_trip};

/// Expands into one `#[tokio::test]` per contract case. The argument is the path of an
/// `async fn() -> Option<Arc<dyn Store>>` giving each case a fresh store; `None` skips the case
/// (the function says why, e.g. "skipped: no local stack"). The calling crate needs `tokio` with
/// the `macros` and `rt-multi-thread` features.
#[macro_export]
macro_rules! store_contract_tests {
    ($fresh_store:path) => {
        $crate::store_contract_tests!(@cases $fresh_store;
            fresh_binding_loads_as_default,
            commit_round_trips_through_load,
            versions_advance_by_one_per_commit,
            positions_advance_only_when_set,
            status_round_trips,
            stale_commit_conflicts_and_writes_nothing,
            stale_large_commit_conflicts_and_writes_nothing,
            concurrent_commits_from_one_version_have_one_winner,
            mappings_are_found_by_each_id_kind,
            mixed_query_finds_each_mapping_once,
            id_kinds_do_not_collide,
            replaced_mapping_drops_its_old_ids,
            item_id_passed_between_mappings_in_one_commit,
            removed_mappings_are_gone,
            intents_are_added_replaced_and_removed,
            unconfirmed_items_are_added_kept_and_removed,
            many_unconfirmed_items_round_trip,
            tenants_users_and_bindings_are_isolated,
            thousand_mappings_round_trip,
            odd_characters_in_ids_round_trip,
            spans_round_trip_with_and_without,
            empty_binding_lists_nothing,
            thousand_mappings_are_listed_once,
            listing_is_isolated_between_bindings,
        );
    };
    (@cases $fresh_store:path; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                if let Some(store) = $fresh_store().await {
                    $crate::suite::$case(store).await;
                }
            }
        )+
    };
}
