//! The settings record names the password's secret as text; the Secrets port takes it parsed.

use ohsync_engine::ports::{SecretName, SecretRef, SecretVersionId};
use ohsync_settings::SecretRef as StoredSecretRef;

use crate::error::ApiError;

/// The port's reference for a stored one; a malformed stored reference is a damaged record.
pub(crate) fn parse(stored: &StoredSecretRef) -> Result<SecretRef, ApiError> {
    let damaged = |error| ApiError::Internal(format!("stored secret reference: {error}"));
    Ok(SecretRef {
        name: SecretName::parse(&stored.name).map_err(damaged)?,
        version_id: SecretVersionId::parse(&stored.version_id).map_err(damaged)?,
    })
}

/// The stored form of a reference the port answered.
pub(crate) fn stored(reference: &SecretRef) -> StoredSecretRef {
    StoredSecretRef {
        name: reference.name.as_str().to_owned(),
        version_id: reference.version_id.as_str().to_owned(),
    }
}
