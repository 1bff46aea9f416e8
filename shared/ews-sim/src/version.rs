//! Exchange versions: the schema a request names (`RequestServerVersion`) and the product the simulator
//! pretends to be (`ServerVersionInfo`), with the rules that tie them together (EWS-NOTES §1).

use std::fmt;
use std::str::FromStr;

use crate::response_code::ResponseCode;

/// A `RequestServerVersion/@Version` value, ordered from oldest to newest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SchemaVersion {
    /// Exchange2007
    Exchange2007,
    /// Exchange2007_SP1
    Exchange2007Sp1,
    /// Exchange2010
    Exchange2010,
    /// Exchange2010_SP1
    Exchange2010Sp1,
    /// Exchange2010_SP2
    Exchange2010Sp2,
    /// Exchange2013
    Exchange2013,
    /// Exchange2013_SP1
    Exchange2013Sp1,
    /// Exchange2015
    Exchange2015,
    /// Exchange2016
    Exchange2016,
    /// V2015_10_05
    V2015_10_05,
    /// V2016_01_06
    V2016_01_06,
    /// V2016_04_13
    V2016_04_13,
    /// V2016_07_13
    V2016_07_13,
    /// V2016_10_10
    V2016_10_10,
    /// V2017_01_07
    V2017_01_07,
    /// V2017_04_14
    V2017_04_14,
    /// V2017_07_11
    V2017_07_11,
}

const SCHEMA_NAMES: [(SchemaVersion, &str); 17] = [
    (SchemaVersion::Exchange2007, "Exchange2007"),
    (SchemaVersion::Exchange2007Sp1, "Exchange2007_SP1"),
    (SchemaVersion::Exchange2010, "Exchange2010"),
    (SchemaVersion::Exchange2010Sp1, "Exchange2010_SP1"),
    (SchemaVersion::Exchange2010Sp2, "Exchange2010_SP2"),
    (SchemaVersion::Exchange2013, "Exchange2013"),
    (SchemaVersion::Exchange2013Sp1, "Exchange2013_SP1"),
    (SchemaVersion::Exchange2015, "Exchange2015"),
    (SchemaVersion::Exchange2016, "Exchange2016"),
    (SchemaVersion::V2015_10_05, "V2015_10_05"),
    (SchemaVersion::V2016_01_06, "V2016_01_06"),
    (SchemaVersion::V2016_04_13, "V2016_04_13"),
    (SchemaVersion::V2016_07_13, "V2016_07_13"),
    (SchemaVersion::V2016_10_10, "V2016_10_10"),
    (SchemaVersion::V2017_01_07, "V2017_01_07"),
    (SchemaVersion::V2017_04_14, "V2017_04_14"),
    (SchemaVersion::V2017_07_11, "V2017_07_11"),
];

impl SchemaVersion {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        SCHEMA_NAMES
            .iter()
            .find(|(version, _)| *version == self)
            .map_or("", |(_, name)| name)
    }

    /// Parses a wire value; `None` for anything EWS does not define (such as `Exchange2019`).
    pub fn parse(value: &str) -> Option<Self> {
        SCHEMA_NAMES
            .iter()
            .find(|(_, name)| *name == value)
            .map(|(version, _)| *version)
    }

    /// What Exchange assumes when a request carries no RequestServerVersion.
    pub fn implied() -> Self {
        Self::Exchange2007Sp1
    }
}

/// The Exchange product (and build) the simulator reports in `ServerVersionInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerVersion {
    /// Exchange 2007 SP1 (8.1).
    Exchange2007Sp1,
    /// Exchange 2010 RTM (14.0).
    Exchange2010,
    /// Exchange 2010 SP1 (14.1).
    Exchange2010Sp1,
    /// Exchange 2010 SP2 (14.2).
    Exchange2010Sp2,
    /// Exchange 2010 SP3 (14.3).
    Exchange2010Sp3,
    /// Exchange 2013 before SP1 (15.0).
    Exchange2013,
    /// Exchange 2013 SP1 (15.0.847).
    Exchange2013Sp1,
    /// Exchange 2016 CU23 (15.1).
    Exchange2016,
    /// Exchange 2019 (15.2).
    Exchange2019,
}

/// The four numbers of `ServerVersionInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildNumber {
    /// MajorVersion.
    pub major: u16,
    /// MinorVersion.
    pub minor: u16,
    /// MajorBuildNumber.
    pub major_build: u16,
    /// MinorBuildNumber.
    pub minor_build: u16,
}

const SERVER_NAMES: [(ServerVersion, &str); 9] = [
    (ServerVersion::Exchange2007Sp1, "Exchange2007_SP1"),
    (ServerVersion::Exchange2010, "Exchange2010"),
    (ServerVersion::Exchange2010Sp1, "Exchange2010_SP1"),
    (ServerVersion::Exchange2010Sp2, "Exchange2010_SP2"),
    (ServerVersion::Exchange2010Sp3, "Exchange2010_SP3"),
    (ServerVersion::Exchange2013, "Exchange2013"),
    (ServerVersion::Exchange2013Sp1, "Exchange2013_SP1"),
    (ServerVersion::Exchange2016, "Exchange2016"),
    (ServerVersion::Exchange2019, "Exchange2019"),
];

impl ServerVersion {
    /// Build numbers taken from real servers' responses (see ews-samples/README.md).
    pub fn build(self) -> BuildNumber {
        let (major, minor, major_build, minor_build) = match self {
            Self::Exchange2007Sp1 => (8, 1, 240, 6),
            Self::Exchange2010 => (14, 0, 639, 21),
            Self::Exchange2010Sp1 => (14, 1, 289, 6),
            Self::Exchange2010Sp2 => (14, 2, 298, 4),
            Self::Exchange2010Sp3 => (14, 3, 195, 1),
            Self::Exchange2013 => (15, 0, 731, 10),
            Self::Exchange2013Sp1 => (15, 0, 847, 31),
            Self::Exchange2016 => (15, 1, 2507, 6),
            Self::Exchange2019 => (15, 2, 1748, 10),
        };
        BuildNumber {
            major,
            minor,
            major_build,
            minor_build,
        }
    }

    /// The newest RequestServerVersion this product understands.
    pub fn newest_schema(self) -> SchemaVersion {
        match self {
            Self::Exchange2007Sp1 => SchemaVersion::Exchange2007Sp1,
            Self::Exchange2010 => SchemaVersion::Exchange2010,
            Self::Exchange2010Sp1 => SchemaVersion::Exchange2010Sp1,
            Self::Exchange2010Sp2 | Self::Exchange2010Sp3 => SchemaVersion::Exchange2010Sp2,
            Self::Exchange2013 => SchemaVersion::Exchange2013,
            Self::Exchange2013Sp1 => SchemaVersion::Exchange2013Sp1,
            Self::Exchange2016 | Self::Exchange2019 => SchemaVersion::V2017_07_11,
        }
    }

    /// The fault a too-new or unknown RequestServerVersion gets: 2007/2010 answer
    /// ErrorInvalidServerVersion, 2013 and later ErrorInvalidRequest (EWS-NOTES §1).
    pub fn refusal_code(self) -> ResponseCode {
        if self.build().major >= 15 {
            ResponseCode::ErrorInvalidRequest
        } else {
            ResponseCode::ErrorInvalidServerVersion
        }
    }

    /// The `Version` attribute of ServerVersionInfo. Exchange 2007 omits it; the 2010 family reports the
    /// schema the request asked for (sample deleteitem_mixed_response_1: 14.3 saying Exchange2007_SP1);
    /// 2013 and later send their own `V…` string regardless.
    pub fn version_attribute(self, requested: SchemaVersion) -> Option<&'static str> {
        match self {
            Self::Exchange2007Sp1 => None,
            Self::Exchange2010
            | Self::Exchange2010Sp1
            | Self::Exchange2010Sp2
            | Self::Exchange2010Sp3 => Some(requested.min(self.newest_schema()).as_str()),
            Self::Exchange2013 => Some("V2_3"),
            Self::Exchange2013Sp1 => Some("V2_8"),
            Self::Exchange2016 | Self::Exchange2019 => Some("V2017_07_11"),
        }
    }

    /// SyncFolderItems reports newest changes first from Exchange 2010 SP2 on (EWS-NOTES §2).
    pub fn sync_newest_first(self) -> bool {
        !matches!(
            self,
            Self::Exchange2007Sp1 | Self::Exchange2010 | Self::Exchange2010Sp1
        )
    }

    /// The product name used on the command line.
    pub fn as_str(self) -> &'static str {
        SERVER_NAMES
            .iter()
            .find(|(version, _)| *version == self)
            .map_or("", |(_, name)| name)
    }
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A server version name that the simulator does not know.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "unknown server version {0:?}; expected one of Exchange2007_SP1, Exchange2010, Exchange2010_SP1, Exchange2010_SP2, Exchange2010_SP3, Exchange2013, Exchange2013_SP1, Exchange2016, Exchange2019"
)]
pub struct UnknownServerVersion(pub String);

impl FromStr for ServerVersion {
    type Err = UnknownServerVersion;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        SERVER_NAMES
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(value))
            .map(|(version, _)| *version)
            .ok_or_else(|| UnknownServerVersion(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_versions_round_trip_and_order() {
        for (version, name) in SCHEMA_NAMES {
            assert_eq!(SchemaVersion::parse(name), Some(version));
            assert_eq!(version.as_str(), name);
        }
        assert!(SchemaVersion::Exchange2007Sp1 < SchemaVersion::Exchange2010Sp2);
        assert!(SchemaVersion::Exchange2013Sp1 < SchemaVersion::Exchange2016);
        assert_eq!(SchemaVersion::parse("Exchange2019"), None);
    }

    #[test]
    fn products_report_their_builds_and_version_strings() {
        assert_eq!(ServerVersion::Exchange2016.build().minor, 1);
        assert_eq!(ServerVersion::Exchange2019.build().minor, 2);
        assert_eq!(ServerVersion::Exchange2010Sp2.build().minor, 2);
        assert_eq!(ServerVersion::Exchange2007Sp1.build().major, 8);
        assert_eq!(
            ServerVersion::Exchange2007Sp1.version_attribute(SchemaVersion::Exchange2007Sp1),
            None
        );
        assert_eq!(
            ServerVersion::Exchange2010Sp3.version_attribute(SchemaVersion::Exchange2007Sp1),
            Some("Exchange2007_SP1")
        );
        assert_eq!(
            ServerVersion::Exchange2016.version_attribute(SchemaVersion::Exchange2010),
            Some("V2017_07_11")
        );
        assert_eq!(
            "exchange2016".parse::<ServerVersion>().unwrap(),
            ServerVersion::Exchange2016
        );
        assert!("Exchange2030".parse::<ServerVersion>().is_err());
    }
}
