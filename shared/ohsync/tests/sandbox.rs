//! `ohsync sandbox` comes up on free ports, registers its demo users through the API, and
//! syncs an appointment added on each side to the other; the feed says so.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use chrono::{DurationRound, TimeDelta, Utc};
use ohsync::feed::feed_line;
use ohsync::run_event::RunEvent;
use ohsync::sandbox::{Sandbox, TENANT};
use ohsync_engine::report::RunOutcome;
use ohsync_ews_sim::ItemPatch;
use ohsync_worker::JobOutcome;

use support::finished_run_of;

#[tokio::test]
async fn the_sandbox_syncs_an_appointment_added_on_each_side_and_reports_it_in_the_feed() {
    let steps = std::sync::Mutex::new(Vec::new());
    let sandbox = Sandbox::start(Duration::from_secs(3600), |step| {
        steps.lock().unwrap().push(step.to_owned());
    })
    .await
    .unwrap();
    assert!(steps.lock().unwrap().len() >= 4, "it says what it does");
    let guide = sandbox.guide();
    assert!(guide.contains(&sandbox.api_token) && guide.contains("sync-now"));

    let start = Utc::now().duration_trunc(TimeDelta::days(1)).unwrap() + TimeDelta::days(1);
    sandbox
        .ews
        .mailbox("jan@demo.example")
        .unwrap()
        .create(
            &ItemPatch::new()
                .subject("Uit Outlook")
                .start(start + TimeDelta::hours(13))
                .end(start + TimeDelta::hours(14)),
        )
        .unwrap();
    let created = reqwest::Client::new()
        .post(format!(
            "{}/v1/tenants/{TENANT}/users/jan/agenda/appointments",
            sandbox.oh.url()
        ))
        .bearer_auth("demo-agenda-token")
        .header("Idempotency-Key", "sandbox-test-1")
        .json(&serde_json::json!({
            "subject": "Uit OfficeHeart",
            "start": (start + TimeDelta::hours(9)).to_rfc3339(),
            "end": (start + TimeDelta::hours(10)).to_rfc3339(),
            "time_zone": "Europe/Amsterdam",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());

    let mut events = sandbox.serve.events();
    let sync_now = reqwest::Client::new()
        .post(format!(
            "{}/v1/tenants/{TENANT}/users/jan/sync-now",
            sandbox.api_url()
        ))
        .bearer_auth(&sandbox.api_token)
        .send()
        .await
        .unwrap();
    assert_eq!(sync_now.status(), 202);
    let event = finished_run_of(&mut events, "jan").await;
    let RunEvent::Finished { result, .. } = &event else {
        panic!("not the end of a run: {event:?}");
    };
    match result.as_ref().as_ref().unwrap() {
        JobOutcome::Ran(summary) => {
            assert_eq!(summary.report.outcome, RunOutcome::Completed);
            assert_eq!(summary.report.counts.created.exchange, 1);
            assert_eq!(summary.report.counts.created.officeheart, 1);
        }
        other => panic!("not run: {other:?}"),
    }
    let line = feed_line(&event).unwrap();
    assert!(
        line.contains("demo/jan") && line.contains("completed"),
        "{line}"
    );
    assert!(
        line.contains("Exchange +1") && line.contains("OfficeHeart +1"),
        "{line}"
    );

    let mut subjects: Vec<String> = sandbox
        .ews
        .mailbox("jan@demo.example")
        .unwrap()
        .items()
        .into_iter()
        .filter_map(|item| item.subject)
        .collect();
    subjects.sort();
    assert_eq!(subjects, ["Uit OfficeHeart", "Uit Outlook"]);
    let tenant = ohsync_officeheart::TenantId::new(TENANT).unwrap();
    let jan = ohsync_officeheart::UserId::new("jan").unwrap();
    let mut subjects: Vec<String> = sandbox
        .oh
        .appointments(&tenant, &jan)
        .into_iter()
        .map(|appointment| appointment.data.subject)
        .collect();
    subjects.sort();
    assert_eq!(subjects, ["Uit OfficeHeart", "Uit Outlook"]);
    sandbox.stop().await;
}
