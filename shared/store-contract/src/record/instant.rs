//! Instants as RFC 3339 text in UTC with every fractional digit kept, so that they round-trip
//! exactly and sort as text.

use chrono::{DateTime, SecondsFormat, Utc};

use super::RecordError;

/// The stored text of an instant.
pub fn encode_instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Parses an instant stored by [`encode_instant`].
pub fn decode_instant(field: &'static str, raw: &str) -> Result<DateTime<Utc>, RecordError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| RecordError::field(field, e))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn nanoseconds_survive_and_garbage_is_rejected() {
        let at = Utc.timestamp_opt(1_796_000_000, 123_456_789).unwrap();
        let text = encode_instant(at);
        assert_eq!(text, "2026-11-30T00:53:20.123456789Z");
        assert_eq!(decode_instant("at", &text).unwrap(), at);
        assert!(matches!(
            decode_instant("at", "yesterday"),
            Err(RecordError::InvalidField { field: "at", .. })
        ));
    }
}
