//! One contract test suite for every
//! [`SettingsStore`](ohsync_settings::store::SettingsStore) backend.
//!
//! Each case is an async function over `Arc<dyn SettingsStore>` that panics on a broken
//! promise. Stores handed to the cases must page at most [`PAGE_SIZE`] users, so that paging is
//! exercised; [`settings_store_contract_tests!`](crate::settings_store_contract_tests) expands
//! the cases into one `#[tokio::test]` each.

// A failed store call is a failed case, reported with the error by unwrap.
#![allow(clippy::unwrap_used, reason = "test suite")]

pub mod fixtures;
mod index;
mod records;

pub use index::{
    active_toggling_moves_the_user_in_and_out_of_the_index,
    every_active_user_is_in_exactly_one_shard, shard_of_a_thousand_users_pages_through,
};
pub use records::{
    conditional_put_conflicts_and_writes_nothing, odd_characters_round_trip, records_round_trip,
    tenants_are_isolated,
};

/// The most users a store given to the suite may put on one page.
pub const PAGE_SIZE: u32 = 50;

/// Expands into one `#[tokio::test]` per settings contract case. The argument is the path of an
/// `async fn() -> Option<Arc<dyn SettingsStore>>` giving each case a fresh store paging at most
/// [`PAGE_SIZE`] users; `None` skips the case (the function says why). The calling crate needs
/// `tokio` with the `macros` and `rt-multi-thread` features.
#[macro_export]
macro_rules! settings_store_contract_tests {
    ($fresh_store:path) => {
        $crate::settings_store_contract_tests!(@cases $fresh_store;
            records_round_trip,
            conditional_put_conflicts_and_writes_nothing,
            active_toggling_moves_the_user_in_and_out_of_the_index,
            shard_of_a_thousand_users_pages_through,
            every_active_user_is_in_exactly_one_shard,
            tenants_are_isolated,
            odd_characters_round_trip,
        );
    };
    (@cases $fresh_store:path; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                if let Some(store) = $fresh_store().await {
                    $crate::settings_suite::$case(store).await;
                }
            }
        )+
    };
}
