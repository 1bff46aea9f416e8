//! `GET …/sync-status` and `POST …/sync-now`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ohsync_jobs::{JobTrigger, SyncJob};

use super::path::UserPath;
use super::{lookup, password};
use crate::error::ApiError;
use crate::state::ApiState;
use crate::wire::{ErrorBody, SyncNowAnswer, SyncStatusView};

/// The sync status of the user's current Exchange account: the last run, its counts and errors.
#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant}/users/{user}/sync-status",
    tag = "sync",
    params(UserPath),
    responses(
        (status = 200, description = "The sync status", body = SyncStatusView),
        (status = 400, description = "`user_id_invalid`", body = ErrorBody),
        (status = 404, description = "`settings_not_found`: never saved", body = ErrorBody),
        (status = 503, description = "`storage_unavailable` or `secrets_unavailable`", body = ErrorBody),
    )
)]
pub(crate) async fn sync_status(
    State(state): State<ApiState>,
    path: UserPath,
) -> Result<Json<SyncStatusView>, ApiError> {
    let stored = lookup::settings(&state, &path).await?;
    let password_set = password::stored_password(&state, &stored).await?.is_some();
    Ok(Json(
        lookup::sync_status(&state, &path, &stored, password_set).await?,
    ))
}

/// Asks for a sync run of the user now, instead of at the next five-minute tick.
#[utoipa::path(
    post,
    path = "/v1/tenants/{tenant}/users/{user}/sync-now",
    tag = "sync",
    params(UserPath),
    responses(
        (status = 202, description = "A run is queued", body = SyncNowAnswer),
        (status = 400, description = "`user_id_invalid`", body = ErrorBody),
        (status = 404, description = "`settings_not_found`: never saved", body = ErrorBody),
        (status = 409, description = "`sync_inactive`: sync is switched off", body = ErrorBody),
        (status = 503, description = "`queue_unavailable` or `storage_unavailable`", body = ErrorBody),
    )
)]
pub(crate) async fn sync_now(
    State(state): State<ApiState>,
    path: UserPath,
) -> Result<(StatusCode, Json<SyncNowAnswer>), ApiError> {
    let stored = lookup::settings(&state, &path).await?;
    if !stored.active {
        return Err(ApiError::SyncInactive);
    }
    let requested_at = state.clock.now();
    let job = SyncJob {
        tenant: path.tenant,
        user: path.user,
        trigger: JobTrigger::SyncNow { requested_at },
    };
    state.jobs.enqueue(&[job]).await?;
    Ok((StatusCode::ACCEPTED, Json(SyncNowAnswer { requested_at })))
}
