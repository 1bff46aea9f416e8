//! The live check of settings against the Exchange server they name (`POST …/validate`,
//! `ohsync validate`): each step reported on its own, so that the admin sees which one failed and
//! what to do. Nothing is stored by a check.

use async_trait::async_trait;
use ohsync_localized::LocalizedText;
use secrecy::SecretString;
use serde::Serialize;

use crate::ValidatedSettings;

/// The steps of a live check, in the order they run; a step runs only when those before it
/// passed (later ones are then [`CheckStatus::Skipped`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStep {
    /// The host name resolves, and to addresses the operator's address policy allows.
    Dns,
    /// A TCP connection and the TLS handshake succeed (certificate problems named).
    Connection,
    /// The EWS endpoint answers HTTP at that path (not 404, not a login page).
    Endpoint,
    /// The credentials are accepted (NTLM or Basic, as the server offers).
    Authentication,
    /// EWS is not blocked for this user by an access policy (HTTP 403 / ErrorAccessDenied).
    EwsAccess,
    /// The calendar folder (of the configured mailbox) can be read.
    Calendar,
    /// The server's `ServerVersionInfo` fits the chosen `RequestServerVersion`.
    ServerVersion,
}

impl CheckStep {
    /// Every step, in the order they run.
    pub const ALL: [CheckStep; 7] = [
        Self::Dns,
        Self::Connection,
        Self::Endpoint,
        Self::Authentication,
        Self::EwsAccess,
        Self::Calendar,
        Self::ServerVersion,
    ];
}

/// How one step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// It worked.
    Passed,
    /// It works, but something should be changed (e.g. a version that differs from the server's).
    Warning,
    /// It failed; see the code and message.
    Failed,
    /// Not run, because an earlier step failed or the time limit was reached.
    Skipped,
}

/// The outcome of one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Which step.
    pub step: CheckStep,
    /// How it ended.
    pub status: CheckStatus,
    /// A stable machine code for a warning or failure (e.g. `tls_certificate_untrusted`), `None`
    /// when passed or skipped.
    pub code: Option<&'static str>,
    /// What was found and, for a warning or failure, what to do.
    pub message: LocalizedText,
    /// A fact for support, never a secret (e.g. the resolved addresses, the server version).
    pub detail: Option<String>,
}

/// Every step's outcome, in order, and what was learnt about the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveCheckReport {
    /// One result per [`CheckStep`], in step order.
    pub checks: Vec<CheckResult>,
    /// The server's version as `ServerVersionInfo` reported it, e.g. `15.1.2507.6`.
    pub server_version: Option<String>,
    /// The `RequestServerVersion` value that fits the server, when it differs from the chosen one.
    pub suggested_version: Option<String>,
}

impl LiveCheckReport {
    /// Whether no step failed (warnings allowed).
    pub fn passed(&self) -> bool {
        self.checks
            .iter()
            .all(|check| matches!(check.status, CheckStatus::Passed | CheckStatus::Warning))
    }
}

/// Runs the live check; implemented over the EWS client, used by the settings API and the CLI.
#[async_trait]
pub trait LiveChecker: Send + Sync {
    /// Checks `settings` with `password` against the server within the checker's time limit; an
    /// unfinished step is reported (failed with the code `check_timed_out`, the steps after it
    /// skipped), never an error of the call.
    async fn check(&self, settings: &ValidatedSettings, password: &SecretString)
    -> LiveCheckReport;
}
