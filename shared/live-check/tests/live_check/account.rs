//! Sign-in, EWS access and the calendar: NTLM and Basic, refused credentials, a blocked
//! account, and another mailbox that is missing or not allowed.

use chrono::{TimeZone, Utc};
use ohsync_ews_sim::{EwsSimulator, ItemPatch, ServerVersion};
use ohsync_settings::live::CheckStatus::Failed;
use ohsync_settings::live::CheckStep;

use crate::support::front::{Behaviour, Front};
use crate::support::{
    ALL_PASSED, BOSS, JAN, PASSWORD, assert_steps, certificates, check, check_with, checker,
    plain_sim, result, sim_config, stopped_at, tls_sim, trusting, trusting_checker, validated,
};

#[tokio::test]
async fn every_step_passes_with_ntlm_over_a_verified_certificate() {
    let sim = tls_sim(ServerVersion::Exchange2016).await;
    let mailbox = sim.mailbox(JAN).unwrap();
    for hour in [9, 14] {
        let start = Utc.with_ymd_and_hms(2026, 3, 2, hour, 0, 0).unwrap();
        let patch = ItemPatch::new()
            .subject("Overleg")
            .start(start)
            .end(start + chrono::Duration::hours(1));
        mailbox.create(&patch).unwrap();
    }
    let settings = validated(&sim.url(), "Exchange2016", r"OFFICEHEART\jan", None);

    let report = check(&trusting_checker(&sim), &settings).await;

    assert_steps(&report, ALL_PASSED, None);
    assert!(report.passed());
    assert_eq!(report.server_version.as_deref(), Some("15.1.2507.6"));
    assert_eq!(report.suggested_version, None);
    assert_eq!(
        result(&report, CheckStep::Dns).detail.as_deref(),
        Some("127.0.0.1")
    );
    assert!(
        result(&report, CheckStep::Connection)
            .message
            .en
            .contains("valid certificate")
    );
    assert!(
        result(&report, CheckStep::Authentication)
            .message
            .en
            .contains(r"OFFICEHEART\jan with NTLM")
    );
    let calendar = result(&report, CheckStep::Calendar);
    assert!(
        calendar
            .message
            .en
            .contains("own mailbox can be read (2 items)"),
        "{calendar:?}"
    );
    assert_eq!(
        sim.counters().operation("GetFolder"),
        1,
        "one calendar read"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_server_with_extended_protection_accepts_the_channel_bound_ntlm_sign_in() {
    let config = sim_config(ServerVersion::Exchange2019).with_extended_protection();
    let sim = EwsSimulator::start(config, "127.0.0.1:0").await.unwrap();
    let settings = validated(&sim.url(), "Exchange2016", r"OFFICEHEART\jan", None);

    let report = check(&trusting_checker(&sim), &settings).await;

    assert_steps(&report, ALL_PASSED, None);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_server_that_offers_only_basic_is_signed_in_to_with_basic_over_https() {
    let sim = plain_sim(sim_config(ServerVersion::Exchange2019)).await;
    let issued = certificates::issued_for(&["127.0.0.1"], false);
    let front = Front::start(Some(issued.server), sim.local_addr(), Behaviour::BasicOnly).await;
    let settings = validated(&front.url(), "Exchange2016", r"OFFICEHEART\jan", None);

    let report = check(&checker(trusting(vec![issued.root_pem])), &settings).await;

    assert_steps(&report, ALL_PASSED, None);
    let authentication = result(&report, CheckStep::Authentication);
    assert!(
        authentication.message.en.contains("with Basic"),
        "{authentication:?}"
    );
    assert_eq!(report.server_version.as_deref(), Some("15.2.1748.10"));
    sim.shutdown().await;
}

#[tokio::test]
async fn basic_over_plain_http_is_refused_before_the_password_is_sent() {
    let sim = plain_sim(sim_config(ServerVersion::Exchange2016)).await;
    let front = Front::start(None, sim.local_addr(), Behaviour::BasicOnly).await;
    let settings = validated(&front.url(), "Exchange2016", r"OFFICEHEART\jan", None);

    let report = check(&checker(trusting(Vec::new())), &settings).await;

    assert_steps(&report, stopped_at(3, Failed), Some("basic_requires_https"));
    assert_eq!(sim.counters().soap_requests(), 0, "nothing reached EWS");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_wrong_password_fails_authentication_and_names_the_login_and_scheme() {
    let sim = tls_sim(ServerVersion::Exchange2016).await;
    let settings = validated(&sim.url(), "Exchange2016", r"OFFICEHEART\jan", None);
    let wrong = "Verkeerd-Wachtwoord-1";

    let report = check_with(&trusting_checker(&sim), &settings, wrong).await;

    assert_steps(
        &report,
        stopped_at(3, Failed),
        Some("authentication_failed"),
    );
    let message = &result(&report, CheckStep::Authentication).message;
    assert!(
        message.en.contains(r"OFFICEHEART\jan with NTLM"),
        "{message:?}"
    );
    assert!(message.en.contains("channel binding"), "{message:?}");
    assert!(message.nl.contains("wachtwoord"), "{message:?}");
    assert!(!format!("{report:?}").contains(PASSWORD));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_wrong_domain_fails_authentication() {
    let sim = tls_sim(ServerVersion::Exchange2016).await;
    let settings = validated(&sim.url(), "Exchange2016", r"SALES\jan", None);

    let report = check(&trusting_checker(&sim), &settings).await;

    assert_steps(
        &report,
        stopped_at(3, Failed),
        Some("authentication_failed"),
    );
    assert!(
        result(&report, CheckStep::Authentication)
            .message
            .en
            .contains(r"SALES\jan")
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn an_account_with_ews_blocked_passes_sign_in_and_fails_ews_access() {
    let sim = tls_sim(ServerVersion::Exchange2016).await;
    assert!(sim.set_ews_blocked(JAN, true));
    let settings = validated(&sim.url(), "Exchange2016", r"OFFICEHEART\jan", None);

    let report = check(&trusting_checker(&sim), &settings).await;

    assert_steps(&report, stopped_at(4, Failed), Some("ews_blocked"));
    let message = &result(&report, CheckStep::EwsAccess).message;
    assert!(message.en.contains("-EwsEnabled $true"), "{message:?}");
    assert!(message.nl.contains("Set-CASMailbox"), "{message:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn another_mailbox_that_does_not_exist_fails_the_calendar_step() {
    let sim = tls_sim(ServerVersion::Exchange2016).await;
    let ghost = "ghost@officeheart.example";
    let settings = validated(&sim.url(), "Exchange2016", r"OFFICEHEART\boss", Some(ghost));

    let report = check(&trusting_checker(&sim), &settings).await;

    assert_steps(&report, stopped_at(5, Failed), Some("mailbox_not_found"));
    assert!(
        result(&report, CheckStep::Calendar)
            .message
            .en
            .contains(ghost)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn another_mailbox_the_account_may_not_impersonate_is_access_denied() {
    let sim = tls_sim(ServerVersion::Exchange2016).await;
    let settings = validated(&sim.url(), "Exchange2016", r"OFFICEHEART\jan", Some(BOSS));

    let report = check(&trusting_checker(&sim), &settings).await;

    assert_steps(
        &report,
        stopped_at(5, Failed),
        Some("mailbox_access_denied"),
    );
    let message = &result(&report, CheckStep::Calendar).message;
    assert!(
        message.en.contains("ApplicationImpersonation"),
        "{message:?}"
    );

    let allowed = validated(&sim.url(), "Exchange2016", r"OFFICEHEART\boss", Some(JAN));
    let report = check(&trusting_checker(&sim), &allowed).await;
    assert_steps(&report, ALL_PASSED, None);
    assert!(
        result(&report, CheckStep::Calendar)
            .message
            .en
            .contains(JAN)
    );
    sim.shutdown().await;
}
