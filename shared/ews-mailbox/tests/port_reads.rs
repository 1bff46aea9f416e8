//! The Mailbox port's reads against the Exchange simulator over a socket (NTLM): window
//! listings that drop far-away items before any GetItem, change pages, tag and UID lookups,
//! and an invalid sync state.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use chrono::{Datelike, TimeDelta};
use ohsync_engine::identity::{ExchangeItemId, ExchangeUid};
use ohsync_engine::ports::{CreateOutcome, Mailbox, MailboxChange, MailboxError};
use ohsync_ews_sim::{ItemPatch, ServerVersion};
use support::{JAN, appointment, list_all, mailbox, new_item, now, start, tag, window};

/// A weekly series that began in 2019 and never ends: its first occurrence lies years before
/// the window, yet it recurs into it.
fn endless_series_since_2019() -> ItemPatch {
    let start = "2019-05-06T09:00:00Z".parse().unwrap();
    ItemPatch::new()
        .subject("Weekstart")
        .start(start)
        .end(start + TimeDelta::hours(1))
        .recurrence_xml(
            "<t:Recurrence xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><t:WeeklyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Monday</t:DaysOfWeek></t:WeeklyRecurrence><t:NoEndRecurrence><t:StartDate>2019-05-06</t:StartDate></t:NoEndRecurrence></t:Recurrence>",
        )
        .unwrap()
}

#[tokio::test]
async fn a_listing_keeps_only_the_window_and_reads_nothing_in_full() {
    let sim = start(ServerVersion::Exchange2016).await;
    let handle = sim.mailbox(JAN).unwrap();
    let at = |days: i64| now() + TimeDelta::days(days);
    // 600 items from years ago and years ahead: more than one SyncFolderItems page.
    for n in 0..600 {
        let days = if n % 2 == 0 { -3000 - n } else { 2000 + n };
        handle
            .create(
                &ItemPatch::new()
                    .subject(&format!("ver weg {n}"))
                    .start(at(days))
                    .end(at(days) + TimeDelta::hours(1)),
            )
            .unwrap();
    }
    let inside: Vec<String> = [-10, 0, 200]
        .into_iter()
        .map(|days| {
            handle
                .create(
                    &ItemPatch::new()
                        .subject(&format!("binnen {days}"))
                        .start(at(days))
                        .end(at(days) + TimeDelta::hours(1)),
                )
                .unwrap()
                .item_id
        })
        .collect();
    let series = handle.create(&endless_series_since_2019()).unwrap();
    let straddling = handle
        .create(
            &ItemPatch::new()
                .subject("over de rand")
                .start(at(-40))
                .end(at(-20)),
        )
        .unwrap();
    let mailbox = mailbox(&sim);
    sim.counters().reset();

    let (items, position, pages) = list_all(&mailbox, &window()).await;

    let mut listed: Vec<&str> = items.iter().map(|item| item.key.item_id.as_str()).collect();
    listed.sort_unstable();
    let mut expected: Vec<&str> = inside
        .iter()
        .map(String::as_str)
        .chain([series.item_id.as_str(), straddling.item_id.as_str()])
        .collect();
    expected.sort_unstable();
    assert_eq!(listed, expected);
    let master = items
        .iter()
        .find(|item| item.key.item_id.as_str() == series.item_id)
        .unwrap();
    assert!(master.is_series);
    assert_eq!(master.start.year(), 2019);
    assert_eq!(master.key.uid.as_str(), series.uid);
    assert_eq!(pages, 2);
    assert_eq!(sim.counters().operation("SyncFolderItems"), 2);
    assert_eq!(
        sim.counters().operation("GetItem"),
        0,
        "nothing outside was read"
    );
    assert_eq!(sim.counters().soap_requests(), 2);

    // The listing's last state follows changes from there: nothing new yet.
    let page = mailbox.changes(&position).await.unwrap();
    assert!(page.changes.is_empty());
    assert!(!page.more);
}

#[tokio::test]
async fn changes_report_creates_updates_and_deletes_page_by_page() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    let (_, position, _) = list_all(&mailbox, &window()).await;
    let handle = sim.mailbox(JAN).unwrap();
    let mut created = Vec::new();
    for n in 0..520 {
        let start = now() + TimeDelta::hours(n);
        created.push(
            handle
                .create(
                    &ItemPatch::new()
                        .subject(&format!("nieuw {n}"))
                        .start(start)
                        .end(start + TimeDelta::minutes(30)),
                )
                .unwrap(),
        );
    }
    let first = mailbox.changes(&position).await.unwrap();
    assert_eq!(first.changes.len(), 512, "EWS's page limit");
    assert!(first.more);
    let second = mailbox.changes(&first.sync_state).await.unwrap();
    assert_eq!(second.changes.len(), 8);
    assert!(!second.more);

    handle
        .edit(&created[0].item_id, &ItemPatch::new().subject("gewijzigd"))
        .unwrap();
    handle.delete(&created[1].item_id).unwrap();
    let later = mailbox.changes(&second.sync_state).await.unwrap();
    assert_eq!(later.changes.len(), 2, "{:?}", later.changes);
    assert!(later.changes.iter().any(|change| matches!(
        change,
        MailboxChange::Upserted(summary)
            if summary.key.item_id.as_str() == created[0].item_id
                && summary.key.change_key.as_str() != created[0].change_key
    )));
    assert!(later.changes.contains(&MailboxChange::Deleted(
        ExchangeItemId::parse(&created[1].item_id).unwrap()
    )));
    assert_eq!(sim.counters().operation("GetItem"), 0);
}

#[tokio::test]
async fn find_by_tags_finds_every_tagged_item_across_chunks_of_tags() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    let items: Vec<_> = (0..60)
        .map(|n| new_item(&format!("oh-{n}"), appointment(&format!("item {n}"), n)))
        .collect();
    mailbox.create_items(&items).await.unwrap();
    sim.mailbox(JAN)
        .unwrap()
        .create(
            &ItemPatch::new()
                .subject("zonder tag")
                .start(now())
                .end(now() + TimeDelta::hours(1)),
        )
        .unwrap();
    sim.counters().reset();

    let mut wanted: Vec<_> = (0..60).map(|n| tag(&format!("oh-{n}"))).collect();
    wanted.push(tag("never-created"));
    let found = mailbox.find_by_tags(&wanted).await.unwrap();

    let mut tags: Vec<String> = found
        .iter()
        .map(|summary| summary.tag.as_ref().unwrap().to_string())
        .collect();
    tags.sort();
    let mut expected: Vec<String> = (0..60).map(|n| format!("acme:oh-{n}")).collect();
    expected.sort();
    assert_eq!(tags, expected);
    assert_eq!(
        sim.counters().operation("FindItem"),
        2,
        "two chunks of tags"
    );
    assert!(mailbox.find_by_tags(&[]).await.unwrap().is_empty());
    assert_eq!(
        sim.counters().operation("FindItem"),
        2,
        "no request for no tags"
    );
}

#[tokio::test]
async fn a_refused_sync_state_is_invalid_sync_state() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    let (_, position, _) = list_all(&mailbox, &window()).await;
    sim.faults().invalidate_next_sync_states(1);
    assert_eq!(
        mailbox.changes(&position).await,
        Err(MailboxError::InvalidSyncState)
    );
    // The switch was for one request: the same state works again.
    assert!(mailbox.changes(&position).await.is_ok());
}

#[tokio::test]
async fn malformed_tags_are_ignored_and_counted() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    mailbox
        .create_items(&[new_item("oh-1", appointment("goed", 1))])
        .await
        .unwrap();
    let handle = sim.mailbox(JAN).unwrap();
    let tag_field = handle.items()[0]
        .extended
        .first()
        .map(|(uri, _)| uri.clone())
        .unwrap();
    handle
        .create(
            &ItemPatch::new()
                .subject("kapot")
                .start(now())
                .end(now() + TimeDelta::hours(1))
                .extended(&tag_field, "geen-tenant"),
        )
        .unwrap();
    let (items, _, _) = list_all(&mailbox, &window()).await;
    let tags: Vec<Option<String>> = items
        .iter()
        .map(|item| item.tag.as_ref().map(ToString::to_string))
        .collect();
    assert_eq!(tags.len(), 2);
    assert!(tags.contains(&Some("acme:oh-1".into())));
    assert!(tags.contains(&None));
    assert_eq!(mailbox.malformed_tags(), 1);
}

#[tokio::test]
async fn find_by_uids_finds_exactly_the_items_with_those_uids_across_chunks() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    let items: Vec<_> = (0..60)
        .map(|n| new_item(&format!("oh-{n}"), appointment(&format!("item {n}"), n)))
        .collect();
    let keys: Vec<_> = mailbox
        .create_items(&items)
        .await
        .unwrap()
        .into_iter()
        .map(|outcome| match outcome {
            CreateOutcome::Created(key) => key,
            other => panic!("not created: {other:?}"),
        })
        .collect();
    let outlook = sim
        .mailbox(JAN)
        .unwrap()
        .create(
            &ItemPatch::new()
                .subject("in Outlook gemaakt")
                .start(now())
                .end(now() + TimeDelta::hours(1)),
        )
        .unwrap();
    sim.counters().reset();

    // Every other ohsync item, the Outlook item, and a UID no item has.
    let mut wanted: Vec<ExchangeUid> = keys.iter().step_by(2).map(|key| key.uid.clone()).collect();
    wanted.push(ExchangeUid::parse(&outlook.uid).unwrap());
    wanted.push(ExchangeUid::parse("040000008200E00074C5B7101A82E00800000000FFFFFFFF").unwrap());
    let found = mailbox.find_by_uids(&wanted).await.unwrap();

    let mut found_ids: Vec<String> = found
        .iter()
        .map(|summary| summary.key.item_id.as_str().to_owned())
        .collect();
    found_ids.sort();
    let mut expected: Vec<String> = keys
        .iter()
        .step_by(2)
        .map(|key| key.item_id.as_str().to_owned())
        .chain([outlook.item_id.clone()])
        .collect();
    expected.sort();
    assert_eq!(found_ids, expected);
    for summary in &found {
        assert!(wanted.contains(&summary.key.uid), "{summary:?}");
    }
    assert_eq!(
        sim.counters().operation("FindItem"),
        1,
        "32 UIDs in one chunk"
    );

    let all: Vec<ExchangeUid> = keys.iter().map(|key| key.uid.clone()).collect();
    assert_eq!(mailbox.find_by_uids(&all).await.unwrap().len(), 60);
    assert_eq!(
        sim.counters().operation("FindItem"),
        3,
        "two chunks of UIDs"
    );
    assert!(mailbox.find_by_uids(&[]).await.unwrap().is_empty());
    assert_eq!(
        sim.counters().operation("FindItem"),
        3,
        "no request for no UIDs"
    );
}
