//! What the ports' failures mean for an answer.

use ohsync_engine::ports::{SecretsError, StoreError};
use ohsync_jobs::JobQueueError;
use ohsync_settings::store::SettingsStoreError;

use super::ApiError;

impl From<SettingsStoreError> for ApiError {
    fn from(error: SettingsStoreError) -> Self {
        match error {
            SettingsStoreError::Conflict => Self::SettingsConflict,
            SettingsStoreError::Unavailable(detail) => Self::StorageUnavailable(detail),
            SettingsStoreError::Corrupt(_) => Self::Internal(error.to_string()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            // The API only reads the binding store, so a conflict cannot mean a lost write.
            StoreError::Unavailable(_) | StoreError::Conflict => {
                Self::StorageUnavailable(error.to_string())
            }
            StoreError::Corrupt(_) => Self::Internal(error.to_string()),
        }
    }
}

impl From<SecretsError> for ApiError {
    fn from(error: SecretsError) -> Self {
        match error {
            SecretsError::Unavailable(detail) => Self::SecretsUnavailable(detail),
            // NotFound is answered by the callers that expect it; here it is a fault.
            SecretsError::NotFound | SecretsError::AccessDenied | SecretsError::Invalid(_) => {
                Self::Internal(format!("secret store: {error}"))
            }
        }
    }
}

impl From<JobQueueError> for ApiError {
    fn from(error: JobQueueError) -> Self {
        Self::QueueUnavailable(error.to_string())
    }
}
