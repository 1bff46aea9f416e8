//! The per-user Exchange settings of ohsync: what the admin screen sends, parsed into types
//! that cannot hold an invalid value, validated statically with every problem reported at once
//! (a stable code, the field, and a Dutch and English message that says what to do), and the
//! record that is stored, with the binding it makes.
//!
//! - [`validate`] turns an [`ExchangeSettingsInput`] into [`ValidatedSettings`] or a list of
//!   [`FieldError`]s, under the operator's [`OperatorPolicy`].
//! - [`EwsUrl`], [`ShortDomain`], [`Username`], [`MailboxAddress`]: parse instead of validate.
//! - [`Problem`] and [`ProblemCode`]: every rule's code, field and texts, in one place.
//! - [`StoredSettings`] and [`binding_changed`]: the persisted record without the password.
//! - [`live`]: the live check of settings against Exchange, step by step ([`live::LiveChecker`]).
//! - [`store`]: the port the records are kept through, with the sharded active-users index.
//!
//! The codes and texts are listed in `docs/SETTINGS.md`; a test keeps that table in step.

mod account;
mod choices;
mod ews_url;
mod exchange_account;
mod field_error;
mod input;
pub mod live;
mod operator;
mod problem;
mod serde_text;
pub mod store;
mod stored;
mod validate;

pub use account::{MailboxAddress, ShortDomain, Username, split_login};
pub use choices::{PolicyChoice, SyncChoices, WindowDays};
pub use ews_url::EwsUrl;
pub use exchange_account::ExchangeAccount;
pub use field_error::FieldError;
pub use input::{DaysInput, ExchangeSettingsInput};
pub use operator::{
    HTTP_HOSTS_VAR, INSECURE_TLS_HOSTS_VAR, OperatorPolicy, OperatorPolicyError, PRIVATE_HOSTS_VAR,
};
pub use problem::{Problem, ProblemCode, field};
pub use stored::{SecretRef, StoredSettings, binding_changed};
pub use validate::{ValidatedSettings, validate};
