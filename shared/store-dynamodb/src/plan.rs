//! Turning a commit into item writes: a pure step, so that its rules are unit-tested.
//!
//! Each mapping is three pointer items (by OfficeHeart id, ItemId and UID). Replacing or
//! removing a mapping deletes its old pointers, which is why the commit first reads the old
//! mappings of the ids it touches. Every item is written at most once per commit (DynamoDB
//! refuses two operations on one item in a transaction): deletes are planned first, then puts
//! override them, so a pointer that passes from one mapping to another ends up with its new
//! owner whatever the order in the commit.
//!
//! Mapping writes come grouped per mapping and before intent writes, and unconfirmed items are
//! deleted apart: the port's order, so a commit applied in several requests writes mappings
//! before anything that depends on them and forgets an unconfirmed item only after the state.

use std::collections::{BTreeMap, HashMap, HashSet};

use ohsync_engine::identity::OfficeHeartId;
use ohsync_engine::ports::{Commit, Mapping};

use crate::item::{self, Item};
use crate::keys;

/// One item write.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Write {
    /// Put the whole item.
    Put(Item),
    /// Delete the item with this key.
    Delete(Item),
}

/// The item writes of one commit.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Plan {
    /// Pointer writes, grouped per mapping.
    pub(crate) mapping_writes: Vec<Write>,
    /// Intent writes, and the puts of unconfirmed items.
    pub(crate) intent_writes: Vec<Write>,
    /// The deletes of unconfirmed items: only once the state update (the position after
    /// them) is written.
    pub(crate) confirmation_writes: Vec<Write>,
    /// How the mapping count changes.
    pub(crate) count_delta: i64,
}

impl Plan {
    /// How many items the plan writes.
    pub(crate) fn len(&self) -> usize {
        self.mapping_writes.len() + self.intent_writes.len() + self.confirmation_writes.len()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Owner {
    Mapping(usize),
    Intent,
    Confirmation,
}

struct Planner<'a> {
    partition: &'a str,
    writes: BTreeMap<String, (Owner, Write)>,
    groups: HashMap<OfficeHeartId, usize>,
}

impl Planner<'_> {
    fn group(&mut self, id: &OfficeHeartId) -> Owner {
        let next = self.groups.len();
        Owner::Mapping(*self.groups.entry(id.clone()).or_insert(next))
    }

    fn delete(&mut self, owner: Owner, sort: String) {
        let key = item::key(self.partition, &sort);
        self.writes.insert(sort, (owner, Write::Delete(key)));
    }

    fn put(&mut self, owner: Owner, sort: String, item: Item) {
        self.writes.insert(sort, (owner, Write::Put(item)));
    }

    fn delete_pointers(&mut self, owner: Owner, mapping: &Mapping) {
        self.delete(owner, keys::by_officeheart(&mapping.officeheart_id));
        self.delete(owner, keys::by_item(&mapping.exchange_item_id));
        self.delete(owner, keys::by_uid(&mapping.exchange_uid));
    }

    fn put_pointers(&mut self, owner: Owner, mapping: &Mapping) {
        for sort in [
            keys::by_officeheart(&mapping.officeheart_id),
            keys::by_item(&mapping.exchange_item_id),
            keys::by_uid(&mapping.exchange_uid),
        ] {
            let pointer = item::pointer(self.partition, &sort, mapping);
            self.put(owner, sort, pointer);
        }
    }
}

/// Plans `commit` given the stored mappings of the ids it touches (`old`).
pub(crate) fn plan(
    partition: &str,
    commit: &Commit,
    old: &HashMap<OfficeHeartId, Mapping>,
) -> Plan {
    // The last upsert of an id wins, as if applied in order.
    let mut upserts: Vec<&Mapping> = Vec::new();
    let mut seen = HashSet::new();
    for mapping in commit.mapping_upserts.iter().rev() {
        if seen.insert(&mapping.officeheart_id) {
            upserts.push(mapping);
        }
    }
    upserts.reverse();

    let mut planner = Planner {
        partition,
        writes: BTreeMap::new(),
        groups: HashMap::new(),
    };
    let touched = commit
        .mapping_removals
        .iter()
        .chain(upserts.iter().map(|mapping| &mapping.officeheart_id));
    for id in touched {
        let owner = planner.group(id);
        if let Some(stored) = old.get(id) {
            planner.delete_pointers(owner, stored);
        }
    }
    for mapping in &upserts {
        let owner = planner.group(&mapping.officeheart_id);
        planner.put_pointers(owner, mapping);
    }
    for id in &commit.intents_removed {
        planner.delete(Owner::Intent, keys::intent(id));
    }
    for intent in &commit.intents_added {
        let sort = keys::intent(&intent.officeheart_id);
        let stored = item::intent(partition, &sort, intent);
        planner.put(Owner::Intent, sort, stored);
    }
    for item_id in &commit.unconfirmed_added {
        let sort = keys::unconfirmed(item_id);
        let stored = item::unconfirmed(partition, &sort, item_id);
        planner.put(Owner::Intent, sort, stored);
    }
    for item_id in &commit.unconfirmed_removed {
        planner.delete(Owner::Confirmation, keys::unconfirmed(item_id));
    }

    let removed: HashSet<_> = commit.mapping_removals.iter().collect();
    let count_delta = planner
        .groups
        .keys()
        .map(|id| {
            let before = old.contains_key(id);
            let after = seen.contains(id) || (before && !removed.contains(id));
            i64::from(after) - i64::from(before)
        })
        .sum();

    let mut grouped: BTreeMap<Owner, Vec<Write>> = BTreeMap::new();
    for (owner, write) in planner.writes.into_values() {
        grouped.entry(owner).or_default().push(write);
    }
    let intent_writes = grouped.remove(&Owner::Intent).unwrap_or_default();
    let confirmation_writes = grouped.remove(&Owner::Confirmation).unwrap_or_default();
    Plan {
        mapping_writes: grouped.into_values().flatten().collect(),
        intent_writes,
        confirmation_writes,
        count_delta,
    }
}

#[cfg(test)]
mod tests {
    use ohsync_engine::appointment::ContentHash;
    use ohsync_engine::identity::{AgendaVersion, ExchangeItemId, ExchangeUid};
    use ohsync_engine::ports::PendingIntent;

    use super::*;

    fn mapping(oh: &str, item_id: &str, uid: &str) -> Mapping {
        Mapping {
            officeheart_id: OfficeHeartId::parse(oh).unwrap(),
            officeheart_version: AgendaVersion::parse("v").unwrap(),
            exchange_item_id: ExchangeItemId::parse(item_id).unwrap(),
            exchange_uid: ExchangeUid::parse(uid).unwrap(),
            exchange_change_key: None,
            content_hash: ContentHash::from_bytes([0; 32]),
            span: None,
        }
    }

    fn stored(mappings: &[Mapping]) -> HashMap<OfficeHeartId, Mapping> {
        mappings
            .iter()
            .map(|m| (m.officeheart_id.clone(), m.clone()))
            .collect()
    }

    /// (sort key, is a put) per write.
    fn sort_keys(writes: &[Write]) -> Vec<(String, bool)> {
        writes
            .iter()
            .map(|write| match write {
                Write::Put(item) => (item::sort_key(item).unwrap(), true),
                Write::Delete(key) => (item::sort_key(key).unwrap(), false),
            })
            .collect()
    }

    fn puts(writes: &[Write]) -> usize {
        sort_keys(writes).iter().filter(|(_, put)| *put).count()
    }

    fn item_key(id: &str) -> String {
        keys::by_item(&ExchangeItemId::parse(id).unwrap())
    }

    #[test]
    fn an_empty_commit_writes_nothing() {
        let plan = plan("p", &Commit::default(), &HashMap::new());
        assert_eq!(plan, Plan::default());
        assert_eq!(plan.len(), 0);
    }

    #[test]
    fn a_new_mapping_is_three_puts_and_counts_once() {
        let commit = Commit {
            mapping_upserts: vec![mapping("1", "A", "UA")],
            ..Commit::default()
        };
        let plan = plan("p", &commit, &HashMap::new());
        assert_eq!(plan.len(), 3);
        assert_eq!(puts(&plan.mapping_writes), 3);
        assert_eq!(plan.count_delta, 1);
    }

    #[test]
    fn a_moved_item_deletes_only_the_pointer_it_no_longer_has() {
        let old = mapping("1", "A", "UA");
        let commit = Commit {
            mapping_upserts: vec![mapping("1", "B", "UA")],
            ..Commit::default()
        };
        let plan = plan("p", &commit, &stored(&[old]));
        let writes = sort_keys(&plan.mapping_writes);
        assert!(writes.contains(&(item_key("A"), false)));
        assert!(writes.contains(&(item_key("B"), true)));
        assert_eq!(writes.len(), 4);
        assert_eq!(plan.count_delta, 0);
    }

    #[test]
    fn a_pointer_handed_over_is_put_for_its_new_owner_whatever_the_order() {
        let old = [mapping("a", "A", "UA"), mapping("b", "B", "UB")];
        let commit = Commit {
            mapping_upserts: vec![mapping("b", "A", "UA"), mapping("a", "C", "UC")],
            ..Commit::default()
        };
        let plan = plan("p", &commit, &stored(&old));
        let put_a = plan.mapping_writes.iter().find_map(|write| match write {
            Write::Put(item) if item::sort_key(item).unwrap() == item_key("A") => Some(item),
            _ => None,
        });
        assert_eq!(
            item::mapping(put_a.unwrap())
                .unwrap()
                .officeheart_id
                .as_str(),
            "b"
        );
        let writes = sort_keys(&plan.mapping_writes);
        assert!(writes.contains(&(item_key("B"), false)));
        assert_eq!(
            writes
                .iter()
                .filter(|(sort, _)| *sort == item_key("A"))
                .count(),
            1
        );
    }

    #[test]
    fn removals_count_only_what_existed_and_a_re_upsert_wins() {
        let old = [mapping("1", "A", "UA"), mapping("2", "B", "UB")];
        let commit = Commit {
            mapping_removals: ["1", "2", "404"]
                .iter()
                .map(|id| OfficeHeartId::parse(id).unwrap())
                .collect(),
            mapping_upserts: vec![mapping("2", "B2", "UB")],
            ..Commit::default()
        };
        let plan = plan("p", &commit, &stored(&old));
        assert_eq!(plan.count_delta, -1);
        assert_eq!(puts(&plan.mapping_writes), 3);
        // 1's three pointers and 2's old ItemId pointer go.
        assert_eq!(plan.mapping_writes.len(), 3 + 4);
    }

    #[test]
    fn the_last_upsert_of_an_id_wins_and_leaves_no_stray_pointer() {
        let commit = Commit {
            mapping_upserts: vec![mapping("1", "A", "UA"), mapping("1", "B", "UB")],
            ..Commit::default()
        };
        let plan = plan("p", &commit, &HashMap::new());
        assert_eq!(plan.len(), 3);
        assert!(
            !sort_keys(&plan.mapping_writes)
                .iter()
                .any(|(sort, _)| *sort == item_key("A"))
        );
        assert_eq!(plan.count_delta, 1);
    }

    #[test]
    fn mapping_writes_come_grouped_and_intents_apart() {
        let old: Vec<_> = (0..4)
            .map(|n| mapping(&format!("r{n}"), &format!("R{n}"), &format!("UR{n}")))
            .collect();
        let intent = |n: u8, version: &str| PendingIntent {
            officeheart_id: OfficeHeartId::parse(&format!("i{n}")).unwrap(),
            officeheart_version: AgendaVersion::parse(version).unwrap(),
            content_hash: ContentHash::from_bytes([n; 32]),
            recorded_at: chrono::DateTime::UNIX_EPOCH,
        };
        let commit = Commit {
            mapping_removals: old.iter().map(|m| m.officeheart_id.clone()).collect(),
            mapping_upserts: (0..5)
                .map(|n| mapping(&format!("n{n}"), &format!("N{n}"), &format!("UN{n}")))
                .collect(),
            intents_added: vec![intent(1, "v2"), intent(2, "v1")],
            intents_removed: vec![
                intent(1, "v1").officeheart_id,
                intent(3, "v1").officeheart_id,
            ],
            ..Commit::default()
        };
        let plan = plan("p", &commit, &stored(&old));
        assert_eq!(plan.count_delta, 1);
        // Removals first, each mapping's three writes together.
        let writes = sort_keys(&plan.mapping_writes);
        assert_eq!(writes.len(), 27);
        assert!(writes[..12].iter().all(|(_, put)| !put));
        assert!(writes[12..].iter().all(|(_, put)| *put));
        for group in plan.mapping_writes.chunks(3).skip(4) {
            let owners: HashSet<_> = group
                .iter()
                .map(|write| match write {
                    Write::Put(item) => item::mapping(item).unwrap().officeheart_id,
                    Write::Delete(_) => unreachable!(),
                })
                .collect();
            assert_eq!(owners.len(), 1);
        }
        // The added intent 1 wins over its removal; intent 3 goes.
        let intents = sort_keys(&plan.intent_writes);
        assert_eq!(intents.len(), 3);
        let one = keys::intent(&OfficeHeartId::parse("i1").unwrap());
        assert!(intents.contains(&(one, true)));
        assert!(
            plan.mapping_writes
                .iter()
                .chain(&plan.intent_writes)
                .count()
                == plan.len()
        );
    }

    #[test]
    fn unconfirmed_items_are_put_with_the_intents_and_deleted_after_the_state() {
        let item_id = |raw: &str| ExchangeItemId::parse(raw).unwrap();
        let commit = Commit {
            unconfirmed_added: vec![item_id("A"), item_id("B")],
            unconfirmed_removed: vec![item_id("B"), item_id("C")],
            ..Commit::default()
        };
        let plan = plan("p", &commit, &HashMap::new());
        assert_eq!(
            sort_keys(&plan.intent_writes),
            [(keys::unconfirmed(&item_id("A")), true)]
        );
        // B added and removed in one commit ends up removed, as if applied in order.
        let mut confirmed = sort_keys(&plan.confirmation_writes);
        confirmed.sort();
        let mut expected = vec![
            (keys::unconfirmed(&item_id("B")), false),
            (keys::unconfirmed(&item_id("C")), false),
        ];
        expected.sort();
        assert_eq!(confirmed, expected);
        assert_eq!((plan.len(), plan.count_delta), (3, 0));
        let Write::Put(put) = &plan.intent_writes[0] else {
            unreachable!()
        };
        assert_eq!(item::unconfirmed_item(put).unwrap(), item_id("A"));
    }
}
