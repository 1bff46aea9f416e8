//! Series with exceptions written through the Mailbox port to the Exchange simulator over a
//! socket: the master with its rule and the unfinished-write marker, then the cancelled and the
//! modified occurrences, then the marker removed; a write stopped half way stays marked.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Amsterdam;
use ohsync_engine::appointment::{Appointment, Schedule, Text, TimedSpan};
use ohsync_engine::identity::ExchangeItemKey;
use ohsync_engine::ports::{
    CreateOutcome, ExchangeItem, ExchangeUpdate, ItemReadError, Mailbox, MailboxError,
    UpdateOutcome,
};
use ohsync_engine::series::{Exception, ModifiedOccurrence, Recurrence, Series};
use ohsync_ews::model::{CalendarItemType, ItemShape};
use ohsync_ews_mailbox::EwsMailbox;
use ohsync_ews_mailbox::error::OCCURRENCE_CROSSES_NEIGHBOUR;
use ohsync_ews_sim::mailbox::extended::PropertyKey;
use ohsync_ews_sim::{RunningSim, ServerVersion};
use support::{JAN, appointment, mailbox, new_item, start};

/// The first Monday at least a week from now, in Amsterdam.
fn first_monday() -> NaiveDate {
    let mut day = (Utc::now() + TimeDelta::days(7))
        .with_timezone(&Amsterdam)
        .date_naive();
    while day.weekday() != Weekday::Mon {
        day = day.succ_opt().unwrap();
    }
    day
}

/// `hour`:00 to `hour`+1:00 Amsterdam time on `day`.
fn hour_on(day: NaiveDate, hour: u32) -> Schedule {
    let start: DateTime<Utc> = Amsterdam
        .from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())
        .unwrap()
        .to_utc();
    Schedule::Timed(TimedSpan::new(start, start + TimeDelta::hours(1)).unwrap())
}

fn week(weeks: i64) -> NaiveDate {
    first_monday() + TimeDelta::weeks(weeks)
}

fn moved(day: NaiveDate, hour: u32, subject: &str, location: &str) -> Exception {
    Exception::Modified(ModifiedOccurrence {
        schedule: hour_on(day, hour),
        subject: Text::new(subject),
        location: Text::new(location),
    })
}

/// Six Mondays at 09:00 Amsterdam time from [`first_monday`], with `exceptions`.
fn weekly(exceptions: Vec<(NaiveDate, Exception)>) -> Appointment {
    let rule = "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;WKST=MO;COUNT=6"
        .parse()
        .unwrap();
    let series = Series::new(rule, first_monday(), exceptions).unwrap();
    Appointment {
        schedule: hour_on(first_monday(), 9),
        recurrence: Some(Recurrence::Series(series)),
        ..appointment("Wekelijks overleg", 7)
    }
}

/// The second Monday moved to Tuesday 14:00 and renamed, the fourth cancelled.
fn with_exceptions() -> Appointment {
    weekly(vec![
        (
            week(1),
            moved(week(1) + TimeDelta::days(1), 14, "Verzet", "Kamer 4"),
        ),
        (week(3), Exception::Cancelled),
    ])
}

async fn read(mailbox: &EwsMailbox, key: &ExchangeItemKey) -> ExchangeItem {
    let read = mailbox
        .get_items(std::slice::from_ref(&key.item_id))
        .await
        .unwrap();
    read.into_iter().next().unwrap().unwrap()
}

fn current_change_key(sim: &RunningSim, key: &ExchangeItemKey) -> String {
    sim.mailbox(JAN)
        .unwrap()
        .item(key.item_id.as_str())
        .unwrap()
        .change_key
}

fn is_marked(sim: &RunningSim, key: &ExchangeItemKey) -> bool {
    sim.mailbox(JAN)
        .unwrap()
        .item(key.item_id.as_str())
        .unwrap()
        .extended
        .iter()
        .any(|(uri, _)| uri.key == PropertyKey::Name("ohsync-unfinished".into()))
}

async fn update(
    mailbox: &EwsMailbox,
    key: ExchangeItemKey,
    appointment: Appointment,
) -> Vec<UpdateOutcome> {
    mailbox
        .update_items(&[ExchangeUpdate { key, appointment }])
        .await
        .unwrap()
}

async fn create_series(mailbox: &EwsMailbox, appointment: Appointment) -> ExchangeItemKey {
    let outcomes = mailbox
        .create_items(&[new_item("oh-series", appointment)])
        .await
        .unwrap();
    match outcomes.as_slice() {
        [CreateOutcome::Created(key)] => key.clone(),
        other => panic!("not created: {other:?}"),
    }
}

#[tokio::test]
async fn a_series_with_exceptions_is_created_whole_and_reads_back_equal() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    let written = with_exceptions();
    let key = create_series(&mailbox, written.clone()).await;

    let item = read(&mailbox, &key).await;
    assert_eq!(item.appointment, written);
    assert!(!item.unfinished);
    assert_eq!(item.key, key);
    assert_eq!(key.change_key.as_str(), current_change_key(&sim, &key));
    assert!(!is_marked(&sim, &key));

    let handle = sim.mailbox(JAN).unwrap();
    assert_eq!(handle.deleted_instances(key.item_id.as_str()).unwrap(), [4]);
    let exceptions = handle.exceptions(key.item_id.as_str()).unwrap();
    assert_eq!(exceptions.len(), 1);
    assert_eq!(exceptions[0].instance_index, 2);
    assert_eq!(exceptions[0].subject.as_deref(), Some("Verzet"));
    assert_eq!(exceptions[0].location.as_deref(), Some("Kamer 4"));

    let view = mailbox
        .client()
        .find_calendar_view(
            hour_on(week(0), 0).instants(Amsterdam).0,
            hour_on(week(6), 0).instants(Amsterdam).0,
            100,
            ItemShape::Summary,
        )
        .await
        .unwrap();
    let starts: Vec<(DateTime<Utc>, Option<CalendarItemType>)> = view
        .items
        .iter()
        .map(|item| (item.start.unwrap().to_utc(), item.calendar_item_type))
        .collect();
    let at = |day: NaiveDate, hour| hour_on(day, hour).instants(Amsterdam).0;
    assert_eq!(
        starts,
        [
            (at(week(0), 9), Some(CalendarItemType::Occurrence)),
            (
                at(week(1) + TimeDelta::days(1), 14),
                Some(CalendarItemType::Exception)
            ),
            (at(week(2), 9), Some(CalendarItemType::Occurrence)),
            (at(week(4), 9), Some(CalendarItemType::Occurrence)),
            (at(week(5), 9), Some(CalendarItemType::Occurrence)),
        ],
        "the moved occurrence at its new time, the cancelled one gone"
    );
}

#[tokio::test]
async fn one_series_with_exceptions_and_three_singles_take_four_requests() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    let outcomes = mailbox
        .create_items(&[
            new_item("oh-1", appointment("Een", 2)),
            new_item("oh-series", with_exceptions()),
            new_item("oh-2", appointment("Twee", 3)),
            new_item("oh-3", appointment("Drie", 4)),
        ])
        .await
        .unwrap();
    assert!(
        outcomes
            .iter()
            .all(|outcome| matches!(outcome, CreateOutcome::Created(_))),
        "{outcomes:?}"
    );
    let counters = sim.counters();
    assert_eq!(counters.operation("CreateItem"), 1);
    assert_eq!(counters.operation("DeleteItem"), 1, "the cancellations");
    assert_eq!(
        counters.operation("UpdateItem"),
        2,
        "the modified occurrences, then the marker"
    );
    assert_eq!(counters.soap_requests(), 4);
}

#[tokio::test]
async fn a_series_update_rewrites_its_exceptions_and_a_stale_key_changes_nothing() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    let key = create_series(&mailbox, with_exceptions()).await;

    // A cancellation added, the modified occurrence renamed, the old cancellation dropped.
    let changed = weekly(vec![
        (
            week(1),
            moved(week(1) + TimeDelta::days(1), 14, "Weer verzet", "Kamer 4"),
        ),
        (week(2), Exception::Cancelled),
        (week(5), moved(week(5), 11, "Later", "")),
    ]);
    let outcomes = update(&mailbox, key.clone(), changed.clone()).await;
    let [UpdateOutcome::Updated(new_key)] = outcomes.as_slice() else {
        panic!("not updated: {outcomes:?}");
    };
    let item = read(&mailbox, &key).await;
    assert_eq!(item.appointment, changed);
    assert!(!item.unfinished);
    assert_eq!(&item.key, new_key);
    assert_eq!(new_key.change_key.as_str(), current_change_key(&sim, &key));
    let handle = sim.mailbox(JAN).unwrap();
    assert_eq!(handle.deleted_instances(key.item_id.as_str()).unwrap(), [3]);

    // The key of before the update is stale now.
    let before = handle.exceptions(key.item_id.as_str()).unwrap();
    let outcomes = update(&mailbox, key.clone(), with_exceptions()).await;
    assert_eq!(outcomes, [UpdateOutcome::Conflict]);
    assert_eq!(handle.exceptions(key.item_id.as_str()).unwrap(), before);
    assert_eq!(handle.deleted_instances(key.item_id.as_str()).unwrap(), [3]);
    assert_eq!(new_key.change_key.as_str(), current_change_key(&sim, &key));
    assert!(!is_marked(&sim, &key));
}

#[tokio::test]
async fn a_create_stopped_half_way_is_unknown_and_stays_marked_until_rewritten() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    sim.faults().fail_next_of("DeleteItem", 1);
    let outcomes = mailbox
        .create_items(&[new_item("oh-series", with_exceptions())])
        .await
        .unwrap();
    assert_eq!(outcomes, [CreateOutcome::OutcomeUnknown]);
    assert_eq!(sim.counters().operation("UpdateItem"), 0, "nothing after");

    let found = mailbox
        .find_by_tags(&[support::tag("oh-series")])
        .await
        .unwrap();
    let [summary] = found.as_slice() else {
        panic!("{found:?}");
    };
    let item = read(&mailbox, &summary.key).await;
    assert!(item.unfinished, "the marker tells the engine to rewrite it");
    assert_eq!(
        item.appointment,
        weekly(vec![]),
        "the master was written without its exceptions"
    );

    let outcomes = update(&mailbox, item.key.clone(), with_exceptions()).await;
    assert!(
        matches!(outcomes.as_slice(), [UpdateOutcome::Updated(_)]),
        "{outcomes:?}"
    );
    let item = read(&mailbox, &summary.key).await;
    assert!(!item.unfinished);
    assert_eq!(item.appointment, with_exceptions());
}

#[tokio::test]
async fn an_update_stopped_half_way_fails_and_stays_marked_until_rewritten() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    let key = create_series(&mailbox, with_exceptions()).await;

    // The master's UpdateItem gets through; the DeleteItem of the cancellation fails.
    let changed = weekly(vec![
        (week(2), moved(week(2), 16, "Middag", "Zaal")),
        (week(4), Exception::Cancelled),
    ]);
    sim.faults().fail_next_of("DeleteItem", 1);
    let outcomes = update(&mailbox, key.clone(), changed.clone()).await;
    let [UpdateOutcome::Failed(error)] = outcomes.as_slice() else {
        panic!("not failed: {outcomes:?}");
    };
    assert!(matches!(error, MailboxError::Unavailable(_)), "{error:?}");
    let item = read(&mailbox, &key).await;
    assert!(item.unfinished);
    assert_eq!(item.appointment, weekly(vec![]));

    let outcomes = update(&mailbox, item.key.clone(), changed.clone()).await;
    assert!(
        matches!(outcomes.as_slice(), [UpdateOutcome::Updated(_)]),
        "{outcomes:?}"
    );
    let item = read(&mailbox, &key).await;
    assert!(!item.unfinished);
    assert_eq!(item.appointment, changed);
}

#[tokio::test]
async fn a_move_across_a_neighbour_is_refused_before_anything_is_written() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    let across = weekly(vec![(week(1), moved(week(2), 14, "Te ver", ""))]);
    let outcomes = mailbox
        .create_items(&[new_item("oh-series", across.clone())])
        .await
        .unwrap();
    let [CreateOutcome::Failed(MailboxError::Rejected { code, .. })] = outcomes.as_slice() else {
        panic!("not refused: {outcomes:?}");
    };
    assert_eq!(code, OCCURRENCE_CROSSES_NEIGHBOUR);
    assert!(sim.mailbox(JAN).unwrap().items().is_empty());

    let key = create_series(&mailbox, with_exceptions()).await;
    let requests = sim.counters().soap_requests();
    let outcomes = update(&mailbox, key.clone(), across).await;
    assert!(
        matches!(outcomes.as_slice(), [UpdateOutcome::Failed(MailboxError::Rejected { code, .. })] if code == OCCURRENCE_CROSSES_NEIGHBOUR),
        "{outcomes:?}"
    );
    assert_eq!(sim.counters().soap_requests(), requests, "nothing sent");
    assert_eq!(key.change_key.as_str(), current_change_key(&sim, &key));
}

#[tokio::test]
async fn a_series_whose_modified_occurrence_cannot_be_read_is_unreadable_not_gone() {
    let sim = start(ServerVersion::Exchange2016).await;
    let mailbox = mailbox(&sim);
    let key = create_series(&mailbox, with_exceptions()).await;

    // The master's GetItem answers; the one for its modified occurrence fails every retry.
    sim.faults().fail_of_after("GetItem", 1, 10);
    let read = mailbox.get_items(std::slice::from_ref(&key.item_id)).await;
    sim.faults().clear();

    // Either the whole read fails or the series does, retryably: never "not found", never a
    // series without its moved occurrence.
    match read {
        Err(error) => assert!(error.is_retryable(), "{error:?}"),
        Ok(items) => match items.as_slice() {
            [Err(ItemReadError::Failed(error))] => assert!(error.is_retryable(), "{error:?}"),
            other => panic!("not an unreadable series: {other:?}"),
        },
    }

    assert_eq!(
        self::read(&mailbox, &key).await.appointment,
        with_exceptions()
    );
}
