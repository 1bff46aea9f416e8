//! Every error answer of the API: one type, a stable code, the field, and a Dutch and English
//! message. Handlers return [`ApiError`]; its response is rendered by [`render::render_errors`]
//! in the language the request asks for.

mod code;
mod from_ports;
pub(crate) mod render;

use axum::response::{IntoResponse, Response};
use ohsync_settings::FieldError;

use crate::body::BODY_LIMIT;
use crate::wire::Text;

pub use code::ApiErrorCode;

/// The longest caller-supplied field name repeated in an answer.
const SHOWN_NAME_MAX: usize = 64;

/// What is wrong with a request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyProblem {
    /// Not JSON (or empty, or with text after the value).
    NotJson,
    /// JSON, but not an object.
    NotAnObject,
    /// A field the API does not know (the name, shortened).
    UnknownField(String),
    /// A field whose value has the wrong type (the field's name).
    WrongType(String),
}

/// A failed request. The details of unavailable or internal failures go to the log, never into
/// the answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// No bearer token, or not a valid one.
    #[error("no valid bearer token")]
    Unauthenticated,
    /// A valid token, but not for the tenant in the path.
    #[error("the token is not for this tenant")]
    TenantForbidden,
    /// No such path.
    #[error("no such path")]
    RouteNotFound,
    /// The path exists, but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The user id in the path is not a valid id.
    #[error("the user id in the path is not valid")]
    UserIdInvalid,
    /// The body could not be read as the expected JSON.
    #[error("the request body is invalid: {0:?}")]
    BodyInvalid(BodyProblem),
    /// The body is larger than [`BODY_LIMIT`].
    #[error("the request body is larger than {BODY_LIMIT} bytes")]
    BodyTooLarge,
    /// The settings break these rules.
    #[error("the settings break {} rule(s)", .0.len())]
    ValidationFailed(Vec<FieldError>),
    /// No settings were ever saved for the user.
    #[error("no settings saved for the user")]
    SettingsNotFound,
    /// The settings changed since they were read.
    #[error("the settings changed since they were read")]
    SettingsConflict,
    /// Sync is switched off for the user.
    #[error("sync is switched off for the user")]
    SyncInactive,
    /// The settings or sync-state store did not answer.
    #[error("the store is unavailable: {0}")]
    StorageUnavailable(String),
    /// The password store did not answer.
    #[error("the secret store is unavailable: {0}")]
    SecretsUnavailable(String),
    /// The job queue did not take the job.
    #[error("the job queue is unavailable: {0}")]
    QueueUnavailable(String),
    /// Something that should not fail did.
    #[error("internal error: {0}")]
    Internal(String),
}

fn text(nl: impl Into<String>, en: impl Into<String>) -> Text {
    Text {
        nl: nl.into(),
        en: en.into(),
    }
}

/// A caller-supplied name, shortened so that an answer never repeats much of a body.
fn shown(name: &str) -> String {
    name.chars().take(SHOWN_NAME_MAX).collect()
}

impl ApiError {
    /// A body with an unknown field.
    pub fn unknown_field(name: &str) -> Self {
        Self::BodyInvalid(BodyProblem::UnknownField(shown(name)))
    }

    /// A body with a field of the wrong type.
    pub fn wrong_type(name: &str) -> Self {
        Self::BodyInvalid(BodyProblem::WrongType(shown(name)))
    }

    /// The stable code.
    pub fn code(&self) -> ApiErrorCode {
        match self {
            Self::Unauthenticated => ApiErrorCode::Unauthenticated,
            Self::TenantForbidden => ApiErrorCode::TenantForbidden,
            Self::RouteNotFound => ApiErrorCode::RouteNotFound,
            Self::MethodNotAllowed => ApiErrorCode::MethodNotAllowed,
            Self::UserIdInvalid => ApiErrorCode::UserIdInvalid,
            Self::BodyInvalid(_) => ApiErrorCode::BodyInvalid,
            Self::BodyTooLarge => ApiErrorCode::BodyTooLarge,
            Self::ValidationFailed(_) => ApiErrorCode::ValidationFailed,
            Self::SettingsNotFound => ApiErrorCode::SettingsNotFound,
            Self::SettingsConflict => ApiErrorCode::SettingsConflict,
            Self::SyncInactive => ApiErrorCode::SyncInactive,
            Self::StorageUnavailable(_) => ApiErrorCode::StorageUnavailable,
            Self::SecretsUnavailable(_) => ApiErrorCode::SecretsUnavailable,
            Self::QueueUnavailable(_) => ApiErrorCode::QueueUnavailable,
            Self::Internal(_) => ApiErrorCode::Internal,
        }
    }

    /// The request field concerned, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::UserIdInvalid => Some("user"),
            Self::BodyInvalid(BodyProblem::UnknownField(name) | BodyProblem::WrongType(name)) => {
                Some(name)
            }
            _ => None,
        }
    }

    /// What is wrong and what to do, in Dutch and English.
    pub(crate) fn message(&self) -> Text {
        match self {
            Self::Unauthenticated => text(
                "Meld u aan met een geldig toegangstoken (Authorization: Bearer …).",
                "Authenticate with a valid access token (Authorization: Bearer …).",
            ),
            Self::TenantForbidden => text(
                "Dit toegangstoken geeft geen toegang tot deze klant.",
                "This access token gives no access to this tenant.",
            ),
            Self::RouteNotFound => text(
                "Dit adres bestaat niet in de instellingen-API van ohsync.",
                "This address does not exist in the ohsync settings API.",
            ),
            Self::MethodNotAllowed => text(
                "Deze methode is op dit adres niet toegestaan.",
                "This method is not allowed at this address.",
            ),
            Self::UserIdInvalid => text(
                "De gebruikers-id in het adres is ongeldig: gebruik 1 tot 128 letters, cijfers \
                 of de tekens - _ . @.",
                "The user id in the address is invalid: use 1 to 128 letters, digits or the \
                 characters - _ . @.",
            ),
            Self::BodyInvalid(BodyProblem::NotJson) => text(
                "De inhoud van het verzoek is geen geldige JSON.",
                "The request body is not valid JSON.",
            ),
            Self::BodyInvalid(BodyProblem::NotAnObject) => text(
                "De inhoud van het verzoek moet een JSON-object zijn.",
                "The request body must be a JSON object.",
            ),
            Self::BodyInvalid(BodyProblem::UnknownField(name)) => text(
                format!("Het veld '{name}' bestaat niet. Controleer de schrijfwijze."),
                format!("There is no field '{name}'. Check the spelling."),
            ),
            Self::BodyInvalid(BodyProblem::WrongType(name)) => text(
                format!(
                    "Het veld '{name}' heeft een verkeerd type. Zie de API-beschrijving \
                     (/v1/openapi.json)."
                ),
                format!(
                    "The field '{name}' has the wrong type. See the API description \
                     (/v1/openapi.json)."
                ),
            ),
            Self::BodyTooLarge => text(
                format!(
                    "De inhoud van het verzoek is groter dan {} KiB.",
                    BODY_LIMIT / 1024
                ),
                format!("The request body is larger than {} KiB.", BODY_LIMIT / 1024),
            ),
            Self::ValidationFailed(errors) => text(
                format!(
                    "De instellingen zijn niet opgeslagen: {} veld(en) moeten worden verbeterd \
                     (zie errors).",
                    errors.len()
                ),
                format!(
                    "The settings were not saved: {} field(s) need correcting (see errors).",
                    errors.len()
                ),
            ),
            Self::SettingsNotFound => text(
                "Voor deze gebruiker zijn nog geen Exchange-instellingen opgeslagen.",
                "No Exchange settings have been saved for this user yet.",
            ),
            Self::SettingsConflict => text(
                "De instellingen zijn intussen gewijzigd. Laad ze opnieuw en sla uw wijziging \
                 dan nog eens op.",
                "The settings were changed in the meantime. Load them again, then save your \
                 change once more.",
            ),
            Self::SyncInactive => text(
                "De synchronisatie staat voor deze gebruiker uit. Zet Actief aan om te \
                 synchroniseren.",
                "Sync is switched off for this user. Switch Active on to sync.",
            ),
            Self::StorageUnavailable(_) => text(
                "De opslag van ohsync is even niet bereikbaar. Probeer het over een minuut \
                 opnieuw.",
                "ohsync's storage is briefly unavailable. Try again in a minute.",
            ),
            Self::SecretsUnavailable(_) => text(
                "De wachtwoordkluis van ohsync is even niet bereikbaar. Probeer het over een \
                 minuut opnieuw.",
                "ohsync's password store is briefly unavailable. Try again in a minute.",
            ),
            Self::QueueUnavailable(_) => text(
                "De synchronisatie kon nu niet worden ingepland. Probeer het over een minuut \
                 opnieuw.",
                "The sync could not be scheduled now. Try again in a minute.",
            ),
            Self::Internal(_) => text(
                "Er ging iets mis in ohsync. Probeer het later opnieuw; blijft het misgaan, \
                 neem dan contact op met support.",
                "Something went wrong in ohsync. Try again later; if it keeps failing, \
                 contact support.",
            ),
        }
    }

    /// Logs what the answer leaves out: the cause of an unavailable or internal failure.
    fn log(&self) {
        let code = self.code().as_str();
        match self {
            Self::StorageUnavailable(detail)
            | Self::SecretsUnavailable(detail)
            | Self::QueueUnavailable(detail) => {
                tracing::warn!(code, detail = %detail, "a dependency is unavailable");
            }
            Self::Internal(detail) => tracing::error!(code, detail = %detail, "internal error"),
            _ => tracing::debug!(code, "request refused"),
        }
    }

    /// One example of every error, for the documentation table.
    #[cfg(test)]
    pub(crate) fn catalogue() -> Vec<Self> {
        use ohsync_settings::Problem;
        vec![
            Self::Unauthenticated,
            Self::TenantForbidden,
            Self::RouteNotFound,
            Self::MethodNotAllowed,
            Self::UserIdInvalid,
            Self::BodyInvalid(BodyProblem::NotJson),
            Self::BodyInvalid(BodyProblem::NotAnObject),
            Self::unknown_field("pasword"),
            Self::wrong_type("active"),
            Self::BodyTooLarge,
            Self::ValidationFailed(vec![Problem::UrlEmpty.into(), Problem::DomainEmpty.into()]),
            Self::SettingsNotFound,
            Self::SettingsConflict,
            Self::SyncInactive,
            Self::StorageUnavailable(String::new()),
            Self::SecretsUnavailable(String::new()),
            Self::QueueUnavailable(String::new()),
            Self::Internal(String::new()),
        ]
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        let mut response = self.code().status().into_response();
        response
            .extensions_mut()
            .insert(render::UnrenderedError(self));
        response
    }
}
