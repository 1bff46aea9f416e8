//! `PUT`, `GET` and `DELETE …/exchange-settings`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ohsync_engine::ports::SecretName;
use ohsync_settings::{StoredSettings, binding_changed, validate};

use super::path::UserPath;
use super::precondition::{IfMatch, etag};
use super::{lookup, password};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::secret_ref;
use crate::state::ApiState;
use crate::wire::{
    ErrorBody, ExchangeSettingsBody, ExchangeSettingsView, SaveAnswer, SettingsAnswer, Text,
};

/// What moving to another Exchange account means for the user.
fn binding_change_text() -> Text {
    Text {
        nl: "Dit is een ander Exchange-account dan voorheen. De synchronisatie begint opnieuw \
             voor het nieuwe account: afspraken die aan beide kanten al bestaan, worden aan \
             elkaar gekoppeld in plaats van verdubbeld. De koppelingen met het oude account \
             worden niet meer gebruikt en later opgeruimd. Er wordt niets verwijderd: de \
             afspraken in OfficeHeart en in de oude Exchange-agenda blijven staan."
            .into(),
        en: "This is another Exchange account than before. Sync starts afresh for the new \
             account: appointments that already exist on both sides are linked rather than \
             duplicated. The links with the old account are no longer used and are cleared \
             later. Nothing is deleted: the appointments in OfficeHeart and in the old Exchange \
             calendar stay where they are."
            .into(),
    }
}

/// Saves the user's Exchange settings: validated, the password (when given) stored as a new
/// secret version, the record written only over the version read.
#[utoipa::path(
    put,
    path = "/v1/tenants/{tenant}/users/{user}/exchange-settings",
    tag = "settings",
    params(UserPath, IfMatch),
    request_body = ExchangeSettingsBody,
    responses(
        (status = 200, description = "Saved over earlier settings", body = SaveAnswer,
            headers(("ETag" = String, description = "The new settings_version, quoted"))),
        (status = 201, description = "Saved for the first time", body = SaveAnswer,
            headers(("ETag" = String, description = "The new settings_version, quoted"))),
        (status = 400, description = "`body_invalid` or `user_id_invalid`", body = ErrorBody),
        (status = 409, description = "`settings_conflict`: changed since read, or not the If-Match version; nothing was written", body = ErrorBody),
        (status = 413, description = "`body_too_large`", body = ErrorBody),
        (status = 422, description = "`validation_failed`, with every problem; without a password: `password_required` when none is stored, `password_required_for_new_account` when the settings name another server or account than the stored password's", body = ErrorBody),
        (status = 503, description = "`storage_unavailable` or `secrets_unavailable`", body = ErrorBody),
    )
)]
pub(crate) async fn put_settings(
    State(state): State<ApiState>,
    path: UserPath,
    if_match: IfMatch,
    JsonBody(body): JsonBody<ExchangeSettingsBody>,
) -> Result<Response, ApiError> {
    let validated = validate(body.into(), &state.operator).map_err(ApiError::ValidationFailed)?;
    let existing = state.settings.get(&path.tenant, &path.user).await?;
    let expected_version = existing.as_ref().map(|stored| stored.settings_version);
    if_match.check(expected_version)?;
    let new_secret = match &validated.password {
        Some(password) => {
            let name = SecretName::exchange_password(&path.tenant, &path.user);
            Some(secret_ref::stored(
                &state.secrets.write(&name, password).await?,
            ))
        }
        None => None,
    };
    let now = state.clock.now();
    let saved = match (&existing, new_secret) {
        (None, None) => return Err(password::password_required()),
        (None, Some(secret)) => {
            StoredSettings::new(&path.tenant, &path.user, &validated, secret, now)
        }
        (Some(old), new_secret) => {
            if new_secret.is_none() {
                password::reusable_password(&state, old, &validated).await?;
            }
            old.updated(&path.tenant, &path.user, &validated, new_secret, now)
        }
    }
    .map_err(|error| ApiError::Internal(format!("binding id: {error}")))?;
    state
        .settings
        .put(&path.tenant, &path.user, &saved, expected_version)
        .await?;
    let changed = existing
        .as_ref()
        .is_some_and(|old| binding_changed(old, &saved));
    let answer = SaveAnswer {
        settings: ExchangeSettingsView::new(&saved, true),
        binding_changed: changed,
        binding_change: changed.then(binding_change_text),
        notices: validated.notices.into_iter().map(Into::into).collect(),
    };
    let status = if existing.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, [etag(saved.settings_version)], Json(answer)).into_response())
}

/// The user's Exchange settings (never the password) and their sync status.
#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant}/users/{user}/exchange-settings",
    tag = "settings",
    params(UserPath),
    responses(
        (status = 200, description = "The settings and the sync status", body = SettingsAnswer,
            headers(("ETag" = String, description = "The settings_version, quoted"))),
        (status = 400, description = "`user_id_invalid`", body = ErrorBody),
        (status = 404, description = "`settings_not_found`: never saved", body = ErrorBody),
        (status = 503, description = "`storage_unavailable` or `secrets_unavailable`", body = ErrorBody),
    )
)]
pub(crate) async fn get_settings(
    State(state): State<ApiState>,
    path: UserPath,
) -> Result<Response, ApiError> {
    let stored = lookup::settings(&state, &path).await?;
    let password_set = password::stored_password(&state, &stored).await?.is_some();
    let answer = SettingsAnswer {
        settings: ExchangeSettingsView::new(&stored, password_set),
        status: lookup::sync_status(&state, &path, &stored, password_set).await?,
    };
    Ok(([etag(stored.settings_version)], Json(answer)).into_response())
}

/// Switches the user's sync off and deletes the stored password. The settings record stays
/// (inactive), and so do the links between appointments, until retired.
#[utoipa::path(
    delete,
    path = "/v1/tenants/{tenant}/users/{user}/exchange-settings",
    tag = "settings",
    params(UserPath, IfMatch),
    responses(
        (status = 204, description = "Switched off, password deleted (also when it already was)"),
        (status = 400, description = "`user_id_invalid`", body = ErrorBody),
        (status = 404, description = "`settings_not_found`: never saved", body = ErrorBody),
        (status = 409, description = "`settings_conflict`: changed since read, or not the If-Match version", body = ErrorBody),
        (status = 503, description = "`storage_unavailable` or `secrets_unavailable`", body = ErrorBody),
    )
)]
pub(crate) async fn delete_settings(
    State(state): State<ApiState>,
    path: UserPath,
    if_match: IfMatch,
) -> Result<StatusCode, ApiError> {
    let stored = lookup::settings(&state, &path).await?;
    if_match.check(Some(stored.settings_version))?;
    if stored.active {
        // Off first: the scheduler stops picking the user up before the password goes.
        let switched_off = StoredSettings {
            active: false,
            settings_version: stored.settings_version.saturating_add(1),
            updated_at: state.clock.now(),
            ..stored.clone()
        };
        state
            .settings
            .put(
                &path.tenant,
                &path.user,
                &switched_off,
                Some(stored.settings_version),
            )
            .await?;
    }
    let name = SecretName::exchange_password(&path.tenant, &path.user);
    state.secrets.delete(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}
