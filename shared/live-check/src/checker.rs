//! [`EwsLiveChecker`]: the live check over the EWS client, step by step, within a hard limit.

use std::net::IpAddr;
use std::time::Duration;

use async_trait::async_trait;
use ohsync_ews::{EwsError, ExchangeVersion, TransportConfig};
use ohsync_net_guard::{GuardError, GuardedResolver};
use ohsync_settings::live::{CheckStep, LiveCheckReport, LiveChecker};
use ohsync_settings::{OperatorPolicy, ValidatedSettings};
use secrecy::SecretString;
use tokio::time::Instant;

use crate::attribution::{Attempt, may_be_version_refusal};
use crate::confirmation::{Confirmation, Security};
use crate::progress::Progress;
use crate::session::{Reading, Session};
use crate::version_fit;
use crate::{AuthScheme, Finding};

/// The time limit of a whole check unless configured otherwise.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(20);

/// The version a refused one is retried with: the oldest ohsync accepts, which every server
/// ohsync supports understands, so the calendar can still be checked and the server's own
/// version learnt.
const FALLBACK_VERSION: ExchangeVersion = ExchangeVersion::Exchange2007Sp1;

/// Checks settings against the Exchange server they name: DNS through the same address guard
/// the EWS client uses, then one calendar read with the EWS client (NTLM as `DOMAIN\user`, Basic
/// over https when the server offers nothing else), whose error tells which step failed.
#[derive(Debug, Clone)]
pub struct EwsLiveChecker {
    operator: OperatorPolicy,
    transport: TransportConfig,
    time_limit: Duration,
}

impl EwsLiveChecker {
    /// A checker with the operator's address policy and http allow-list (these replace
    /// `transport.address_policy` and extend `transport.allow_http_hosts`) and the transport's
    /// TLS trust, time limits and User-Agent, with [`DEFAULT_TIME_LIMIT`].
    pub fn new(operator: OperatorPolicy, transport: TransportConfig) -> Self {
        Self {
            operator,
            transport,
            time_limit: DEFAULT_TIME_LIMIT,
        }
    }

    /// Sets the limit for a whole check.
    pub fn with_time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = limit;
        self
    }

    async fn run(&self, progress: &mut Progress, session: &Session<'_>) {
        if !self.resolve(progress, session).await {
            return;
        }
        let confirm = Proven {
            session,
            security: self.security(session),
        };
        let (scheme, outcome) = read_calendar(session).await;
        match outcome {
            Outcome::Read(reading) => confirm.read(progress, scheme, &reading),
            Outcome::VersionRefused(reading) => confirm.refused_version(progress, scheme, &reading),
            Outcome::BasicOverHttp => confirm.fail(
                progress,
                scheme,
                (CheckStep::Authentication, Finding::BasicRequiresHttps),
                None,
            ),
            Outcome::Failed(error, attempt) => {
                let placed = self.place(session, &error, &attempt).await;
                confirm.fail(progress, scheme, placed, Some(error.to_string()));
            }
        }
    }

    /// The Dns step: whether the host resolves, to addresses the policy allows.
    async fn resolve(&self, progress: &mut Progress, session: &Session<'_>) -> bool {
        let resolver = GuardedResolver::new(self.operator.address_policy().clone());
        match resolver
            .check_url_host(session.account.ews_url.as_url())
            .await
        {
            Ok(addresses) => {
                progress.pass(
                    CheckStep::Dns,
                    Confirmation::Resolved {
                        host: session.host(),
                        addresses: addresses.clone(),
                    },
                    Some(join(&addresses)),
                );
                true
            }
            Err(error) => {
                let finding = match &error {
                    GuardError::Refused(refusal) => Finding::AddressRefused(refusal.clone()),
                    _ => Finding::DnsUnresolvable {
                        host: session.host(),
                    },
                };
                progress.find(CheckStep::Dns, &finding, Some(error.to_string()));
                false
            }
        }
    }

    /// Places a client failure; a refusal by the connect-time guard (the name now resolves
    /// elsewhere than a moment ago) is looked up again to name the address and the reason.
    async fn place(
        &self,
        session: &Session<'_>,
        error: &EwsError,
        attempt: &Attempt,
    ) -> (CheckStep, Finding) {
        if matches!(error, EwsError::AddressRefused { .. }) {
            let resolver = GuardedResolver::new(self.operator.address_policy().clone());
            if let Err(GuardError::Refused(refusal)) = resolver
                .check_url_host(session.account.ews_url.as_url())
                .await
            {
                return (CheckStep::Connection, Finding::AddressRefused(refusal));
            }
        }
        attempt.attribute(error)
    }

    fn security(&self, session: &Session<'_>) -> Security {
        if !session.is_https() {
            Security::PlainHttp
        } else if session.certificate_trusted_by_operator() {
            Security::TrustedByOperator
        } else {
            Security::Verified
        }
    }
}

/// How reading the calendar ended, after the retries that tell problems apart.
#[derive(Debug)]
enum Outcome {
    /// Read with the chosen version.
    Read(Reading),
    /// The chosen version was refused, and the fallback version read the calendar.
    VersionRefused(Reading),
    /// The server offers only Basic, and the URL is plain http: nothing was sent.
    BasicOverHttp,
    /// A failure, with what places it.
    Failed(EwsError, Attempt),
}

/// Reads the calendar as the settings say: NTLM first, Basic (over https) when the server offers
/// only that, and once more with [`FALLBACK_VERSION`] when the chosen version may have been
/// refused.
async fn read_calendar(session: &Session<'_>) -> (AuthScheme, Outcome) {
    let chosen = session.account.exchange_version;
    let (scheme, first) = match session.read(AuthScheme::Ntlm, chosen).await {
        Err((EwsError::AuthSchemeNotOffered { offered, .. }, _))
            if offered
                .iter()
                .any(|name| name.eq_ignore_ascii_case(AuthScheme::Basic.as_str())) =>
        {
            if !session.is_https() {
                return (AuthScheme::Basic, Outcome::BasicOverHttp);
            }
            (
                AuthScheme::Basic,
                session.read(AuthScheme::Basic, chosen).await,
            )
        }
        other => (AuthScheme::Ntlm, other),
    };
    let outcome = match first {
        Ok(reading) => Outcome::Read(reading),
        Err((error, attempt)) if may_be_version_refusal(&error) && chosen > FALLBACK_VERSION => {
            match session.read(scheme, FALLBACK_VERSION).await {
                Ok(reading) if refuses(&reading, chosen) => Outcome::VersionRefused(reading),
                Ok(_) => Outcome::Failed(error, attempt),
                Err((retry, attempt)) => Outcome::Failed(retry, attempt),
            }
        }
        Err((error, attempt)) => Outcome::Failed(error, attempt),
    };
    (scheme, outcome)
}

/// Whether a reading with the fallback version shows that the server refused `chosen`.
fn refuses(reading: &Reading, chosen: ExchangeVersion) -> bool {
    reading
        .server
        .as_ref()
        .is_none_or(|server| !server.accepts(chosen))
}

fn join(addresses: &[IpAddr]) -> String {
    addresses
        .iter()
        .map(IpAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the steps up to the calendar proved, to confirm them.
struct Proven<'s, 'a> {
    session: &'s Session<'a>,
    security: Security,
}

impl Proven<'_, '_> {
    /// What passing `step` means when a later step's answer proved it; `None` for the steps
    /// recorded with what they found (DNS, calendar, version).
    fn confirmation(&self, step: CheckStep, scheme: AuthScheme) -> Option<Confirmation> {
        let session = self.session;
        let confirmation = match step {
            CheckStep::Connection => Confirmation::Connected {
                host: session.host(),
                port: session.port(),
                security: self.security,
            },
            CheckStep::Endpoint => Confirmation::EndpointAnswers {
                path: session.account.ews_url.as_url().path().to_owned(),
            },
            CheckStep::Authentication => Confirmation::SignedIn {
                scheme,
                login: session.login(),
            },
            CheckStep::EwsAccess => Confirmation::EwsAllowed,
            CheckStep::Dns | CheckStep::Calendar | CheckStep::ServerVersion => return None,
        };
        Some(confirmation)
    }

    /// Records the failure placed on a step, the steps before it as passed.
    fn fail(
        &self,
        progress: &mut Progress,
        scheme: AuthScheme,
        (step, finding): (CheckStep, Finding),
        detail: Option<String>,
    ) {
        progress.find(step, &finding, detail);
        progress.pass_before(step, |earlier| self.confirmation(earlier, scheme));
    }

    /// The calendar was read: everything up to it passed, and the version is judged.
    fn read(&self, progress: &mut Progress, scheme: AuthScheme, reading: &Reading) {
        let chosen = self.session.account.exchange_version;
        self.record_calendar(progress, scheme, reading);
        let fitting = reading
            .server
            .as_ref()
            .and_then(|server| server.highest_request_version());
        progress.learn_server(reading.server.as_ref(), fitting, chosen);
        match version_fit::judge(chosen, reading.server.as_ref()) {
            Ok(confirmation) => progress.pass(
                CheckStep::ServerVersion,
                confirmation,
                reading.server.as_ref().map(ToString::to_string),
            ),
            Err(finding) => progress.find(
                CheckStep::ServerVersion,
                &finding,
                reading.server.as_ref().map(ToString::to_string),
            ),
        }
    }

    /// The chosen version was refused and the fallback read the calendar.
    fn refused_version(&self, progress: &mut Progress, scheme: AuthScheme, reading: &Reading) {
        let chosen = self.session.account.exchange_version;
        self.record_calendar(progress, scheme, reading);
        let suggested = reading
            .server
            .as_ref()
            .and_then(|server| server.highest_request_version())
            .unwrap_or(FALLBACK_VERSION);
        progress.learn_server(reading.server.as_ref(), Some(suggested), chosen);
        let finding = Finding::VersionRefused {
            chosen,
            server: reading.server.as_ref().map(ToString::to_string),
            suggested,
        };
        progress.find(
            CheckStep::ServerVersion,
            &finding,
            Some(format!("{chosen} refused; {FALLBACK_VERSION} accepted")),
        );
    }

    fn record_calendar(&self, progress: &mut Progress, scheme: AuthScheme, reading: &Reading) {
        let mailbox = self
            .session
            .account
            .mailbox
            .as_ref()
            .map(|mailbox| mailbox.as_str().to_owned());
        progress.pass(
            CheckStep::Calendar,
            Confirmation::CalendarReadable {
                mailbox,
                items: reading.folder.total_count,
            },
            reading.folder.display_name.clone(),
        );
        progress.pass_before(CheckStep::Calendar, |step| self.confirmation(step, scheme));
    }
}

#[async_trait]
impl LiveChecker for EwsLiveChecker {
    async fn check(
        &self,
        settings: &ValidatedSettings,
        password: &SecretString,
    ) -> LiveCheckReport {
        let started = Instant::now();
        let session = Session {
            account: &settings.account,
            password,
            operator: &self.operator,
            transport: &self.transport,
            deadline: started + self.time_limit,
        };
        let mut progress = Progress::default();
        let run = self.run(&mut progress, &session);
        if tokio::time::timeout_at(session.deadline, run)
            .await
            .is_err()
        {
            progress.time_out(self.time_limit);
        }
        let report = progress.finish();
        tracing::info!(
            host = %session.host(),
            passed = report.passed(),
            codes = ?report.checks.iter().filter_map(|check| check.code).collect::<Vec<_>>(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "live check finished"
        );
        report
    }
}
