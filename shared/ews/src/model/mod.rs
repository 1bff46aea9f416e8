//! Typed calendar data as EWS carries it.

mod calendar_item;
mod changes;
mod extended_property;
mod global_object_id;
mod recurrence;
mod wire_enum;

pub use calendar_item::{
    Body, BodyType, CalendarItem, CalendarItemType, DeletedOccurrence, ItemKind,
    LegacyFreeBusyStatus, Mailbox, OccurrenceInfo, Sensitivity,
};
pub use changes::{
    CalendarField, CalendarFieldName, ConflictResolution, FieldUpdate, FindItemPage, ItemChange,
    ItemShape, NewCalendarItem, SyncChange, SyncPage, TargetChange, UpdatedItem,
};
pub use extended_property::{
    ExtendedFieldUri, ExtendedProperty, OHSYNC_PROPERTY_NAME, OHSYNC_PROPERTY_SET_ID,
    OHSYNC_TAG_FIELD, OHSYNC_UNFINISHED_FIELD, OHSYNC_UNFINISHED_PROPERTY_NAME,
    OHSYNC_UNFINISHED_VALUE, OhsyncTag,
};
pub use global_object_id::{GLOBAL_OBJECT_ID_FIELD, GlobalObjectId};
pub use recurrence::{
    DayOfWeek, DayOfWeekIndex, Month, Recurrence, RecurrencePattern, RecurrenceRange,
};
pub(crate) use recurrence::{days_of_week_text, parse_days_of_week};

use crate::error::EwsError;

/// An item's `ItemId`: opaque, case-sensitive, and it can change when the item moves.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemId {
    /// `Id`.
    pub id: String,
    /// `ChangeKey`: identifies one version of the item; required on updates.
    pub change_key: Option<String>,
}

impl ItemId {
    /// An id with its change key.
    pub fn new(id: impl Into<String>, change_key: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            change_key: Some(change_key.into()),
        }
    }

    /// Checks that the id is usable in a request (not empty).
    pub fn validate(&self) -> Result<(), EwsError> {
        if self.id.trim().is_empty() {
            return Err(EwsError::invalid_input("empty ItemId"));
        }
        Ok(())
    }

    /// An id without a change key (reads and deletes).
    pub fn without_change_key(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            change_key: None,
        }
    }
}

/// What GetItem, UpdateItem and DeleteItem address: an item, or one instance of a series.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ItemTarget {
    /// `t:ItemId`: a single, a master, or an occurrence or exception by its own id.
    Item(ItemId),
    /// `t:OccurrenceItemId`: instance `instance_index` (1-based) of the series `master`. The
    /// master's ChangeKey is the instance's too (WSR/occurrenceitemid).
    Occurrence {
        /// The master's id and, for updates, its ChangeKey.
        master: ItemId,
        /// The 1-based instance index.
        instance_index: u32,
    },
}

impl ItemTarget {
    /// Instance `instance_index` (1-based) of the series `master`.
    pub fn occurrence(master: ItemId, instance_index: u32) -> Self {
        Self::Occurrence {
            master,
            instance_index,
        }
    }

    /// The id sent: the item's, or the master's for an instance.
    pub fn id(&self) -> &ItemId {
        match self {
            Self::Item(id) | Self::Occurrence { master: id, .. } => id,
        }
    }

    /// Checks that the target is usable in a request: a non-empty id and a 1-based index.
    pub fn validate(&self) -> Result<(), EwsError> {
        self.id().validate()?;
        match self {
            Self::Occurrence {
                instance_index: 0, ..
            } => Err(EwsError::invalid_input("InstanceIndex starts at 1")),
            _ => Ok(()),
        }
    }
}

impl From<ItemId> for ItemTarget {
    fn from(id: ItemId) -> Self {
        Self::Item(id)
    }
}

/// A folder's `FolderId`; folder ids do not change when items move.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FolderId {
    /// `Id`.
    pub id: String,
    /// `ChangeKey`.
    pub change_key: Option<String>,
}

/// The calendar folder as `GetFolder` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFolder {
    /// The folder id and change key.
    pub folder_id: FolderId,
    /// `DisplayName`.
    pub display_name: Option<String>,
    /// `TotalCount`: items in the folder (masters and singles).
    pub total_count: Option<u32>,
}
