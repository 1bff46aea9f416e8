//! Exchange schema versions (what the client asks for) and server builds (what the server reports).

use std::fmt;
use std::str::FromStr;

/// A `RequestServerVersion` value; the declaration order is the schema order, so `<` means "older".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExchangeVersion {
    /// Exchange 2007 RTM.
    Exchange2007,
    /// Exchange 2007 SP1 to SP3.
    Exchange2007Sp1,
    /// Exchange 2010 RTM.
    Exchange2010,
    /// Exchange 2010 SP1.
    Exchange2010Sp1,
    /// Exchange 2010 SP2 and SP3.
    Exchange2010Sp2,
    /// Exchange 2013 RTM.
    Exchange2013,
    /// Exchange 2013 SP1.
    Exchange2013Sp1,
    /// Exchange2015 (accepted by 2016/2019 schemas).
    Exchange2015,
    /// Exchange 2016, and the value to send to 2019 and Exchange Online.
    Exchange2016,
    /// Schema dated 2015-10-05.
    V2015_10_05,
    /// Schema dated 2016-01-06.
    V2016_01_06,
    /// Schema dated 2016-04-13.
    V2016_04_13,
    /// Schema dated 2016-07-13.
    V2016_07_13,
    /// Schema dated 2016-10-10.
    V2016_10_10,
    /// Schema dated 2017-01-07.
    V2017_01_07,
    /// Schema dated 2017-04-14.
    V2017_04_14,
    /// Schema dated 2017-07-11.
    V2017_07_11,
}

impl ExchangeVersion {
    /// Every value, oldest first.
    pub const ALL: [ExchangeVersion; 17] = [
        Self::Exchange2007,
        Self::Exchange2007Sp1,
        Self::Exchange2010,
        Self::Exchange2010Sp1,
        Self::Exchange2010Sp2,
        Self::Exchange2013,
        Self::Exchange2013Sp1,
        Self::Exchange2015,
        Self::Exchange2016,
        Self::V2015_10_05,
        Self::V2016_01_06,
        Self::V2016_04_13,
        Self::V2016_07_13,
        Self::V2016_10_10,
        Self::V2017_01_07,
        Self::V2017_04_14,
        Self::V2017_07_11,
    ];

    /// The exact string EWS expects in `RequestServerVersion/@Version`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Exchange2007 => "Exchange2007",
            Self::Exchange2007Sp1 => "Exchange2007_SP1",
            Self::Exchange2010 => "Exchange2010",
            Self::Exchange2010Sp1 => "Exchange2010_SP1",
            Self::Exchange2010Sp2 => "Exchange2010_SP2",
            Self::Exchange2013 => "Exchange2013",
            Self::Exchange2013Sp1 => "Exchange2013_SP1",
            Self::Exchange2015 => "Exchange2015",
            Self::Exchange2016 => "Exchange2016",
            Self::V2015_10_05 => "V2015_10_05",
            Self::V2016_01_06 => "V2016_01_06",
            Self::V2016_04_13 => "V2016_04_13",
            Self::V2016_07_13 => "V2016_07_13",
            Self::V2016_10_10 => "V2016_10_10",
            Self::V2017_01_07 => "V2017_01_07",
            Self::V2017_04_14 => "V2017_04_14",
            Self::V2017_07_11 => "V2017_07_11",
        }
    }

    /// Whether this schema has `StartTimeZone`/`EndTimeZone` and the `TimeZoneContext` header
    /// (2010 and later) rather than the 2007 `MeetingTimeZone`.
    pub fn has_start_end_time_zones(self) -> bool {
        self >= Self::Exchange2010
    }

    /// Whether this schema knows `calendar:UID` (2007 SP1 and later).
    pub fn has_uid(self) -> bool {
        self >= Self::Exchange2007Sp1
    }

    /// Whether `SyncFolderItems` accepts `SyncScope` (2010 and later).
    pub fn has_sync_scope(self) -> bool {
        self >= Self::Exchange2010
    }
}

impl fmt::Display for ExchangeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the `RequestServerVersion` values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown Exchange version {given:?}: expected one of Exchange2007_SP1, Exchange2010, Exchange2010_SP1, \
     Exchange2010_SP2, Exchange2013, Exchange2013_SP1, Exchange2016 (or another EWS schema value; there is no Exchange2019)"
)]
pub struct UnknownExchangeVersion {
    /// The rejected input.
    pub given: String,
}

impl FromStr for ExchangeVersion {
    type Err = UnknownExchangeVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        Self::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(trimmed))
            .ok_or_else(|| UnknownExchangeVersion {
                given: s.to_owned(),
            })
    }
}

/// The Exchange product a server build belongs to (EWS-NOTES §1 build table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeProduct {
    /// Exchange 2007; `service_pack` 0 is RTM.
    Exchange2007 {
        /// 0 (RTM) to 3.
        service_pack: u8,
    },
    /// Exchange 2010; `service_pack` 0 is RTM.
    Exchange2010 {
        /// 0 (RTM) to 3.
        service_pack: u8,
    },
    /// Exchange 2013, RTM or SP1 (SP1 from build 847).
    Exchange2013 {
        /// Build 847 or later.
        sp1: bool,
    },
    /// Exchange 2016 (15.1).
    Exchange2016,
    /// Exchange 2019 (15.2; Subscription Edition shares this build line).
    Exchange2019,
    /// Exchange Online (15.20 and later minors).
    ExchangeOnline,
    /// A build outside the table.
    Unknown,
}

impl fmt::Display for ExchangeProduct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exchange2007 { service_pack: 0 } => f.write_str("Exchange 2007"),
            Self::Exchange2007 { service_pack } => write!(f, "Exchange 2007 SP{service_pack}"),
            Self::Exchange2010 { service_pack: 0 } => f.write_str("Exchange 2010"),
            Self::Exchange2010 { service_pack } => write!(f, "Exchange 2010 SP{service_pack}"),
            Self::Exchange2013 { sp1: false } => f.write_str("Exchange 2013"),
            Self::Exchange2013 { sp1: true } => f.write_str("Exchange 2013 SP1"),
            Self::Exchange2016 => f.write_str("Exchange 2016"),
            Self::Exchange2019 => f.write_str("Exchange 2019"),
            Self::ExchangeOnline => f.write_str("Exchange Online"),
            Self::Unknown => f.write_str("unknown Exchange version"),
        }
    }
}

/// The `ServerVersionInfo` header attributes of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerVersionInfo {
    /// `MajorVersion` (8, 14, 15).
    pub major: u32,
    /// `MinorVersion`.
    pub minor: u32,
    /// `MajorBuildNumber`.
    pub major_build: u32,
    /// `MinorBuildNumber`.
    pub minor_build: u32,
    /// The `Version` attribute as sent; unreliable (absent on 2007, `V2_x` on 2013), kept for display only.
    pub version: Option<String>,
}

/// The first 2013 build that is SP1 (EWS-NOTES §1).
const EXCHANGE_2013_SP1_BUILD: u32 = 847;
/// Exchange Online reports minor versions from 20 up.
const EXCHANGE_ONLINE_MINOR: u32 = 20;

impl ServerVersionInfo {
    /// The product this build belongs to, from Major/Minor (and the build for 2013 SP1).
    pub fn product(&self) -> ExchangeProduct {
        match (self.major, self.minor) {
            (8, minor @ 0..=3) => ExchangeProduct::Exchange2007 {
                service_pack: minor as u8,
            },
            (14, minor @ 0..=3) => ExchangeProduct::Exchange2010 {
                service_pack: minor as u8,
            },
            (15, 0) => ExchangeProduct::Exchange2013 {
                sp1: self.major_build >= EXCHANGE_2013_SP1_BUILD,
            },
            (15, 1) => ExchangeProduct::Exchange2016,
            (15, 2) => ExchangeProduct::Exchange2019,
            (15, minor) if minor >= EXCHANGE_ONLINE_MINOR => ExchangeProduct::ExchangeOnline,
            _ => ExchangeProduct::Unknown,
        }
    }

    /// The newest `RequestServerVersion` this server accepts, from Major/Minor only.
    ///
    /// 2016, 2019 and Exchange Online all get `Exchange2016` (what exchangelib sends them): the dated
    /// `V20xx` values are not accepted by every 2016 CU. `None` for majors outside the table (older than 2007, or 9–13).
    pub fn highest_request_version(&self) -> Option<ExchangeVersion> {
        let version = match (self.major, self.minor) {
            (0..=7 | 9..=13, _) => return None,
            (8, 0) => ExchangeVersion::Exchange2007,
            (8, _) => ExchangeVersion::Exchange2007Sp1,
            (14, 0) => ExchangeVersion::Exchange2010,
            (14, 1) => ExchangeVersion::Exchange2010Sp1,
            (14, _) => ExchangeVersion::Exchange2010Sp2,
            (15, 0) if self.major_build >= EXCHANGE_2013_SP1_BUILD => {
                ExchangeVersion::Exchange2013Sp1
            }
            (15, 0) => ExchangeVersion::Exchange2013,
            _ => ExchangeVersion::Exchange2016,
        };
        Some(version)
    }

    /// Whether a request stating `requested` is valid for this server (older versions always are).
    pub fn accepts(&self, requested: ExchangeVersion) -> bool {
        self.highest_request_version()
            .is_some_and(|highest| requested <= highest)
    }
}

impl fmt::Display for ServerVersionInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}.{}.{}.{})",
            self.product(),
            self.major,
            self.minor,
            self.major_build,
            self.minor_build
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(major: u32, minor: u32, major_build: u32) -> ServerVersionInfo {
        ServerVersionInfo {
            major,
            minor,
            major_build,
            minor_build: 0,
            version: None,
        }
    }

    #[test]
    fn every_version_round_trips_through_its_string() {
        for v in ExchangeVersion::ALL {
            assert_eq!(v.as_str().parse::<ExchangeVersion>(), Ok(v));
        }
    }

    #[test]
    fn parsing_is_case_and_space_tolerant_but_rejects_exchange2019() {
        assert_eq!(
            " exchange2010_sp2 ".parse::<ExchangeVersion>(),
            Ok(ExchangeVersion::Exchange2010Sp2)
        );
        let err = "Exchange2019".parse::<ExchangeVersion>().unwrap_err();
        assert_eq!(err.given, "Exchange2019");
        assert!(err.to_string().contains("no Exchange2019"));
    }

    #[test]
    fn versions_are_ordered_oldest_first() {
        assert!(ExchangeVersion::Exchange2007Sp1 < ExchangeVersion::Exchange2010);
        assert!(ExchangeVersion::Exchange2013Sp1 < ExchangeVersion::Exchange2016);
        assert!(ExchangeVersion::Exchange2016 < ExchangeVersion::V2017_07_11);
        let mut sorted = ExchangeVersion::ALL;
        sorted.sort();
        assert_eq!(sorted, ExchangeVersion::ALL);
    }

    #[test]
    fn products_follow_the_build_table() {
        assert_eq!(
            build(8, 0, 628).product(),
            ExchangeProduct::Exchange2007 { service_pack: 0 }
        );
        assert_eq!(
            build(8, 3, 83).product(),
            ExchangeProduct::Exchange2007 { service_pack: 3 }
        );
        assert_eq!(
            build(14, 3, 248).product(),
            ExchangeProduct::Exchange2010 { service_pack: 3 }
        );
        assert_eq!(
            build(15, 0, 846).product(),
            ExchangeProduct::Exchange2013 { sp1: false }
        );
        assert_eq!(
            build(15, 0, 847).product(),
            ExchangeProduct::Exchange2013 { sp1: true }
        );
        assert_eq!(build(15, 1, 2507).product(), ExchangeProduct::Exchange2016);
        assert_eq!(build(15, 2, 1748).product(), ExchangeProduct::Exchange2019);
        assert_eq!(
            build(15, 20, 3370).product(),
            ExchangeProduct::ExchangeOnline
        );
        assert_eq!(build(15, 7, 1).product(), ExchangeProduct::Unknown);
        assert_eq!(build(15, 0, 847).product().to_string(), "Exchange 2013 SP1");
    }

    #[test]
    fn highest_request_version_comes_from_major_minor_not_the_version_attribute() {
        let mut eighteen = build(15, 2, 1748);
        eighteen.version = Some("V2017_07_11".into());
        assert_eq!(
            eighteen.highest_request_version(),
            Some(ExchangeVersion::Exchange2016)
        );
        assert_eq!(
            build(8, 0, 685).highest_request_version(),
            Some(ExchangeVersion::Exchange2007)
        );
        assert_eq!(
            build(8, 2, 1).highest_request_version(),
            Some(ExchangeVersion::Exchange2007Sp1)
        );
        assert_eq!(
            build(14, 1, 164).highest_request_version(),
            Some(ExchangeVersion::Exchange2010Sp1)
        );
        assert_eq!(
            build(14, 3, 195).highest_request_version(),
            Some(ExchangeVersion::Exchange2010Sp2)
        );
        assert_eq!(
            build(15, 0, 731).highest_request_version(),
            Some(ExchangeVersion::Exchange2013)
        );
        assert_eq!(
            build(15, 0, 893).highest_request_version(),
            Some(ExchangeVersion::Exchange2013Sp1)
        );
        assert_eq!(
            build(15, 20, 1).highest_request_version(),
            Some(ExchangeVersion::Exchange2016)
        );
        assert_eq!(build(6, 5, 1).highest_request_version(), None);
    }

    #[test]
    fn accepts_older_versions_and_rejects_newer_ones() {
        let exchange2010_sp1 = build(14, 1, 164);
        assert!(exchange2010_sp1.accepts(ExchangeVersion::Exchange2007Sp1));
        assert!(exchange2010_sp1.accepts(ExchangeVersion::Exchange2010Sp1));
        assert!(!exchange2010_sp1.accepts(ExchangeVersion::Exchange2010Sp2));
        assert!(!build(5, 5, 0).accepts(ExchangeVersion::Exchange2007));
    }
}
