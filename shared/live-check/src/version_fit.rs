//! Whether the chosen `RequestServerVersion` fits the server's `ServerVersionInfo`.

use ohsync_ews::{ExchangeVersion, ServerVersionInfo};

use crate::Finding;
use crate::confirmation::Confirmation;

/// The schema features ohsync's sync depends on; two versions with the same features behave the
/// same for ohsync, so a difference between them does not matter.
fn features(version: ExchangeVersion) -> [bool; 3] {
    [
        version.has_uid(),
        version.has_start_end_time_zones(),
        version.has_sync_scope(),
    ]
}

/// The ServerVersion step for a server that answered a request stating `chosen`: passed, or a
/// `version_mismatch` / `server_version_unknown` warning.
pub(crate) fn judge(
    chosen: ExchangeVersion,
    server: Option<&ServerVersionInfo>,
) -> Result<Confirmation, Finding> {
    let Some(server) = server else {
        return Err(Finding::ServerVersionUnknown { reported: None });
    };
    let Some(fitting) = server.highest_request_version() else {
        return Err(Finding::ServerVersionUnknown {
            reported: Some(server.to_string()),
        });
    };
    if chosen > fitting || features(chosen) != features(fitting) {
        return Err(Finding::VersionMismatch {
            chosen,
            server: server.to_string(),
            suggested: fitting,
            newer: chosen > fitting,
        });
    }
    Ok(Confirmation::VersionFits {
        server: server.to_string(),
        chosen,
        better: (fitting != chosen).then_some(fitting),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ohsync_ews::ExchangeVersion as V;

    fn server(major: u32, minor: u32, major_build: u32) -> ServerVersionInfo {
        ServerVersionInfo {
            major,
            minor,
            major_build,
            minor_build: 6,
            version: None,
        }
    }

    #[test]
    fn the_exact_version_fits() {
        assert_eq!(
            judge(V::Exchange2016, Some(&server(15, 1, 2507))),
            Ok(Confirmation::VersionFits {
                server: "Exchange 2016 (15.1.2507.6)".into(),
                chosen: V::Exchange2016,
                better: None,
            })
        );
    }

    #[test]
    fn an_older_version_with_the_same_features_passes_with_the_better_one_named() {
        let verdict = judge(V::Exchange2010Sp2, Some(&server(15, 2, 1748)));
        assert_eq!(
            verdict,
            Ok(Confirmation::VersionFits {
                server: "Exchange 2019 (15.2.1748.6)".into(),
                chosen: V::Exchange2010Sp2,
                better: Some(V::Exchange2016),
            })
        );
    }

    #[test]
    fn an_older_version_without_time_zones_or_sync_scope_is_a_mismatch() {
        let verdict = judge(V::Exchange2007Sp1, Some(&server(15, 1, 2507)));
        assert!(matches!(
            verdict,
            Err(Finding::VersionMismatch {
                suggested: V::Exchange2016,
                newer: false,
                ..
            })
        ));
    }

    #[test]
    fn a_newer_version_the_server_accepted_is_a_mismatch() {
        let verdict = judge(V::V2017_07_11, Some(&server(15, 1, 2507)));
        assert!(matches!(
            verdict,
            Err(Finding::VersionMismatch {
                suggested: V::Exchange2016,
                newer: true,
                ..
            })
        ));
    }

    #[test]
    fn an_unknown_or_missing_server_version_is_a_warning() {
        assert_eq!(
            judge(V::Exchange2016, None),
            Err(Finding::ServerVersionUnknown { reported: None })
        );
        assert!(matches!(
            judge(V::Exchange2016, Some(&server(11, 0, 1))),
            Err(Finding::ServerVersionUnknown { reported: Some(_) })
        ));
    }
}
