//! Every warning and failure a live check step can report, with its stable code and its Dutch
//! and English text. One place, so the API, the docs table and the tests cannot disagree.

use std::time::Duration;

use ohsync_ews::ExchangeVersion;
use ohsync_ews::error::{MessageXml, ResponseClass, ResponseCode, ResponseStatus};
use ohsync_localized::LocalizedText;
use ohsync_net_guard::{Refusal, RefusalReason};
use ohsync_settings::live::CheckStatus;
use ohsync_settings::{EwsUrl, PRIVATE_HOSTS_VAR, Problem};

/// How ohsync signed in (or tried to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    /// NTLMv2 with channel binding, as `DOMAIN\user`: the default.
    Ntlm,
    /// HTTP Basic as `DOMAIN\user`, only over https, when the server offers nothing else.
    Basic,
}

impl AuthScheme {
    /// The scheme as `WWW-Authenticate` spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ntlm => "NTLM",
            Self::Basic => "Basic",
        }
    }
}

/// Declares the code enum and its complete list from one table, so the list cannot miss a code.
macro_rules! finding_codes {
    ($($(#[$doc:meta])* $variant:ident => $code:literal,)*) => {
        /// The stable machine code of a finding.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum FindingCode {
            $($(#[$doc])* $variant,)*
        }

        impl FindingCode {
            /// Every code.
            pub const ALL: &'static [FindingCode] = &[$(Self::$variant,)*];

            /// The code as sent in the report.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)*
                }
            }
        }
    };
}

finding_codes! {
    /// The host name does not resolve.
    DnsUnresolvable => "dns_unresolvable",
    /// The host is or resolves to an address the operator's policy refuses.
    AddressRefused => "address_refused",
    /// The certificate is not issued by a trusted authority (self-signed, internal CA).
    TlsCertificateUntrusted => "tls_certificate_untrusted",
    /// The certificate is for another host name.
    TlsCertificateNameMismatch => "tls_certificate_name_mismatch",
    /// The certificate has expired or is not valid yet.
    TlsCertificateExpired => "tls_certificate_expired",
    /// The certificate was revoked.
    TlsCertificateRevoked => "tls_certificate_revoked",
    /// Any other TLS failure (protocol version, cipher suites, a malformed certificate).
    TlsHandshakeFailed => "tls_handshake_failed",
    /// Nothing accepts connections on the port.
    ConnectionRefused => "connection_refused",
    /// No connection within the connect time limit.
    ConnectionTimedOut => "connection_timed_out",
    /// The connection broke before Exchange answered.
    ConnectionFailed => "connection_failed",
    /// The EWS client cannot be set up with these settings and the operator's configuration.
    SettingsUnusable => "settings_unusable",
    /// HTTP 404 at the URL's path.
    EndpointNotFound => "endpoint_not_found",
    /// A redirect or a web page (a login page) instead of EWS.
    EndpointNotEws => "endpoint_not_ews",
    /// Another HTTP status instead of an EWS answer.
    EndpointError => "endpoint_error",
    /// HTTP 401: the credentials were refused.
    AuthenticationFailed => "authentication_failed",
    /// The server offers no sign-in method ohsync can use.
    AuthenticationMethodUnsupported => "authentication_method_unsupported",
    /// Only Basic is offered, and the URL is plain http.
    BasicRequiresHttps => "basic_requires_https",
    /// HTTP 403 (or ErrorAccessDenied on the own mailbox): EWS is blocked for the account.
    EwsBlocked => "ews_blocked",
    /// ErrorNonExistentMailbox for the configured mailbox.
    MailboxNotFound => "mailbox_not_found",
    /// The account may not act on the configured mailbox.
    MailboxAccessDenied => "mailbox_access_denied",
    /// The calendar folder could not be read for another reason.
    CalendarUnreadable => "calendar_unreadable",
    /// Warning: the chosen version works but does not fit the server.
    VersionMismatch => "version_mismatch",
    /// The server refused the chosen (newer) version.
    VersionRefused => "version_refused",
    /// Warning: the server reported no version ohsync knows.
    ServerVersionUnknown => "server_version_unknown",
    /// The check reached its time limit during this step.
    CheckTimedOut => "check_timed_out",
}

/// What a step found that is not a plain pass, carrying what its message needs. Never holds
/// the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The host name does not resolve.
    DnsUnresolvable {
        /// The host.
        host: String,
    },
    /// The host is, or resolves to, a refused address.
    AddressRefused(Refusal),
    /// The certificate is not issued by a trusted authority.
    TlsCertificateUntrusted {
        /// The host.
        host: String,
    },
    /// The certificate is for another host name.
    TlsCertificateNameMismatch {
        /// The host in the URL.
        host: String,
    },
    /// The certificate has expired or is not valid yet.
    TlsCertificateExpired {
        /// The host.
        host: String,
    },
    /// The certificate was revoked.
    TlsCertificateRevoked {
        /// The host.
        host: String,
    },
    /// Another TLS failure.
    TlsHandshakeFailed {
        /// The host.
        host: String,
    },
    /// Nothing accepts connections on the port.
    ConnectionRefused {
        /// The host.
        host: String,
        /// The port.
        port: u16,
    },
    /// No connection within the connect time limit.
    ConnectionTimedOut {
        /// The host.
        host: String,
        /// The port.
        port: u16,
        /// The limit, in whole seconds.
        seconds: u64,
    },
    /// The connection broke before Exchange answered.
    ConnectionFailed {
        /// The host.
        host: String,
    },
    /// The EWS client cannot be set up with this setting.
    SettingsUnusable {
        /// The setting the client refused (`url`, `mailbox`, `credentials`, `tls` …).
        field: &'static str,
    },
    /// HTTP 404 at the URL's path.
    EndpointNotFound {
        /// The URL with the standard EWS path.
        suggestion: String,
    },
    /// A redirect or a web page instead of EWS.
    EndpointNotEws {
        /// Where a redirect pointed (its host); `None` for a web page.
        redirect_to: Option<String>,
        /// The URL with the standard EWS path.
        suggestion: String,
    },
    /// Another HTTP status instead of an EWS answer.
    EndpointError {
        /// The status code.
        status: u16,
    },
    /// HTTP 401: the credentials were refused.
    AuthenticationFailed {
        /// The scheme used.
        scheme: AuthScheme,
        /// `DOMAIN\user`.
        login: String,
    },
    /// No sign-in method ohsync can use is offered.
    AuthenticationMethodUnsupported {
        /// The schemes the server offered.
        offered: Vec<String>,
    },
    /// Only Basic is offered, over plain http.
    BasicRequiresHttps,
    /// EWS is blocked for the account.
    EwsBlocked {
        /// `DOMAIN\user`.
        login: String,
    },
    /// The configured mailbox does not exist.
    MailboxNotFound {
        /// Its SMTP address.
        mailbox: String,
    },
    /// The account may not act on the configured mailbox.
    MailboxAccessDenied {
        /// `DOMAIN\user`.
        login: String,
        /// The mailbox's SMTP address.
        mailbox: String,
    },
    /// The calendar could not be read for another reason.
    CalendarUnreadable {
        /// The EWS client's explanation.
        cause: LocalizedText,
    },
    /// The chosen version works but does not fit the server.
    VersionMismatch {
        /// The chosen `RequestServerVersion`.
        chosen: ExchangeVersion,
        /// The server, e.g. `Exchange 2016 (15.1.2507.6)`.
        server: String,
        /// The value that fits.
        suggested: ExchangeVersion,
        /// Whether the chosen value is newer than the server's (else older).
        newer: bool,
    },
    /// The server refused the chosen version.
    VersionRefused {
        /// The chosen `RequestServerVersion`.
        chosen: ExchangeVersion,
        /// The server, when it reported itself.
        server: Option<String>,
        /// The value that works.
        suggested: ExchangeVersion,
    },
    /// The server reported no version ohsync knows.
    ServerVersionUnknown {
        /// What it reported, if anything.
        reported: Option<String>,
    },
    /// The time limit was reached during the step.
    CheckTimedOut {
        /// The limit, in whole seconds.
        seconds: u64,
    },
}

/// A duration as the whole seconds messages show, rounded up (a limit of 1.5 s is "2 seconds").
pub(crate) fn whole_seconds(duration: Duration) -> u64 {
    duration.as_secs_f64().ceil() as u64
}

/// The address-policy text of the static validation, with what the live lookup found added.
fn refusal_text(refusal: &Refusal) -> LocalizedText {
    let subject = refusal
        .address
        .map(|address| address.to_string())
        .or_else(|| refusal.host.clone())
        .unwrap_or_default();
    let (lookup_nl, lookup_en) = match (&refusal.host, refusal.address) {
        (Some(host), Some(address)) => (
            format!("{host} wijst naar {address}. "),
            format!("{host} resolves to {address}. "),
        ),
        _ => (String::new(), String::new()),
    };
    let policy = Problem::UrlPrivateAddress {
        host: subject,
        reason: refusal.reason,
    }
    .message();
    LocalizedText::new(
        format!("{lookup_nl}{} Dat gaat met {PRIVATE_HOSTS_VAR}.", policy.nl),
        format!(
            "{lookup_en}{} That is done with {PRIVATE_HOSTS_VAR}.",
            policy.en
        ),
    )
}

impl Finding {
    /// The stable code.
    pub fn code(&self) -> FindingCode {
        match self {
            Self::DnsUnresolvable { .. } => FindingCode::DnsUnresolvable,
            Self::AddressRefused(_) => FindingCode::AddressRefused,
            Self::TlsCertificateUntrusted { .. } => FindingCode::TlsCertificateUntrusted,
            Self::TlsCertificateNameMismatch { .. } => FindingCode::TlsCertificateNameMismatch,
            Self::TlsCertificateExpired { .. } => FindingCode::TlsCertificateExpired,
            Self::TlsCertificateRevoked { .. } => FindingCode::TlsCertificateRevoked,
            Self::TlsHandshakeFailed { .. } => FindingCode::TlsHandshakeFailed,
            Self::ConnectionRefused { .. } => FindingCode::ConnectionRefused,
            Self::ConnectionTimedOut { .. } => FindingCode::ConnectionTimedOut,
            Self::ConnectionFailed { .. } => FindingCode::ConnectionFailed,
            Self::SettingsUnusable { .. } => FindingCode::SettingsUnusable,
            Self::EndpointNotFound { .. } => FindingCode::EndpointNotFound,
            Self::EndpointNotEws { .. } => FindingCode::EndpointNotEws,
            Self::EndpointError { .. } => FindingCode::EndpointError,
            Self::AuthenticationFailed { .. } => FindingCode::AuthenticationFailed,
            Self::AuthenticationMethodUnsupported { .. } => {
                FindingCode::AuthenticationMethodUnsupported
            }
            Self::BasicRequiresHttps => FindingCode::BasicRequiresHttps,
            Self::EwsBlocked { .. } => FindingCode::EwsBlocked,
            Self::MailboxNotFound { .. } => FindingCode::MailboxNotFound,
            Self::MailboxAccessDenied { .. } => FindingCode::MailboxAccessDenied,
            Self::CalendarUnreadable { .. } => FindingCode::CalendarUnreadable,
            Self::VersionMismatch { .. } => FindingCode::VersionMismatch,
            Self::VersionRefused { .. } => FindingCode::VersionRefused,
            Self::ServerVersionUnknown { .. } => FindingCode::ServerVersionUnknown,
            Self::CheckTimedOut { .. } => FindingCode::CheckTimedOut,
        }
    }

    /// A warning (it works, but should be changed) or a failure.
    pub fn status(&self) -> CheckStatus {
        match self {
            Self::VersionMismatch { .. } | Self::ServerVersionUnknown { .. } => {
                CheckStatus::Warning
            }
            _ => CheckStatus::Failed,
        }
    }

    /// What was found and what to do, in Dutch and English.
    pub fn message(&self) -> LocalizedText {
        match self {
            Self::DnsUnresolvable { host } => {
                Problem::UrlHostUnresolvable { host: host.clone() }.message()
            }
            Self::AddressRefused(refusal) => refusal_text(refusal),
            Self::TlsCertificateUntrusted { host } => LocalizedText::new(
                format!(
                    "Het certificaat van {host} is niet uitgegeven door een vertrouwde \
                     certificaatautoriteit (het is bijvoorbeeld zelfondertekend of van een eigen \
                     CA). Laat de Exchange-beheerder een certificaat van een vertrouwde autoriteit \
                     installeren, of vraag de beheerder van ohsync deze server uitdrukkelijk te \
                     vertrouwen."
                ),
                format!(
                    "The certificate of {host} is not issued by a trusted certificate authority \
                     (it is, for example, self-signed or from an internal CA). Have the Exchange \
                     administrator install a certificate from a trusted authority, or ask the \
                     ohsync operator to trust this server explicitly."
                ),
            ),
            Self::TlsCertificateNameMismatch { host } => LocalizedText::new(
                format!(
                    "Het certificaat van de server is niet voor {host} uitgegeven. Gebruik in de \
                     URL de servernaam waarvoor het certificaat is uitgegeven (meestal de externe \
                     naam, zoals mail.bedrijf.nl), of laat de Exchange-beheerder een certificaat \
                     voor {host} installeren."
                ),
                format!(
                    "The server's certificate is not issued for {host}. In the URL, use the \
                     server name the certificate is issued for (usually the external name, such \
                     as mail.company.com), or have the Exchange administrator install a \
                     certificate for {host}."
                ),
            ),
            Self::TlsCertificateExpired { host } => LocalizedText::new(
                format!(
                    "Het certificaat van {host} is verlopen of nog niet geldig. Vraag de \
                     Exchange-beheerder het certificaat te vernieuwen en te controleren of de \
                     klok van de server goed staat."
                ),
                format!(
                    "The certificate of {host} has expired or is not valid yet. Ask the Exchange \
                     administrator to renew the certificate and to check that the server's clock \
                     is right."
                ),
            ),
            Self::TlsCertificateRevoked { host } => LocalizedText::new(
                format!(
                    "Het certificaat van {host} is ingetrokken. Vraag de Exchange-beheerder een \
                     nieuw certificaat te installeren."
                ),
                format!(
                    "The certificate of {host} has been revoked. Ask the Exchange administrator \
                     to install a new certificate."
                ),
            ),
            Self::TlsHandshakeFailed { host } => LocalizedText::new(
                format!(
                    "De beveiligde verbinding (TLS) met {host} kon niet worden opgezet. Controleer \
                     dat de URL naar de Exchange-server wijst en dat die TLS 1.2 of nieuwer \
                     aanbiedt."
                ),
                format!(
                    "The secure connection (TLS) to {host} could not be set up. Check that the \
                     URL points to the Exchange server and that it offers TLS 1.2 or later."
                ),
            ),
            Self::ConnectionRefused { host, port } => LocalizedText::new(
                format!(
                    "{host} weigert verbindingen op poort {port}. Controleer de poort in de URL \
                     (https gebruikt 443), en of Exchange (IIS) draait en de firewall ohsync \
                     doorlaat."
                ),
                format!(
                    "{host} refuses connections on port {port}. Check the port in the URL (https \
                     uses 443), and that Exchange (IIS) is running and the firewall lets ohsync \
                     through."
                ),
            ),
            Self::ConnectionTimedOut {
                host,
                port,
                seconds,
            } => LocalizedText::new(
                format!(
                    "{host} reageerde niet binnen {seconds} seconden op poort {port}. Controleer \
                     of de server vanaf internet bereikbaar is (firewall, port forwarding) en of \
                     de URL klopt."
                ),
                format!(
                    "{host} did not respond on port {port} within {seconds} seconds. Check that \
                     the server is reachable from the internet (firewall, port forwarding) and \
                     that the URL is right."
                ),
            ),
            Self::ConnectionFailed { host } => LocalizedText::new(
                format!(
                    "De verbinding met {host} werd verbroken voordat Exchange antwoordde. \
                     Controleer of een proxy of firewall de verbinding afbreekt, en probeer het \
                     opnieuw."
                ),
                format!(
                    "The connection to {host} broke before Exchange answered. Check whether a \
                     proxy or firewall cuts the connection, and try again."
                ),
            ),
            Self::SettingsUnusable { field } => LocalizedText::new(
                format!(
                    "ohsync kan met de instelling '{field}' geen verbinding met Exchange opzetten. \
                     Controleer die instelling; gaat het om de toegestane servers of \
                     certificaten, neem dan contact op met de beheerder van ohsync."
                ),
                format!(
                    "ohsync cannot set up a connection to Exchange with the setting '{field}'. \
                     Check that setting; if it concerns the allowed servers or certificates, \
                     contact the ohsync operator."
                ),
            ),
            Self::EndpointNotFound { suggestion } => LocalizedText::new(
                format!(
                    "Op deze URL staat geen EWS-dienst (HTTP 404). Het EWS-adres is bijna altijd \
                     {suggestion}; controleer het pad in de URL."
                ),
                format!(
                    "There is no EWS service at this URL (HTTP 404). The EWS address is almost \
                     always {suggestion}; check the path in the URL."
                ),
            ),
            Self::EndpointNotEws {
                redirect_to,
                suggestion,
            } => {
                let (found_nl, found_en) = match redirect_to {
                    Some(target) => (
                        format!("een doorverwijzing naar {target}"),
                        format!("a redirect to {target}"),
                    ),
                    None => (
                        "een webpagina (bijvoorbeeld een inlogpagina)".to_owned(),
                        "a web page (for example a sign-in page)".to_owned(),
                    ),
                };
                LocalizedText::new(
                    format!(
                        "De URL geeft geen EWS-antwoord maar {found_nl}. Vul het EWS-adres van de \
                         Exchange-server zelf in, meestal {suggestion}. Staat er een reverse proxy \
                         met een eigen inlogpagina voor, dan moet die /EWS/ doorlaten."
                    ),
                    format!(
                        "The URL does not answer as EWS but with {found_en}. Enter the EWS \
                         address of the Exchange server itself, usually {suggestion}. If a \
                         reverse proxy with its own sign-in page is in front, it must pass /EWS/ \
                         through."
                    ),
                )
            }
            Self::EndpointError { status } => LocalizedText::new(
                format!(
                    "Exchange antwoordde met HTTP {status} in plaats van een EWS-antwoord. Probeer \
                     het over een paar minuten opnieuw; blijft het zo, laat de Exchange-beheerder \
                     dan het IIS-logboek van de EWS-map bekijken."
                ),
                format!(
                    "Exchange answered with HTTP {status} instead of an EWS response. Try again \
                     in a few minutes; if it stays this way, have the Exchange administrator look \
                     at the IIS log of the EWS virtual directory."
                ),
            ),
            Self::AuthenticationFailed { scheme, login } => {
                let (protection_nl, protection_en) = match scheme {
                    AuthScheme::Ntlm => (
                        " ohsync gebruikt NTLMv2 met channel binding, dus Extended Protection op \
                         de server is geen oorzaak.",
                        " ohsync uses NTLMv2 with channel binding, so Extended Protection on the \
                         server is not the cause.",
                    ),
                    AuthScheme::Basic => ("", ""),
                };
                let scheme = scheme.as_str();
                LocalizedText::new(
                    format!(
                        "Exchange weigerde de aanmelding als {login} met {scheme}, zoals de \
                         server die aanbiedt (HTTP 401). Controleer de gebruikersnaam (de \
                         Windows-accountnaam, niet het e-mailadres), het korte domein (zoals \
                         OFFICEHEART, niet officeheart.local) en het wachtwoord; is het account \
                         vergrendeld of het wachtwoord verlopen, laat de beheerder dat dan eerst \
                         oplossen.{protection_nl}"
                    ),
                    format!(
                        "Exchange refused the sign-in as {login} with {scheme}, as the server \
                         offers it (HTTP 401). Check the user name (the Windows account name, \
                         not the e-mail address), the short domain (such as OFFICEHEART, not \
                         officeheart.local) and the password; if the account is locked or the \
                         password has expired, have the administrator fix that first.\
                         {protection_en}"
                    ),
                )
            }
            Self::AuthenticationMethodUnsupported { offered } => {
                let offered = if offered.is_empty() {
                    "-".to_owned()
                } else {
                    offered.join(", ")
                };
                LocalizedText::new(
                    format!(
                        "De Exchange-server biedt geen aanmeldmethode aan die ohsync kan gebruiken \
                         (aangeboden: {offered}). ohsync meldt zich aan met NTLM, of via https met \
                         Basic. Vraag de Exchange-beheerder Windows-verificatie (NTLM) in te \
                         schakelen op de EWS-map."
                    ),
                    format!(
                        "The Exchange server offers no sign-in method ohsync can use (offered: \
                         {offered}). ohsync signs in with NTLM, or with Basic over https. Ask the \
                         Exchange administrator to enable Windows authentication (NTLM) on the \
                         EWS virtual directory."
                    ),
                )
            }
            Self::BasicRequiresHttps => LocalizedText::new(
                "De server biedt alleen Basic-aanmelding aan en de URL begint met http://; dan \
                 zou het wachtwoord onversleuteld worden verstuurd, en dat doet ohsync niet. \
                 Gebruik een https://-URL, of laat de Exchange-beheerder Windows-verificatie \
                 (NTLM) inschakelen op de EWS-map.",
                "The server offers only Basic sign-in and the URL starts with http://; the \
                 password would then be sent unencrypted, which ohsync does not do. Use an \
                 https:// URL, or have the Exchange administrator enable Windows authentication \
                 (NTLM) on the EWS virtual directory.",
            ),
            Self::EwsBlocked { login } => LocalizedText::new(
                format!(
                    "De aanmelding als {login} lukt, maar Exchange blokkeert EWS voor dit account \
                     (toegangsbeleid). Vraag de Exchange-beheerder EWS voor deze gebruiker toe \
                     te staan (Set-CASMailbox -Identity <gebruiker> -EwsEnabled $true) en, als er \
                     een EWS-toepassingsbeleid geldt (Set-OrganizationConfig \
                     -EwsApplicationAccessPolicy), ohsync daarin toe te staan (User-Agent \
                     ohsync/*)."
                ),
                format!(
                    "Signing in as {login} works, but Exchange blocks EWS for this account \
                     (access policy). Ask the Exchange administrator to allow EWS for this user \
                     (Set-CASMailbox -Identity <user> -EwsEnabled $true) and, if an EWS \
                     application policy applies (Set-OrganizationConfig \
                     -EwsApplicationAccessPolicy), to allow ohsync in it (User-Agent ohsync/*)."
                ),
            ),
            Self::MailboxNotFound { mailbox } => LocalizedText::new(
                format!(
                    "Op deze Exchange-server bestaat geen postvak {mailbox}. Controleer het \
                     e-mailadres bij Postvak, of laat het veld leeg om het eigen postvak van het \
                     account te gebruiken."
                ),
                format!(
                    "There is no mailbox {mailbox} on this Exchange server. Check the e-mail \
                     address under Mailbox, or leave it empty to use the account's own mailbox."
                ),
            ),
            Self::MailboxAccessDenied { login, mailbox } => LocalizedText::new(
                format!(
                    "{login} mag niet namens {mailbox} werken. Vraag de Exchange-beheerder dit \
                     account de rol ApplicationImpersonation voor dat postvak te geven \
                     (New-ManagementRoleAssignment -Role ApplicationImpersonation -User \
                     <account>), of laat Postvak leeg om het eigen postvak te synchroniseren."
                ),
                format!(
                    "{login} may not act on behalf of {mailbox}. Ask the Exchange administrator \
                     to give this account the ApplicationImpersonation role for that mailbox \
                     (New-ManagementRoleAssignment -Role ApplicationImpersonation -User \
                     <account>), or leave Mailbox empty to sync the account's own mailbox."
                ),
            ),
            Self::CalendarUnreadable { cause } => LocalizedText::new(
                format!("De agenda kon niet worden gelezen. {}", cause.nl),
                format!("The calendar could not be read. {}", cause.en),
            ),
            Self::VersionMismatch {
                chosen,
                server,
                suggested,
                newer: false,
            } => LocalizedText::new(
                format!(
                    "De server is {server}; de gekozen Exchange-versie {chosen} is ouder. Dat \
                     werkt, maar dan gebruikt ohsync de oudere manier voor tijdzones en \
                     synchronisatie. Kies {suggested}."
                ),
                format!(
                    "The server is {server}; the chosen Exchange version {chosen} is older. That \
                     works, but ohsync then uses the older way of handling time zones and sync. \
                     Choose {suggested}."
                ),
            ),
            Self::VersionMismatch {
                chosen,
                server,
                suggested,
                newer: true,
            } => LocalizedText::new(
                format!(
                    "De server is {server}; de gekozen Exchange-versie {chosen} is nieuwer dan \
                     wat die Exchange-versie officieel ondersteunt. Deze server accepteert het \
                     nu, maar niet elke update doet dat. Kies {suggested}."
                ),
                format!(
                    "The server is {server}; the chosen Exchange version {chosen} is newer than \
                     what that Exchange version officially supports. This server accepts it \
                     now, but not every update does. Choose {suggested}."
                ),
            ),
            Self::VersionRefused {
                chosen,
                server,
                suggested,
            } => {
                let (server_nl, server_en) = match server {
                    Some(server) => (
                        format!("De server is {server} en"),
                        format!("The server is {server} and"),
                    ),
                    None => ("De server".to_owned(), "The server".to_owned()),
                };
                LocalizedText::new(
                    format!(
                        "{server_nl} weigert Exchange-versie {chosen}, omdat die nieuwer is dan \
                         de server. Kies bij Exchange-versie {suggested}; daarmee is de agenda \
                         wel gelezen."
                    ),
                    format!(
                        "{server_en} refuses Exchange version {chosen}, because it is newer than \
                         the server. Choose {suggested} as the Exchange version; with it, the \
                         calendar could be read."
                    ),
                )
            }
            Self::ServerVersionUnknown { reported } => {
                let reported = reported.as_deref().unwrap_or("-");
                LocalizedText::new(
                    format!(
                        "De server meldde geen Exchange-versie die ohsync kent (gemeld: \
                         {reported}). De synchronisatie kan werken; vraag de Exchange-beheerder \
                         naar de versie en controleer of de gekozen Exchange-versie daarbij past."
                    ),
                    format!(
                        "The server reported no Exchange version ohsync knows (reported: \
                         {reported}). Sync may work; ask the Exchange administrator for the \
                         version and check that the chosen Exchange version fits it."
                    ),
                )
            }
            Self::CheckTimedOut { seconds } => LocalizedText::new(
                format!(
                    "De controle is na {seconds} seconden gestopt: de server antwoordde niet op \
                     tijd. Probeer het later opnieuw; blijft het zo, controleer dan of de server \
                     vanaf internet goed bereikbaar is en niet overbelast is."
                ),
                format!(
                    "The check stopped after {seconds} seconds: the server did not answer in \
                     time. Try again later; if it stays this way, check that the server is well \
                     reachable from the internet and not overloaded."
                ),
            ),
        }
    }

    /// One example of every finding, for the documentation table.
    pub fn catalogue() -> Vec<Finding> {
        let host = || "mail.example.nl".to_owned();
        let login = || r"OFFICEHEART\jan".to_owned();
        let suggestion = || format!("https://mail.example.nl{}", EwsUrl::DEFAULT_PATH);
        let busy = ohsync_ews::EwsError::Response(Box::new(ResponseStatus {
            class: ResponseClass::Error,
            code: ResponseCode::ErrorMailboxStoreUnavailable,
            message_text: None,
            message_xml: MessageXml::default(),
        }));
        let busy = busy.user_message();
        vec![
            Self::DnsUnresolvable { host: host() },
            Self::AddressRefused(Refusal {
                host: Some(host()),
                address: Some([10, 0, 0, 5].into()),
                reason: RefusalReason::Private,
            }),
            Self::TlsCertificateUntrusted { host: host() },
            Self::TlsCertificateNameMismatch { host: host() },
            Self::TlsCertificateExpired { host: host() },
            Self::TlsCertificateRevoked { host: host() },
            Self::TlsHandshakeFailed { host: host() },
            Self::ConnectionRefused {
                host: host(),
                port: 443,
            },
            Self::ConnectionTimedOut {
                host: host(),
                port: 443,
                seconds: 10,
            },
            Self::ConnectionFailed { host: host() },
            Self::SettingsUnusable { field: "mailbox" },
            Self::EndpointNotFound {
                suggestion: suggestion(),
            },
            Self::EndpointNotEws {
                redirect_to: Some("sso.example.nl".to_owned()),
                suggestion: suggestion(),
            },
            Self::EndpointError { status: 503 },
            Self::AuthenticationFailed {
                scheme: AuthScheme::Ntlm,
                login: login(),
            },
            Self::AuthenticationMethodUnsupported {
                offered: vec!["Negotiate".to_owned()],
            },
            Self::BasicRequiresHttps,
            Self::EwsBlocked { login: login() },
            Self::MailboxNotFound {
                mailbox: "agenda@example.nl".to_owned(),
            },
            Self::MailboxAccessDenied {
                login: login(),
                mailbox: "agenda@example.nl".to_owned(),
            },
            Self::CalendarUnreadable {
                cause: LocalizedText::new(busy.nl, busy.en),
            },
            Self::VersionMismatch {
                chosen: ExchangeVersion::Exchange2007Sp1,
                server: "Exchange 2016 (15.1.2507.6)".to_owned(),
                suggested: ExchangeVersion::Exchange2016,
                newer: false,
            },
            Self::VersionRefused {
                chosen: ExchangeVersion::Exchange2016,
                server: Some("Exchange 2010 SP2 (14.2.298.4)".to_owned()),
                suggested: ExchangeVersion::Exchange2010Sp2,
            },
            Self::ServerVersionUnknown { reported: None },
            Self::CheckTimedOut { seconds: 20 },
        ]
    }
}
