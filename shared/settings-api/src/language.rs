//! The language of an error's `text`: Dutch, unless the caller prefers English.

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;

/// The language an answer's `text` is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// Dutch, the admin screen's own language and the default.
    #[default]
    Dutch,
    /// English.
    English,
}

/// How much the caller wants one language: its quality, and where it was listed first.
#[derive(Clone, Copy, PartialEq)]
struct Preference {
    quality: f32,
    position: usize,
}

impl Preference {
    const NONE: Self = Self {
        quality: 0.0,
        position: usize::MAX,
    };

    fn beats(self, other: Self) -> bool {
        self.quality > other.quality
            || (self.quality == other.quality
                && self.quality > 0.0
                && self.position < other.position)
    }
}

/// The quality of one `Accept-Language` entry's parameters (`q=0.8`); 1 when absent, 0 when
/// unreadable, so that a malformed entry never wins.
fn quality(parameters: std::str::Split<'_, char>) -> f32 {
    let mut quality = 1.0;
    for parameter in parameters {
        let parameter = parameter.trim();
        if let Some(value) = parameter
            .strip_prefix("q=")
            .or_else(|| parameter.strip_prefix("Q="))
        {
            quality = value.trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0);
        }
    }
    quality
}

impl Language {
    /// The language for an `Accept-Language` value: English when the caller ranks English
    /// above Dutch (by quality, then by order), Dutch otherwise, also when it names neither.
    pub fn negotiate(accept_language: Option<&str>) -> Self {
        let (mut dutch, mut english) = (Preference::NONE, Preference::NONE);
        for (position, entry) in accept_language.unwrap_or_default().split(',').enumerate() {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let primary = tag.split('-').next().unwrap_or_default();
            let preference = Preference {
                quality: quality(parts),
                position,
            };
            let slot = if primary.eq_ignore_ascii_case("nl") {
                &mut dutch
            } else if primary.eq_ignore_ascii_case("en") {
                &mut english
            } else {
                continue;
            };
            if preference.beats(*slot) {
                *slot = preference;
            }
        }
        if english.beats(dutch) {
            Self::English
        } else {
            Self::Dutch
        }
    }

    /// The language a request asks for in its `Accept-Language` header.
    pub fn of_request(headers: &HeaderMap) -> Self {
        Self::negotiate(
            headers
                .get(ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok()),
        )
    }

    /// The language tag for `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Dutch => "nl",
            Self::English => "en",
        }
    }

    /// The text in this language, out of a Dutch and an English one.
    pub fn pick<'a>(self, nl: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Dutch => nl,
            Self::English => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_unless_english_is_preferred() {
        let cases = [
            (None, Language::Dutch),
            (Some(""), Language::Dutch),
            (Some("fr-FR, de;q=0.9"), Language::Dutch),
            (Some("*"), Language::Dutch),
            (Some("nl"), Language::Dutch),
            (Some("nl-BE, en;q=0.9"), Language::Dutch),
            (Some("en"), Language::English),
            (Some("en-GB"), Language::English),
            (Some("EN-us,en;q=0.9,nl;q=0.8"), Language::English),
            (Some("fr, en;q=0.5"), Language::English),
            (Some("nl;q=0.5, en;q=0.7"), Language::English),
            (Some("nl;q=0.9, en;q=0.1"), Language::Dutch),
            // Equal quality: the first listed wins.
            (Some("en, nl"), Language::English),
            (Some("nl, en"), Language::Dutch),
            // Refused or unreadable qualities do not count.
            (Some("en;q=0"), Language::Dutch),
            (Some("en;q=x"), Language::Dutch),
            (Some("en;Q=0.4, nl;q=0.3"), Language::English),
        ];
        for (header, expected) in cases {
            assert_eq!(Language::negotiate(header), expected, "{header:?}");
        }
    }

    #[test]
    fn each_language_has_its_tag_and_text() {
        assert_eq!(Language::Dutch.tag(), "nl");
        assert_eq!(Language::English.tag(), "en");
        assert_eq!(Language::English.pick("ja", "yes"), "yes");
        assert_eq!(Language::default().pick("ja", "yes"), "ja");
    }
}
