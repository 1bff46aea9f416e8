//! The Agenda port over the real client against the OfficeHeart simulator, over a socket.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

use chrono::{DateTime, TimeDelta, Utc};
use ohsync_engine::appointment::{Appointment, Categories, Schedule, ShowAs, Text, TimedSpan};
use ohsync_engine::identity::{
    BindingId, ChangeKey, ExchangeItemId, ExchangeItemKey, ExchangeUid, IdempotencyKey,
    OfficeHeartId,
};
use ohsync_engine::ports::{
    Agenda, AgendaChange, AgendaCursor, AgendaError, Continuation, NewAgendaItem,
};
use ohsync_engine::series::{Exception, ModifiedOccurrence, Recurrence, Series};
use ohsync_engine::window::WindowBounds;
use ohsync_officeheart::{
    AppointmentData, AppointmentId, ClientConfig, OfficeHeartClient, SecretString, TenantId, UserId,
};
use ohsync_officeheart_agenda::OfficeHeartAgenda;
use ohsync_oh_sim::{SimConfig, Simulator};

const TOKEN: &str = "acme-agenda-token";

struct World {
    sim: Simulator,
    agenda: OfficeHeartAgenda,
    tenant: TenantId,
    user: UserId,
}

async fn world() -> World {
    let tenant = TenantId::new("acme").unwrap();
    let user = UserId::new("jdevries").unwrap();
    let sim = Simulator::start(SimConfig::new().grant(tenant.clone(), TOKEN))
        .await
        .unwrap();
    let config = ClientConfig::new(sim.url().parse().unwrap());
    let client = OfficeHeartClient::new(config, tenant.clone(), SecretString::from(TOKEN)).unwrap();
    let agenda = OfficeHeartAgenda::new(client, user.clone());
    World {
        sim,
        agenda,
        tenant,
        user,
    }
}

fn start() -> DateTime<Utc> {
    "2026-12-07T08:00:00Z".parse().unwrap()
}

fn window() -> WindowBounds {
    WindowBounds {
        start: start() - TimeDelta::days(30),
        end: start() + TimeDelta::days(365),
    }
}

fn appointment(subject: &str, hours: i64) -> Appointment {
    let begin = start() + TimeDelta::hours(hours);
    Appointment {
        subject: Text::new(subject),
        location: Text::new("Utrecht"),
        body: Text::new("Offerte bespreken."),
        schedule: Schedule::Timed(TimedSpan::new(begin, begin + TimeDelta::hours(1)).unwrap()),
        time_zone: chrono_tz::Europe::Amsterdam,
        private: true,
        show_as: ShowAs::Tentative,
        reminder_minutes: Some(10),
        categories: Categories::new(["Klant", "Offerte"]),
        recurrence: None,
    }
}

fn seed_data(subject: &str, hours: i64) -> AppointmentData {
    let begin = start() + TimeDelta::hours(hours);
    AppointmentData::new(
        subject,
        ohsync_officeheart::Schedule::timed(
            begin.fixed_offset(),
            (begin + TimeDelta::hours(1)).fixed_offset(),
        )
        .unwrap(),
        chrono_tz::Europe::Amsterdam,
    )
}

/// Lists the whole window; the items and the cursor to follow changes from.
async fn list_all(agenda: &OfficeHeartAgenda) -> (Vec<OfficeHeartId>, AgendaCursor, usize) {
    let mut ids = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = agenda.list_window(&window(), token.as_ref()).await.unwrap();
        pages += 1;
        ids.extend(page.items.into_iter().map(|item| item.id));
        match page.continuation {
            Continuation::NextPage(next) => token = Some(next),
            Continuation::Done(cursor) => return (ids, cursor, pages),
        }
    }
}

/// A create as the engine makes it: the key is derived from the binding and the source item.
fn new_item(change_key: &str, uid: &str, content: Appointment) -> NewAgendaItem {
    let binding = BindingId::parse(&"ab".repeat(32)).unwrap();
    let source = ExchangeItemKey {
        item_id: ExchangeItemId::parse(&format!("AAMkAD{uid}")).unwrap(),
        change_key: ChangeKey::parse(change_key).unwrap(),
        uid: ExchangeUid::parse(uid).unwrap(),
    };
    NewAgendaItem {
        idempotency_key: IdempotencyKey::for_officeheart_create(&binding, &source),
        external_ref: source.uid,
        appointment: content,
    }
}

#[tokio::test]
async fn a_create_round_trips_every_field_and_a_replay_does_not_duplicate() {
    let w = world().await;
    let item = new_item(
        "key-1",
        "040000008200E00074C5B7101A82E008",
        appointment("Offerte", 3),
    );

    let created = w.agenda.create(&item).await.unwrap();
    let replayed = w.agenda.create(&item).await.unwrap();

    assert_eq!(created.appointment, item.appointment);
    assert_eq!(created.external_ref, Some(item.external_ref.clone()));
    assert_eq!(replayed.id, created.id);
    assert_eq!(w.sim.appointments(&w.tenant, &w.user).len(), 1);
    let read = w.agenda.get(&created.id).await.unwrap().unwrap();
    assert_eq!(
        read.appointment.content_hash(),
        item.appointment.content_hash()
    );
}

#[tokio::test]
async fn an_update_keeps_the_link_and_a_stale_version_conflicts() {
    let w = world().await;
    let uid = "040000008200E00074C5B7101A82E009";
    let created = w
        .agenda
        .create(&new_item("key-2", uid, appointment("Offerte", 3)))
        .await
        .unwrap();
    let external_ref = ExchangeUid::parse(uid).unwrap();

    let updated = w
        .agenda
        .update(
            &created.id,
            &created.version,
            &appointment("Verschoven", 5),
            &external_ref,
        )
        .await
        .unwrap();
    let stale = w
        .agenda
        .update(
            &created.id,
            &created.version,
            &appointment("Te laat", 6),
            &external_ref,
        )
        .await;

    assert_eq!(updated.appointment.subject.as_str(), "Verschoven");
    assert_eq!(updated.external_ref, Some(external_ref));
    assert_ne!(updated.version, created.version);
    assert_eq!(stale.unwrap_err(), AgendaError::VersionConflict);
}

#[tokio::test]
async fn a_delete_needs_the_current_version_and_a_missing_item_reads_as_none() {
    let w = world().await;
    let created = w
        .agenda
        .create(&new_item("key-3", "uid-3", appointment("Weg", 1)))
        .await
        .unwrap();
    let external_ref = ExchangeUid::parse("uid-3").unwrap();
    let updated = w
        .agenda
        .update(
            &created.id,
            &created.version,
            &appointment("Weg!", 1),
            &external_ref,
        )
        .await
        .unwrap();

    assert_eq!(
        w.agenda
            .delete(&created.id, &created.version)
            .await
            .unwrap_err(),
        AgendaError::VersionConflict
    );
    w.agenda
        .delete(&created.id, &updated.version)
        .await
        .unwrap();
    assert_eq!(w.agenda.get(&created.id).await.unwrap(), None);
    assert_eq!(
        w.agenda
            .delete(&created.id, &updated.version)
            .await
            .unwrap_err(),
        AgendaError::NotFound
    );
}

#[tokio::test]
async fn a_listing_pages_and_an_edit_made_between_pages_is_in_the_feed_that_follows() {
    let w = world().await;
    let seeded: Vec<_> = (0..620)
        .map(|n| {
            w.sim
                .seed(&w.tenant, &w.user, seed_data(&format!("Afspraak {n}"), n))
        })
        .collect();

    let first = w.agenda.list_window(&window(), None).await.unwrap();
    let Continuation::NextPage(token) = first.continuation else {
        panic!("620 appointments must not fit on one page");
    };
    let edited = AppointmentId::new(seeded[0].id.as_str()).unwrap();
    w.sim
        .edit(&w.tenant, &w.user, &edited, |data| {
            data.subject = "Tussendoor".to_owned()
        })
        .unwrap();
    let second = w.agenda.list_window(&window(), Some(&token)).await.unwrap();
    let Continuation::Done(cursor) = second.continuation else {
        panic!("the second page must be the last");
    };
    let feed = w.agenda.changes(&cursor).await.unwrap();

    assert_eq!(first.items.len() + second.items.len(), 620);
    let edited_id = OfficeHeartId::parse(edited.as_str()).unwrap();
    assert!(feed.changes.iter().any(|change| matches!(
        change,
        AgendaChange::Upserted(item) if item.id == edited_id && item.appointment.subject.as_str() == "Tussendoor"
    )));
}

#[tokio::test]
async fn the_feed_reports_user_edits_and_deletions_and_an_old_cursor_expires() {
    let w = world().await;
    let kept = w.sim.seed(&w.tenant, &w.user, seed_data("Blijft", 1));
    let gone = w.sim.seed(&w.tenant, &w.user, seed_data("Gaat", 2));
    let (ids, cursor, pages) = list_all(&w.agenda).await;
    assert_eq!((ids.len(), pages), (2, 1));

    let quiet = w.agenda.changes(&cursor).await.unwrap();
    w.sim
        .edit(&w.tenant, &w.user, &kept.id, |data| {
            data.location = "Zwolle".to_owned()
        })
        .unwrap();
    assert!(w.sim.remove(&w.tenant, &w.user, &gone.id));
    let page = w.agenda.changes(&quiet.cursor).await.unwrap();

    assert!(quiet.changes.is_empty());
    let kept_id = OfficeHeartId::parse(kept.id.as_str()).unwrap();
    let gone_id = OfficeHeartId::parse(gone.id.as_str()).unwrap();
    assert!(page.changes.iter().any(|change| matches!(
        change,
        AgendaChange::Upserted(item) if item.id == kept_id && item.appointment.location.as_str() == "Zwolle"
    )));
    assert!(
        page.changes
            .contains(&AgendaChange::Deleted { id: gone_id })
    );

    w.sim.compact(&w.tenant, &w.user);
    assert_eq!(
        w.agenda.changes(&cursor).await.unwrap_err(),
        AgendaError::CursorExpired
    );
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized() {
    let w = world().await;
    let config = ClientConfig::new(w.sim.url().parse().unwrap());
    let client =
        OfficeHeartClient::new(config, w.tenant.clone(), SecretString::from("wrong")).unwrap();
    let agenda = OfficeHeartAgenda::new(client, w.user.clone());

    let error = agenda.list_window(&window(), None).await.unwrap_err();

    assert_eq!(error, AgendaError::Unauthorized);
}

/// Mondays at 09:00 Amsterdam time (08:00 UTC in winter) from 7 December 2026, six times; the
/// second cancelled and the third moved to Tuesday afternoon.
fn weekly_series() -> Appointment {
    let mut series = appointment("Weekstart", 0);
    let first = series.schedule.first_date(series.time_zone);
    let date = |days| first + TimeDelta::days(days);
    let moved = "2026-12-22T13:00:00Z".parse::<DateTime<Utc>>().unwrap();
    let rule = "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;WKST=MO;COUNT=6"
        .parse()
        .unwrap();
    let exceptions = [
        (date(7), Exception::Cancelled),
        (
            date(14),
            Exception::Modified(ModifiedOccurrence {
                schedule: Schedule::Timed(
                    TimedSpan::new(moved, moved + TimeDelta::hours(1)).unwrap(),
                ),
                subject: Text::new("Weekstart (dinsdag)"),
                location: Text::new("Kamer 3"),
            }),
        ),
    ];
    series.recurrence = Some(Recurrence::Series(
        Series::new(rule, first, exceptions).unwrap(),
    ));
    series
}

#[tokio::test]
async fn a_series_with_exceptions_round_trips_as_rule_and_exceptions() {
    let w = world().await;
    let series = weekly_series();
    let item = new_item("key-s", "040000008200E00074C5B7101A82E009", series.clone());

    let created = w.agenda.create(&item).await.unwrap();

    assert_eq!(created.appointment, series);
    let stored = w.sim.appointments(&w.tenant, &w.user).pop().unwrap();
    assert_eq!(
        stored.data.recurrence.as_deref(),
        Some("FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;WKST=MO;COUNT=6")
    );
    let exceptions: Vec<(String, bool)> = stored
        .data
        .exceptions
        .iter()
        .map(|exception| {
            (
                exception.original_date.to_string(),
                matches!(exception.kind, ohsync_officeheart::ExceptionKind::Cancelled),
            )
        })
        .collect();
    assert_eq!(
        exceptions,
        [
            ("2026-12-14".to_owned(), true),
            ("2026-12-21".to_owned(), false)
        ]
    );
    let read = w.agenda.get(&created.id).await.unwrap().unwrap();
    assert_eq!(read.appointment.content_hash(), series.content_hash());
}

#[tokio::test]
async fn a_rule_outside_the_subset_or_off_its_days_is_carried_unsupported() {
    let w = world().await;
    for rule in ["FREQ=WEEKLY;BYDAY=TU", "FREQ=HOURLY;INTERVAL=2"] {
        let mut data = seed_data("Elders gepland", 0);
        data.recurrence = Some(rule.to_owned());
        let seeded = w.sim.seed(&w.tenant, &w.user, data);
        let id = OfficeHeartId::parse(seeded.id.as_str()).unwrap();
        let read = w.agenda.get(&id).await.unwrap().unwrap();
        assert_eq!(
            read.appointment.recurrence,
            Some(Recurrence::Unsupported(rule.to_owned())),
            "7 December 2026 is a Monday"
        );
    }
}
