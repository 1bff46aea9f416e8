//! The EWS side of one check: EWS clients built from the settings the way the sync worker
//! signs in, each reading the calendar folder once, within what is left of the time limit.

use std::time::Duration;

use ohsync_ews::model::CalendarFolder;
use ohsync_ews::{
    BasicAuth, EwsClient, EwsError, ExchangeVersion, NtlmAuth, RetryPolicy, ServerVersionInfo,
    TransportConfig,
};
use ohsync_settings::{EwsUrl, ExchangeAccount, MailboxAddress, OperatorPolicy};
use secrecy::SecretString;
use tokio::time::Instant;

use crate::AuthScheme;
use crate::attribution::Attempt;

/// The share of the remaining time a request may take, so that the client reports its own
/// timeout (which says how far the request got) before the check's hard limit cuts it off.
const REQUEST_SHARE: f64 = 0.9;

/// A calendar folder read, and what the server said about itself.
#[derive(Debug)]
pub(crate) struct Reading {
    /// The folder.
    pub(crate) folder: CalendarFolder,
    /// The server's `ServerVersionInfo`.
    pub(crate) server: Option<ServerVersionInfo>,
}

/// One check's account, password and network settings, and its deadline.
#[derive(Debug)]
pub(crate) struct Session<'a> {
    pub(crate) account: &'a ExchangeAccount,
    pub(crate) password: &'a SecretString,
    pub(crate) operator: &'a OperatorPolicy,
    pub(crate) transport: &'a TransportConfig,
    pub(crate) deadline: Instant,
}

impl Session<'_> {
    /// `DOMAIN\user`, as messages show the account.
    pub(crate) fn login(&self) -> String {
        format!("{}\\{}", self.account.domain, self.account.username)
    }

    /// The URL's host, without IPv6 brackets.
    pub(crate) fn host(&self) -> String {
        self.account
            .ews_url
            .as_url()
            .host_str()
            .unwrap_or_default()
            .trim_matches(|c| c == '[' || c == ']')
            .to_owned()
    }

    /// The port connected to.
    pub(crate) fn port(&self) -> u16 {
        self.account
            .ews_url
            .as_url()
            .port_or_known_default()
            .unwrap_or(443)
    }

    /// Whether the URL is https.
    pub(crate) fn is_https(&self) -> bool {
        self.account.ews_url.as_url().scheme() == "https"
    }

    /// The URL with the standard EWS path, for messages that suggest it.
    fn suggestion(&self) -> String {
        let mut url = self.account.ews_url.as_url().clone();
        url.set_path(EwsUrl::DEFAULT_PATH);
        url.set_query(None);
        url.into()
    }

    /// The client's network settings: the operator's address policy and http allow-list, and
    /// time limits that fit in what is left of the check.
    fn transport(&self) -> TransportConfig {
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        let mut transport = TransportConfig {
            connect_timeout: self.transport.connect_timeout.min(remaining),
            request_timeout: self
                .transport
                .request_timeout
                .min(remaining.mul_f64(REQUEST_SHARE)),
            address_policy: self.operator.address_policy().clone(),
            ..self.transport.clone()
        };
        if let Some(host) = self.account.ews_url.as_url().host()
            && !self.is_https()
            && self.operator.allows_http(&host)
        {
            transport.allow_http_hosts.push(self.host());
        }
        transport
    }

    /// Whether the operator trusts the host's certificate even when it does not verify.
    pub(crate) fn certificate_trusted_by_operator(&self) -> bool {
        let host = self.host();
        self.transport
            .insecure_tls_hosts
            .iter()
            .any(|trusted| trusted.eq_ignore_ascii_case(&host))
    }

    /// How an attempt with `scheme` and `connect_timeout` is described to the attribution.
    fn attempt(&self, scheme: AuthScheme, connect_timeout: Duration) -> Attempt {
        Attempt {
            host: self.host(),
            port: self.port(),
            suggestion: self.suggestion(),
            login: self.login(),
            mailbox: self
                .account
                .mailbox
                .as_ref()
                .map(|mailbox| mailbox.as_str().to_owned()),
            scheme,
            connect_timeout,
        }
    }

    fn client(
        &self,
        scheme: AuthScheme,
        version: ExchangeVersion,
        transport: TransportConfig,
    ) -> Result<EwsClient, EwsError> {
        let url = self.account.ews_url.as_str();
        let password = self.password.clone();
        let builder = match scheme {
            AuthScheme::Ntlm => EwsClient::builder(
                url,
                NtlmAuth::new(
                    self.account.domain.as_str(),
                    self.account.username.as_str(),
                    password,
                )?,
                version,
            ),
            AuthScheme::Basic => {
                EwsClient::builder(url, BasicAuth::new(self.login(), password)?, version)
            }
        };
        let builder = builder.transport(transport).retry(RetryPolicy::none());
        match &self.account.mailbox {
            Some(mailbox) => builder.impersonate(MailboxAddress::as_str(mailbox)),
            None => builder,
        }
        .build()
    }

    /// Reads the calendar folder once, signing in with `scheme` and stating `version`; a
    /// failure comes with what the attribution needs to place it.
    pub(crate) async fn read(
        &self,
        scheme: AuthScheme,
        version: ExchangeVersion,
    ) -> Result<Reading, (EwsError, Attempt)> {
        let transport = self.transport();
        let attempt = self.attempt(scheme, transport.connect_timeout);
        let client = self
            .client(scheme, version, transport)
            .map_err(|error| (error, attempt.clone()))?;
        match client.get_calendar_folder().await {
            Ok(folder) => Ok(Reading {
                folder,
                server: client.server_version(),
            }),
            Err(error) => Err((error, attempt)),
        }
    }
}
