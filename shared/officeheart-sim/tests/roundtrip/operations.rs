//! Every operation of the client against the simulator, including the contract's refusals.

use chrono::NaiveDate;
use ohsync_officeheart::contract::Operation;
use ohsync_officeheart::{
    AppointmentId, Change, Cursor, OfficeHeartError, Schedule, SecretString, ShowAs, TimeWindow,
    UserId,
};

use crate::fixture::{OTHER_TOKEN, TOKEN, acme, at, globex, key, meeting, start, user};

#[tokio::test]
async fn create_get_update_delete_round_trip() {
    let f = start().await;
    let created = f
        .client
        .create_appointment(&user(), &key("k-1"), &meeting("Overleg", 0))
        .await
        .unwrap();
    assert!(!created.replayed);
    let appointment = created.appointment;
    assert_eq!(appointment.data, meeting("Overleg", 0));
    assert_eq!(
        f.client
            .get_appointment(&user(), &appointment.id)
            .await
            .unwrap(),
        appointment
    );

    let mut changed = meeting("Overleg (verzet)", 2);
    changed.show_as = ShowAs::Tentative;
    let updated = f
        .client
        .update_appointment(&user(), &appointment.id, &appointment.version, &changed)
        .await
        .unwrap();
    assert_ne!(
        updated.version, appointment.version,
        "every write gets a new version"
    );
    assert_eq!(updated.data, changed);
    assert_eq!(
        f.sim
            .appointment(&acme(), &user(), &appointment.id)
            .unwrap(),
        updated
    );

    f.client
        .delete_appointment(&user(), &appointment.id, &updated.version)
        .await
        .unwrap();
    assert!(f.sim.appointments(&acme(), &user()).is_empty());
    let gone = f
        .client
        .get_appointment(&user(), &appointment.id)
        .await
        .unwrap_err();
    assert!(
        matches!(gone, OfficeHeartError::NotFound { .. }),
        "{gone:?}"
    );
}

#[tokio::test]
async fn all_day_appointments_travel_as_dates_with_an_exclusive_end() {
    let f = start().await;
    let mut holiday = meeting("Vakantie", 0);
    let day = |d| NaiveDate::from_ymd_opt(2026, 7, d).unwrap();
    holiday.schedule = Schedule::all_day(day(20), day(25)).unwrap();
    let created = f
        .client
        .create_appointment(&user(), &key("holiday"), &holiday)
        .await
        .unwrap()
        .appointment;
    let read = f
        .client
        .get_appointment(&user(), &created.id)
        .await
        .unwrap();
    assert_eq!(
        read.data.schedule,
        Schedule::AllDay {
            start: day(20),
            end: day(25)
        }
    );
}

#[tokio::test]
async fn a_stale_version_is_refused_with_412_and_changes_nothing() {
    let f = start().await;
    let original = f.sim.seed(&acme(), &user(), meeting("Origineel", 0));
    let edited = f.sim.edit(&acme(), &user(), &original.id, |data| {
        data.subject = "In OfficeHeart gewijzigd".into()
    });
    let edited = edited.unwrap();

    let from_exchange = meeting("Van Exchange", 0);
    let update = f
        .client
        .update_appointment(&user(), &original.id, &original.version, &from_exchange)
        .await;
    let error = update.unwrap_err();
    assert!(
        matches!(error, OfficeHeartError::VersionMismatch { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    let delete = f
        .client
        .delete_appointment(&user(), &original.id, &original.version)
        .await
        .unwrap_err();
    assert!(
        matches!(delete, OfficeHeartError::VersionMismatch { .. }),
        "{delete:?}"
    );
    assert_eq!(
        f.sim.appointment(&acme(), &user(), &original.id).unwrap(),
        edited
    );
}

#[tokio::test]
async fn unknown_ids_answer_not_found() {
    let f = start().await;
    let seeded = f.sim.seed(&acme(), &user(), meeting("Bestaat", 0));
    let missing = AppointmentId::new("no-such-appointment").unwrap();
    let errors = [
        f.client.get_appointment(&user(), &missing).await.map(drop),
        f.client
            .update_appointment(&user(), &missing, &seeded.version, &meeting("x", 0))
            .await
            .map(drop),
        f.client
            .delete_appointment(&user(), &missing, &seeded.version)
            .await,
    ];
    for result in errors {
        let error = result.unwrap_err();
        assert!(
            matches!(error, OfficeHeartError::NotFound { .. }),
            "{error:?}"
        );
        assert_eq!(error.code(), "officeheart_not_found");
    }
}

#[tokio::test]
async fn a_replayed_create_returns_the_first_result_and_creates_nothing() {
    let f = start().await;
    let first = f
        .client
        .create_appointment(&user(), &key("exchange-uid-1"), &meeting("Eenmalig", 0))
        .await
        .unwrap();
    let again = f
        .client
        .create_appointment(&user(), &key("exchange-uid-1"), &meeting("Eenmalig", 0))
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.appointment, first.appointment);
    assert_eq!(f.sim.appointments(&acme(), &user()).len(), 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused_with_422() {
    let f = start().await;
    f.client
        .create_appointment(&user(), &key("exchange-uid-2"), &meeting("Eerste", 0))
        .await
        .unwrap();
    let error = f
        .client
        .create_appointment(&user(), &key("exchange-uid-2"), &meeting("Andere", 0))
        .await
        .unwrap_err();
    assert!(
        matches!(error, OfficeHeartError::IdempotencyKeyReused { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(f.sim.appointments(&acme(), &user()).len(), 1);
}

#[tokio::test]
async fn idempotency_keys_are_scoped_to_the_user() {
    let f = start().await;
    let colleague = UserId::new("pbakker").unwrap();
    let mine = f
        .client
        .create_appointment(&user(), &key("shared-key"), &meeting("Overleg", 0))
        .await
        .unwrap();
    let theirs = f
        .client
        .create_appointment(&colleague, &key("shared-key"), &meeting("Overleg", 0))
        .await
        .unwrap();
    assert!(!theirs.replayed);
    assert_ne!(mine.appointment.id, theirs.appointment.id);
}

#[tokio::test]
async fn invalid_fields_are_refused_naming_the_field() {
    let f = start().await;
    let mut data = meeting("x", 0);
    data.subject = "x".repeat(256);
    let error = f
        .client
        .create_appointment(&user(), &key("too-long"), &data)
        .await
        .unwrap_err();
    match error {
        OfficeHeartError::Rejected {
            status,
            code,
            field,
            ..
        } => {
            assert_eq!(
                (status, code.as_str(), field.as_deref()),
                (400, "invalid_field", Some("subject"))
            );
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert!(f.sim.appointments(&acme(), &user()).is_empty());
}

#[tokio::test]
async fn the_change_feed_pages_and_resumes_from_its_cursor() {
    let f = start().await;
    let seeded: Vec<_> = (0..7)
        .map(|i| f.sim.seed(&acme(), &user(), meeting(&format!("m{i}"), i)))
        .collect();

    let batch = f
        .client
        .change_feed(&user(), None)
        .with_page_limit(3)
        .collect(usize::MAX)
        .await
        .unwrap();
    assert!(batch.complete);
    let ids: Vec<_> = batch
        .changes
        .iter()
        .map(|change| change.id().clone())
        .collect();
    assert_eq!(
        ids,
        seeded.iter().map(|a| a.id.clone()).collect::<Vec<_>>(),
        "oldest first, each once"
    );
    assert_eq!(
        f.sim.stats().requests(Operation::ListChanges),
        3,
        "pages of 3, 3 and 1"
    );

    let quiet = f
        .client
        .list_changes(&user(), Some(&batch.cursor), None)
        .await
        .unwrap();
    assert!(quiet.changes.is_empty() && !quiet.has_more);
    assert_eq!(
        quiet.next_cursor, batch.cursor,
        "an empty read keeps the position"
    );
    let before = f.sim.stats().requests(Operation::ListChanges);
    let no_change = f
        .client
        .change_feed(&user(), Some(batch.cursor.clone()))
        .collect(usize::MAX)
        .await
        .unwrap();
    assert!(no_change.changes.is_empty() && no_change.complete);
    assert_eq!(
        f.sim.stats().requests(Operation::ListChanges) - before,
        1,
        "a run with no changes costs one request"
    );

    let edited = f
        .sim
        .edit(&acme(), &user(), &seeded[1].id, |data| {
            data.location = "Amersfoort".into()
        })
        .unwrap();
    assert!(f.sim.remove(&acme(), &user(), &seeded[4].id));
    let page = f
        .client
        .list_changes(&user(), Some(&batch.cursor), None)
        .await
        .unwrap();
    assert_eq!(
        page.changes,
        [
            Change::Upserted(Box::new(edited)),
            Change::Deleted {
                id: seeded[4].id.clone(),
                version: page.changes[1].version().clone()
            }
        ]
    );
    assert_ne!(
        page.changes[1].version(),
        &seeded[4].version,
        "a deletion is a write with its own version"
    );
}

#[tokio::test]
async fn collect_stops_after_whole_pages_once_enough_changes_were_read() {
    let f = start().await;
    for i in 0..5 {
        f.sim.seed(&acme(), &user(), meeting(&format!("m{i}"), i));
    }
    let first = f
        .client
        .change_feed(&user(), None)
        .with_page_limit(2)
        .collect(3)
        .await
        .unwrap();
    assert_eq!((first.changes.len(), first.complete), (4, false));
    let rest = f
        .client
        .change_feed(&user(), Some(first.cursor))
        .collect(usize::MAX)
        .await
        .unwrap();
    assert_eq!((rest.changes.len(), rest.complete), (1, true));
}

#[tokio::test]
async fn an_old_cursor_answers_410_after_compaction() {
    let f = start().await;
    let old = f
        .client
        .list_changes(&user(), None, None)
        .await
        .unwrap()
        .next_cursor;
    let doomed = f.sim.seed(&acme(), &user(), meeting("Weg", 0));
    assert!(f.sim.remove(&acme(), &user(), &doomed.id));
    f.sim.compact(&acme(), &user());

    let error = f
        .client
        .list_changes(&user(), Some(&old), None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, OfficeHeartError::CursorExpired { .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), "officeheart_cursor_expired");
    assert!(
        !error.is_retryable(),
        "retrying the same cursor cannot help; the client must re-list"
    );

    let fresh = f.client.list_changes(&user(), None, None).await.unwrap();
    assert!(fresh.changes.is_empty(), "the compacted tombstone is gone");
    assert!(
        f.client
            .list_changes(&user(), Some(&fresh.next_cursor), None)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_cursor_this_feed_did_not_produce_is_refused() {
    let f = start().await;
    let forged = Cursor::new("not-a-cursor").unwrap();
    match f
        .client
        .list_changes(&user(), Some(&forged), None)
        .await
        .unwrap_err()
    {
        OfficeHeartError::Rejected {
            status: 400, code, ..
        } => assert_eq!(code, "invalid_cursor"),
        other => panic!("expected invalid_cursor, got {other:?}"),
    }
}

#[tokio::test]
async fn the_window_listing_pages_through_overlapping_appointments_in_start_order() {
    let f = start().await;
    let window = TimeWindow::new(
        at("2026-03-02T09:00:00+01:00").to_utc(),
        at("2026-03-03T00:00:00+01:00").to_utc(),
    )
    .unwrap();
    let before = f.sim.seed(&acme(), &user(), meeting("ends at from", 0));
    for hours in [5, 1, 3, 2, 4] {
        f.sim
            .seed(&acme(), &user(), meeting(&format!("h{hours}"), hours));
    }
    f.sim.seed(&acme(), &user(), meeting("starts at to", 16));
    let mut day = meeting("hele dag", 0);
    day.schedule = Schedule::all_day(
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        NaiveDate::from_ymd_opt(2026, 3, 3).unwrap(),
    )
    .unwrap();
    let all_day = f.sim.seed(&acme(), &user(), day);

    let snapshot = f
        .client
        .window_listing(&user(), window)
        .with_page_limit(2)
        .collect()
        .await
        .unwrap();
    let subjects: Vec<_> = snapshot
        .appointments
        .iter()
        .map(|a| a.data.subject.as_str())
        .collect();
    assert_eq!(subjects, ["hele dag", "h1", "h2", "h3", "h4", "h5"]);
    assert!(snapshot.appointments.iter().all(|a| a.id != before.id));
    assert_eq!(f.sim.stats().requests(Operation::ListAppointments), 3);
    assert_eq!(snapshot.appointments[0], all_day);
}

#[tokio::test]
async fn the_listing_feed_cursor_catches_changes_made_while_listing() {
    let f = start().await;
    let window = TimeWindow::new(
        at("2026-03-01T00:00:00Z").to_utc(),
        at("2026-04-01T00:00:00Z").to_utc(),
    )
    .unwrap();
    let seeded: Vec<_> = (0..3)
        .map(|i| f.sim.seed(&acme(), &user(), meeting(&format!("m{i}"), i)))
        .collect();
    let mut listing = f.client.window_listing(&user(), window).with_page_limit(1);
    listing.next_page().await.unwrap();
    let edited = f.sim.edit(&acme(), &user(), &seeded[0].id, |data| {
        data.body = "gewijzigd tijdens listing".into()
    });
    while listing.next_page().await.unwrap().is_some() {}
    let feed_cursor = listing.feed_cursor().unwrap().clone();

    let page = f
        .client
        .list_changes(&user(), Some(&feed_cursor), None)
        .await
        .unwrap();
    assert_eq!(page.changes, [Change::Upserted(Box::new(edited.unwrap()))]);
}

#[tokio::test]
async fn a_page_token_is_valid_only_for_its_window() {
    let f = start().await;
    for i in 0..3 {
        f.sim.seed(&acme(), &user(), meeting(&format!("m{i}"), i));
    }
    let window = TimeWindow::new(
        at("2026-03-01T00:00:00Z").to_utc(),
        at("2026-04-01T00:00:00Z").to_utc(),
    )
    .unwrap();
    let other = TimeWindow::new(
        at("2026-03-01T00:00:00Z").to_utc(),
        at("2026-05-01T00:00:00Z").to_utc(),
    )
    .unwrap();
    let page = f
        .client
        .list_appointments(&user(), &window, None, Some(1))
        .await
        .unwrap();
    let token = page.next_page_token.unwrap();
    match f
        .client
        .list_appointments(&user(), &other, Some(&token), Some(1))
        .await
        .unwrap_err()
    {
        OfficeHeartError::Rejected {
            status: 400, code, ..
        } => assert_eq!(code, "invalid_page_token"),
        other => panic!("expected invalid_page_token, got {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_token_is_refused_with_401_and_never_shown() {
    let f = start().await;
    let client = f
        .client
        .for_tenant(acme(), SecretString::from("wrong-token-5511"))
        .unwrap();
    let error = client.list_changes(&user(), None, None).await.unwrap_err();
    assert!(
        matches!(error, OfficeHeartError::Unauthorized { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    let rendered = format!("{error} {error:?} {client:?}");
    assert!(
        !rendered.contains("wrong-token-5511") && !rendered.contains(TOKEN),
        "{rendered}"
    );
    let message = error.user_message();
    assert!(message.nl.contains("toegang") && message.en.contains("access"));
}

#[tokio::test]
async fn a_token_cannot_reach_another_tenant() {
    let f = start().await;
    let theirs = f.sim.seed(&globex(), &user(), meeting("Geheim", 0));
    let acme_token_on_globex = f
        .client
        .for_tenant(globex(), SecretString::from(TOKEN))
        .unwrap();
    let read = acme_token_on_globex
        .get_appointment(&user(), &theirs.id)
        .await
        .unwrap_err();
    assert!(
        matches!(read, OfficeHeartError::Forbidden { .. }),
        "{read:?}"
    );
    let write = acme_token_on_globex
        .delete_appointment(&user(), &theirs.id, &theirs.version)
        .await
        .unwrap_err();
    assert!(
        matches!(write, OfficeHeartError::Forbidden { .. }),
        "{write:?}"
    );
    let unknown_tenant = f
        .client
        .for_tenant("initech".parse().unwrap(), SecretString::from(TOKEN))
        .unwrap();
    let probe = unknown_tenant
        .list_changes(&user(), None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(probe, OfficeHeartError::Forbidden { .. }),
        "same answer whether or not the tenant exists"
    );
    assert_eq!(f.sim.appointments(&globex(), &user()), [theirs]);

    let globex = f
        .client
        .for_tenant(globex(), SecretString::from(OTHER_TOKEN))
        .unwrap();
    assert_eq!(
        globex
            .list_changes(&user(), None, None)
            .await
            .unwrap()
            .changes
            .len(),
        1
    );
}
