//! Helpers shared by the integration tests: fixed times, schedules and the invariant check.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use ohsync_engine::appointment::{ContentHash, DaySpan, Schedule, TimedSpan};
use ohsync_engine::identity::{ExchangeUid, OfficeHeartId, OhsyncTag};
use ohsync_engine::ports::Clock;
use ohsync_engine::testkit::TestWorld;

/// The fixed start time of every test world.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap()
}

/// A timed schedule `days` days and `hour` hours after the start time.
pub fn timed(days: i64, hour: i64, minutes: i64) -> Schedule {
    let start = start_time() + TimeDelta::days(days) + TimeDelta::hours(hour);
    Schedule::Timed(TimedSpan::new(start, start + TimeDelta::minutes(minutes)).unwrap())
}

/// An all-day schedule on the day `days` after the start date.
pub fn all_day(days: i64) -> Schedule {
    let first = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap() + TimeDelta::days(days);
    Schedule::AllDay(DaySpan::new(first, first + TimeDelta::days(1)).unwrap())
}

/// A fresh world at the start time.
pub fn world() -> TestWorld {
    TestWorld::new(start_time()).unwrap()
}

/// One OfficeHeart appointment and a run that dies right after copying it to Exchange: the
/// copy exists and the intent written before it is still stored.
pub async fn a_run_dies_after_its_exchange_create(world: &TestWorld) {
    world
        .agenda
        .user_create(ohsync_engine::testkit::appointment(
            "Overleg",
            timed(1, 9, 60),
        ));
    // Effect 1 is the intent, effect 2 the Exchange create.
    world.faults.crash_after(2);
    world.run().await;
    world.faults.restart();
}

/// Either side's identity, for lineage.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Identity {
    OfficeHeart(OfficeHeartId),
    Exchange(ExchangeUid),
}

/// What the users did, for the "nothing lost" check.
#[derive(Debug, Default, Clone)]
pub struct UserLog {
    pub created: BTreeSet<Identity>,
    pub deleted: BTreeSet<Identity>,
    /// Every content a user wrote, when the test tracks them: both calendars must end holding
    /// only these, as ohsync copies contents and never makes one up (a series write left half
    /// done would).
    pub contents: Option<BTreeSet<ContentHash>>,
}

/// Union-find over identities linked by tags, external refs and every mapping ever written.
struct Lineage(HashMap<Identity, Identity>);

impl Lineage {
    fn root(&mut self, identity: &Identity) -> Identity {
        let parent = self
            .0
            .get(identity)
            .cloned()
            .unwrap_or_else(|| identity.clone());
        if &parent == identity {
            return parent;
        }
        let root = self.root(&parent);
        self.0.insert(identity.clone(), root.clone());
        root
    }

    fn join(&mut self, a: Identity, b: Identity) {
        let (a, b) = (self.root(&a), self.root(&b));
        if a != b {
            self.0.insert(a, b);
        }
    }
}

/// The product's promises, checked on the fakes' final state:
/// - no duplicates: no two OfficeHeart items share an external ref, no two Exchange items share
///   a tag, and no item has more than one counterpart;
/// - both sides equal within the window: every item inside has exactly one counterpart, with
///   the same content hash;
/// - nothing lost: every item a user created still exists unless a user deleted something of
///   its lineage (the item, or a counterpart it was linked to).
pub fn check_invariants(world: &TestWorld, log: &UserLog) -> Result<(), String> {
    let bounds = world.policy.window.bounds(world.clock.now());
    let officeheart = world.agenda.items();
    let exchange = world.mailbox.items();
    let mappings = world.store.mappings(&world.binding);

    let mut refs = BTreeSet::new();
    for item in &officeheart {
        if let Some(external_ref) = &item.external_ref
            && !refs.insert(external_ref.clone())
        {
            return Err(format!(
                "two OfficeHeart items carry external ref {external_ref}"
            ));
        }
    }
    let mut tags = BTreeSet::new();
    for item in &exchange {
        if let Some(tag) = &item.tag
            && !tags.insert(tag.clone())
        {
            return Err(format!("two Exchange items carry tag {tag}"));
        }
    }

    let tag_of = |id: &OfficeHeartId| OhsyncTag {
        tenant: world.tenant.clone(),
        officeheart_id: id.clone(),
    };
    let linked = |oh: &OfficeHeartId, uid: &ExchangeUid| {
        mappings
            .iter()
            .any(|m| &m.officeheart_id == oh && &m.exchange_uid == uid)
    };
    for item in &officeheart {
        let counterparts: Vec<_> = exchange
            .iter()
            .filter(|ex| {
                ex.tag.as_ref() == Some(&tag_of(&item.id))
                    || item.external_ref.as_ref() == Some(&ex.key.uid)
                    || linked(&item.id, &ex.key.uid)
            })
            .collect();
        let (start, end) = item.appointment.extent();
        let inside = bounds.overlaps(start, end);
        match counterparts.as_slice() {
            [] if inside => {
                return Err(format!(
                    "OfficeHeart {} is inside the window but not in Exchange",
                    item.id
                ));
            }
            [] => {}
            [one]
                if one.appointment.content_hash() != item.appointment.content_hash() && inside =>
            {
                return Err(format!(
                    "OfficeHeart {} and Exchange {} differ:\n{:?}\n{:?}",
                    item.id, one.key.item_id, item.appointment, one.appointment
                ));
            }
            [_] => {}
            many => {
                return Err(format!(
                    "OfficeHeart {} has {} Exchange copies",
                    item.id,
                    many.len()
                ));
            }
        }
    }
    for ex in &exchange {
        let counterparts = officeheart
            .iter()
            .filter(|item| {
                ex.tag.as_ref() == Some(&tag_of(&item.id))
                    || item.external_ref.as_ref() == Some(&ex.key.uid)
                    || linked(&item.id, &ex.key.uid)
            })
            .count();
        let (start, end) = ex.appointment.extent();
        if counterparts > 1 || (counterparts == 0 && bounds.overlaps(start, end)) {
            return Err(format!(
                "Exchange {} has {counterparts} OfficeHeart copies",
                ex.key.item_id
            ));
        }
    }

    let mut lineage = Lineage(HashMap::new());
    for (id, external_ref) in world.agenda.all_identities() {
        if let Some(uid) = external_ref {
            lineage.join(Identity::OfficeHeart(id), Identity::Exchange(uid));
        }
    }
    for (uid, tag) in world.mailbox.all_identities() {
        if let Some(tag) = tag.filter(|tag| tag.tenant == world.tenant) {
            lineage.join(
                Identity::Exchange(uid),
                Identity::OfficeHeart(tag.officeheart_id),
            );
        }
    }
    for mapping in world.store.history() {
        lineage.join(
            Identity::OfficeHeart(mapping.officeheart_id),
            Identity::Exchange(mapping.exchange_uid),
        );
    }
    let deleted_lineages: BTreeSet<Identity> = log
        .deleted
        .iter()
        .map(|identity| lineage.root(identity))
        .collect();
    let live: BTreeSet<Identity> = officeheart
        .iter()
        .map(|item| Identity::OfficeHeart(item.id.clone()))
        .chain(
            exchange
                .iter()
                .map(|ex| Identity::Exchange(ex.key.uid.clone())),
        )
        .collect();
    for created in &log.created {
        if !deleted_lineages.contains(&lineage.root(created)) && !live.contains(created) {
            return Err(format!("{created:?} was lost: nobody deleted it"));
        }
    }
    if let Some(contents) = &log.contents {
        let held = officeheart
            .iter()
            .map(|item| &item.appointment)
            .chain(exchange.iter().map(|ex| &ex.appointment));
        for appointment in held {
            if !contents.contains(&appointment.content_hash()) {
                return Err(format!("a content no user wrote: {appointment:?}"));
            }
        }
    }
    Ok(())
}
