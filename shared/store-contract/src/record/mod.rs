//! The stored form of the store port's values: the rules every backend shares for parsing what
//! it reads back. Backends keep ids as text and hashes as bytes in their own columns or
//! attributes, and the run status as one JSON document.

mod entries;
mod instant;
mod status;

pub use entries::{IntentRecord, MappingRecord, decode_unconfirmed_item};
pub use instant::{decode_instant, encode_instant};
pub use status::{decode_status, encode_status};

use ohsync_engine::ports::StoreError;

/// A stored value that does not parse back into the port's types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// A field holds a value its type rejects.
    #[error("stored field {field} is invalid: {reason}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// The run status document does not parse.
    #[error("stored run status is invalid: {0}")]
    InvalidStatus(String),
}

impl RecordError {
    pub(crate) fn field(field: &'static str, reason: impl ToString) -> Self {
        Self::InvalidField {
            field,
            reason: reason.to_string(),
        }
    }
}

impl From<RecordError> for StoreError {
    fn from(error: RecordError) -> Self {
        Self::Corrupt(error.to_string())
    }
}
