//! The report as it is filled in, step by step, so that whatever finished before the time limit
//! is kept and the step that was running is named.

use std::collections::BTreeMap;
use std::time::Duration;

use ohsync_ews::{ExchangeVersion, ServerVersionInfo};
use ohsync_settings::live::{CheckResult, CheckStatus, CheckStep, LiveCheckReport};

use crate::Finding;
use crate::confirmation::Confirmation;
use crate::finding::whole_seconds;

/// The results recorded so far and what was learnt about the server.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    results: BTreeMap<CheckStep, CheckResult>,
    server_version: Option<String>,
    suggested_version: Option<String>,
}

impl Progress {
    /// Records a passed step.
    pub(crate) fn pass(
        &mut self,
        step: CheckStep,
        confirmation: Confirmation,
        detail: Option<String>,
    ) {
        self.results.insert(
            step,
            CheckResult {
                step,
                status: CheckStatus::Passed,
                code: None,
                message: confirmation.message(),
                detail,
            },
        );
    }

    /// Records a warning or failure.
    pub(crate) fn find(&mut self, step: CheckStep, finding: &Finding, detail: Option<String>) {
        self.results.insert(
            step,
            CheckResult {
                step,
                status: finding.status(),
                code: Some(finding.code().as_str()),
                message: finding.message(),
                detail,
            },
        );
    }

    /// Records the steps before `step` that have no result yet as passed, with what passing
    /// them means (a later step's answer proves the earlier ones).
    pub(crate) fn pass_before(
        &mut self,
        step: CheckStep,
        confirm: impl Fn(CheckStep) -> Option<Confirmation>,
    ) {
        for earlier in CheckStep::ALL.into_iter().filter(|earlier| *earlier < step) {
            if !self.results.contains_key(&earlier)
                && let Some(confirmation) = confirm(earlier)
            {
                self.pass(earlier, confirmation, None);
            }
        }
    }

    /// What the server reported (if it did), and the `RequestServerVersion` that fits it when
    /// that differs from `chosen`.
    pub(crate) fn learn_server(
        &mut self,
        server: Option<&ServerVersionInfo>,
        fitting: Option<ExchangeVersion>,
        chosen: ExchangeVersion,
    ) {
        self.server_version = server.map(|server| {
            format!(
                "{}.{}.{}.{}",
                server.major, server.minor, server.major_build, server.minor_build
            )
        });
        self.suggested_version = fitting
            .filter(|fitting| *fitting != chosen)
            .map(|fitting| fitting.as_str().to_owned());
    }

    /// The first step without a result: the one running now.
    pub(crate) fn running(&self) -> Option<CheckStep> {
        CheckStep::ALL
            .into_iter()
            .find(|step| !self.results.contains_key(step))
    }

    /// Marks the running step as stopped by the time limit.
    pub(crate) fn time_out(&mut self, limit: Duration) {
        if let Some(step) = self.running() {
            let seconds = whole_seconds(limit);
            self.find(step, &Finding::CheckTimedOut { seconds }, None);
        }
    }

    /// The report: every step in order, those without a result skipped.
    pub(crate) fn finish(mut self) -> LiveCheckReport {
        let checks = CheckStep::ALL
            .into_iter()
            .map(|step| {
                self.results.remove(&step).unwrap_or_else(|| CheckResult {
                    step,
                    status: CheckStatus::Skipped,
                    code: None,
                    message: Confirmation::Skipped.message(),
                    detail: None,
                })
            })
            .collect();
        LiveCheckReport {
            checks,
            server_version: self.server_version,
            suggested_version: self.suggested_version,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    #[test]
    fn the_time_limit_fails_the_running_step_and_skips_the_rest() {
        let mut progress = Progress::default();
        progress.pass(
            CheckStep::Dns,
            Confirmation::Resolved {
                host: "mail.example.nl".into(),
                addresses: vec![IpAddr::from([192, 0, 2, 7])],
            },
            None,
        );
        assert_eq!(progress.running(), Some(CheckStep::Connection));
        progress.time_out(Duration::from_millis(19_200));
        let report = progress.finish();
        let statuses: Vec<CheckStatus> = report.checks.iter().map(|check| check.status).collect();
        assert_eq!(
            statuses,
            [
                CheckStatus::Passed,
                CheckStatus::Failed,
                CheckStatus::Skipped,
                CheckStatus::Skipped,
                CheckStatus::Skipped,
                CheckStatus::Skipped,
                CheckStatus::Skipped,
            ]
        );
        assert_eq!(report.checks[1].code, Some("check_timed_out"));
        assert!(report.checks[1].message.en.contains("20 seconds"));
        assert!(
            report
                .checks
                .iter()
                .skip(2)
                .all(|check| check.code.is_none())
        );
        assert!(!report.passed());
    }

    #[test]
    fn a_suggestion_is_only_made_when_it_differs_from_the_chosen_version() {
        let server = ServerVersionInfo {
            major: 15,
            minor: 1,
            major_build: 2507,
            minor_build: 6,
            version: Some("V2017_07_11".into()),
        };
        let mut same = Progress::default();
        same.learn_server(
            Some(&server),
            Some(ExchangeVersion::Exchange2016),
            ExchangeVersion::Exchange2016,
        );
        let same = same.finish();
        assert_eq!(same.server_version.as_deref(), Some("15.1.2507.6"));
        assert_eq!(same.suggested_version, None);

        let mut older = Progress::default();
        older.learn_server(
            Some(&server),
            Some(ExchangeVersion::Exchange2016),
            ExchangeVersion::Exchange2010,
        );
        assert_eq!(
            older.finish().suggested_version.as_deref(),
            Some("Exchange2016")
        );
    }
}
