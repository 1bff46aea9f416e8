//! The contract every binding store meets.
//!
//! - [`record`]: how the port's values are stored, shared by every backend so that each parses
//!   stored data the same way (and a record written by one backend reads back in another).
//! - [`suite`] (feature `suite`): one test suite over `Arc<dyn Store>` that runs unchanged against
//!   every backend; [`store_contract_tests!`] expands it into one `#[tokio::test]` per case.
//! - `settings_suite` (feature `settings-suite`): the same for the settings store port,
//!   expanded by `settings_store_contract_tests!`.

pub mod record;
#[cfg(feature = "settings-suite")]
pub mod settings_suite;
#[cfg(feature = "suite")]
pub mod suite;
