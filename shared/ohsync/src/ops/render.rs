//! The text the operator commands print.

use std::fmt::Write as _;

use ohsync_engine::appointment::Appointment;
use ohsync_engine::reconcile::{AbortReason, Action};
use ohsync_engine::report::{ActionCounts, RunReport, RunStatus};
use ohsync_settings::live::{CheckStatus, LiveCheckReport};
use ohsync_worker::{RunSummary, outcome_name};

use crate::ops::{UserLine, UserStatus};

/// What a run created (+), updated (~) and deleted (-) on each side.
pub fn counts(counts: &ActionCounts) -> String {
    format!(
        "Exchange +{} ~{} -{}   OfficeHeart +{} ~{} -{}",
        counts.created.exchange,
        counts.updated.exchange,
        counts.deleted.exchange,
        counts.created.officeheart,
        counts.updated.officeheart,
        counts.deleted.officeheart,
    )
}

fn last_run(status: Option<&RunStatus>) -> String {
    match status {
        None => "no run yet".to_owned(),
        Some(status) => format!(
            "{} {}   {}{}",
            status.finished_at.format("%Y-%m-%d %H:%M:%S UTC"),
            outcome_name(&status.outcome),
            counts(&status.counts),
            status
                .errors
                .first()
                .map(|error| format!("   error {}", error.code.as_str()))
                .unwrap_or_default(),
        ),
    }
}

/// `ohsync users`: one line per user.
pub fn users(lines: &[UserLine]) -> String {
    if lines.is_empty() {
        return "No users.\n".to_owned();
    }
    let mut out = format!(
        "{:<28} {:<4} {:<36} {}\n",
        "TENANT/USER", "SYNC", "EXCHANGE", "LAST RUN"
    );
    for line in lines {
        let who = format!("{}/{}", line.tenant, line.user);
        let account = &line.settings.account;
        let exchange = format!(
            "{} ({})",
            account.ews_url.as_url().host_str().unwrap_or("?"),
            account.exchange_version
        );
        let sync = if line.settings.active { "on" } else { "off" };
        let _ = writeln!(
            out,
            "{who:<28} {sync:<4} {exchange:<36} {}",
            last_run(line.last_run.as_ref())
        );
    }
    out
}

/// `ohsync status TENANT/USER`: the settings, the last run and its errors in both languages.
pub fn status(status: &UserStatus) -> String {
    let line = &status.line;
    let settings = &line.settings;
    let account = &settings.account;
    let mut out = String::new();
    let _ = writeln!(out, "{}/{}", line.tenant, line.user);
    let _ = writeln!(
        out,
        "  sync           {}",
        if settings.active { "on" } else { "off" }
    );
    let _ = writeln!(
        out,
        "  exchange       {} ({})",
        account.ews_url.as_str(),
        account.exchange_version
    );
    let _ = writeln!(
        out,
        "  account        {}\\{}",
        account.domain.as_str(),
        account.username.as_str()
    );
    let _ = writeln!(
        out,
        "  settings       version {}, saved {}",
        settings.settings_version,
        settings.updated_at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    let _ = writeln!(out, "  linked items   {}", status.mapping_count);
    let _ = writeln!(out, "  last run       {}", last_run(line.last_run.as_ref()));
    if let Some(run) = &line.last_run {
        if run.conflicts.exchange + run.conflicts.officeheart > 0 {
            let _ = writeln!(
                out,
                "  conflicts      {} (Exchange kept {}, OfficeHeart kept {})",
                run.conflicts.exchange + run.conflicts.officeheart,
                run.conflicts.exchange,
                run.conflicts.officeheart
            );
        }
        for error in &run.errors {
            let text = error.code.text();
            let _ = writeln!(
                out,
                "  error          {}: {}",
                error.code.as_str(),
                error.detail
            );
            let _ = writeln!(out, "                 en: {}", text.en);
            let _ = writeln!(out, "                 nl: {}", text.nl);
        }
    }
    out
}

/// `ohsync sync-now`: how the run ended.
pub fn run(who: &str, summary: &RunSummary) -> String {
    let report = &summary.report;
    let mut out = format!(
        "{who}: {}   {}   conflicts {}   errors {}   ({:.1} s)\n",
        outcome_name(&report.outcome),
        counts(&report.counts),
        report.conflicts.len(),
        report.errors.len(),
        summary.duration.as_secs_f64(),
    );
    for error in &report.errors {
        let text = error.code.text();
        let _ = writeln!(
            out,
            "  error {}: {}\n    en: {}\n    nl: {}",
            error.code.as_str(),
            error.detail,
            text.en,
            text.nl
        );
    }
    out
}

fn appointment(appointment: &Appointment) -> String {
    let (start, _) = appointment.instants();
    format!(
        "\"{}\" {}",
        appointment.subject,
        start
            .with_timezone(&appointment.time_zone)
            .format("%Y-%m-%d %H:%M %Z")
    )
}

/// `ohsync dry-run`: the writes the plan holds, one per line, and what was left alone.
pub fn plan(who: &str, report: &RunReport) -> String {
    let Some(plan) = &report.plan else {
        return format!("{who}: no plan ({})\n", outcome_name(&report.outcome));
    };
    let mut writes = Vec::new();
    let mut planned = ActionCounts::default();
    for action in plan.decisions.iter().flat_map(|decision| &decision.actions) {
        let line = match action {
            Action::CreateInExchange { item, .. } => {
                planned.created.exchange += 1;
                format!("create in Exchange     {}", appointment(&item.appointment))
            }
            Action::CreateInOfficeHeart { item, .. } => {
                planned.created.officeheart += 1;
                format!("create in OfficeHeart  {}", appointment(&item.appointment))
            }
            Action::UpdateExchange { update, .. } => {
                planned.updated.exchange += 1;
                format!(
                    "update in Exchange     {}",
                    appointment(&update.appointment)
                )
            }
            Action::UpdateOfficeHeart {
                appointment: new, ..
            } => {
                planned.updated.officeheart += 1;
                format!("update in OfficeHeart  {}", appointment(new))
            }
            Action::DeleteInExchange { target } => {
                planned.deleted.exchange += 1;
                format!("delete in Exchange     item with UID {}", target.uid)
            }
            Action::DeleteInOfficeHeart { target } => {
                planned.deleted.officeheart += 1;
                format!("delete in OfficeHeart  appointment {}", target.id)
            }
            _ => continue,
        };
        writes.push(line);
    }
    let mut out = format!(
        "{who}: dry run, nothing was changed. The next run would write {}:   {}\n",
        writes.len(),
        counts(&planned)
    );
    for line in &writes {
        let _ = writeln!(out, "  {line}");
    }
    match plan.abort {
        Some(AbortReason::StorageEmpty { side }) => {
            let _ = writeln!(
                out,
                "  but it would stop: the {side:?} side reads empty where items were synced (storage-empty guard)"
            );
        }
        Some(AbortReason::DeletionGuard { planned, limit }) => {
            let _ = writeln!(
                out,
                "  but it would stop: {planned} deletions planned, more than the limit of {limit} (deletion guard)"
            );
        }
        None => {}
    }
    let skipped: u32 = report.skipped.values().sum();
    if skipped > 0 {
        let _ = writeln!(out, "  left alone: {skipped} ({:?})", report.skipped);
    }
    if !report.conflicts.is_empty() {
        let _ = writeln!(out, "  conflicts: {}", report.conflicts.len());
    }
    out
}

/// `ohsync validate`: one line per check, failures with their code in both languages.
pub fn checklist(report: &LiveCheckReport) -> String {
    let mut out = String::new();
    for check in &report.checks {
        let mark = match check.status {
            CheckStatus::Passed => "[ok]  ",
            CheckStatus::Warning => "[warn]",
            CheckStatus::Failed => "[FAIL]",
            CheckStatus::Skipped => "[skip]",
        };
        let step = serde_json::to_value(check.step)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default();
        let code = check
            .code
            .map(|code| format!(" ({code})"))
            .unwrap_or_default();
        let _ = writeln!(out, "{mark} {step:<15}{code} {}", check.message.en);
        if matches!(check.status, CheckStatus::Failed | CheckStatus::Warning) {
            let _ = writeln!(out, "       {:<15} nl: {}", "", check.message.nl);
        }
    }
    if let Some(version) = &report.server_version {
        let _ = writeln!(out, "server version: {version}");
    }
    if let Some(version) = &report.suggested_version {
        let _ = writeln!(out, "suggested Exchange version: {version}");
    }
    let _ = writeln!(
        out,
        "{}",
        if report.passed() {
            "The settings work."
        } else {
            "The settings do not work yet; fix the first failed check."
        }
    );
    out
}
