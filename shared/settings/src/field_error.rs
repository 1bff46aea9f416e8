//! What the settings API answers about one field: a stable code, the field, and a message in
//! Dutch and English.

use ohsync_localized::LocalizedText;
use serde::Serialize;

/// One problem with one field (or, in [`crate::ValidatedSettings::notices`], one change
/// validation made to it), in the shape the settings API returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Stable machine code, e.g. `domain_has_dots`.
    pub code: &'static str,
    /// The input field it concerns, as named in the API, e.g. `domain`.
    pub field: &'static str,
    /// What is wrong and what to do, for the user.
    pub message: LocalizedText,
}
