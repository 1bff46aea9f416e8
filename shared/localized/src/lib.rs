//! A text for the user in Dutch and English.
//!
//! The texts ohsync gives a user (an EWS or OfficeHeart error explained, an engine error code, a
//! worker failure, a validation problem, a live-check step) all come in both languages, so they
//! share one type. Its parts are `Cow`s because most texts are fixed, and those can then live in
//! consts and tables without an allocation, while texts that name a host or a count own theirs.

use std::borrow::Cow;
use std::fmt;

/// A text for the user, in Dutch (`nl`) and English (`en`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LocalizedText {
    /// Dutch.
    pub nl: Cow<'static, str>,
    /// English.
    pub en: Cow<'static, str>,
}

impl LocalizedText {
    /// A fixed text; `const` so that consts and macro-generated tables can hold one.
    pub const fn from_static(nl: &'static str, en: &'static str) -> Self {
        Self {
            nl: Cow::Borrowed(nl),
            en: Cow::Borrowed(en),
        }
    }

    /// A text from fixed or formatted parts (a literal is borrowed, a `String` kept).
    pub fn new(nl: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> Self {
        Self {
            nl: nl.into(),
            en: en.into(),
        }
    }
}

/// Both languages on one line, for logs and command-line output.
impl fmt::Display for LocalizedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.nl, self.en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXED: LocalizedText = LocalizedText::from_static("Hallo", "Hello");

    #[test]
    fn display_shows_dutch_then_english() {
        assert_eq!(FIXED.to_string(), "Hallo / Hello");
    }

    #[test]
    fn a_fixed_and_a_formatted_text_with_the_same_words_are_equal() {
        let formatted = LocalizedText::new(format!("Hal{}", "lo"), String::from("Hello"));
        assert!(matches!(formatted.nl, Cow::Owned(_)));
        assert_eq!(formatted, FIXED);
    }

    #[test]
    fn serializes_as_an_object_with_nl_and_en() {
        let json = serde_json::to_string(&LocalizedText::new("één", "one")).unwrap();
        assert_eq!(json, r#"{"nl":"één","en":"one"}"#);
    }
}
