//! Time zones: Exchange names them by Windows id, the engine by IANA name; CLDR's
//! windowsZones mapping (checked in as [`super::windows_zones`]) translates between them.

use chrono_tz::Tz;
use ohsync_ews::CalendarItem;

use super::windows_zones::{IANA_TO_WINDOWS, WINDOWS_TO_IANA};

/// The id Exchange 2013 and later use for UTC in `StartTimeZoneId` (sample getitem_calendaritem_response_7).
const MICROSOFT_UTC: &str = "tzone://Microsoft/Utc";
/// The Windows id of UTC.
const WINDOWS_UTC: &str = "UTC";

fn lookup<'a>(table: &'a [(&'static str, &'static str)], key: &str) -> Option<&'a str> {
    table
        .binary_search_by(|(candidate, _)| (*candidate).cmp(key))
        .ok()
        .and_then(|index| table.get(index))
        .map(|(_, value)| *value)
}

/// Translates zones for one user, whose own zone wins where a Windows id covers several IANA zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zones {
    default: Tz,
}

impl Zones {
    /// Zones for a user whose default zone is `default` (used for unknown or missing zones).
    pub fn new(default: Tz) -> Self {
        Self { default }
    }

    /// The Windows id of `zone`; a zone CLDR does not map is written as the user's default zone
    /// (with a warning), and UTC when even that has no Windows id.
    pub fn windows_id(&self, zone: Tz) -> &'static str {
        if let Some(id) = windows_id_of(zone) {
            return id;
        }
        tracing::warn!(
            zone = zone.name(),
            default = self.default.name(),
            "no Windows time zone for this IANA zone; writing the user's default zone"
        );
        windows_id_of(self.default).unwrap_or(WINDOWS_UTC)
    }

    /// The IANA zone of a Windows id: the user's default zone when it is one of the zones the id
    /// stands for (so that an appointment planned in it reads back unchanged), else CLDR's
    /// world-wide default for the id. `None` for an id CLDR does not know.
    pub fn iana(&self, windows_id: &str) -> Option<Tz> {
        let id = windows_id.trim();
        let id = if id.eq_ignore_ascii_case(MICROSOFT_UTC) {
            WINDOWS_UTC
        } else {
            id
        };
        if windows_id_of(self.default) == Some(id) {
            return Some(self.default);
        }
        lookup(WINDOWS_TO_IANA, id).and_then(|name| name.parse().ok())
    }

    /// The zone an item was planned in: its `StartTimeZone` (2010+), else its `MeetingTimeZone`
    /// (2007), else its `TimeZone` when that holds a Windows id (it is often a localised display
    /// name). An item whose zone is unknown gets the user's default zone, with a warning.
    pub fn item_zone(&self, item: &CalendarItem) -> Tz {
        let named = [
            item.start_time_zone_id.as_deref(),
            item.meeting_time_zone.as_deref(),
            item.time_zone_name.as_deref(),
        ];
        if let Some(zone) = named.iter().flatten().find_map(|id| self.iana(id)) {
            return zone;
        }
        if let Some(unknown) = named.iter().flatten().next() {
            tracing::warn!(
                zone = unknown,
                default = self.default.name(),
                "unknown Windows time zone; reading the item in the user's default zone"
            );
        }
        self.default
    }
}

fn windows_id_of(zone: Tz) -> Option<&'static str> {
    lookup(IANA_TO_WINDOWS, zone.name())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Asia, Etc, Europe};

    fn amsterdam() -> Zones {
        Zones::new(Europe::Amsterdam)
    }

    #[test]
    fn the_tables_are_sorted_for_binary_search() {
        assert!(WINDOWS_TO_IANA.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert!(IANA_TO_WINDOWS.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }

    #[test]
    fn every_iana_zone_we_emit_maps_back_to_its_windows_id() {
        let zones = Zones::new(Etc::UTC);
        for (windows, iana) in WINDOWS_TO_IANA {
            let zone: Tz = iana
                .parse()
                .unwrap_or_else(|_| panic!("{iana} (for {windows}) is not a chrono-tz zone"));
            assert_eq!(zones.iana(windows), Some(zone), "{windows}");
            assert_eq!(zones.windows_id(zone), *windows, "{iana}");
        }
    }

    #[test]
    fn every_mapped_iana_zone_has_a_windows_id_that_exists() {
        for (iana, windows) in IANA_TO_WINDOWS {
            assert!(
                lookup(WINDOWS_TO_IANA, windows).is_some(),
                "{iana} maps to unknown {windows}"
            );
        }
    }

    #[test]
    fn the_users_zone_wins_over_the_cldr_default_of_its_windows_id() {
        assert_eq!(
            amsterdam().iana("W. Europe Standard Time"),
            Some(Europe::Amsterdam)
        );
        assert_eq!(
            Zones::new(Europe::London).iana("W. Europe Standard Time"),
            Some(Europe::Berlin)
        );
        assert_eq!(
            amsterdam().iana("Pacific Standard Time"),
            Some(America::Los_Angeles)
        );
    }

    #[test]
    fn aliases_and_utc_spellings_are_understood() {
        assert_eq!(amsterdam().windows_id(Europe::Kyiv), "FLE Standard Time");
        assert_eq!(amsterdam().windows_id(Europe::Kiev), "FLE Standard Time");
        assert_eq!(amsterdam().windows_id(Etc::UTC), "UTC");
        assert_eq!(amsterdam().iana("tzone://Microsoft/Utc"), Some(Etc::UTC));
        assert_eq!(amsterdam().iana(" UTC "), Some(Etc::UTC));
    }

    #[test]
    fn unknown_windows_ids_are_none_and_items_fall_back_to_the_default() {
        assert_eq!(amsterdam().iana("Atlantis Standard Time"), None);
        let item = CalendarItem {
            start_time_zone_id: Some("Atlantis Standard Time".into()),
            time_zone_name: Some("(UTC+01:00) Amsterdam, Berlijn, Bern, Rome".into()),
            ..CalendarItem::default()
        };
        assert_eq!(amsterdam().item_zone(&item), Europe::Amsterdam);
        assert_eq!(
            Zones::new(Asia::Tokyo).item_zone(&CalendarItem::default()),
            Asia::Tokyo
        );
    }

    #[test]
    fn item_zone_prefers_start_then_meeting_then_display_name() {
        let mut item = CalendarItem {
            start_time_zone_id: Some("Tokyo Standard Time".into()),
            meeting_time_zone: Some("Pacific Standard Time".into()),
            time_zone_name: Some("UTC".into()),
            ..CalendarItem::default()
        };
        assert_eq!(amsterdam().item_zone(&item), Asia::Tokyo);
        item.start_time_zone_id = None;
        assert_eq!(amsterdam().item_zone(&item), America::Los_Angeles);
        item.meeting_time_zone = None;
        assert_eq!(amsterdam().item_zone(&item), Etc::UTC);
    }

    #[test]
    fn a_zone_without_windows_id_is_written_as_the_default() {
        // Antarctica/Troll is in the IANA database but has no Windows zone in CLDR.
        assert!(windows_id_of(chrono_tz::Antarctica::Troll).is_none());
        assert_eq!(
            amsterdam().windows_id(chrono_tz::Antarctica::Troll),
            "W. Europe Standard Time"
        );
    }
}
