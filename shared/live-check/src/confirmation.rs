//! What a passed (or skipped) step tells the user, in Dutch and English.

use std::net::IpAddr;

use ohsync_ews::ExchangeVersion;
use ohsync_localized::LocalizedText;

use crate::AuthScheme;

/// How the connection to Exchange is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Security {
    /// TLS with a certificate that passed verification.
    Verified,
    /// TLS to a host whose certificate the operator trusts explicitly (it may not verify).
    TrustedByOperator,
    /// Plain http, allowed by the operator for this host.
    PlainHttp,
}

/// The outcome of a step that has no code: it passed, or it was not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Confirmation {
    /// The host resolved to allowed addresses.
    Resolved {
        host: String,
        addresses: Vec<IpAddr>,
    },
    /// A connection (with TLS for https) was made.
    Connected {
        host: String,
        port: u16,
        security: Security,
    },
    /// Exchange answered at the URL's path.
    EndpointAnswers { path: String },
    /// The credentials were accepted.
    SignedIn { scheme: AuthScheme, login: String },
    /// EWS requests of this account are served.
    EwsAllowed,
    /// The calendar folder was read.
    CalendarReadable {
        mailbox: Option<String>,
        items: Option<u32>,
    },
    /// The chosen version fits the server; `better` fits it exactly when it differs.
    VersionFits {
        server: String,
        chosen: ExchangeVersion,
        better: Option<ExchangeVersion>,
    },
    /// Not run: an earlier step failed or the time ran out.
    Skipped,
}

impl Confirmation {
    /// What the step found, in Dutch and English.
    pub(crate) fn message(&self) -> LocalizedText {
        match self {
            Self::Resolved { host, addresses } => {
                let addresses = addresses
                    .iter()
                    .map(IpAddr::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                LocalizedText::new(
                    format!("{host} wijst naar {addresses}."),
                    format!("{host} resolves to {addresses}."),
                )
            }
            Self::Connected {
                host,
                port,
                security,
            } => {
                let (how_nl, how_en) = match security {
                    Security::Verified => (
                        " met TLS en een geldig certificaat",
                        " over TLS with a valid certificate",
                    ),
                    Security::TrustedByOperator => (
                        " met TLS; de beheerder van ohsync vertrouwt het certificaat van deze \
                         server uitdrukkelijk",
                        " over TLS; the ohsync operator trusts this server's certificate \
                         explicitly",
                    ),
                    Security::PlainHttp => (
                        " zonder TLS (http is voor deze server toegestaan)",
                        " without TLS (http is allowed for this server)",
                    ),
                };
                LocalizedText::new(
                    format!("Verbonden met {host}:{port}{how_nl}."),
                    format!("Connected to {host}:{port}{how_en}."),
                )
            }
            Self::EndpointAnswers { path } => LocalizedText::new(
                format!("Exchange antwoordt op {path}."),
                format!("Exchange answers at {path}."),
            ),
            Self::SignedIn { scheme, login } => {
                let scheme = scheme.as_str();
                LocalizedText::new(
                    format!("Aangemeld als {login} met {scheme}."),
                    format!("Signed in as {login} with {scheme}."),
                )
            }
            Self::EwsAllowed => LocalizedText::new(
                "EWS is voor dit account toegestaan.",
                "EWS is allowed for this account.",
            ),
            Self::CalendarReadable { mailbox, items } => {
                let (whose_nl, whose_en) = match mailbox {
                    Some(mailbox) => (format!("van {mailbox}"), format!("of {mailbox}")),
                    None => (
                        "van het eigen postvak".to_owned(),
                        "of the account's own mailbox".to_owned(),
                    ),
                };
                let (count_nl, count_en) = match items {
                    Some(items) => (format!(" ({items} items)"), format!(" ({items} items)")),
                    None => (String::new(), String::new()),
                };
                LocalizedText::new(
                    format!("De agenda {whose_nl} is leesbaar{count_nl}."),
                    format!("The calendar {whose_en} can be read{count_en}."),
                )
            }
            Self::VersionFits {
                server,
                chosen,
                better: None,
            } => LocalizedText::new(
                format!("De server is {server}; Exchange-versie {chosen} past daarbij."),
                format!("The server is {server}; Exchange version {chosen} fits it."),
            ),
            Self::VersionFits {
                server,
                chosen,
                better: Some(better),
            } => LocalizedText::new(
                format!(
                    "De server is {server}; Exchange-versie {chosen} werkt daarmee ({better} \
                     past precies, maar ohsync gebruikt niets dat daarvoor nodig is)."
                ),
                format!(
                    "The server is {server}; Exchange version {chosen} works with it ({better} \
                     fits exactly, but ohsync uses nothing that needs it)."
                ),
            ),
            Self::Skipped => LocalizedText::new(
                "Niet gecontroleerd: een eerdere stap lukte niet of de tijd was op.",
                "Not checked: an earlier step failed or the time ran out.",
            ),
        }
    }
}
