//! One user's mailbox: the calendar items, a change log (the source of SyncFolderItems and ChangeKeys),
//! and the well-known folders a client may address.

pub mod extended;
pub mod folders;
pub mod global_object_id;
pub mod ids;
pub mod item;
pub mod recurrence;
pub mod schema;
pub mod series;
pub mod sync_state;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use self::ids::MailboxIdentity;
use self::item::StoredItem;

/// What happened to an item at one change number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Created (CreateItem, or seeded by a test).
    Created,
    /// Modified.
    Updated,
    /// Deleted (any DeleteType: the item left the calendar).
    Deleted,
}

/// One entry of the change log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogEntry {
    /// The change number (strictly increasing per mailbox).
    pub change: u64,
    /// The item.
    pub key: u64,
    /// What happened.
    pub kind: ChangeKind,
}

/// An item's net change over a log window, as SyncFolderItems reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetChange {
    /// The item.
    pub key: u64,
    /// Create, Update or Delete after collapsing.
    pub kind: ChangeKind,
    /// The item's last change number inside the window (orders the report).
    pub last_change: u64,
}

/// A mailbox with one calendar folder.
#[derive(Debug)]
pub struct Mailbox {
    /// Values baked into this mailbox's ids.
    pub identity: MailboxIdentity,
    /// Index of the owning user in the directory.
    pub owner: usize,
    /// Calendar items by key.
    pub items: BTreeMap<u64, StoredItem>,
    log: Vec<LogEntry>,
    last_change: u64,
    next_key: u64,
}

impl Mailbox {
    /// An empty mailbox with fresh random identifiers.
    pub fn new(owner: usize) -> Self {
        Self {
            identity: MailboxIdentity {
                guid: Uuid::new_v4(),
                store: rand::random(),
            },
            owner,
            items: BTreeMap::new(),
            log: Vec::new(),
            last_change: 0,
            next_key: 1,
        }
    }

    /// The newest change number used so far.
    pub fn last_change(&self) -> u64 {
        self.last_change
    }

    /// The change number the next write will get (edits stamp their properties with it).
    pub fn upcoming_change(&self) -> u64 {
        self.last_change + 1
    }

    fn log(&mut self, key: u64, kind: ChangeKind) -> u64 {
        self.last_change += 1;
        self.log.push(LogEntry {
            change: self.last_change,
            key,
            kind,
        });
        self.last_change
    }

    /// Reserves a key for a new item.
    pub fn next_key(&mut self) -> u64 {
        let key = self.next_key;
        self.next_key += 1;
        key
    }

    /// Stores a new item; returns its change number.
    pub fn insert(&mut self, mut item: StoredItem) -> u64 {
        let change = self.log(item.key, ChangeKind::Created);
        item.version = change;
        self.items.insert(item.key, item);
        change
    }

    /// Stores a new version of an existing item, modified by `who`; returns its change number.
    pub fn replace(&mut self, mut item: StoredItem, now: DateTime<Utc>, who: &str) -> Option<u64> {
        if !self.items.contains_key(&item.key) {
            return None;
        }
        let change = self.log(item.key, ChangeKind::Updated);
        item.version = change;
        item.modified = now;
        who.clone_into(&mut item.modified_by);
        self.items.insert(item.key, item);
        Some(change)
    }

    /// Removes the item `key`.
    pub fn remove(&mut self, key: u64) -> Option<StoredItem> {
        let removed = self.items.remove(&key)?;
        self.log(key, ChangeKind::Deleted);
        Some(removed)
    }

    /// Net change per item over the log window `(after, upto]`, oldest last change first.
    /// created+updated → Create; updated+deleted → Delete; created+deleted → nothing.
    pub fn net_changes(&self, after: u64, upto: u64) -> Vec<NetChange> {
        let start = self.log.partition_point(|entry| entry.change <= after);
        let end = self.log.partition_point(|entry| entry.change <= upto);
        let mut per_item: BTreeMap<u64, (ChangeKind, ChangeKind, u64)> = BTreeMap::new();
        for entry in self.log.get(start..end).unwrap_or_default() {
            per_item
                .entry(entry.key)
                .and_modify(|(_, last, change)| {
                    *last = entry.kind;
                    *change = entry.change;
                })
                .or_insert((entry.kind, entry.kind, entry.change));
        }
        let mut changes: Vec<NetChange> = per_item
            .into_iter()
            .filter_map(|(key, (first, last, last_change))| {
                let kind = match (first == ChangeKind::Created, last == ChangeKind::Deleted) {
                    (true, true) => return None,
                    (true, false) => ChangeKind::Created,
                    (false, true) => ChangeKind::Deleted,
                    (false, false) => ChangeKind::Updated,
                };
                Some(NetChange {
                    key,
                    kind,
                    last_change,
                })
            })
            .collect();
        changes.sort_by_key(|change| change.last_change);
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(mailbox: &mut Mailbox) -> u64 {
        let key = mailbox.next_key();
        mailbox.insert(StoredItem::new(key, Utc::now(), "t"));
        key
    }

    fn touch(mailbox: &mut Mailbox, key: u64) {
        let item = mailbox.items.get(&key).cloned().unwrap();
        mailbox.replace(item, Utc::now(), "t").unwrap();
    }

    #[test]
    fn net_changes_collapse_per_item() {
        let mut mailbox = Mailbox::new(0);
        let kept = item(&mut mailbox);
        let gone = item(&mut mailbox);
        let base = mailbox.last_change();
        let created_then_updated = item(&mut mailbox);
        touch(&mut mailbox, created_then_updated);
        let created_then_deleted = item(&mut mailbox);
        mailbox.remove(created_then_deleted);
        touch(&mut mailbox, gone);
        mailbox.remove(gone);
        touch(&mut mailbox, kept);

        let changes = mailbox.net_changes(base, mailbox.last_change());
        let summary: Vec<_> = changes
            .iter()
            .map(|change| (change.key, change.kind))
            .collect();
        assert_eq!(
            summary,
            vec![
                (created_then_updated, ChangeKind::Created),
                (gone, ChangeKind::Deleted),
                (kept, ChangeKind::Updated)
            ]
        );
        let everything = mailbox.net_changes(0, mailbox.last_change());
        assert_eq!(
            everything.len(),
            2,
            "deleted items never seen are not reported: {everything:?}"
        );
        assert!(
            everything
                .iter()
                .all(|change| change.kind == ChangeKind::Created)
        );
    }
}
