//! Every problem validation can find, with its stable code, its field and its Dutch and
//! English text. One place, so the API, the docs table and the tests cannot disagree.

use std::fmt;

use ohsync_ews::ExchangeVersion;
use ohsync_localized::LocalizedText;
use ohsync_net_guard::{GuardError, RefusalReason};

use crate::FieldError;

/// The input fields, named as in the API.
pub mod field {
    /// Sync on/off.
    pub const ACTIVE: &str = "active";
    /// The EWS endpoint.
    pub const EWS_URL: &str = "ews_url";
    /// The `RequestServerVersion`.
    pub const EXCHANGE_VERSION: &str = "exchange_version";
    /// The Windows account name.
    pub const USERNAME: &str = "username";
    /// The short Windows domain.
    pub const DOMAIN: &str = "domain";
    /// The Windows password (write-only).
    pub const PASSWORD: &str = "password";
    /// Another mailbox to sync instead of the account's own.
    pub const MAILBOX: &str = "mailbox";
    /// Who wins a conflict.
    pub const CONFLICT_POLICY: &str = "conflict_policy";
    /// Which way changes flow.
    pub const DIRECTION: &str = "direction";
    /// Days before today in the sync window.
    pub const WINDOW_DAYS_BACK: &str = "window_days_back";
    /// Days after today in the sync window.
    pub const WINDOW_DAYS_AHEAD: &str = "window_days_ahead";

    /// Every field, in the order of the admin screen.
    pub const ALL: [&str; 11] = [
        ACTIVE,
        EWS_URL,
        EXCHANGE_VERSION,
        USERNAME,
        DOMAIN,
        PASSWORD,
        MAILBOX,
        CONFLICT_POLICY,
        DIRECTION,
        WINDOW_DAYS_BACK,
        WINDOW_DAYS_AHEAD,
    ];
}

/// Declares the code enum and its complete list from one table, so the list cannot miss a code.
macro_rules! problem_codes {
    ($($(#[$doc:meta])* $variant:ident => $code:literal,)*) => {
        /// The stable machine code of a problem.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ProblemCode {
            $($(#[$doc])* $variant,)*
        }

        impl ProblemCode {
            /// Every code.
            pub const ALL: &'static [ProblemCode] = &[$(Self::$variant,)*];

            /// The code as sent in API errors.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)*
                }
            }
        }
    };
}

problem_codes! {
    /// No Exchange URL.
    UrlEmpty => "url_empty",
    /// Not an absolute URL.
    UrlInvalid => "url_invalid",
    /// Not https, and http not allowed for the host.
    UrlNotHttps => "url_not_https",
    /// A user name or password inside the URL.
    UrlHasCredentials => "url_has_credentials",
    /// A `#fragment`.
    UrlHasFragment => "url_has_fragment",
    /// The Outlook on the web or admin center address instead of EWS.
    UrlIsOwa => "url_is_owa",
    /// A loopback, private, link-local, metadata or other refused address.
    UrlPrivateAddress => "url_private_address",
    /// The host name does not resolve (live check).
    UrlHostUnresolvable => "url_host_unresolvable",
    /// An Exchange Online host, where EWS is retired.
    ExchangeOnlineUnsupported => "exchange_online_unsupported",
    /// No version.
    VersionEmpty => "version_empty",
    /// Not a `RequestServerVersion` value.
    VersionUnknown => "version_unknown",
    /// Exchange 2007 RTM, which lacks the item UID.
    VersionUnsupported => "version_unsupported",
    /// No user name.
    UsernameEmpty => "username_empty",
    /// A `user@domain` name.
    UsernameIsUpn => "username_is_upn",
    /// A character Windows account names cannot hold.
    UsernameInvalidCharacters => "username_invalid_characters",
    /// Longer than a Windows account name can be.
    UsernameTooLong => "username_too_long",
    /// `DOMAIN\user` whose domain differs from the domain field.
    UsernameDomainMismatch => "username_domain_mismatch",
    /// Notice: `DOMAIN\user` was split into the two fields.
    UsernameDomainSplit => "username_domain_split",
    /// No domain.
    DomainEmpty => "domain_empty",
    /// A dotted DNS name instead of the short domain.
    DomainHasDots => "domain_has_dots",
    /// Longer than 15 characters.
    DomainTooLong => "domain_too_long",
    /// A character NetBIOS names cannot hold.
    DomainInvalidCharacters => "domain_invalid_characters",
    /// Not an e-mail address.
    MailboxInvalid => "mailbox_invalid",
    /// An empty password.
    PasswordEmpty => "password_empty",
    /// No password stored and none given.
    PasswordRequired => "password_required",
    /// An unknown conflict policy.
    ConflictPolicyUnknown => "conflict_policy_unknown",
    /// An unknown direction.
    DirectionUnknown => "direction_unknown",
    /// A window size that is not a whole number.
    WindowNotANumber => "window_not_a_number",
    /// A window size outside its bounds.
    WindowOutOfRange => "window_out_of_range",
    /// Both window sizes together too long.
    WindowTooLong => "window_too_long",
}

/// One problem with the input, carrying what its message needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No Exchange URL.
    UrlEmpty,
    /// Not an absolute URL.
    UrlInvalid,
    /// Not https (`scheme` as typed), and http not allowed for the host.
    UrlNotHttps {
        /// The scheme given.
        scheme: String,
    },
    /// A user name or password inside the URL.
    UrlHasCredentials,
    /// A `#fragment`.
    UrlHasFragment,
    /// The Outlook on the web or admin center address instead of EWS.
    UrlIsOwa {
        /// The host, to show the EWS address to use instead.
        host: String,
    },
    /// The host is or resolves to a refused address.
    UrlPrivateAddress {
        /// The host as typed (or the address).
        host: String,
        /// Which kind of address.
        reason: RefusalReason,
    },
    /// The host name does not resolve.
    UrlHostUnresolvable {
        /// The host.
        host: String,
    },
    /// An Exchange Online host.
    ExchangeOnlineUnsupported {
        /// The host.
        host: String,
    },
    /// No version.
    VersionEmpty,
    /// Not a `RequestServerVersion` value.
    VersionUnknown {
        /// The value given.
        given: String,
    },
    /// Exchange 2007 RTM.
    VersionUnsupported {
        /// The value given.
        given: String,
    },
    /// No user name.
    UsernameEmpty,
    /// A `user@domain` name.
    UsernameIsUpn {
        /// The value given.
        given: String,
    },
    /// A character Windows account names cannot hold.
    UsernameInvalidCharacters {
        /// The first such character.
        found: char,
    },
    /// Longer than a Windows account name can be.
    UsernameTooLong,
    /// `DOMAIN\user` whose domain differs from the domain field.
    UsernameDomainMismatch {
        /// The domain typed before the backslash.
        typed: String,
        /// The domain field.
        domain: String,
    },
    /// Notice: `DOMAIN\user` was split into the two fields.
    UsernameDomainSplit {
        /// The domain part.
        domain: String,
        /// The user part.
        username: String,
    },
    /// No domain.
    DomainEmpty,
    /// A dotted DNS name instead of the short domain.
    DomainHasDots {
        /// The value given.
        given: String,
        /// Its first label, usually the short name.
        suggestion: String,
    },
    /// Longer than 15 characters.
    DomainTooLong,
    /// A character NetBIOS names cannot hold.
    DomainInvalidCharacters {
        /// The first such character.
        found: char,
    },
    /// Not an e-mail address.
    MailboxInvalid,
    /// An empty password.
    PasswordEmpty,
    /// No password stored and none given.
    PasswordRequired,
    /// An unknown conflict policy.
    ConflictPolicyUnknown {
        /// The value given.
        given: String,
    },
    /// An unknown direction.
    DirectionUnknown {
        /// The value given.
        given: String,
    },
    /// A window size that is not a whole number.
    WindowNotANumber {
        /// [`field::WINDOW_DAYS_BACK`] or [`field::WINDOW_DAYS_AHEAD`].
        field: &'static str,
    },
    /// A window size outside its bounds.
    WindowOutOfRange {
        /// [`field::WINDOW_DAYS_BACK`] or [`field::WINDOW_DAYS_AHEAD`].
        field: &'static str,
        /// Smallest accepted.
        min: u32,
        /// Largest accepted.
        max: u32,
    },
    /// Both window sizes together too long.
    WindowTooLong {
        /// The longest total accepted.
        max: u32,
    },
}

/// The Exchange versions ohsync accepts, as the user types them.
pub(crate) fn accepted_versions() -> impl Iterator<Item = ExchangeVersion> {
    ExchangeVersion::ALL
        .into_iter()
        .filter(|v| *v != ExchangeVersion::Exchange2007)
}

fn accepted_versions_text() -> String {
    accepted_versions()
        .map(ExchangeVersion::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

fn reason_nl(reason: RefusalReason) -> &'static str {
    match reason {
        RefusalReason::Loopback => "een loopback-adres (deze machine zelf)",
        RefusalReason::Unspecified => "een ongespecificeerd adres",
        RefusalReason::Private => "een adres in een privé-netwerk",
        RefusalReason::SharedAddressSpace => "een carrier-grade-NAT-adres",
        RefusalReason::LinkLocal => "een link-local-adres",
        RefusalReason::Metadata => "het metadata-adres van een cloudplatform",
        RefusalReason::UniqueLocal => "een unique-local-IPv6-adres",
        RefusalReason::Multicast => "een multicast-adres",
        RefusalReason::Broadcast => "het broadcast-adres",
        RefusalReason::Documentation => "een voorbeeldadres uit documentatie",
        RefusalReason::Benchmarking => "een adres voor benchmarks",
        RefusalReason::Reserved => "een gereserveerd adres",
    }
}

/// The window field as the user knows it, in Dutch and English.
fn window_label(name: &str) -> (&'static str, &'static str) {
    if name == field::WINDOW_DAYS_BACK {
        ("dagen terug", "days back")
    } else {
        ("dagen vooruit", "days ahead")
    }
}

impl Problem {
    /// The stable code.
    pub fn code(&self) -> ProblemCode {
        match self {
            Self::UrlEmpty => ProblemCode::UrlEmpty,
            Self::UrlInvalid => ProblemCode::UrlInvalid,
            Self::UrlNotHttps { .. } => ProblemCode::UrlNotHttps,
            Self::UrlHasCredentials => ProblemCode::UrlHasCredentials,
            Self::UrlHasFragment => ProblemCode::UrlHasFragment,
            Self::UrlIsOwa { .. } => ProblemCode::UrlIsOwa,
            Self::UrlPrivateAddress { .. } => ProblemCode::UrlPrivateAddress,
            Self::UrlHostUnresolvable { .. } => ProblemCode::UrlHostUnresolvable,
            Self::ExchangeOnlineUnsupported { .. } => ProblemCode::ExchangeOnlineUnsupported,
            Self::VersionEmpty => ProblemCode::VersionEmpty,
            Self::VersionUnknown { .. } => ProblemCode::VersionUnknown,
            Self::VersionUnsupported { .. } => ProblemCode::VersionUnsupported,
            Self::UsernameEmpty => ProblemCode::UsernameEmpty,
            Self::UsernameIsUpn { .. } => ProblemCode::UsernameIsUpn,
            Self::UsernameInvalidCharacters { .. } => ProblemCode::UsernameInvalidCharacters,
            Self::UsernameTooLong => ProblemCode::UsernameTooLong,
            Self::UsernameDomainMismatch { .. } => ProblemCode::UsernameDomainMismatch,
            Self::UsernameDomainSplit { .. } => ProblemCode::UsernameDomainSplit,
            Self::DomainEmpty => ProblemCode::DomainEmpty,
            Self::DomainHasDots { .. } => ProblemCode::DomainHasDots,
            Self::DomainTooLong => ProblemCode::DomainTooLong,
            Self::DomainInvalidCharacters { .. } => ProblemCode::DomainInvalidCharacters,
            Self::MailboxInvalid => ProblemCode::MailboxInvalid,
            Self::PasswordEmpty => ProblemCode::PasswordEmpty,
            Self::PasswordRequired => ProblemCode::PasswordRequired,
            Self::ConflictPolicyUnknown { .. } => ProblemCode::ConflictPolicyUnknown,
            Self::DirectionUnknown { .. } => ProblemCode::DirectionUnknown,
            Self::WindowNotANumber { .. } => ProblemCode::WindowNotANumber,
            Self::WindowOutOfRange { .. } => ProblemCode::WindowOutOfRange,
            Self::WindowTooLong { .. } => ProblemCode::WindowTooLong,
        }
    }

    /// The input field the problem concerns.
    pub fn field(&self) -> &'static str {
        match self {
            Self::UrlEmpty
            | Self::UrlInvalid
            | Self::UrlNotHttps { .. }
            | Self::UrlHasCredentials
            | Self::UrlHasFragment
            | Self::UrlIsOwa { .. }
            | Self::UrlPrivateAddress { .. }
            | Self::UrlHostUnresolvable { .. }
            | Self::ExchangeOnlineUnsupported { .. } => field::EWS_URL,
            Self::VersionEmpty | Self::VersionUnknown { .. } | Self::VersionUnsupported { .. } => {
                field::EXCHANGE_VERSION
            }
            Self::UsernameEmpty
            | Self::UsernameIsUpn { .. }
            | Self::UsernameInvalidCharacters { .. }
            | Self::UsernameTooLong
            | Self::UsernameDomainMismatch { .. }
            | Self::UsernameDomainSplit { .. } => field::USERNAME,
            Self::DomainEmpty
            | Self::DomainHasDots { .. }
            | Self::DomainTooLong
            | Self::DomainInvalidCharacters { .. } => field::DOMAIN,
            Self::MailboxInvalid => field::MAILBOX,
            Self::PasswordEmpty | Self::PasswordRequired => field::PASSWORD,
            Self::ConflictPolicyUnknown { .. } => field::CONFLICT_POLICY,
            Self::DirectionUnknown { .. } => field::DIRECTION,
            Self::WindowNotANumber { field } | Self::WindowOutOfRange { field, .. } => field,
            Self::WindowTooLong { .. } => field::WINDOW_DAYS_AHEAD,
        }
    }

    /// What is wrong and what to do, in Dutch and English.
    pub fn message(&self) -> LocalizedText {
        match self {
            Self::UrlEmpty => LocalizedText::new(
                "Vul de Exchange URL in, meestal https://<server>/EWS/Exchange.asmx.",
                "Enter the Exchange URL, usually https://<server>/EWS/Exchange.asmx.",
            ),
            Self::UrlInvalid => LocalizedText::new(
                "Dit is geen volledig webadres. Vul het hele adres in, beginnend met https://, \
                 bijvoorbeeld https://mail.voorbeeld.nl/EWS/Exchange.asmx.",
                "This is not a complete web address. Enter the whole address, starting with \
                 https://, for example https://mail.example.com/EWS/Exchange.asmx.",
            ),
            Self::UrlNotHttps { scheme } => LocalizedText::new(
                format!(
                    "De Exchange URL moet met https:// beginnen (nu: {scheme}://), zodat het \
                     wachtwoord versleuteld wordt verstuurd. Alleen als de beheerder van ohsync \
                     http voor deze server heeft toegestaan, mag het zonder."
                ),
                format!(
                    "The Exchange URL must start with https:// (now: {scheme}://), so that the \
                     password is sent encrypted. Plain http works only for a server the ohsync \
                     operator has allowed it for."
                ),
            ),
            Self::UrlHasCredentials => LocalizedText::new(
                "Zet geen gebruikersnaam of wachtwoord in de URL; vul ze in de velden \
                 Gebruikersnaam en Wachtwoord in.",
                "Do not put a user name or password in the URL; enter them in the Username and \
                 Password fields.",
            ),
            Self::UrlHasFragment => LocalizedText::new(
                "Haal het deel vanaf # uit de URL; een Exchange-adres heeft dat niet.",
                "Remove the part from # onwards; an Exchange address has none.",
            ),
            Self::UrlIsOwa { host } => LocalizedText::new(
                format!(
                    "Dit is het adres van Outlook op het web of het Exchange-beheercentrum, niet \
                     van EWS. Gebruik https://{host}/EWS/Exchange.asmx."
                ),
                format!(
                    "This is the address of Outlook on the web or the Exchange admin center, not \
                     of EWS. Use https://{host}/EWS/Exchange.asmx."
                ),
            ),
            Self::UrlPrivateAddress { host, reason } => LocalizedText::new(
                format!(
                    "{host} is {}. Daar maakt ohsync uit veiligheid geen verbinding mee. Staat \
                     uw Exchange-server echt in een intern netwerk, vraag dan de beheerder van \
                     ohsync deze server toe te staan.",
                    reason_nl(*reason)
                ),
                format!(
                    "{host} is {}. For safety, ohsync does not connect there. If your Exchange \
                     server really is on an internal network, ask the ohsync operator to allow \
                     this server.",
                    reason.description()
                ),
            ),
            Self::UrlHostUnresolvable { host } => LocalizedText::new(
                format!(
                    "De servernaam {host} kon niet worden opgezocht. Controleer de \
                     schrijfwijze; klopt die, probeer het dan later opnieuw."
                ),
                format!(
                    "The server name {host} could not be looked up. Check the spelling; if it \
                     is right, try again later."
                ),
            ),
            Self::ExchangeOnlineUnsupported { host } => LocalizedText::new(
                format!(
                    "{host} is Exchange Online (Microsoft 365). Microsoft heeft EWS daar op \
                     1 oktober 2026 standaard uitgeschakeld en haalt het op 1 april 2027 \
                     helemaal weg. ohsync synchroniseert via EWS met een eigen (on-premises) \
                     Exchange-server; vul het EWS-adres van die server in."
                ),
                format!(
                    "{host} is Exchange Online (Microsoft 365). Microsoft disabled EWS there by \
                     default on 1 October 2026 and removes it on 1 April 2027. ohsync syncs \
                     over EWS with an on-premises Exchange server; enter that server's EWS \
                     address."
                ),
            ),
            Self::VersionEmpty => LocalizedText::new(
                format!(
                    "Kies de Exchange-versie van de server: {}.",
                    accepted_versions_text()
                ),
                format!(
                    "Choose the server's Exchange version: {}.",
                    accepted_versions_text()
                ),
            ),
            Self::VersionUnknown { given } => LocalizedText::new(
                format!(
                    "'{given}' is geen Exchange-versie die EWS kent. Kies een van: {}. Voor \
                     Exchange 2019 en nieuwer is dat Exchange2016.",
                    accepted_versions_text()
                ),
                format!(
                    "'{given}' is not an Exchange version EWS knows. Choose one of: {}. For \
                     Exchange 2019 and later, that is Exchange2016.",
                    accepted_versions_text()
                ),
            ),
            Self::VersionUnsupported { given } => LocalizedText::new(
                format!(
                    "{given} (Exchange 2007 zonder service pack) wordt niet ondersteund: ohsync \
                     heeft de vaste UID van afspraken nodig, die EWS pas vanaf Exchange2007_SP1 \
                     levert. Kies Exchange2007_SP1 of nieuwer."
                ),
                format!(
                    "{given} (Exchange 2007 without a service pack) is not supported: ohsync \
                     needs the stable UID of appointments, which EWS provides from \
                     Exchange2007_SP1. Choose Exchange2007_SP1 or later."
                ),
            ),
            Self::UsernameEmpty => LocalizedText::new(
                "Vul de Windows-gebruikersnaam in waarmee u in Outlook inlogt (niet uw \
                 OfficeHeart-login).",
                "Enter the Windows user name you sign in to Outlook with (not your OfficeHeart \
                 login).",
            ),
            Self::UsernameIsUpn { given } => LocalizedText::new(
                format!(
                    "'{given}' is een e-mail- of UPN-adres. Vul bij Gebruikersnaam alleen de \
                     Windows-accountnaam in (het deel dat u na DOMEIN\\ typt) en bij Domein de \
                     korte domeinnaam."
                ),
                format!(
                    "'{given}' is an e-mail or UPN address. Enter only the Windows account name \
                     under Username (what you type after DOMAIN\\) and the short domain name \
                     under Domain."
                ),
            ),
            Self::UsernameInvalidCharacters { found } => LocalizedText::new(
                format!(
                    "Een Windows-gebruikersnaam kan het teken '{found}' niet bevatten. \
                     Controleer de gebruikersnaam."
                ),
                format!("A Windows user name cannot contain '{found}'. Check the user name."),
            ),
            Self::UsernameTooLong => LocalizedText::new(
                "Een Windows-gebruikersnaam (pre-Windows 2000) is hoogstens 20 tekens lang. \
                 Vul de accountnaam in, niet de volledige naam.",
                "A Windows (pre-Windows 2000) user name is at most 20 characters long. Enter \
                 the account name, not the full name.",
            ),
            Self::UsernameDomainMismatch { typed, domain } => LocalizedText::new(
                format!(
                    "De gebruikersnaam begint met domein {typed}\\, maar bij Domein staat \
                     {domain}. Vul één domein in: laat het deel vóór de \\ weg, of pas Domein \
                     aan."
                ),
                format!(
                    "The user name starts with domain {typed}\\, but Domain says {domain}. Use \
                     one domain: leave out the part before the \\, or change Domain."
                ),
            ),
            Self::UsernameDomainSplit { domain, username } => LocalizedText::new(
                format!(
                    "U typte DOMEIN\\gebruiker; dat is opgesplitst in Domein '{domain}' en \
                     Gebruikersnaam '{username}'."
                ),
                format!(
                    "You typed DOMAIN\\user; it was split into Domain '{domain}' and Username \
                     '{username}'."
                ),
            ),
            Self::DomainEmpty => LocalizedText::new(
                "Vul het korte Windows-domein in, bijvoorbeeld officeheart.",
                "Enter the short Windows domain, for example officeheart.",
            ),
            Self::DomainHasDots { given, suggestion } => LocalizedText::new(
                format!(
                    "Vul de korte (NetBIOS-)domeinnaam in, zonder punten: meestal '{suggestion}' \
                     in plaats van '{given}'."
                ),
                format!(
                    "Enter the short (NetBIOS) domain name, without dots: usually \
                     '{suggestion}' instead of '{given}'."
                ),
            ),
            Self::DomainTooLong => LocalizedText::new(
                "De korte domeinnaam is hoogstens 15 tekens lang. Vul de NetBIOS-naam van het \
                 domein in.",
                "The short domain name is at most 15 characters long. Enter the domain's \
                 NetBIOS name.",
            ),
            Self::DomainInvalidCharacters { found } => LocalizedText::new(
                format!(
                    "Een Windows-domeinnaam kan het teken '{found}' niet bevatten. Vul alleen de \
                     korte domeinnaam in, bijvoorbeeld officeheart."
                ),
                format!(
                    "A Windows domain name cannot contain '{found}'. Enter only the short \
                     domain name, for example officeheart."
                ),
            ),
            Self::MailboxInvalid => LocalizedText::new(
                "Vul bij Postvak een e-mailadres in (naam@domein.nl), of laat het leeg om het \
                 eigen postvak van het account te gebruiken.",
                "Enter an e-mail address under Mailbox (name@domain.com), or leave it empty to \
                 use the account's own mailbox.",
            ),
            Self::PasswordEmpty => LocalizedText::new(
                "Het wachtwoord is leeg. Vul het Windows-wachtwoord in, of laat het veld weg om \
                 het opgeslagen wachtwoord te houden.",
                "The password is empty. Enter the Windows password, or leave the field out to \
                 keep the stored password.",
            ),
            Self::PasswordRequired => LocalizedText::new(
                "Vul het Windows-wachtwoord van dit account in; er is nog geen wachtwoord \
                 opgeslagen.",
                "Enter the Windows password of this account; no password is stored yet.",
            ),
            Self::ConflictPolicyUnknown { given } => LocalizedText::new(
                format!(
                    "'{given}' is geen geldige keuze bij conflicten. Kies newest_wins (nieuwste \
                     wijziging wint), officeheart_wins of exchange_wins."
                ),
                format!(
                    "'{given}' is not a valid conflict choice. Choose newest_wins (the newest \
                     change wins), officeheart_wins or exchange_wins."
                ),
            ),
            Self::DirectionUnknown { given } => LocalizedText::new(
                format!(
                    "'{given}' is geen geldige richting. Kies two_way (beide kanten op), \
                     officeheart_to_exchange of exchange_to_officeheart."
                ),
                format!(
                    "'{given}' is not a valid direction. Choose two_way (both ways), \
                     officeheart_to_exchange or exchange_to_officeheart."
                ),
            ),
            Self::WindowNotANumber { field } => {
                let (nl, en) = window_label(field);
                LocalizedText::new(
                    format!("Vul bij {nl} een heel aantal dagen in."),
                    format!("Enter a whole number of days for {en}."),
                )
            }
            Self::WindowOutOfRange { field, min, max } => {
                let (nl, en) = window_label(field);
                LocalizedText::new(
                    format!("Vul bij {nl} een aantal van {min} tot en met {max} in."),
                    format!("Enter a number from {min} to {max} for {en}."),
                )
            }
            Self::WindowTooLong { max } => LocalizedText::new(
                format!(
                    "Dagen terug en vooruit samen mogen hoogstens {max} zijn (Exchange geeft \
                     geen agenda-overzicht van meer dan twee jaar). Verklein een van beide."
                ),
                format!(
                    "Days back and ahead together may be at most {max} (Exchange lists no more \
                     than two years of calendar at once). Make one of them smaller."
                ),
            ),
        }
    }

    /// Reads a failed live address check as a problem with the Exchange URL.
    pub fn from_guard_error(error: &GuardError) -> Self {
        match error {
            GuardError::Refused(refusal) => Self::UrlPrivateAddress {
                host: match (&refusal.host, refusal.address) {
                    (Some(host), _) => host.clone(),
                    (None, Some(address)) => address.to_string(),
                    (None, None) => String::new(),
                },
                reason: refusal.reason,
            },
            GuardError::Resolve { host, .. } | GuardError::NoAddress { host } => {
                Self::UrlHostUnresolvable { host: host.clone() }
            }
            GuardError::NoHost { .. } | GuardError::UnknownPeer => Self::UrlInvalid,
        }
    }

    /// One example of every problem, for the documentation table.
    pub fn catalogue() -> Vec<Problem> {
        vec![
            Self::UrlEmpty,
            Self::UrlInvalid,
            Self::UrlNotHttps {
                scheme: "http".into(),
            },
            Self::UrlHasCredentials,
            Self::UrlHasFragment,
            Self::UrlIsOwa {
                host: "mail.example.nl".into(),
            },
            Self::UrlPrivateAddress {
                host: "10.0.0.5".into(),
                reason: RefusalReason::Private,
            },
            Self::UrlHostUnresolvable {
                host: "mail.example.nl".into(),
            },
            Self::ExchangeOnlineUnsupported {
                host: "outlook.office365.com".into(),
            },
            Self::VersionEmpty,
            Self::VersionUnknown {
                given: "Exchange2019".into(),
            },
            Self::VersionUnsupported {
                given: "Exchange2007".into(),
            },
            Self::UsernameEmpty,
            Self::UsernameIsUpn {
                given: "jan@officeheart.nl".into(),
            },
            Self::UsernameInvalidCharacters { found: ';' },
            Self::UsernameTooLong,
            Self::UsernameDomainMismatch {
                typed: "SALES".into(),
                domain: "officeheart".into(),
            },
            Self::UsernameDomainSplit {
                domain: "OFFICEHEART".into(),
                username: "jan".into(),
            },
            Self::DomainEmpty,
            Self::DomainHasDots {
                given: "officeheart.local".into(),
                suggestion: "officeheart".into(),
            },
            Self::DomainTooLong,
            Self::DomainInvalidCharacters { found: '*' },
            Self::MailboxInvalid,
            Self::PasswordEmpty,
            Self::PasswordRequired,
            Self::ConflictPolicyUnknown {
                given: "oldest_wins".into(),
            },
            Self::DirectionUnknown {
                given: "sideways".into(),
            },
            Self::WindowNotANumber {
                field: field::WINDOW_DAYS_BACK,
            },
            Self::WindowOutOfRange {
                field: field::WINDOW_DAYS_AHEAD,
                min: 1,
                max: 730,
            },
            Self::WindowTooLong { max: 730 },
        ]
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code().as_str(), self.message().en)
    }
}

impl std::error::Error for Problem {}

impl From<Problem> for FieldError {
    fn from(problem: Problem) -> Self {
        Self {
            code: problem.code().as_str(),
            field: problem.field(),
            message: problem.message(),
        }
    }
}
