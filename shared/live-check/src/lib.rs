//! The live check of a user's Exchange settings (`POST …/exchange-settings/validate`): seven
//! steps, each reported on its own with a stable code and a Dutch and English message that says
//! what to do, within one hard time limit. Nothing is stored.
//!
//! - [`EwsLiveChecker`]: the [`ohsync_settings::live::LiveChecker`] over the EWS client, with the
//!   same address guard and TLS rules the sync worker uses.
//! - [`Finding`] and [`FindingCode`]: every warning and failure a step can report, in one place,
//!   so the API, the docs table and the tests cannot disagree.
//!
//! The steps, codes and texts are listed in `docs/SETTINGS.md` ("Live check"); a test keeps that
//! table in step with [`Finding::catalogue`].

mod attribution;
mod checker;
mod confirmation;
mod finding;
mod progress;
mod session;
mod version_fit;

pub use checker::{DEFAULT_TIME_LIMIT, EwsLiveChecker};
pub use finding::{AuthScheme, Finding, FindingCode};
