//! Recurring series with cancelled and modified occurrences: storage, full replacement,
//! refusals, and which series a window listing includes.

use chrono::NaiveDate;
use ohsync_officeheart::contract::headers;
use ohsync_officeheart::{
    AppointmentData, Change, Exception, ModifiedOccurrence, OfficeHeartError, Schedule, TimeWindow,
};
use serde_json::json;

use crate::fixture::{TOKEN, acme, at, key, meeting, start, user};

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// `meeting(subject, hours)` repeating by `rule`.
fn series(subject: &str, hours: i64, rule: &str) -> AppointmentData {
    AppointmentData {
        recurrence: Some(rule.to_owned()),
        ..meeting(subject, hours)
    }
}

/// The occurrence planned on `original_date`, taking place from `start` to `end` instead.
fn moved(original_date: &str, start: &str, end: &str) -> Exception {
    Exception::modified(
        day(original_date),
        ModifiedOccurrence {
            schedule: Schedule::timed(at(start), at(end)).unwrap(),
            subject: "Overleg (verzet)".to_owned(),
            location: "Kamer 3.02".to_owned(),
        },
    )
}

/// A weekly series on Mondays from 2 March 2026, one occurrence cancelled and one moved.
fn weekly_with_exceptions() -> AppointmentData {
    AppointmentData {
        exceptions: vec![
            Exception::cancelled(day("2026-03-09")),
            moved(
                "2026-03-16",
                "2026-03-17T13:00:00+01:00",
                "2026-03-17T14:00:00+01:00",
            ),
        ],
        ..series("Weekstart", 0, "FREQ=WEEKLY;BYDAY=MO;WKST=MO;COUNT=10")
    }
}

/// The 400 `field` of a refused request.
fn refused_field(error: OfficeHeartError) -> Option<String> {
    match error {
        OfficeHeartError::Rejected {
            status: 400,
            code,
            field,
            ..
        } if code == "invalid_field" => field,
        other => panic!("expected 400 invalid_field, got {other:?}"),
    }
}

#[tokio::test]
async fn a_series_with_both_kinds_of_exception_reads_back_equal() {
    let f = start().await;
    let data = weekly_with_exceptions();
    let created = f
        .client
        .create_appointment(&user(), &key("series-1"), &data)
        .await
        .unwrap()
        .appointment;
    assert_eq!(created.data, data);
    let read = f
        .client
        .get_appointment(&user(), &created.id)
        .await
        .unwrap();
    assert_eq!(read, created);
    let feed = f.client.list_changes(&user(), None, None).await.unwrap();
    assert_eq!(feed.changes, [Change::Upserted(Box::new(created))]);
}

#[tokio::test]
async fn a_put_without_exceptions_clears_them_as_a_new_version() {
    let f = start().await;
    let created = f
        .client
        .create_appointment(&user(), &key("series-2"), &weekly_with_exceptions())
        .await
        .unwrap()
        .appointment;
    let cursor = f
        .client
        .list_changes(&user(), None, None)
        .await
        .unwrap()
        .next_cursor;
    let without = AppointmentData {
        exceptions: Vec::new(),
        ..weekly_with_exceptions()
    };
    let updated = f
        .client
        .update_appointment(&user(), &created.id, &created.version, &without)
        .await
        .unwrap();
    assert!(updated.data.exceptions.is_empty());
    assert_ne!(updated.version, created.version);
    let stored = f.sim.appointment(&acme(), &user(), &created.id).unwrap();
    assert_eq!(stored, updated);
    let feed = f
        .client
        .list_changes(&user(), Some(&cursor), None)
        .await
        .unwrap();
    assert_eq!(feed.changes, [Change::Upserted(Box::new(updated))]);
}

#[tokio::test]
async fn a_put_that_omits_exceptions_in_the_json_clears_them() {
    let f = start().await;
    let created = f.sim.seed(&acme(), &user(), weekly_with_exceptions());
    let mut body = serde_json::to_value(weekly_with_exceptions()).unwrap();
    body.as_object_mut().unwrap().remove("exceptions");
    let response = reqwest::Client::new()
        .put(format!(
            "{}/v1/tenants/acme/users/{}/agenda/appointments/{}",
            f.sim.url(),
            user(),
            created.id
        ))
        .bearer_auth(TOKEN)
        .header(headers::IF_MATCH, created.version.to_etag())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        answer["exceptions"],
        json!([]),
        "always sent, even when empty"
    );
}

#[tokio::test]
async fn invalid_exceptions_are_refused_naming_the_field() {
    let f = start().await;
    let mut without_rule = weekly_with_exceptions();
    without_rule.recurrence = None;
    let mut twice = weekly_with_exceptions();
    twice
        .exceptions
        .push(Exception::cancelled(day("2026-03-16")));
    let mut all_day = weekly_with_exceptions();
    all_day.exceptions[1] = Exception::modified(
        day("2026-03-16"),
        ModifiedOccurrence {
            schedule: Schedule::all_day(day("2026-03-17"), day("2026-03-18")).unwrap(),
            subject: "Heidag".to_owned(),
            location: String::new(),
        },
    );
    let mut long_subject = weekly_with_exceptions();
    long_subject.exceptions[1] = Exception::modified(
        day("2026-03-16"),
        ModifiedOccurrence {
            schedule: Schedule::timed(
                at("2026-03-17T13:00:00+01:00"),
                at("2026-03-17T14:00:00+01:00"),
            )
            .unwrap(),
            subject: "x".repeat(256),
            location: String::new(),
        },
    );
    let cases = [
        (without_rule, "exceptions"),
        (twice, "exceptions[2].original_date"),
        (all_day, "exceptions[1].all_day"),
        (long_subject, "exceptions[1].subject"),
    ];
    for (n, (data, field)) in cases.into_iter().enumerate() {
        let error = f
            .client
            .create_appointment(&user(), &key(&format!("invalid-{n}")), &data)
            .await
            .unwrap_err();
        assert_eq!(refused_field(error).as_deref(), Some(field));
    }
    let valid = f.sim.seed(&acme(), &user(), weekly_with_exceptions());
    let mut twice = weekly_with_exceptions();
    twice
        .exceptions
        .push(Exception::cancelled(day("2026-03-09")));
    let error = f
        .client
        .update_appointment(&user(), &valid.id, &valid.version, &twice)
        .await
        .unwrap_err();
    assert_eq!(
        refused_field(error).as_deref(),
        Some("exceptions[2].original_date")
    );
    assert_eq!(f.sim.appointments(&acme(), &user()), [valid]);
}

#[tokio::test]
async fn a_modified_occurrence_ending_before_it_starts_is_malformed() {
    let f = start().await;
    let mut body = serde_json::to_value(weekly_with_exceptions()).unwrap();
    body["exceptions"][1]["end"] = json!("2026-03-17T12:00:00+01:00");
    let response = reqwest::Client::new()
        .post(format!(
            "{}/v1/tenants/acme/users/{}/agenda/appointments",
            f.sim.url(),
            user()
        ))
        .bearer_auth(TOKEN)
        .header(headers::IDEMPOTENCY_KEY, "backwards")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let answer: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        answer["code"], "invalid_request",
        "like the appointment's own schedule"
    );
    assert!(f.sim.appointments(&acme(), &user()).is_empty());
}

#[tokio::test]
async fn the_listing_includes_a_series_while_its_rule_may_still_recur() {
    let f = start().await;
    // April 2026 in Amsterdam; every series starts on Monday 2 March (08:00 + hours).
    let window = TimeWindow::new(
        at("2026-04-01T00:00:00+02:00").to_utc(),
        at("2026-05-01T00:00:00+02:00").to_utc(),
    )
    .unwrap();
    let seed = |data| f.sim.seed(&acme(), &user(), data);
    seed(series(
        "until before from",
        0,
        "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260330",
    ));
    seed(series(
        "until after from",
        1,
        "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260406",
    ));
    seed(series(
        "until with a time",
        2,
        "FREQ=DAILY;UNTIL=20260401T215959Z",
    ));
    seed(series("count", 3, "FREQ=WEEKLY;BYDAY=MO;COUNT=2"));
    seed(series("no end", 4, "FREQ=DAILY"));
    // 22:00 to 03:00: the occurrence on 31 March still runs at the window's start.
    let mut overnight = series(
        "overnight until the day before",
        0,
        "FREQ=DAILY;UNTIL=20260331",
    );
    overnight.schedule = Schedule::timed(
        at("2026-03-02T22:00:00+01:00"),
        at("2026-03-03T03:00:00+01:00"),
    )
    .unwrap();
    seed(overnight);
    // The rule ends in March, but its last occurrence was moved into April.
    let mut moved_in = series(
        "moved into the window",
        5,
        "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260309",
    );
    moved_in.exceptions = vec![moved(
        "2026-03-09",
        "2026-04-14T10:00:00+02:00",
        "2026-04-14T11:00:00+02:00",
    )];
    seed(moved_in);
    let mut later = series("first occurrence after to", 0, "FREQ=DAILY");
    later.schedule = Schedule::timed(
        at("2026-05-04T09:00:00+02:00"),
        at("2026-05-04T10:00:00+02:00"),
    )
    .unwrap();
    seed(later);
    let mut at_to = series("first occurrence at to", 0, "FREQ=DAILY");
    at_to.schedule = Schedule::timed(
        at("2026-05-01T00:00:00+02:00"),
        at("2026-05-01T01:00:00+02:00"),
    )
    .unwrap();
    seed(at_to);

    let listed: Vec<_> = f
        .client
        .window_listing(&user(), window)
        .with_page_limit(2)
        .collect()
        .await
        .unwrap()
        .appointments
        .into_iter()
        .map(|appointment| appointment.data.subject)
        .collect();
    assert_eq!(
        listed,
        [
            "until after from",
            "until with a time",
            "count",
            "no end",
            "moved into the window",
            "overnight until the day before",
        ],
        "ordered by first occurrence"
    );
}
