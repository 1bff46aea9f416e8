//! A text for the user in both languages.

use ohsync_localized::LocalizedText;
use serde::Serialize;
use utoipa::ToSchema;

/// A text for the user in Dutch and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Text {
    /// Dutch.
    pub nl: String,
    /// English.
    pub en: String,
}

impl From<LocalizedText> for Text {
    fn from(text: LocalizedText) -> Self {
        Self {
            nl: text.nl.into_owned(),
            en: text.en.into_owned(),
        }
    }
}
