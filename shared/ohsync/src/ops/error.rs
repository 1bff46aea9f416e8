//! Why an operator command could not answer; each has a stable code and Dutch and English text.

use ohsync_settings::FieldError;
use ohsync_worker::{DeferReason, JobFailure, SkipReason};

/// An operator command's failure.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// The argument is not `TENANT/USER`.
    #[error("{0:?} is not TENANT/USER (for example acme/jan)")]
    BadUser(String),
    /// The user has no settings.
    #[error("{0} has no Exchange settings (save them through the settings API first)")]
    NotFound(String),
    /// A store did not answer or holds a damaged record.
    #[error("the store could not be read: {0}")]
    Store(String),
    /// The job was not run (settings switched off).
    #[error("{who} was not synced: {reason:?}")]
    Skipped {
        /// `tenant/user`.
        who: String,
        /// Why.
        reason: SkipReason,
    },
    /// The run was not started: every slot of the user's Exchange host is held by other runs
    /// (`ohsync --aws` honours the workers' cap per host).
    #[error("{who} was not synced now: {reason}; try again shortly")]
    Deferred {
        /// `tenant/user`.
        who: String,
        /// Why.
        reason: DeferReason,
    },
    /// The run failed.
    #[error("{0}")]
    Failed(JobFailure),
    /// The settings given to `validate` are not valid.
    #[error("the settings are not valid: {}", codes(.0))]
    Invalid(Vec<FieldError>),
    /// The password could not be read from the terminal.
    #[error("the password could not be read: {0}")]
    Password(String),
}

fn codes(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|error| format!("{} ({})", error.field, error.code))
        .collect::<Vec<_>>()
        .join(", ")
}

impl OpsError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUser(_) => "user_argument_invalid",
            Self::NotFound(_) => "settings_not_found",
            Self::Store(_) => "storage_unavailable",
            Self::Skipped { .. } => "sync_inactive",
            Self::Deferred { .. } => "exchange_host_busy",
            Self::Failed(failure) => failure.cause().code.as_str(),
            Self::Invalid(_) => "settings_invalid",
            Self::Password(_) => "password_unreadable",
        }
    }

    /// The message in Dutch.
    pub fn text_nl(&self) -> String {
        match self {
            Self::BadUser(raw) => {
                format!("{raw:?} is niet TENANT/GEBRUIKER (bijvoorbeeld acme/jan)")
            }
            Self::NotFound(who) => format!(
                "{who} heeft geen Exchange-instellingen (sla ze eerst op via de instellingen-API)"
            ),
            Self::Store(reason) => format!("de opslag kan niet gelezen worden: {reason}"),
            Self::Skipped { who, .. } => {
                format!("{who} is niet gesynchroniseerd: de synchronisatie staat uit")
            }
            Self::Deferred { who, reason } => match reason {
                DeferReason::HostFull { host, cap } => format!(
                    "{who} is nu niet gesynchroniseerd: de Exchange-server {host} heeft al {cap} synchronisaties tegelijk; probeer het zo opnieuw"
                ),
                DeferReason::SlotsUnavailable { host, detail } => format!(
                    "{who} is nu niet gesynchroniseerd: de plaatsen voor synchronisaties met de Exchange-server {host} konden niet gelezen worden ({detail}); probeer het zo opnieuw"
                ),
            },
            Self::Failed(failure) => {
                let nl = failure.cause().code.text().nl;
                format!("{nl} ({})", failure.cause().detail)
            }
            Self::Invalid(errors) => errors
                .iter()
                .map(|error| format!("{}: {}", error.field, error.message.nl))
                .collect::<Vec<_>>()
                .join("; "),
            Self::Password(reason) => format!("het wachtwoord kon niet gelezen worden: {reason}"),
        }
    }
}
