//! `POST …/exchange-settings/validate`: static checks, then the live check. Nothing is stored.

use axum::Json;
use axum::extract::State;
use ohsync_settings::validate;
use secrecy::SecretString;

use super::password;
use super::path::UserPath;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::ApiState;
use crate::wire::{ErrorBody, ExchangeSettingsBody, LiveCheckAnswer};

/// Checks settings without saving them: every static rule first, then each live step against
/// the Exchange server (with the password given, or else the stored one).
#[utoipa::path(
    post,
    path = "/v1/tenants/{tenant}/users/{user}/exchange-settings/validate",
    tag = "settings",
    params(UserPath),
    request_body = ExchangeSettingsBody,
    responses(
        (status = 200, description = "The live check ran; each step's outcome (a failed step is reported here, not as an error)", body = LiveCheckAnswer),
        (status = 400, description = "`body_invalid` or `user_id_invalid`", body = ErrorBody),
        (status = 413, description = "`body_too_large`", body = ErrorBody),
        (status = 422, description = "`validation_failed`, with every problem; without a password: `password_required` when none is stored, `password_required_for_new_account` when the settings name another server or account than the stored password's", body = ErrorBody),
        (status = 503, description = "`storage_unavailable` or `secrets_unavailable` (reading the stored password)", body = ErrorBody),
    )
)]
pub(crate) async fn validate_settings(
    State(state): State<ApiState>,
    path: UserPath,
    JsonBody(body): JsonBody<ExchangeSettingsBody>,
) -> Result<Json<LiveCheckAnswer>, ApiError> {
    let validated = validate(body.into(), &state.operator).map_err(ApiError::ValidationFailed)?;
    let stored_password: SecretString;
    let password = match &validated.password {
        Some(password) => password,
        None => {
            let stored = state
                .settings
                .get(&path.tenant, &path.user)
                .await?
                .ok_or_else(password::password_required)?;
            stored_password = password::reusable_password(&state, &stored, &validated).await?;
            &stored_password
        }
    };
    let report = state.live_checker.check(&validated, password).await;
    Ok(Json(report.into()))
}
