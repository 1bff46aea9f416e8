//! The body of every error answer.

use ohsync_settings::FieldError;
use serde::Serialize;
use utoipa::ToSchema;

use super::Text;

/// One problem with one input field (or, among a save's notices, one change made to it).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldErrorBody {
    /// Stable machine code, e.g. `domain_has_dots`.
    #[schema(example = "domain_has_dots")]
    pub code: &'static str,
    /// The input field, as named in the request body.
    #[schema(example = "domain")]
    pub field: &'static str,
    /// What is wrong and what to do.
    pub message: Text,
}

impl From<FieldError> for FieldErrorBody {
    fn from(error: FieldError) -> Self {
        Self {
            code: error.code,
            field: error.field,
            message: error.message.into(),
        }
    }
}

/// Every error answer has this shape.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine code; the list is in docs/SETTINGS-API.md.
    #[schema(example = "settings_not_found")]
    pub code: &'static str,
    /// The request field concerned, when there is one (`null` otherwise).
    #[schema(required = true)]
    pub field: Option<String>,
    /// What is wrong and what to do.
    pub message: Text,
    /// `message` in the language chosen by `Accept-Language`: Dutch unless English is
    /// preferred. The answer's `Content-Language` names it.
    pub text: String,
    /// For `validation_failed` only: every problem found, at once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldErrorBody>,
}
