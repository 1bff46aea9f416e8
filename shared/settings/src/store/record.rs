//! The stored text form of a settings record, shared by the backends so that each reads the
//! other's records: the record's own JSON (serde), without the password, which is never part
//! of it.

use crate::StoredSettings;

use super::SettingsStoreError;

/// The record as stored.
pub fn encode(settings: &StoredSettings) -> Result<String, SettingsStoreError> {
    serde_json::to_string(settings)
        .map_err(|e| SettingsStoreError::Corrupt(format!("settings record not encodable: {e}")))
}

/// A stored record read back; damage is [`SettingsStoreError::Corrupt`].
pub fn decode(stored: &str) -> Result<StoredSettings, SettingsStoreError> {
    serde_json::from_str(stored)
        .map_err(|e| SettingsStoreError::Corrupt(format!("settings record: {e}")))
}
