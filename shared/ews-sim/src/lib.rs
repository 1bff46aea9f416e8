//! A stateful Exchange Web Services simulator: a SOAP endpoint that answers like Exchange (namespaces,
//! ServerVersionInfo, ResponseCodes, faults), NTLM and Basic authentication, per-user mailboxes with a
//! calendar, SyncStates, ChangeKeys, extended properties, recurrence expansion, and fault switches.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ohsync_ews_sim::SimError> {
//! use ohsync_ews_sim::{EwsSimulator, SimConfig, SimUser};
//! let config = SimConfig::default().with_user(SimUser::new("OH", "jan", "secret", "jan@oh.example"));
//! let sim = EwsSimulator::start(config, "127.0.0.1:0").await?;
//! println!("{}", sim.url());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

pub mod auth;
pub mod config;
mod dispatch;
mod edit;
pub mod error;
pub mod faults;
mod handle;
mod instance_edit;
pub mod mailbox;
mod ops;
mod render;
pub mod request;
pub mod response_code;
mod server;
pub mod soap;
mod state;
pub mod time;
mod tls;
pub mod version;
mod view;
pub mod xml;

pub use config::{SimConfig, SimUser};
pub use error::SimError;
pub use faults::{FaultSwitches, RequestCounters};
pub use handle::{ExceptionSnapshot, ItemPatch, ItemSnapshot, MailboxHandle};
pub use mailbox::extended::ExtendedFieldUri;
pub use server::{EWS_PATH, EwsSimulator, RunningSim};
pub use version::{SchemaVersion, ServerVersion};
