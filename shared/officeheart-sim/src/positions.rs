//! Encoding of the simulator's opaque tokens: change-feed cursors and listing page tokens.
//!
//! Both are base64url text so that clients cannot be tempted to parse them; the simulator parses
//! them strictly and refuses anything it did not produce.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use ohsync_officeheart::{AppointmentId, Cursor, PageToken, TimeWindow};

const CURSOR_TAG: &str = "oh1";
const PAGE_TAG: &str = "p1";

/// A position in one agenda's change log: the log's epoch and a sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FeedPosition {
    /// Identifies the log instance; a cursor from another instance (a restarted simulator,
    /// another user) is not a position in this log.
    pub epoch: u32,
    /// The last sequence number the holder has seen.
    pub seq: u64,
}

impl FeedPosition {
    pub fn encode(self) -> Cursor {
        encode(&format!("{CURSOR_TAG}:{:08x}:{}", self.epoch, self.seq))
    }

    pub fn decode(cursor: &str) -> Option<Self> {
        let text = decode(cursor)?;
        let mut parts = text.split(':');
        let (Some(CURSOR_TAG), Some(epoch), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        Some(Self {
            epoch: u32::from_str_radix(epoch, 16).ok()?,
            seq: seq.parse().ok()?,
        })
    }
}

/// Where a window listing continues: after the appointment with this start and id, within
/// exactly this window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListingPosition {
    pub window: TimeWindow,
    pub after_start: DateTime<Utc>,
    pub after_id: AppointmentId,
}

impl ListingPosition {
    pub fn encode(&self) -> PageToken {
        let instant = |at: DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::Nanos, true);
        encode(&format!(
            "{PAGE_TAG}|{}|{}|{}|{}",
            instant(self.window.from()),
            instant(self.window.to()),
            instant(self.after_start),
            self.after_id
        ))
    }

    pub fn decode(token: &str) -> Option<Self> {
        let text = decode(token)?;
        let mut parts = text.splitn(5, '|');
        let (Some(PAGE_TAG), Some(from), Some(to), Some(after_start), Some(after_id)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let instant = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|at| at.to_utc())
        };
        Some(Self {
            window: TimeWindow::new(instant(from)?, instant(to)?).ok()?,
            after_start: instant(after_start)?,
            after_id: AppointmentId::new(after_id).ok()?,
        })
    }
}

fn encode<T: std::str::FromStr>(text: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    // Base64url output is visible ASCII of bounded length, which is all these types require.
    match URL_SAFE_NO_PAD.encode(text).parse() {
        Ok(token) => token,
        Err(error) => unreachable!("base64url text is a valid token: {error:?}"),
    }
}

fn decode(token: &str) -> Option<String> {
    String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_foreign_text() {
        let position = FeedPosition {
            epoch: 0x5e1c_0a2b,
            seq: 5,
        };
        assert_eq!(
            position.encode().as_str(),
            "b2gxOjVlMWMwYTJiOjU",
            "the contract's example cursor"
        );
        assert_eq!(
            FeedPosition::decode(position.encode().as_str()),
            Some(position)
        );
        for foreign in [
            "",
            "5",
            "b2gxOjVlMWMwYTJi",
            "not base64!",
            &URL_SAFE_NO_PAD.encode("oh1:zz:1"),
        ] {
            assert_eq!(FeedPosition::decode(foreign), None, "{foreign}");
        }
    }

    #[test]
    fn page_tokens_round_trip_with_ids_containing_separators() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        let position = ListingPosition {
            window: TimeWindow::new(at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"))
                .unwrap(),
            after_start: at("2026-03-02T08:00:00.123456789Z"),
            after_id: AppointmentId::new("a|b").unwrap(),
        };
        assert_eq!(
            ListingPosition::decode(position.encode().as_str()),
            Some(position)
        );
    }
}
