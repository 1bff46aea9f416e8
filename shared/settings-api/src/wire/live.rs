//! The answer to a live check.

use ohsync_settings::live::{CheckResult, LiveCheckReport};
use serde::Serialize;
use utoipa::ToSchema;

use super::Text;

/// The serde name of a unit enum value (a check's step or status), as the live-check types
/// define it; new values then need no change here.
fn serde_name(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

/// The outcome of one step of the live check.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckAnswer {
    /// The step, in the order they run: `dns`, `connection`, `endpoint`, `authentication`,
    /// `ews_access`, `calendar`, `server_version`.
    #[schema(example = "authentication")]
    step: String,
    /// `passed`, `warning`, `failed`, or `skipped` (an earlier step failed, or time ran out).
    #[schema(example = "passed")]
    status: String,
    /// A stable code for a warning or failure, `null` otherwise.
    #[schema(required = true, example = "authentication_failed")]
    code: Option<&'static str>,
    /// What was found and, for a warning or failure, what to do.
    message: Text,
    /// A fact for support (resolved addresses, the server version), never a secret.
    #[schema(required = true)]
    detail: Option<String>,
}

impl From<CheckResult> for CheckAnswer {
    fn from(check: CheckResult) -> Self {
        Self {
            step: serde_name(&check.step),
            status: serde_name(&check.status),
            code: check.code,
            message: check.message.into(),
            detail: check.detail,
        }
    }
}

/// Every step's outcome, in order; nothing was stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LiveCheckAnswer {
    /// Whether no step failed (warnings allowed).
    passed: bool,
    /// One entry per step.
    checks: Vec<CheckAnswer>,
    /// The server's version as it reported it, e.g. `15.1.2507.6`.
    #[schema(required = true)]
    server_version: Option<String>,
    /// The `exchange_version` that fits the server, when it differs from the chosen one.
    #[schema(required = true)]
    suggested_version: Option<String>,
}

impl From<LiveCheckReport> for LiveCheckAnswer {
    fn from(report: LiveCheckReport) -> Self {
        Self {
            passed: report.passed(),
            checks: report.checks.into_iter().map(CheckAnswer::from).collect(),
            server_version: report.server_version,
            suggested_version: report.suggested_version,
        }
    }
}
