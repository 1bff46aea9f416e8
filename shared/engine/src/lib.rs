//! ohsync's sync engine: the normalised appointment, the ports to both calendars and the
//! store, the pure reconcile step (one decision table) and the executor that carries a plan out
//! crash-safely. It knows no EWS, HTTP, XML or AWS; adapters implement its ports.
//!
//! The design and the crash-safety argument are in `docs/SYNC-ENGINE.md`.

pub mod appointment;
#[cfg(feature = "executor")]
pub mod executor;
pub mod identity;
pub mod ports;
pub mod reconcile;
pub mod recurrence;
pub mod report;
pub mod series;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod window;
