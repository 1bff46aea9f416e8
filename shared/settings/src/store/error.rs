//! Why a settings store call failed.

use ohsync_engine::ports::StoreError;

/// A failed settings store call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsStoreError {
    /// The stored record is not at the expected version (or exists where none was expected):
    /// someone saved in between. Nothing was written.
    #[error("the settings changed since they were read")]
    Conflict,
    /// The store could not be reached or did not answer.
    #[error("the settings store could not be reached or did not answer: {0}")]
    Unavailable(String),
    /// A stored record could not be understood.
    #[error("a stored settings record could not be read: {0}")]
    Corrupt(String),
}

impl SettingsStoreError {
    /// Whether trying again can succeed without anyone changing anything: an unavailable store
    /// may answer later. A conflict needs a fresh read first, so it is not retryable as is.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

// The backends share their request plumbing (retries, SQLite calls) with the binding store,
// whose errors carry the same three meanings.
impl From<StoreError> for SettingsStoreError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict => Self::Conflict,
            StoreError::Unavailable(detail) => Self::Unavailable(detail),
            StoreError::Corrupt(detail) => Self::Corrupt(detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_unavailable_store_is_worth_retrying_unchanged() {
        assert!(SettingsStoreError::Unavailable("timeout".into()).is_retryable());
        assert!(!SettingsStoreError::Conflict.is_retryable());
        assert!(!SettingsStoreError::Corrupt("bad json".into()).is_retryable());
        assert_eq!(
            SettingsStoreError::from(StoreError::Corrupt("x".into())),
            SettingsStoreError::Corrupt("x".into())
        );
        assert_eq!(
            SettingsStoreError::from(StoreError::Conflict),
            SettingsStoreError::Conflict
        );
    }
}
