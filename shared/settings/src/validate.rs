//! Static validation: the input against the rules and the operator's policy, without network.

use ohsync_engine::reconcile::SyncPolicy;
use ohsync_ews::ExchangeVersion;
use secrecy::{ExposeSecret, SecretString};

use crate::account::split_login;
use crate::problem::{accepted_versions, field};
use crate::{
    DaysInput, EwsUrl, ExchangeAccount, ExchangeSettingsInput, FieldError, MailboxAddress,
    OperatorPolicy, PolicyChoice, Problem, ShortDomain, SyncChoices, Username, WindowDays,
};

/// Settings that passed static validation.
#[derive(Debug, Clone)]
pub struct ValidatedSettings {
    /// Sync on/off.
    pub active: bool,
    /// The account.
    pub account: ExchangeAccount,
    /// Conflict policy, direction and window.
    pub sync: SyncChoices,
    /// A new password, when one was given.
    pub password: Option<SecretString>,
    /// Changes validation made to the input, explained (same shape as errors).
    pub notices: Vec<FieldError>,
}

impl ValidatedSettings {
    /// The engine's policy for these settings.
    pub fn sync_policy(&self) -> SyncPolicy {
        self.sync.sync_policy()
    }

    /// The new password, or the `password_required` error when there is none (a first save).
    pub fn password_or_required(&self) -> Result<&SecretString, FieldError> {
        self.password
            .as_ref()
            .ok_or_else(|| Problem::PasswordRequired.into())
    }
}

/// Collects problems while parsing fields one by one.
#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn take<T>(&mut self, parsed: Result<T, Problem>) -> Option<T> {
        parsed.map_err(|problem| self.0.push(problem)).ok()
    }

    fn take_all<T>(&mut self, parsed: Result<T, Vec<Problem>>) -> Option<T> {
        parsed.map_err(|problems| self.0.extend(problems)).ok()
    }
}

fn parse_version(raw: Option<&str>) -> Result<ExchangeVersion, Problem> {
    let raw = raw.unwrap_or_default().trim();
    if raw.is_empty() {
        return Err(Problem::VersionEmpty);
    }
    let version: ExchangeVersion = raw.parse().map_err(|_| Problem::VersionUnknown {
        given: raw.to_owned(),
    })?;
    if !accepted_versions().any(|accepted| accepted == version) {
        return Err(Problem::VersionUnsupported {
            given: raw.to_owned(),
        });
    }
    Ok(version)
}

/// The domain and user name, accepting `DOMAIN\user` in the user name field: split into the
/// two fields (explained in a notice) when the domain field is empty or says the same.
fn parse_login(
    domain_raw: Option<&str>,
    username_raw: Option<&str>,
) -> (
    Result<ShortDomain, Problem>,
    Result<Username, Problem>,
    Option<Problem>,
) {
    let domain_field = domain_raw.unwrap_or_default().trim();
    let username_field = username_raw.unwrap_or_default();
    let Some((typed, user)) = split_login(username_field) else {
        return (
            ShortDomain::parse(domain_field),
            Username::parse(username_field),
            None,
        );
    };
    if !domain_field.is_empty() && !domain_field.eq_ignore_ascii_case(typed) {
        let mismatch = Problem::UsernameDomainMismatch {
            typed: typed.to_owned(),
            domain: domain_field.to_owned(),
        };
        return (ShortDomain::parse(domain_field), Err(mismatch), None);
    }
    let domain = ShortDomain::parse(if domain_field.is_empty() {
        typed
    } else {
        domain_field
    });
    let username = Username::parse(user);
    let notice = match (&domain, &username) {
        (Ok(domain), Ok(username)) => Some(Problem::UsernameDomainSplit {
            domain: domain.to_string(),
            username: username.to_string(),
        }),
        _ => None,
    };
    (domain, username, notice)
}

fn parse_choice<T: PolicyChoice + Default>(
    raw: Option<&str>,
    unknown: impl FnOnce(String) -> Problem,
) -> Result<T, Problem> {
    match raw.map(str::trim).filter(|raw| !raw.is_empty()) {
        None => Ok(T::default()),
        Some(raw) => T::from_name(raw).ok_or_else(|| unknown(raw.to_owned())),
    }
}

fn parse_days(
    input: Option<&DaysInput>,
    field: &'static str,
    default: u32,
) -> Result<i64, Problem> {
    match input {
        None => Ok(default.into()),
        Some(days) => days.whole_days().ok_or(Problem::WindowNotANumber { field }),
    }
}

fn parse_window(
    back: Option<&DaysInput>,
    ahead: Option<&DaysInput>,
    problems: &mut Problems,
) -> Option<WindowDays> {
    let defaults = WindowDays::default();
    // Each bound is checked on its own, so a bad value in one field does not hide the other's.
    let back = problems.take(
        parse_days(back, field::WINDOW_DAYS_BACK, defaults.back())
            .and_then(WindowDays::checked_back),
    );
    let ahead = problems.take(
        parse_days(ahead, field::WINDOW_DAYS_AHEAD, defaults.ahead())
            .and_then(WindowDays::checked_ahead),
    );
    problems.take_all(WindowDays::new(back?.into(), ahead?.into()))
}

fn parse_password(password: Option<SecretString>) -> Result<Option<SecretString>, Problem> {
    match password {
        // Only the empty string: blanks can be part of a real password, which is never altered.
        Some(password) if password.expose_secret().is_empty() => Err(Problem::PasswordEmpty),
        password => Ok(password),
    }
}

/// Validates `input` statically against the rules and the operator's policy. Every problem is
/// reported at once; nothing is resolved or connected to (see [`EwsUrl::check_address`] for the
/// live address check).
pub fn validate(
    input: ExchangeSettingsInput,
    operator: &OperatorPolicy,
) -> Result<ValidatedSettings, Vec<FieldError>> {
    let mut problems = Problems::default();
    let ews_url = problems.take_all(match input.ews_url.as_deref() {
        Some(raw) => EwsUrl::parse(raw, operator),
        None => Err(vec![Problem::UrlEmpty]),
    });
    let exchange_version = problems.take(parse_version(input.exchange_version.as_deref()));
    let (domain, username, split_notice) =
        parse_login(input.domain.as_deref(), input.username.as_deref());
    let username = problems.take(username);
    let domain = problems.take(domain);
    let password = problems.take(parse_password(input.password));
    let mailbox = problems.take(MailboxAddress::parse_optional(
        input.mailbox.as_deref().unwrap_or_default(),
    ));
    let conflict_policy = problems.take(parse_choice(input.conflict_policy.as_deref(), |given| {
        Problem::ConflictPolicyUnknown { given }
    }));
    let direction = problems.take(parse_choice(input.direction.as_deref(), |given| {
        Problem::DirectionUnknown { given }
    }));
    let window = parse_window(
        input.window_days_back.as_ref(),
        input.window_days_ahead.as_ref(),
        &mut problems,
    );
    match (
        ews_url,
        exchange_version,
        domain,
        username,
        password,
        mailbox,
        conflict_policy,
        direction,
        window,
    ) {
        (
            Some(ews_url),
            Some(exchange_version),
            Some(domain),
            Some(username),
            Some(password),
            Some(mailbox),
            Some(conflict_policy),
            Some(direction),
            Some(window),
        ) if problems.0.is_empty() => Ok(ValidatedSettings {
            active: input.active.unwrap_or(true),
            account: ExchangeAccount {
                ews_url,
                exchange_version,
                domain,
                username,
                mailbox,
            },
            sync: SyncChoices {
                conflict_policy,
                direction,
                window,
            },
            password,
            notices: split_notice.into_iter().map(FieldError::from).collect(),
        }),
        _ => Err(problems.0.into_iter().map(FieldError::from).collect()),
    }
}
