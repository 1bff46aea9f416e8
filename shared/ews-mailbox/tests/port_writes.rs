//! The Mailbox port's writes against the Exchange simulator over a socket (NTLM): creates with
//! tag and UID, NeverOverwrite updates, ChangeKey-checked deletes, lost answers, impersonation
//! and older schema versions.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use chrono::NaiveDate;
use ohsync_engine::appointment::{Categories, DaySpan, Schedule, ShowAs, Text};
use ohsync_engine::identity::{ChangeKey, ExchangeItemId, ExchangeItemKey};
use ohsync_engine::ports::{
    CreateOutcome, DeleteOutcome, ExchangeUpdate, ItemReadError, Mailbox, MailboxChange,
    UpdateOutcome,
};
use ohsync_ews::ExchangeVersion;
use ohsync_ews_mailbox::{EwsMailbox, MailboxSettings};
use ohsync_ews_sim::ItemPatch;
use ohsync_ews_sim::mailbox::extended::PropertyKey;
use ohsync_ews_sim::{ItemSnapshot, ServerVersion};
use support::{
    BOSS, JAN, appointment, client_for, list_all, mailbox, mailbox_with, new_item, quick_retries,
    start, window,
};

fn created(outcomes: Vec<CreateOutcome>) -> Vec<ExchangeItemKey> {
    outcomes
        .into_iter()
        .map(|outcome| match outcome {
            CreateOutcome::Created(key) => key,
            other => panic!("not created: {other:?}"),
        })
        .collect()
}

fn tag_value(snapshot: &ItemSnapshot) -> Option<&str> {
    snapshot
        .extended
        .iter()
        .find(|(uri, _)| uri.key == PropertyKey::Name("ohsync-id".into()))
        .and_then(|(_, values)| values.first())
        .map(String::as_str)
}

#[tokio::test]
async fn create_then_changes_then_get_round_trips_every_field() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    let (_, position, _) = list_all(&mailbox, &window()).await;

    let timed = appointment("Overleg <klant> & \"offerte\"", 3);
    let mut all_day = appointment("Beurs", 40);
    all_day.schedule = Schedule::AllDay(
        DaySpan::new(
            NaiveDate::from_ymd_opt(2027, 3, 27).unwrap(),
            NaiveDate::from_ymd_opt(2027, 3, 30).unwrap(),
        )
        .unwrap(),
    );
    all_day.private = false;
    all_day.show_as = ShowAs::OutOfOffice;
    all_day.reminder_minutes = None;
    all_day.categories = Categories::default();
    all_day.location = Text::default();
    let keys = created(
        mailbox
            .create_items(&[
                new_item("oh-1", timed.clone()),
                new_item("oh-2", all_day.clone()),
            ])
            .await
            .unwrap(),
    );

    let page = mailbox.changes(&position).await.unwrap();
    assert!(!page.more);
    let reported: Vec<_> = page
        .changes
        .iter()
        .map(|change| match change {
            MailboxChange::Upserted(summary) => summary.clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(reported.len(), 2);
    for (key, id) in keys.iter().zip(["oh-1", "oh-2"]) {
        let summary = reported
            .iter()
            .find(|summary| summary.key.item_id == key.item_id)
            .unwrap();
        assert_eq!(
            &summary.key, key,
            "ChangeKey and UID known from the create answer"
        );
        assert_eq!(
            summary.tag.as_ref().unwrap().to_string(),
            format!("acme:{id}")
        );
        assert!(!summary.is_series);
    }

    let ids: Vec<ExchangeItemId> = keys.iter().map(|key| key.item_id.clone()).collect();
    let read = mailbox.get_items(&ids).await.unwrap();
    let timed_read = read[0].as_ref().unwrap();
    let all_day_read = read[1].as_ref().unwrap();
    assert_eq!(timed_read.appointment, timed);
    assert_eq!(timed_read.appointment.content_hash(), timed.content_hash());
    assert_eq!(all_day_read.appointment, all_day);
    assert_eq!(timed_read.key, keys[0]);
    assert_eq!(timed_read.tag.as_ref().unwrap().to_string(), "acme:oh-1");

    let stored = sim
        .mailbox(JAN)
        .unwrap()
        .item(keys[0].item_id.as_str())
        .unwrap();
    assert_eq!(stored.uid, keys[0].uid.as_str());
    assert_eq!(tag_value(&stored), Some("acme:oh-1"));
    assert_eq!(
        stored.subject.as_deref(),
        Some("Overleg <klant> & \"offerte\"")
    );
    let beurs = sim
        .mailbox(JAN)
        .unwrap()
        .item(keys[1].item_id.as_str())
        .unwrap();
    assert!(beurs.is_all_day);
    assert_eq!(beurs.location, None, "an empty location is not written");
    assert_eq!(sim.counters().operation("CreateItem"), 1);
}

#[tokio::test]
async fn an_update_with_a_stale_change_key_is_a_conflict_and_changes_nothing() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    let key = created(
        mailbox
            .create_items(&[new_item("oh-1", appointment("Origineel", 2))])
            .await
            .unwrap(),
    )
    .remove(0);
    let outlook = sim
        .mailbox(JAN)
        .unwrap()
        .edit(
            key.item_id.as_str(),
            &ItemPatch::new().subject("In Outlook gewijzigd"),
        )
        .unwrap();
    assert_ne!(outlook.change_key, key.change_key.as_str());

    let stale = ExchangeUpdate {
        key: key.clone(),
        appointment: appointment("Van OfficeHeart", 2),
    };
    let outcomes = mailbox.update_items(&[stale]).await.unwrap();
    assert_eq!(outcomes, [UpdateOutcome::Conflict]);
    let after = sim
        .mailbox(JAN)
        .unwrap()
        .item(key.item_id.as_str())
        .unwrap();
    assert_eq!(after.subject.as_deref(), Some("In Outlook gewijzigd"));
    assert_eq!(after.change_key, outlook.change_key, "nothing was written");
}

#[tokio::test]
async fn an_update_sets_every_field_and_deletes_the_emptied_ones() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    let key = created(
        mailbox
            .create_items(&[new_item("oh-1", appointment("Origineel", 2))])
            .await
            .unwrap(),
    )
    .remove(0);
    let mut changed = appointment("Verzet", 5);
    changed.location = Text::default();
    changed.body = Text::default();
    changed.categories = Categories::default();
    changed.reminder_minutes = None;
    changed.private = false;
    changed.show_as = ShowAs::Free;
    changed.time_zone = chrono_tz::America::New_York;

    let outcomes = mailbox
        .update_items(&[ExchangeUpdate {
            key: key.clone(),
            appointment: changed.clone(),
        }])
        .await
        .unwrap();
    let UpdateOutcome::Updated(new_key) = &outcomes[0] else {
        panic!("not updated: {outcomes:?}");
    };
    assert_eq!(new_key.item_id, key.item_id);
    assert_eq!(new_key.uid, key.uid);
    assert_ne!(new_key.change_key, key.change_key);

    let read = mailbox
        .get_items(std::slice::from_ref(&key.item_id))
        .await
        .unwrap();
    let read = read[0].as_ref().unwrap();
    assert_eq!(read.appointment, changed);
    assert_eq!(&read.key, new_key);
    assert_eq!(
        read.tag.as_ref().unwrap().to_string(),
        "acme:oh-1",
        "the tag stays"
    );
    let stored = sim
        .mailbox(JAN)
        .unwrap()
        .item(key.item_id.as_str())
        .unwrap();
    assert_eq!(stored.location, None);
    assert_eq!(stored.body, None);
    assert!(stored.categories.is_empty());
}

#[tokio::test]
async fn a_conditional_delete_spares_a_changed_item() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    let keys = created(
        mailbox
            .create_items(&[
                new_item("oh-1", appointment("Weg", 2)),
                new_item("oh-2", appointment("Gewijzigd", 3)),
                new_item("oh-3", appointment("Al weg", 4)),
            ])
            .await
            .unwrap(),
    );
    let handle = sim.mailbox(JAN).unwrap();
    handle
        .edit(
            keys[1].item_id.as_str(),
            &ItemPatch::new().location("Elders"),
        )
        .unwrap();
    handle.delete(keys[2].item_id.as_str()).unwrap();

    let outcomes = mailbox.delete_items(&keys).await.unwrap();
    assert_eq!(
        outcomes,
        [
            DeleteOutcome::Deleted,
            DeleteOutcome::Conflict,
            DeleteOutcome::NotFound
        ]
    );
    let left: Vec<String> = handle
        .items()
        .into_iter()
        .map(|item| item.item_id)
        .collect();
    assert_eq!(left, [keys[1].item_id.as_str()]);
    assert_eq!(sim.counters().operation("DeleteItem"), 1);
    assert_eq!(
        sim.counters().operation("GetItem"),
        1,
        "one IdOnly read of the keys"
    );
}

#[tokio::test]
async fn a_lost_create_answer_is_outcome_unknown_and_the_tag_finds_the_item() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    sim.faults().drop_connection_after_next_writes(1);
    let outcomes = mailbox
        .create_items(&[
            new_item("oh-1", appointment("Een", 2)),
            new_item("oh-2", appointment("Twee", 3)),
        ])
        .await
        .unwrap();
    assert_eq!(
        outcomes,
        [CreateOutcome::OutcomeUnknown, CreateOutcome::OutcomeUnknown]
    );
    assert_eq!(
        sim.counters().operation("CreateItem"),
        1,
        "a create is never repeated"
    );

    let found = mailbox
        .find_by_tags(&[support::tag("oh-1"), support::tag("oh-2")])
        .await
        .unwrap();
    let mut tags: Vec<String> = found
        .iter()
        .map(|summary| summary.tag.as_ref().unwrap().to_string())
        .collect();
    tags.sort();
    assert_eq!(tags, ["acme:oh-1", "acme:oh-2"]);
    assert_eq!(sim.mailbox(JAN).unwrap().items().len(), 2);
}

#[tokio::test]
async fn an_impersonating_account_writes_to_the_impersonated_calendar() {
    let sim = start(ServerVersion::Exchange2016).await;
    let client = client_for(
        &sim.url(),
        r"OHSIM\boss",
        "pw-boss",
        ExchangeVersion::Exchange2016,
        quick_retries(),
    )
    .impersonate(JAN)
    .build()
    .unwrap();
    let mailbox = EwsMailbox::new(client, MailboxSettings::default());
    let key = created(
        mailbox
            .create_items(&[new_item("oh-1", appointment("Namens Jan", 2))])
            .await
            .unwrap(),
    )
    .remove(0);
    assert!(
        sim.mailbox(JAN)
            .unwrap()
            .item(key.item_id.as_str())
            .is_some()
    );
    assert!(sim.mailbox(BOSS).unwrap().items().is_empty());
    let read = mailbox.get_items(&[key.item_id]).await.unwrap();
    assert_eq!(
        read[0].as_ref().unwrap().appointment.subject.as_str(),
        "Namens Jan"
    );
}

#[tokio::test]
async fn exchange_2007_items_round_trip_with_a_meeting_time_zone() {
    let sim = start(ServerVersion::Exchange2007Sp1).await;
    let mailbox = mailbox_with(&sim, ExchangeVersion::Exchange2007Sp1, quick_retries());
    let mut original = appointment("Oud maar goed", 2);
    original.show_as = ShowAs::WorkingElsewhere;
    let key = created(
        mailbox
            .create_items(&[new_item("oh-1", original.clone())])
            .await
            .unwrap(),
    )
    .remove(0);
    let read = mailbox
        .get_items(std::slice::from_ref(&key.item_id))
        .await
        .unwrap();
    let read = read[0].as_ref().unwrap();
    // WorkingElsewhere does not exist before 2013: it is written, and so read back, as Busy.
    let expected = ohsync_engine::appointment::Appointment {
        show_as: ShowAs::Busy,
        ..original
    };
    assert_eq!(read.appointment, expected);
    assert_eq!(read.key.uid, key.uid);
}

#[tokio::test]
async fn reading_a_missing_item_is_not_found_for_that_item_only() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    let keys = created(
        mailbox
            .create_items(&[
                new_item("oh-1", appointment("Blijft", 2)),
                new_item("oh-2", appointment("Gaat", 3)),
            ])
            .await
            .unwrap(),
    );
    sim.mailbox(JAN)
        .unwrap()
        .delete(keys[1].item_id.as_str())
        .unwrap();
    let read = mailbox
        .get_items(&[keys[0].item_id.clone(), keys[1].item_id.clone()])
        .await
        .unwrap();
    assert_eq!(
        read[0].as_ref().unwrap().appointment.subject.as_str(),
        "Blijft"
    );
    assert_eq!(read[1], Err(ItemReadError::NotFound));
    // The stale key of a deleted item updates nothing either.
    let outcomes = mailbox
        .update_items(&[ExchangeUpdate {
            key: keys[1].clone(),
            appointment: appointment("Te laat", 3),
        }])
        .await
        .unwrap();
    assert_eq!(outcomes, [UpdateOutcome::NotFound]);
    let bogus = ExchangeItemKey {
        change_key: ChangeKey::parse("DwAAAA").unwrap(),
        ..keys[0].clone()
    };
    assert_eq!(
        mailbox.delete_items(&[bogus]).await.unwrap(),
        [DeleteOutcome::Conflict]
    );
}
