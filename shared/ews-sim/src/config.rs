//! What a simulator instance serves: its users (accounts and mailboxes), the product version it claims
//! to be, and the initial state of its switches.

use std::str::FromStr;
use std::time::Duration;

use crate::version::ServerVersion;

/// One Windows account with its mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimUser {
    /// NetBIOS domain, e.g. `OFFICEHEART`.
    pub domain: String,
    /// sAMAccountName, e.g. `jan`.
    pub account: String,
    /// The password (only compared; never logged).
    pub password: String,
    /// Primary SMTP address of the mailbox.
    pub smtp_address: String,
    /// Display name shown as organizer and LastModifiedName.
    pub display_name: String,
    /// Start with EWS blocked for this user (HTTP 403 after authentication).
    pub ews_blocked: bool,
    /// The account holds the ApplicationImpersonation role.
    pub can_impersonate: bool,
    /// SMTP addresses of other mailboxes this account has full access to (delegate access).
    pub delegate_access: Vec<String>,
}

impl SimUser {
    /// A user with the given NetBIOS domain, account name, password and SMTP address.
    pub fn new(domain: &str, account: &str, password: &str, smtp_address: &str) -> Self {
        Self {
            domain: domain.to_owned(),
            account: account.to_owned(),
            password: password.to_owned(),
            smtp_address: smtp_address.to_owned(),
            display_name: account.to_owned(),
            ews_blocked: false,
            can_impersonate: false,
            delegate_access: Vec::new(),
        }
    }

    /// `DOMAIN\account`.
    pub fn logon_name(&self) -> String {
        format!("{}\\{}", self.domain, self.account)
    }

    /// Grants the ApplicationImpersonation role.
    pub fn with_impersonation(mut self) -> Self {
        self.can_impersonate = true;
        self
    }

    /// Grants full access to another mailbox.
    pub fn with_delegate_access(mut self, smtp_address: &str) -> Self {
        self.delegate_access.push(smtp_address.to_owned());
        self
    }

    /// Sets the display name.
    pub fn with_display_name(mut self, display_name: &str) -> Self {
        self.display_name = display_name.to_owned();
        self
    }

    /// Does `name` (as typed into a Basic prompt: `DOMAIN\account`, `account@domain…` or the SMTP
    /// address) designate this user?
    pub fn answers_to(&self, name: &str) -> bool {
        if let Some((domain, account)) = name.split_once('\\') {
            return domain.eq_ignore_ascii_case(&self.domain)
                && account.eq_ignore_ascii_case(&self.account);
        }
        if name.eq_ignore_ascii_case(&self.smtp_address) {
            return true;
        }
        match name.split_once('@') {
            Some((account, suffix)) => {
                let first_label = suffix.split('.').next().unwrap_or_default();
                account.eq_ignore_ascii_case(&self.account)
                    && first_label.eq_ignore_ascii_case(&self.domain)
            }
            None => false,
        }
    }
}

/// Why a `--user` value could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("expected DOMAIN\\name:password:smtp@address, got {0:?}")]
pub struct BadUserSpec(String);

impl FromStr for SimUser {
    type Err = BadUserSpec;

    /// `DOMAIN\name:password:smtp@address`; the password may itself contain colons.
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let bad = || BadUserSpec(redact(spec));
        let (logon, rest) = spec.split_once(':').ok_or_else(bad)?;
        let (password, smtp) = rest.rsplit_once(':').ok_or_else(bad)?;
        let (domain, account) = logon.split_once('\\').ok_or_else(bad)?;
        if domain.is_empty() || account.is_empty() || !smtp.contains('@') {
            return Err(bad());
        }
        Ok(Self::new(domain, account, password, smtp))
    }
}

/// Keeps the password out of error messages.
fn redact(spec: &str) -> String {
    match (spec.split_once(':'), spec.rsplit_once(':')) {
        (Some((logon, _)), Some((_, smtp))) => format!("{logon}:***:{smtp}"),
        _ => "***".to_owned(),
    }
}

/// The whole configuration of one simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Accounts and their mailboxes.
    pub users: Vec<SimUser>,
    /// The product the simulator claims to be.
    pub server_version: ServerVersion,
    /// Delay added to every SOAP request (runtime-adjustable through the fault switches).
    pub latency: Duration,
    /// Accept `Authorization: Basic`.
    pub basic_auth: bool,
    /// The server's NetBIOS domain in NTLM challenges.
    pub netbios_domain: String,
    /// The server's NetBIOS computer name in NTLM challenges.
    pub computer_name: String,
    /// The DNS domain in NTLM challenges.
    pub dns_domain: String,
    /// Serve HTTPS with a self-signed certificate generated at start.
    pub tls: bool,
    /// Require NTLM channel bindings (Extended Protection for Authentication); needs `tls`.
    pub extended_protection: bool,
    /// EWSFindCountLimit: FindItem refuses pages larger than this.
    pub find_count_limit: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            users: Vec::new(),
            server_version: ServerVersion::Exchange2016,
            latency: Duration::ZERO,
            basic_auth: true,
            netbios_domain: "OHSIM".to_owned(),
            computer_name: "EXCH01".to_owned(),
            dns_domain: "ohsim.local".to_owned(),
            tls: false,
            extended_protection: false,
            find_count_limit: 1000,
        }
    }
}

impl SimConfig {
    /// Adds a user.
    pub fn with_user(mut self, user: SimUser) -> Self {
        self.users.push(user);
        self
    }

    /// Sets the product version.
    pub fn with_server_version(mut self, version: ServerVersion) -> Self {
        self.server_version = version;
        self
    }

    /// Sets the initial per-request latency.
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Turns Basic authentication on or off.
    pub fn with_basic_auth(mut self, enabled: bool) -> Self {
        self.basic_auth = enabled;
        self
    }

    /// Serves HTTPS with a generated self-signed certificate.
    pub fn with_tls(mut self) -> Self {
        self.tls = true;
        self
    }

    /// Requires NTLM channel bindings (implies TLS).
    pub fn with_extended_protection(mut self) -> Self {
        self.tls = true;
        self.extended_protection = true;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_user_specs_with_colons_in_the_password() {
        let user: SimUser = r"OH\jan:p:a:ss:jan@oh.example".parse().unwrap();
        assert_eq!(user.domain, "OH");
        assert_eq!(user.account, "jan");
        assert_eq!(user.password, "p:a:ss");
        assert_eq!(user.smtp_address, "jan@oh.example");
        let error = r"jan:secret:jan@oh.example".parse::<SimUser>().unwrap_err();
        assert!(!error.to_string().contains("secret"), "{error}");
    }

    #[test]
    fn recognises_logon_name_upn_and_smtp_address() {
        let user = SimUser::new("OH", "jan", "pw", "jan.smit@example.com");
        assert!(user.answers_to(r"oh\JAN"));
        assert!(user.answers_to("jan@oh.local"));
        assert!(user.answers_to("Jan.Smit@example.com"));
        assert!(!user.answers_to(r"OTHER\jan"));
        assert!(!user.answers_to("piet@oh.local"));
    }
}
