//! Test-facing access to a mailbox of a running simulator: seed items, inspect them, and edit or
//! delete them "in Outlook" (every change goes through the change log and gets a new ChangeKey).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::config::SimUser;
use crate::edit::Edit;
use crate::error::SimError;
use crate::instance_edit::InstanceEdit;
use crate::mailbox::Mailbox;
use crate::mailbox::extended::{ExtendedFieldUri, ExtendedValue};
use crate::mailbox::ids::{self, ItemAddress};
use crate::mailbox::item::StoredItem;
use crate::mailbox::schema::field;
use crate::mailbox::series::{self, Occurrence};
use crate::state::Shared;
use crate::time::format_instant;
use crate::view::{ItemView, Owner};
use crate::xml::{Element, parse};

/// A snapshot of one stored calendar item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSnapshot {
    /// ItemId.
    pub item_id: String,
    /// Current ChangeKey.
    pub change_key: String,
    /// UID.
    pub uid: String,
    /// Subject.
    pub subject: Option<String>,
    /// Body text.
    pub body: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
    /// IsAllDayEvent.
    pub is_all_day: bool,
    /// Categories.
    pub categories: Vec<String>,
    /// Has a Recurrence.
    pub is_recurring_master: bool,
    /// Extended properties with their values.
    pub extended: Vec<(ExtendedFieldUri, Vec<String>)>,
    /// LastModifiedTime.
    pub last_modified: DateTime<Utc>,
}

impl ItemSnapshot {
    /// The value of one extended property (first value for arrays).
    pub fn extended_value(&self, uri: &ExtendedFieldUri) -> Option<&str> {
        self.extended
            .iter()
            .find(|(candidate, _)| candidate == uri)
            .and_then(|(_, values)| values.first())
            .map(String::as_str)
    }
}

/// One modified occurrence of a series as the calendar shows it: the exception's values where it
/// overrides them, the master's otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionSnapshot {
    /// 1-based instance index.
    pub instance_index: u32,
    /// The occurrence's ItemId.
    pub item_id: String,
    /// ChangeKey (shared with the master).
    pub change_key: String,
    /// Subject.
    pub subject: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// Start (where the exception moved it).
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
    /// Where the series puts this instance.
    pub original_start: DateTime<Utc>,
}

/// Changes to apply to an item, as a user would make them in Outlook.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemPatch {
    fields: Vec<Element>,
    extended: Vec<(ExtendedFieldUri, Option<String>)>,
}

impl ItemPatch {
    /// An empty patch.
    pub fn new() -> Self {
        Self::default()
    }

    fn with(mut self, element: Element) -> Self {
        self.fields.push(element);
        self
    }

    /// Sets Subject.
    pub fn subject(self, subject: &str) -> Self {
        self.with(Element::with_text("Subject", subject))
    }

    /// Sets a plain-text Body.
    pub fn body(self, text: &str) -> Self {
        self.with(Element::with_text("Body", text).attr("BodyType", "Text"))
    }

    /// Sets Location.
    pub fn location(self, location: &str) -> Self {
        self.with(Element::with_text("Location", location))
    }

    /// Sets Start.
    pub fn start(self, start: DateTime<Utc>) -> Self {
        self.with(Element::with_text("Start", format_instant(start)))
    }

    /// Sets End.
    pub fn end(self, end: DateTime<Utc>) -> Self {
        self.with(Element::with_text("End", format_instant(end)))
    }

    /// Sets IsAllDayEvent.
    pub fn all_day(self, all_day: bool) -> Self {
        self.with(Element::with_text(
            "IsAllDayEvent",
            if all_day { "true" } else { "false" },
        ))
    }

    /// Sets Categories.
    pub fn categories(self, categories: &[&str]) -> Self {
        let mut list = Element::new("Categories");
        for category in categories {
            list = list.child_element(Element::with_text("String", *category));
        }
        self.with(list)
    }

    /// Sets Recurrence from its XML (`<Recurrence>…</Recurrence>`, any prefix).
    pub fn recurrence_xml(self, xml: &str) -> Result<Self, SimError> {
        let element = parse(xml).map_err(|error| SimError::Refused(error.to_string()))?;
        Ok(self.with(element))
    }

    /// Sets a single-valued extended property.
    pub fn extended(mut self, uri: &ExtendedFieldUri, value: &str) -> Self {
        self.extended.push((uri.clone(), Some(value.to_owned())));
        self
    }

    /// Removes an extended property.
    pub fn without_extended(mut self, uri: &ExtendedFieldUri) -> Self {
        self.extended.push((uri.clone(), None));
        self
    }

    fn apply(&self, edit: &mut Edit) -> Result<(), SimError> {
        for element in &self.fields {
            let index = crate::mailbox::schema::by_element(&element.name)
                .ok_or_else(|| SimError::Refused(format!("unknown property {}", element.name)))?;
            edit.set(index, element.clone()).map_err(refused)?;
        }
        for (uri, value) in &self.extended {
            match value {
                Some(value) => edit.set_extended(uri.clone(), ExtendedValue::Single(value.clone())),
                None => edit.delete_extended(uri),
            }
        }
        Ok(())
    }
}

fn refused(error: crate::response_code::EwsError) -> SimError {
    SimError::Refused(error.code.as_str().to_owned())
}

/// A handle on one user's mailbox.
#[derive(Debug, Clone)]
pub struct MailboxHandle {
    shared: Arc<Shared>,
    index: usize,
}

impl MailboxHandle {
    pub(crate) fn new(shared: Arc<Shared>, index: usize) -> Self {
        Self { shared, index }
    }

    fn with<R>(
        &self,
        action: impl FnOnce(&mut Mailbox, &SimUser) -> Result<R, SimError>,
    ) -> Result<R, SimError> {
        let gone = || SimError::Refused("the handle's mailbox is unavailable".into());
        let user = self.shared.config.users.get(self.index).ok_or_else(gone)?;
        let mut mailboxes = self.shared.mailboxes.lock().map_err(|_| gone())?;
        let mailbox = mailboxes.get_mut(self.index).ok_or_else(gone)?;
        action(mailbox, user)
    }

    fn snapshot(mailbox: &Mailbox, user: &SimUser, item: &StoredItem) -> ItemSnapshot {
        let owner = Owner {
            identity: &mailbox.identity,
            user,
        };
        let view = ItemView::Stored(item);
        ItemSnapshot {
            item_id: view.item_id(owner),
            change_key: view.change_key(owner),
            uid: item.uid(),
            subject: item.text(field::subject()),
            body: item.field(field::body()).map(Element::text),
            location: item.text(field::location()),
            start: item.start(),
            end: item.end(),
            is_all_day: item.flag(field::is_all_day()).unwrap_or(false),
            categories: item
                .field(field::categories())
                .map(|list| list.elements().map(|entry| entry.text()).collect())
                .unwrap_or_default(),
            is_recurring_master: item.is_master(),
            extended: item
                .extended
                .iter()
                .map(|(uri, value)| {
                    (
                        uri.clone(),
                        value.texts().into_iter().map(str::to_owned).collect(),
                    )
                })
                .collect(),
            last_modified: item.modified,
        }
    }

    fn exception_snapshot(
        mailbox: &Mailbox,
        user: &SimUser,
        master: &StoredItem,
        occurrence: Occurrence,
    ) -> ExceptionSnapshot {
        let owner = Owner {
            identity: &mailbox.identity,
            user,
        };
        let view = ItemView::Occurrence(master, occurrence);
        let text = |index| view.value(index, owner).map(|element| element.text());
        ExceptionSnapshot {
            instance_index: occurrence.index,
            item_id: view.item_id(owner),
            change_key: view.change_key(owner),
            subject: text(field::subject()),
            location: text(field::location()),
            start: occurrence.start,
            end: occurrence.end,
            original_start: occurrence.original_start,
        }
    }

    fn master_of<'m>(mailbox: &'m Mailbox, master_id: &str) -> Result<&'m StoredItem, SimError> {
        let key = Self::key_of(mailbox, master_id)?;
        mailbox
            .items
            .get(&key)
            .filter(|item| item.is_master())
            .ok_or_else(|| SimError::NoSuchItem(master_id.into()))
    }

    fn key_of(mailbox: &Mailbox, item_id: &str) -> Result<u64, SimError> {
        match ids::parse_item_id(item_id) {
            Ok(ItemAddress::Item { mailbox: guid, key })
                if guid == mailbox.identity.guid && mailbox.items.contains_key(&key) =>
            {
                Ok(key)
            }
            _ => Err(SimError::NoSuchItem(item_id.to_owned())),
        }
    }

    /// Every item in the calendar, oldest first.
    pub fn items(&self) -> Vec<ItemSnapshot> {
        self.with(|mailbox, user| {
            Ok(mailbox
                .items
                .values()
                .map(|item| Self::snapshot(mailbox, user, item))
                .collect())
        })
        .unwrap_or_default()
    }

    /// One item by ItemId.
    pub fn item(&self, item_id: &str) -> Option<ItemSnapshot> {
        self.with(|mailbox, user| {
            let key = Self::key_of(mailbox, item_id)?;
            mailbox
                .items
                .get(&key)
                .map(|item| Self::snapshot(mailbox, user, item))
                .ok_or_else(|| SimError::NoSuchItem(item_id.into()))
        })
        .ok()
    }

    /// Creates an item as the mailbox owner would in Outlook.
    pub fn create(&self, patch: &ItemPatch) -> Result<ItemSnapshot, SimError> {
        self.with(|mailbox, user| {
            let key = mailbox.next_key();
            let now = Utc::now();
            let item = StoredItem::new(key, now, &user.display_name);
            let mut edit = Edit::create(item, mailbox.upcoming_change(), None);
            patch.apply(&mut edit)?;
            let item = edit.finish(now).map_err(refused)?;
            mailbox.insert(item);
            Self::current(mailbox, user, key)
        })
    }

    /// Edits an item as the mailbox owner would in Outlook (new ChangeKey, logged as an update).
    pub fn edit(&self, item_id: &str, patch: &ItemPatch) -> Result<ItemSnapshot, SimError> {
        self.with(|mailbox, user| {
            let key = Self::key_of(mailbox, item_id)?;
            let current = mailbox
                .items
                .get(&key)
                .cloned()
                .ok_or_else(|| SimError::NoSuchItem(item_id.into()))?;
            let mut edit = Edit::update(current, mailbox.upcoming_change(), None);
            patch.apply(&mut edit)?;
            let item = edit.finish(Utc::now()).map_err(refused)?;
            mailbox.replace(item, Utc::now(), &user.display_name);
            Self::current(mailbox, user, key)
        })
    }

    /// Deletes an item as the mailbox owner would in Outlook.
    pub fn delete(&self, item_id: &str) -> Result<(), SimError> {
        self.with(|mailbox, _| {
            let key = Self::key_of(mailbox, item_id)?;
            mailbox
                .remove(key)
                .map(|_| ())
                .ok_or_else(|| SimError::NoSuchItem(item_id.into()))
        })
    }

    /// The modified occurrences of a series, by instance index.
    pub fn exceptions(&self, master_id: &str) -> Result<Vec<ExceptionSnapshot>, SimError> {
        self.with(|mailbox, user| {
            let master = Self::master_of(mailbox, master_id)?;
            Ok(series::modified(master)
                .into_iter()
                .map(|occurrence| Self::exception_snapshot(mailbox, user, master, occurrence))
                .collect())
        })
    }

    /// The instance indexes deleted from a series, ascending.
    pub fn deleted_instances(&self, master_id: &str) -> Result<Vec<u32>, SimError> {
        self.with(|mailbox, _| {
            let master = Self::master_of(mailbox, master_id)?;
            Ok(master.deleted_occurrences.iter().copied().collect())
        })
    }

    /// Edits instance `instance_index` of a series as the owner would in Outlook: the instance
    /// becomes (or stays) an exception and the master gets a new ChangeKey.
    pub fn edit_occurrence(
        &self,
        master_id: &str,
        instance_index: u32,
        patch: &ItemPatch,
    ) -> Result<ExceptionSnapshot, SimError> {
        self.with(|mailbox, user| {
            let master = Self::master_of(mailbox, master_id)?;
            let mut edit =
                InstanceEdit::begin(master, instance_index, mailbox.upcoming_change(), None)
                    .map_err(refused)?;
            patch.apply(edit.edit())?;
            let updated = edit.finish(Utc::now()).map_err(refused)?;
            let key = updated.key;
            mailbox.replace(updated, Utc::now(), &user.display_name);
            let master = mailbox
                .items
                .get(&key)
                .ok_or_else(|| SimError::NoSuchItem(master_id.into()))?;
            let occurrence = series::occurrence_at(master, instance_index)
                .map_err(|code| refused(code.into()))?;
            Ok(Self::exception_snapshot(mailbox, user, master, occurrence))
        })
    }

    /// Deletes instance `instance_index` of a series as the owner would in Outlook (the master
    /// gets a new ChangeKey); returns the master.
    pub fn delete_occurrence(
        &self,
        master_id: &str,
        instance_index: u32,
    ) -> Result<ItemSnapshot, SimError> {
        self.with(|mailbox, user| {
            let mut master = Self::master_of(mailbox, master_id)?.clone();
            series::delete_occurrence(&mut master, instance_index)
                .map_err(|code| refused(code.into()))?;
            let key = master.key;
            mailbox.replace(master, Utc::now(), &user.display_name);
            Self::current(mailbox, user, key)
        })
    }

    fn current(mailbox: &Mailbox, user: &SimUser, key: u64) -> Result<ItemSnapshot, SimError> {
        mailbox
            .items
            .get(&key)
            .map(|item| Self::snapshot(mailbox, user, item))
            .ok_or_else(|| SimError::NoSuchItem(format!("key {key}")))
    }

    /// The newest change number (grows with every write; handy to assert "nothing was written").
    pub fn last_change(&self) -> u64 {
        self.with(|mailbox, _| Ok(mailbox.last_change()))
            .unwrap_or_default()
    }
}
