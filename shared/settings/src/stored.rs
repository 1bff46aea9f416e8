//! What is persisted per user: the settings without the password, the secret's reference, and
//! the binding they make.

use chrono::{DateTime, Utc};
use ohsync_engine::identity::{BindingId, IdError, TenantId, UserId};
use ohsync_engine::reconcile::SyncPolicy;
use serde::{Deserialize, Serialize};

use crate::{ExchangeAccount, SyncChoices, ValidatedSettings};

/// Where the password lives in Secrets Manager; the version id keys the worker's cache, so a
/// new password is never served from a stale cache entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretRef {
    /// The secret's name or ARN.
    pub name: String,
    /// The secret version holding the current password.
    pub version_id: String,
}

/// The settings record of one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSettings {
    /// Sync on/off.
    pub active: bool,
    /// The account (URL, version, domain, user name, mailbox).
    #[serde(flatten)]
    pub account: ExchangeAccount,
    /// Conflict policy, direction and window.
    #[serde(flatten)]
    pub sync: SyncChoices,
    /// The password's place in Secrets Manager.
    pub secret_ref: SecretRef,
    /// Incremented by every save; writes are conditional on it.
    pub settings_version: u64,
    /// The binding the account makes; sync state and mappings belong to it.
    #[serde(with = "crate::serde_text::binding")]
    pub binding_id: BindingId,
    /// The server's `ServerVersionInfo` as last seen, for reporting a mismatch.
    pub server_version_seen: Option<String>,
    /// When the settings were last saved.
    pub updated_at: DateTime<Utc>,
}

impl StoredSettings {
    /// The first record for `user`.
    pub fn new(
        tenant: &TenantId,
        user: &UserId,
        validated: &ValidatedSettings,
        secret_ref: SecretRef,
        updated_at: DateTime<Utc>,
    ) -> Result<Self, IdError> {
        Ok(Self {
            active: validated.active,
            account: validated.account.clone(),
            sync: validated.sync,
            secret_ref,
            settings_version: 1,
            binding_id: validated.account.binding_id(tenant, user)?,
            server_version_seen: None,
            updated_at,
        })
    }

    /// The record after saving `validated` over this one: the next version, the new secret
    /// version when a password was given, and the server version seen kept only while the
    /// binding stays the same (another account may be another server).
    pub fn updated(
        &self,
        tenant: &TenantId,
        user: &UserId,
        validated: &ValidatedSettings,
        new_secret: Option<SecretRef>,
        updated_at: DateTime<Utc>,
    ) -> Result<Self, IdError> {
        let binding_id = validated.account.binding_id(tenant, user)?;
        let server_version_seen = if binding_id == self.binding_id {
            self.server_version_seen.clone()
        } else {
            None
        };
        Ok(Self {
            active: validated.active,
            account: validated.account.clone(),
            sync: validated.sync,
            secret_ref: new_secret.unwrap_or_else(|| self.secret_ref.clone()),
            settings_version: self.settings_version.saturating_add(1),
            binding_id,
            server_version_seen,
            updated_at,
        })
    }

    /// The engine's policy for these settings.
    pub fn sync_policy(&self) -> SyncPolicy {
        self.sync.sync_policy()
    }
}

/// Whether saving `new` over `old` moves the user to another binding (another account), so
/// that the old binding's sync state and mappings must not be used for it.
pub fn binding_changed(old: &StoredSettings, new: &StoredSettings) -> bool {
    old.binding_id != new.binding_id
}
