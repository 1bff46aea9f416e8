//! Reads several routes share: the user's settings, and the sync status of their current
//! binding.

use ohsync_engine::ports::BindingScope;
use ohsync_settings::StoredSettings;

use super::path::UserPath;
use crate::error::ApiError;
use crate::state::ApiState;
use crate::wire::{LastRunView, SyncStatusView};

/// The user's settings; `settings_not_found` when never saved.
pub(crate) async fn settings(
    state: &ApiState,
    path: &UserPath,
) -> Result<StoredSettings, ApiError> {
    state
        .settings
        .get(&path.tenant, &path.user)
        .await?
        .ok_or(ApiError::SettingsNotFound)
}

/// The sync status of the settings' current binding.
pub(crate) async fn sync_status(
    state: &ApiState,
    path: &UserPath,
    stored: &StoredSettings,
    password_set: bool,
) -> Result<SyncStatusView, ApiError> {
    let scope = BindingScope {
        tenant: path.tenant.clone(),
        user: path.user.clone(),
        binding: stored.binding_id.clone(),
    };
    let binding = state.store.load(&scope).await?;
    Ok(SyncStatusView {
        active: stored.active,
        password_set,
        server_version_seen: stored.server_version_seen.clone(),
        linked_items: binding.mapping_count,
        last_run: binding.status.as_ref().map(LastRunView::from),
    })
}
