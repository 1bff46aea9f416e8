//! Why a job failed, and whether the queue should hand it out again.

use std::fmt;

use ohsync_engine::ports::SecretsError;
use ohsync_engine::report::{ErrorCode, RunError};
use ohsync_localized::LocalizedText;
use ohsync_settings::store::SettingsStoreError;

/// What went wrong, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureCode {
    /// The queue message is not a job of this version.
    MessageMalformed,
    /// The settings store did not answer.
    SettingsUnavailable,
    /// The stored settings cannot be used (damaged record, a secret reference that is not
    /// this user's, an account the EWS client refuses).
    SettingsInvalid,
    /// The OfficeHeart client could not be set up (the worker's configuration).
    AgendaConfigInvalid,
    /// The job came too close to the deadline to start.
    StartedTooLate,
    /// An engine error: the run's, or the password's, which the user's status shows alike.
    Run(ErrorCode),
}

impl FailureCode {
    /// The code as text (an engine error keeps its own code).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MessageMalformed => "job_message_malformed",
            Self::SettingsUnavailable => "settings_unavailable",
            Self::SettingsInvalid => "settings_invalid",
            Self::AgendaConfigInvalid => "agenda_config_invalid",
            Self::StartedTooLate => "started_too_late",
            Self::Run(code) => code.as_str(),
        }
    }

    /// What happened and what to do, in Dutch and English.
    pub fn text(self) -> LocalizedText {
        match self {
            Self::MessageMalformed => LocalizedText::from_static(
                "Een synchronisatieopdracht in de wachtrij was onleesbaar en is overgeslagen. Neem contact op met de beheerder van ohsync.",
                "A sync job in the queue could not be read and was skipped. Contact the ohsync operator.",
            ),
            Self::SettingsUnavailable => LocalizedText::from_static(
                "De instellingen konden even niet worden gelezen. ohsync probeert het zo opnieuw.",
                "The settings could not be read for a moment. ohsync tries again shortly.",
            ),
            Self::SettingsInvalid => LocalizedText::from_static(
                "De opgeslagen Exchange-instellingen zijn niet bruikbaar. Sla de Exchange-instellingen opnieuw op.",
                "The stored Exchange settings cannot be used. Save the Exchange settings again.",
            ),
            Self::AgendaConfigInvalid => LocalizedText::from_static(
                "De koppeling met de OfficeHeart-agenda is niet goed ingesteld. Neem contact op met de beheerder van ohsync.",
                "The connection to the OfficeHeart agenda is not set up correctly. Contact the ohsync operator.",
            ),
            Self::StartedTooLate => LocalizedText::from_static(
                "De synchronisatie kon niet meer op tijd beginnen en wordt zo opnieuw geprobeerd.",
                "The sync could not start in time and is tried again shortly.",
            ),
            Self::Run(code) => code.text(),
        }
    }
}

impl fmt::Display for FailureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failure's code and details for operators (never a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureCause {
    /// The stable code.
    pub code: FailureCode,
    /// What exactly happened.
    pub detail: String,
}

impl FailureCause {
    /// A cause with `code` and `detail`.
    pub fn new(code: FailureCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }
}

/// A job that did not run to an outcome.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobFailure {
    /// Trying again later can succeed without anyone changing anything: the queue should hand
    /// the job out again (after its visibility timeout, which is the back-off).
    #[error("retryable: {}: {}", .0.code, .0.detail)]
    Retryable(FailureCause),
    /// Only a change of settings or configuration helps; the queue must drop the job so that
    /// the server is not hammered. The user's status shows the error when the run got that far.
    #[error("not retryable: {}: {}", .0.code, .0.detail)]
    NonRetryable(FailureCause),
}

impl JobFailure {
    /// Whether the queue should hand the job out again.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Retryable(_))
    }

    /// The cause.
    pub fn cause(&self) -> &FailureCause {
        match self {
            Self::Retryable(cause) | Self::NonRetryable(cause) => cause,
        }
    }

    pub(crate) fn retryable(code: FailureCode, detail: impl Into<String>) -> Self {
        Self::Retryable(FailureCause::new(code, detail))
    }

    pub(crate) fn non_retryable(code: FailureCode, detail: impl Into<String>) -> Self {
        Self::NonRetryable(FailureCause::new(code, detail))
    }

    /// A settings store failure: an unavailable store may answer later, a damaged record
    /// will not mend itself.
    pub(crate) fn from_settings(error: &SettingsStoreError) -> Self {
        match error {
            SettingsStoreError::Unavailable(_) | SettingsStoreError::Conflict => {
                Self::retryable(FailureCode::SettingsUnavailable, error.to_string())
            }
            SettingsStoreError::Corrupt(_) => {
                Self::non_retryable(FailureCode::SettingsInvalid, error.to_string())
            }
        }
    }

    /// A failure to read the password: an engine code, so that the user's status can show it.
    pub(crate) fn from_secrets(error: &SecretsError) -> Self {
        let code = FailureCode::Run(match error {
            SecretsError::NotFound => ErrorCode::PasswordMissing,
            SecretsError::AccessDenied | SecretsError::Invalid(_) => ErrorCode::PasswordDenied,
            SecretsError::Unavailable(_) => ErrorCode::PasswordUnavailable,
        });
        if error.is_retryable() {
            Self::retryable(code, error.to_string())
        } else {
            Self::non_retryable(code, error.to_string())
        }
    }

    /// The error that ended a failed run: what a server or store that did not answer caused
    /// is retryable; refusals (credentials, EWS blocked, a rejected request, damaged state)
    /// are not.
    pub(crate) fn from_run(error: &RunError) -> Self {
        let code = FailureCode::Run(error.code);
        let retryable = matches!(
            error.code,
            ErrorCode::MailboxUnavailable
                | ErrorCode::MailboxThrottled
                | ErrorCode::AgendaUnavailable
                | ErrorCode::StoreUnavailable
        );
        if retryable {
            Self::retryable(code, error.detail.clone())
        } else {
            Self::non_retryable(code, error.detail.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_error(code: ErrorCode) -> RunError {
        RunError {
            code,
            detail: "detail".into(),
        }
    }

    #[test]
    fn only_what_did_not_answer_is_retried() {
        for code in [
            ErrorCode::MailboxUnavailable,
            ErrorCode::MailboxThrottled,
            ErrorCode::AgendaUnavailable,
            ErrorCode::StoreUnavailable,
        ] {
            assert!(
                JobFailure::from_run(&run_error(code)).is_retryable(),
                "{code:?}"
            );
        }
        for code in [
            ErrorCode::MailboxUnauthorized,
            ErrorCode::MailboxAccessBlocked,
            ErrorCode::MailboxRejected,
            ErrorCode::AgendaUnauthorized,
            ErrorCode::AgendaRejected,
            ErrorCode::StoreCorrupt,
        ] {
            assert!(
                !JobFailure::from_run(&run_error(code)).is_retryable(),
                "{code:?}"
            );
        }
        assert!(JobFailure::from_secrets(&SecretsError::Unavailable("x".into())).is_retryable());
        assert!(!JobFailure::from_secrets(&SecretsError::NotFound).is_retryable());
        assert!(!JobFailure::from_secrets(&SecretsError::AccessDenied).is_retryable());
        assert!(
            JobFailure::from_settings(&SettingsStoreError::Unavailable("x".into())).is_retryable()
        );
        assert!(
            !JobFailure::from_settings(&SettingsStoreError::Corrupt("x".into())).is_retryable()
        );
    }

    #[test]
    fn every_code_has_a_dutch_and_an_english_text() {
        let codes = [
            FailureCode::MessageMalformed,
            FailureCode::SettingsUnavailable,
            FailureCode::SettingsInvalid,
            FailureCode::AgendaConfigInvalid,
            FailureCode::StartedTooLate,
            FailureCode::Run(ErrorCode::MailboxUnauthorized),
        ];
        let names: std::collections::BTreeSet<_> = codes.iter().map(|code| code.as_str()).collect();
        assert_eq!(names.len(), codes.len(), "codes are distinct");
        for code in codes {
            let text = code.text();
            assert!(
                !text.nl.is_empty() && !text.en.is_empty() && text.nl != text.en,
                "{code}"
            );
        }
        assert_eq!(
            FailureCode::Run(ErrorCode::MailboxUnauthorized).as_str(),
            "mailbox_unauthorized"
        );
    }
}
