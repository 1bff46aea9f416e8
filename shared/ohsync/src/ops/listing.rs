//! `ohsync users` and `ohsync status`: what the stores hold about users and their last runs.

use ohsync_engine::identity::{TenantId, UserId};
use ohsync_engine::ports::{BindingScope, Store};
use ohsync_engine::report::RunStatus;
use ohsync_settings::StoredSettings;
use ohsync_settings::store::{SettingsStore, Shard};

use crate::ops::OpsError;

/// One user in `ohsync users`.
#[derive(Debug, Clone)]
pub struct UserLine {
    /// The tenant.
    pub tenant: TenantId,
    /// The user.
    pub user: UserId,
    /// The settings.
    pub settings: StoredSettings,
    /// The last run's status, if any ran.
    pub last_run: Option<RunStatus>,
}

/// `ohsync status TENANT/USER`.
#[derive(Debug, Clone)]
pub struct UserStatus {
    /// The user's line.
    pub line: UserLine,
    /// Items linked between the two sides.
    pub mapping_count: u64,
}

pub(super) async fn users(
    settings: &dyn SettingsStore,
    store: &dyn Store,
    tenant: Option<&TenantId>,
) -> Result<Vec<UserLine>, OpsError> {
    let mut who: Vec<(TenantId, UserId)> = Vec::new();
    match tenant {
        Some(tenant) => {
            let mut page = None;
            loop {
                let found = settings
                    .list_tenant_users(tenant, page.as_ref())
                    .await
                    .map_err(|error| OpsError::Store(error.to_string()))?;
                who.extend(found.users.into_iter().map(|user| (tenant.clone(), user)));
                match found.next {
                    Some(next) => page = Some(next),
                    None => break,
                }
            }
        }
        None => {
            for shard in Shard::all() {
                let mut page = None;
                loop {
                    let found = settings
                        .active_users(shard, page.as_ref())
                        .await
                        .map_err(|error| OpsError::Store(error.to_string()))?;
                    who.extend(found.users);
                    match found.next {
                        Some(next) => page = Some(next),
                        None => break,
                    }
                }
            }
        }
    }
    who.sort();
    let mut lines = Vec::with_capacity(who.len());
    for (tenant, user) in who {
        // A user can leave between the listing and this read: skip rather than fail.
        if let Some(status) = read(settings, store, &tenant, &user).await? {
            lines.push(status.line);
        }
    }
    Ok(lines)
}

pub(super) async fn status(
    settings: &dyn SettingsStore,
    store: &dyn Store,
    tenant: &TenantId,
    user: &UserId,
) -> Result<UserStatus, OpsError> {
    read(settings, store, tenant, user)
        .await?
        .ok_or_else(|| OpsError::NotFound(format!("{tenant}/{user}")))
}

async fn read(
    settings: &dyn SettingsStore,
    store: &dyn Store,
    tenant: &TenantId,
    user: &UserId,
) -> Result<Option<UserStatus>, OpsError> {
    let Some(stored) = settings
        .get(tenant, user)
        .await
        .map_err(|error| OpsError::Store(error.to_string()))?
    else {
        return Ok(None);
    };
    let scope = BindingScope {
        tenant: tenant.clone(),
        user: user.clone(),
        binding: stored.binding_id.clone(),
    };
    let state = store
        .load(&scope)
        .await
        .map_err(|error| OpsError::Store(error.to_string()))?;
    Ok(Some(UserStatus {
        mapping_count: state.mapping_count,
        line: UserLine {
            tenant: tenant.clone(),
            user: user.clone(),
            settings: stored,
            last_run: state.status,
        },
    }))
}
