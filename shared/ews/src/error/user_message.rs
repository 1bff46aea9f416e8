//! Plain-language explanations of every error, in Dutch and English, with what to do.

use std::time::Duration;

use ohsync_localized::LocalizedText;

use super::{EwsError, Phase, TlsProblem};

/// Whole minutes (rounded up) for "try again in N minutes".
fn minutes(wait: Duration) -> u64 {
    wait.as_secs().div_ceil(60).max(1)
}

pub(super) fn for_error(err: &EwsError) -> LocalizedText {
    match err {
        EwsError::NotAttempted { cause } => for_error(cause),
        EwsError::AuthFailed { .. } => LocalizedText::new(
            "Exchange heeft de gebruikersnaam of het wachtwoord geweigerd. Controleer gebruikersnaam, \
             wachtwoord en domein (de korte Windows-domeinnaam) en sla ze opnieuw op.",
            "Exchange rejected the user name or password. Check the user name, password and domain \
             (the short Windows domain name) and save them again.",
        ),
        EwsError::AuthSchemeNotOffered { scheme, offered } => LocalizedText::new(
            format!(
                "De Exchange-server biedt geen {scheme}-aanmelding aan (wel: {}). Vraag de beheerder \
                 om {scheme} op de EWS-map in te schakelen.",
                offered.join(", ")
            ),
            format!(
                "The Exchange server does not offer {scheme} sign-in (it offers: {}). Ask the administrator \
                 to enable {scheme} on the EWS virtual directory.",
                offered.join(", ")
            ),
        ),
        EwsError::BlockedByPolicy => LocalizedText::new(
            "Exchange blokkeert EWS-toegang voor dit account (toegangsbeleid). Vraag de Exchange-beheerder \
             om EWS voor deze gebruiker toe te staan (Set-CASMailbox -EwsEnabled) of ohsync aan de \
             EWS-toegestane toepassingen toe te voegen.",
            "Exchange blocks EWS access for this account (access policy). Ask the Exchange administrator \
             to allow EWS for this user (Set-CASMailbox -EwsEnabled) or to add ohsync to the allowed \
             EWS applications.",
        ),
        EwsError::Redirected { location_host, .. } => {
            let target = location_host.as_deref().unwrap_or("een ander adres");
            let target_en = location_host.as_deref().unwrap_or("another address");
            LocalizedText::new(
                format!(
                    "De Exchange-URL stuurt door naar {target}. Vul de uiteindelijke EWS-URL in \
                     (meestal https://<server>/EWS/Exchange.asmx)."
                ),
                format!(
                    "The Exchange URL redirects to {target_en}. Enter the final EWS URL \
                     (usually https://<server>/EWS/Exchange.asmx)."
                ),
            )
        }
        EwsError::Timeout { phase, .. } => match phase {
            Phase::NotSent => LocalizedText::new(
                "De Exchange-server reageert niet. Controleer de URL en of de server vanaf internet \
                 bereikbaar is; ohsync probeert het later opnieuw.",
                "The Exchange server does not respond. Check the URL and that the server is reachable \
                 from the internet; ohsync will try again later.",
            ),
            Phase::MaybeDelivered => LocalizedText::new(
                "De Exchange-server antwoordde niet op tijd. ohsync probeert het later opnieuw.",
                "The Exchange server did not answer in time. ohsync will try again later.",
            ),
        },
        EwsError::Dns { host, .. } => LocalizedText::new(
            format!(
                "De servernaam {host} bestaat niet of is niet te vinden. Controleer de Exchange-URL."
            ),
            format!(
                "The server name {host} does not exist or cannot be found. Check the Exchange URL."
            ),
        ),
        EwsError::Tls { problem, host, .. } => tls_message(*problem, host),
        EwsError::AddressRefused { host, .. } => LocalizedText::new(
            format!(
                "{host} wijst naar een intern of gereserveerd netwerkadres; daar maakt ohsync geen \
                 verbinding mee. Gebruik het adres waarop Exchange van buitenaf bereikbaar is, of vraag de \
                 beheerder van ohsync deze server toe te staan."
            ),
            format!(
                "{host} points to an internal or reserved network address, which ohsync does not connect \
                 to. Use the address at which Exchange is reachable from outside, or ask the ohsync \
                 operator to allow this server."
            ),
        ),
        EwsError::ConnectionRefused { host } => LocalizedText::new(
            format!(
                "{host} weigert de verbinding. Controleer de URL (https en poort) en of Exchange draait; \
                 ohsync probeert het later opnieuw."
            ),
            format!(
                "{host} refuses the connection. Check the URL (https and port) and that Exchange is \
                 running; ohsync will try again later."
            ),
        ),
        EwsError::ConnectionLost { .. } | EwsError::Network { .. } => LocalizedText::new(
            "De verbinding met Exchange werd onderbroken. ohsync probeert het later opnieuw.",
            "The connection to Exchange was interrupted. ohsync will try again later.",
        ),
        EwsError::HttpStatus { status, .. } => match status {
            503 => LocalizedText::new(
                "Exchange is tijdelijk overbelast of niet beschikbaar (HTTP 503). ohsync wacht en probeert \
                 het later opnieuw.",
                "Exchange is temporarily overloaded or unavailable (HTTP 503). ohsync waits and tries again later.",
            ),
            404 => LocalizedText::new(
                "Op deze URL staat geen EWS-dienst (HTTP 404). Controleer de Exchange-URL \
                 (meestal https://<server>/EWS/Exchange.asmx).",
                "There is no EWS service at this URL (HTTP 404). Check the Exchange URL \
                 (usually https://<server>/EWS/Exchange.asmx).",
            ),
            status if *status >= 500 => LocalizedText::new(
                format!(
                    "De Exchange-server gaf een serverfout (HTTP {status}). ohsync probeert het later opnieuw."
                ),
                format!(
                    "The Exchange server returned a server error (HTTP {status}). ohsync will try again later."
                ),
            ),
            status => LocalizedText::new(
                format!(
                    "Exchange antwoordde onverwacht (HTTP {status}). Controleer de Exchange-URL."
                ),
                format!("Exchange answered unexpectedly (HTTP {status}). Check the Exchange URL."),
            ),
        },
        EwsError::ResponseTooLarge { .. } => LocalizedText::new(
            "Exchange stuurde een antwoord dat groter is dan toegestaan. Neem contact op met support.",
            "Exchange sent a response larger than allowed. Please contact support.",
        ),
        EwsError::Malformed { .. } => LocalizedText::new(
            "Het antwoord van de server is geen geldig EWS-antwoord. Controleer of de URL naar \
             /EWS/Exchange.asmx wijst en niet naar een proxy- of inlogpagina.",
            "The server's answer is not a valid EWS response. Check that the URL points to \
             /EWS/Exchange.asmx and not to a proxy or sign-in page.",
        ),
        EwsError::InvalidConfig { field, reason } => LocalizedText::new(
            format!("De Exchange-instelling {field} is ongeldig: {reason}."),
            format!("The Exchange setting {field} is invalid: {reason}."),
        ),
        EwsError::InvalidInput { .. } => LocalizedText::new(
            "Een afspraak kon niet naar Exchange worden gestuurd omdat de gegevens onvolledig zijn. \
             Neem contact op met support als dit blijft gebeuren.",
            "An appointment could not be sent to Exchange because its data is incomplete. \
             Please contact support if this keeps happening.",
        ),
        EwsError::OutcomeUnknown { .. } => LocalizedText::new(
            "De verbinding viel weg tijdens het opslaan in Exchange. ohsync controleert bij de volgende \
             synchronisatie of de afspraak is aangekomen, zodat er geen dubbele ontstaan.",
            "The connection dropped while saving to Exchange. On the next sync ohsync checks whether the \
             appointment arrived, so no duplicates are made.",
        ),
        EwsError::Response(_) | EwsError::SoapFault(_) => response_message(err),
    }
}

fn tls_message(problem: TlsProblem, host: &str) -> LocalizedText {
    match problem {
        TlsProblem::Untrusted => LocalizedText::new(
            format!(
                "Het certificaat van {host} is niet uitgegeven door een vertrouwde instantie (bijvoorbeeld \
                 zelfondertekend). Laat de beheerder een geldig certificaat installeren, of laat de \
                 ohsync-beheerder deze server uitdrukkelijk vertrouwen."
            ),
            format!(
                "The certificate of {host} is not issued by a trusted authority (for example self-signed). \
                 Have the administrator install a valid certificate, or have the ohsync operator explicitly \
                 trust this server."
            ),
        ),
        TlsProblem::Expired => LocalizedText::new(
            format!(
                "Het certificaat van {host} is verlopen. Vraag de Exchange-beheerder het te vernieuwen."
            ),
            format!(
                "The certificate of {host} has expired. Ask the Exchange administrator to renew it."
            ),
        ),
        TlsProblem::WrongHost => LocalizedText::new(
            format!(
                "Het certificaat van de server hoort niet bij {host}. Gebruik in de URL de naam die op het \
                 certificaat staat (bijvoorbeeld mail.bedrijf.nl)."
            ),
            format!(
                "The server's certificate does not belong to {host}. Use the name on the certificate in \
                 the URL (for example mail.company.com)."
            ),
        ),
        TlsProblem::Revoked => LocalizedText::new(
            format!(
                "Het certificaat van {host} is ingetrokken. Vraag de Exchange-beheerder om een nieuw certificaat."
            ),
            format!(
                "The certificate of {host} has been revoked. Ask the Exchange administrator for a new certificate."
            ),
        ),
        TlsProblem::Handshake => LocalizedText::new(
            format!(
                "Er kon geen beveiligde verbinding met {host} worden opgezet. Controleer of de server \
                 TLS 1.2 of nieuwer ondersteunt."
            ),
            format!(
                "No secure connection to {host} could be set up. Check that the server supports TLS 1.2 or newer."
            ),
        ),
    }
}

fn response_message(err: &EwsError) -> LocalizedText {
    let retry = err.retry_after().map(minutes);
    match err.code() {
        "EWS_THROTTLED" => match retry {
            Some(m) => LocalizedText::new(
                format!(
                    "Exchange is druk en vraagt om te wachten (ongeveer {m} min). ohsync gaat daarna verder."
                ),
                format!(
                    "Exchange is busy and asks to wait (about {m} min). ohsync continues after that."
                ),
            ),
            None => LocalizedText::new(
                "Exchange is druk en beperkt het aantal verzoeken. ohsync wacht en gaat daarna verder.",
                "Exchange is busy and limits the number of requests. ohsync waits and continues afterwards.",
            ),
        },
        "EWS_SYNC_STATE_INVALID" => LocalizedText::new(
            "De synchronisatiestatus bij Exchange is verlopen. ohsync leest de agenda opnieuw in en \
             koppelt bestaande afspraken; er verdwijnt niets.",
            "The synchronisation state at Exchange has expired. ohsync reads the calendar again and \
             links existing appointments; nothing is lost.",
        ),
        "EWS_SYNC_FOLDER_NOT_FOUND" => LocalizedText::new(
            "De agenda in Exchange is niet meer gevonden. Controleer of het juiste postvak is ingesteld.",
            "The calendar in Exchange can no longer be found. Check that the right mailbox is configured.",
        ),
        "EWS_ITEM_NOT_FOUND" => LocalizedText::new(
            "Een afspraak bestaat niet meer in Exchange of is niet toegankelijk.",
            "An appointment no longer exists in Exchange or is not accessible.",
        ),
        "EWS_CONFLICT" | "EWS_CHANGE_KEY_INVALID" => LocalizedText::new(
            "Een afspraak werd tegelijk in Exchange gewijzigd. ohsync leest hem opnieuw en past de \
             conflictregel toe.",
            "An appointment was changed in Exchange at the same time. ohsync reads it again and applies \
             the conflict rule.",
        ),
        "EWS_ACCESS_DENIED" => LocalizedText::new(
            "Dit account heeft geen rechten op de agenda. Geef het account volledige toegang tot het postvak.",
            "This account has no rights on the calendar. Give the account full access to the mailbox.",
        ),
        "EWS_VERSION_REJECTED" => LocalizedText::new(
            "De gekozen Exchange-versie is nieuwer dan de server. Kies bij 'Exchange versie' een oudere \
             versie (de validatie toont welke de server ondersteunt).",
            "The chosen Exchange version is newer than the server. Choose an older 'Exchange version' \
             (validation shows which one the server supports).",
        ),
        "EWS_REQUEST_REJECTED" => LocalizedText::new(
            "Exchange heeft het verzoek afgewezen. Als dit na een versiewijziging begon, kies dan een \
             oudere Exchange-versie; anders neem contact op met support.",
            "Exchange rejected the request. If this started after a version change, choose an older \
             Exchange version; otherwise contact support.",
        ),
        "EWS_MAILBOX_NOT_FOUND" => LocalizedText::new(
            "Het postvak bestaat niet. Controleer het e-mailadres van het postvak.",
            "The mailbox does not exist. Check the mailbox e-mail address.",
        ),
        "EWS_IMPERSONATION_DENIED" => LocalizedText::new(
            "Dit account mag niet namens het postvak werken. Geef het de rol ApplicationImpersonation of \
             laat het postvak leeg om het eigen postvak te gebruiken.",
            "This account may not act for the mailbox. Give it the ApplicationImpersonation role or leave \
             the mailbox empty to use its own mailbox.",
        ),
        "EWS_FIND_LIMIT_EXCEEDED" | "EWS_CALENDAR_RANGE_TOO_BIG" => LocalizedText::new(
            "De opgevraagde periode bevat te veel afspraken voor Exchange. Verklein het synchronisatievenster.",
            "The requested period holds too many appointments for Exchange. Make the sync window smaller.",
        ),
        "EWS_OCCURRENCE_NOT_FOUND" => LocalizedText::new(
            "Een herhaling van een terugkerende afspraak bestaat niet (meer).",
            "An occurrence of a recurring appointment does not exist (any more).",
        ),
        "EWS_OCCURRENCE_CROSSING_BOUNDARY" => LocalizedText::new(
            "Een herhaling kan niet naar of voorbij de dag van de vorige of volgende herhaling worden \
             verplaatst. Kies een andere datum of pas de reeks aan.",
            "An occurrence cannot be moved to or past the day of the previous or next occurrence. \
             Choose another date or change the series.",
        ),
        "EWS_QUOTA_EXCEEDED" => LocalizedText::new(
            "Het postvak is vol. Maak ruimte vrij in het postvak.",
            "The mailbox is full. Free up space in the mailbox.",
        ),
        "EWS_MAILBOX_UNAVAILABLE" => LocalizedText::new(
            "Het postvak is tijdelijk niet beschikbaar (onderhoud of verplaatsing). ohsync probeert het later opnieuw.",
            "The mailbox is temporarily unavailable (maintenance or a move). ohsync will try again later.",
        ),
        "EWS_BATCH_STOPPED" => LocalizedText::new(
            "Exchange heeft een reeks wijzigingen halverwege gestopt. ohsync probeert de rest later opnieuw.",
            "Exchange stopped a batch of changes halfway. ohsync retries the rest later.",
        ),
        "EWS_SERVER_ERROR" => LocalizedText::new(
            "Exchange meldde een interne fout. ohsync probeert het later opnieuw.",
            "Exchange reported an internal error. ohsync will try again later.",
        ),
        _ => LocalizedText::new(
            "Exchange meldde een fout. ohsync probeert het later opnieuw; neem contact op met support als \
             dit blijft gebeuren.",
            "Exchange reported an error. ohsync will try again later; contact support if this keeps happening.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{MessageXml, ResponseClass, ResponseCode, ResponseStatus};

    #[test]
    fn throttling_message_names_the_wait_in_minutes() {
        let err = EwsError::response(ResponseStatus {
            class: ResponseClass::Error,
            code: ResponseCode::ErrorServerBusy,
            message_text: None,
            message_xml: MessageXml {
                values: vec![("BackOffMilliseconds".into(), "297749".into())],
            },
        });
        let message = err.user_message();
        assert!(message.nl.contains("5 min"), "{}", message.nl);
        assert!(message.en.contains("5 min"), "{}", message.en);
    }

    #[test]
    fn every_message_has_both_languages_and_they_differ() {
        let errors = [
            EwsError::AuthFailed { scheme: "NTLM" },
            EwsError::BlockedByPolicy,
            EwsError::Tls {
                problem: TlsProblem::WrongHost,
                host: "mail.example".into(),
                detail: String::new(),
            },
            EwsError::HttpStatus {
                status: 404,
                retry_after: None,
            },
            EwsError::malformed("x"),
        ];
        for err in errors {
            let message = err.user_message();
            assert!(!message.nl.is_empty() && !message.en.is_empty());
            assert_ne!(message.nl, message.en);
        }
    }

    #[test]
    fn wrong_host_message_names_the_host() {
        let message = tls_message(TlsProblem::WrongHost, "mail.example.nl");
        assert!(message.nl.contains("mail.example.nl"));
        assert!(message.en.contains("mail.example.nl"));
    }
}
