//! The ServerVersion step: a chosen version the server refuses, an older one that works but
//! misses what ohsync uses, and the suggestion in both cases.

use ohsync_ews_sim::ServerVersion;
use ohsync_settings::live::CheckStatus::{Failed, Passed, Warning};
use ohsync_settings::live::CheckStep;

use crate::support::{assert_steps, check, result, tls_sim, trusting_checker, validated};

#[tokio::test]
async fn a_version_newer_than_the_server_is_refused_with_the_version_that_fits() {
    // 2007/2010 refuse with ErrorInvalidServerVersion, 2013 and later with ErrorInvalidRequest.
    let cases = [
        (
            ServerVersion::Exchange2010Sp2,
            "14.2.298.4",
            "Exchange2010_SP2",
        ),
        (ServerVersion::Exchange2013, "15.0.731.10", "Exchange2013"),
    ];
    for (server, build, fitting) in cases {
        let sim = tls_sim(server).await;
        let settings = validated(&sim.url(), "Exchange2016", r"OFFICEHEART\jan", None);

        let report = check(&trusting_checker(&sim), &settings).await;

        let mut expected = [Passed; 7];
        expected[6] = Failed;
        assert_steps(&report, expected, Some("version_refused"));
        assert_eq!(report.server_version.as_deref(), Some(build));
        assert_eq!(report.suggested_version.as_deref(), Some(fitting));
        let message = &result(&report, CheckStep::ServerVersion).message;
        assert!(
            message.en.contains(&format!("Choose {fitting}")),
            "{message:?}"
        );
        assert!(message.nl.contains(fitting), "{message:?}");
        assert_eq!(
            sim.counters().operation("GetFolder"),
            1,
            "the refused request never reaches the operation; the fallback does"
        );
        sim.shutdown().await;
    }
}

#[tokio::test]
async fn an_older_version_without_what_ohsync_uses_is_a_warning_with_a_suggestion() {
    let sim = tls_sim(ServerVersion::Exchange2016).await;
    let settings = validated(&sim.url(), "Exchange2007_SP1", r"OFFICEHEART\jan", None);

    let report = check(&trusting_checker(&sim), &settings).await;

    let mut expected = [Passed; 7];
    expected[6] = Warning;
    assert_steps(&report, expected, Some("version_mismatch"));
    assert!(report.passed(), "a warning does not fail the check");
    assert_eq!(report.suggested_version.as_deref(), Some("Exchange2016"));
    assert_eq!(report.server_version.as_deref(), Some("15.1.2507.6"));
    sim.shutdown().await;
}

#[tokio::test]
async fn an_older_version_with_the_same_features_passes_and_names_the_exact_one() {
    let sim = tls_sim(ServerVersion::Exchange2019).await;
    let settings = validated(&sim.url(), "Exchange2013_SP1", r"OFFICEHEART\jan", None);

    let report = check(&trusting_checker(&sim), &settings).await;

    assert_steps(&report, [Passed; 7], None);
    assert_eq!(report.suggested_version.as_deref(), Some("Exchange2016"));
    let message = &result(&report, CheckStep::ServerVersion).message;
    assert!(message.en.contains("Exchange 2019"), "{message:?}");
    sim.shutdown().await;
}
