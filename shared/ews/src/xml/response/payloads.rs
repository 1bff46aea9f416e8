//! The operation-specific parts of ResponseMessages.

use super::envelope::MessagePayload;
use super::item::{read_folder_id, read_item, read_item_id};
use super::reader::{Element, XmlReader};
use super::values;
use crate::error::EwsError;
use crate::model::{CalendarFolder, CalendarItem, FindItemPage, SyncChange, SyncPage};

/// A value of a number/boolean element, or a malformed-response error naming it.
fn typed<T>(field: &str, value: Result<T, String>) -> Result<T, EwsError> {
    value.map_err(|problem| EwsError::malformed(format!("{field}: {problem}")))
}

/// `Folders/*Folder` of GetFolder.
#[derive(Debug, Default)]
pub(crate) struct FolderPayload {
    pub(crate) folder: Option<CalendarFolder>,
}

impl MessagePayload for FolderPayload {
    fn read_child<'a>(
        &mut self,
        reader: &mut XmlReader<'a>,
        child: &Element<'a>,
    ) -> Result<(), EwsError> {
        if child.local_name() != b"Folders" {
            return reader.skip(child);
        }
        while let Some(folder) = reader.child_of(child)? {
            let mut folder_id = None;
            let mut display_name = None;
            let mut total_count = None;
            while let Some(field) = reader.child_of(&folder)? {
                match field.local_name() {
                    b"FolderId" => {
                        folder_id = Some(read_folder_id(&field)?);
                        reader.skip(&field)?;
                    }
                    b"DisplayName" => display_name = Some(reader.text(&field)?.into_owned()),
                    b"TotalCount" => {
                        total_count =
                            Some(typed("TotalCount", values::number(&reader.text(&field)?))?)
                    }
                    _ => reader.skip(&field)?,
                }
            }
            let folder_id =
                folder_id.ok_or_else(|| EwsError::malformed("folder without FolderId"))?;
            self.folder.get_or_insert(CalendarFolder {
                folder_id,
                display_name,
                total_count,
            });
        }
        Ok(())
    }
}

/// `SyncState`, `IncludesLastItemInRange` and `Changes` of SyncFolderItems.
#[derive(Debug, Default)]
pub(crate) struct SyncPayload {
    sync_state: Option<String>,
    includes_last_item_in_range: Option<bool>,
    changes: Vec<SyncChange>,
    read_flag_changes: usize,
}

impl SyncPayload {
    /// The page; a successful response without SyncState or IncludesLastItemInRange cannot be paged.
    pub(crate) fn into_page(self) -> Result<SyncPage, EwsError> {
        Ok(SyncPage {
            sync_state: self
                .sync_state
                .ok_or_else(|| EwsError::malformed("SyncFolderItems returned no SyncState"))?,
            includes_last_item_in_range: self.includes_last_item_in_range.ok_or_else(|| {
                EwsError::malformed("SyncFolderItems returned no IncludesLastItemInRange")
            })?,
            changes: self.changes,
            read_flag_changes: self.read_flag_changes,
        })
    }

    /// The item inside a `Create`/`Update`; one unreadable item fails the page, since a page
    /// cannot be half-applied.
    fn read_changed_item<'a>(
        reader: &mut XmlReader<'a>,
        change: &Element<'a>,
    ) -> Result<CalendarItem, EwsError> {
        let mut found = None;
        while let Some(element) = reader.child_of(change)? {
            let item = read_item(reader, &element)??;
            found.get_or_insert(item);
        }
        found.ok_or_else(|| EwsError::malformed("a sync change without an item"))
    }

    fn read_deleted_id<'a>(
        reader: &mut XmlReader<'a>,
        change: &Element<'a>,
    ) -> Result<SyncChange, EwsError> {
        let mut id = None;
        while let Some(element) = reader.child_of(change)? {
            if element.local_name() == b"ItemId" {
                id = Some(read_item_id(&element)?);
            }
            reader.skip(&element)?;
        }
        id.map(SyncChange::Delete)
            .ok_or_else(|| EwsError::malformed("a Delete change without ItemId"))
    }
}

impl MessagePayload for SyncPayload {
    fn read_child<'a>(
        &mut self,
        reader: &mut XmlReader<'a>,
        child: &Element<'a>,
    ) -> Result<(), EwsError> {
        match child.local_name() {
            b"SyncState" => self.sync_state = Some(reader.text(child)?.trim().to_owned()),
            b"IncludesLastItemInRange" => {
                self.includes_last_item_in_range = Some(typed(
                    "IncludesLastItemInRange",
                    values::boolean(&reader.text(child)?),
                )?);
            }
            b"Changes" => {
                while let Some(change) = reader.child_of(child)? {
                    match change.local_name() {
                        b"Create" => {
                            self.changes
                                .push(SyncChange::Create(Self::read_changed_item(
                                    reader, &change,
                                )?))
                        }
                        b"Update" => {
                            self.changes
                                .push(SyncChange::Update(Self::read_changed_item(
                                    reader, &change,
                                )?))
                        }
                        b"Delete" => self.changes.push(Self::read_deleted_id(reader, &change)?),
                        b"ReadFlagChange" => {
                            self.read_flag_changes += 1;
                            reader.skip(&change)?;
                        }
                        _ => reader.skip(&change)?,
                    }
                }
            }
            _ => reader.skip(child)?,
        }
        Ok(())
    }
}

/// `Items` (GetItem, CreateItem, UpdateItem) and `ConflictResults` (UpdateItem).
#[derive(Debug, Default)]
pub(crate) struct ItemsPayload {
    pub(crate) items: Vec<Result<CalendarItem, EwsError>>,
    pub(crate) conflict_count: Option<u32>,
}

impl MessagePayload for ItemsPayload {
    fn read_child<'a>(
        &mut self,
        reader: &mut XmlReader<'a>,
        child: &Element<'a>,
    ) -> Result<(), EwsError> {
        match child.local_name() {
            b"Items" => {
                while let Some(element) = reader.child_of(child)? {
                    self.items.push(read_item(reader, &element)?);
                }
            }
            b"ConflictResults" => {
                while let Some(count) = reader.child_of(child)? {
                    if count.local_name() == b"Count" {
                        self.conflict_count = Some(typed(
                            "ConflictResults",
                            values::number(&reader.text(&count)?),
                        )?);
                    } else {
                        reader.skip(&count)?;
                    }
                }
            }
            _ => reader.skip(child)?,
        }
        Ok(())
    }
}

/// `RootFolder` of FindItem.
#[derive(Debug, Default)]
pub(crate) struct FindPayload {
    pub(crate) page: Option<FindItemPage>,
}

impl MessagePayload for FindPayload {
    fn read_child<'a>(
        &mut self,
        reader: &mut XmlReader<'a>,
        child: &Element<'a>,
    ) -> Result<(), EwsError> {
        if child.local_name() != b"RootFolder" {
            return reader.skip(child);
        }
        let number_attr = |name: &[u8], label: &str| -> Result<Option<u32>, EwsError> {
            child
                .attr(name)?
                .map(|value| typed(label, values::number(&value)))
                .transpose()
        };
        let total_items_in_view = number_attr(b"TotalItemsInView", "TotalItemsInView")?;
        let indexed_paging_offset = number_attr(b"IndexedPagingOffset", "IndexedPagingOffset")?;
        let includes_last_item_in_range = child
            .attr(b"IncludesLastItemInRange")?
            .map(|value| typed("IncludesLastItemInRange", values::boolean(&value)))
            .transpose()?
            .ok_or_else(|| EwsError::malformed("RootFolder without IncludesLastItemInRange"))?;
        let mut items = Vec::new();
        while let Some(list) = reader.child_of(child)? {
            if list.local_name() != b"Items" {
                reader.skip(&list)?;
                continue;
            }
            while let Some(element) = reader.child_of(&list)? {
                items.push(read_item(reader, &element)??);
            }
        }
        self.page = Some(FindItemPage {
            items,
            includes_last_item_in_range,
            total_items_in_view,
            indexed_paging_offset,
        });
        Ok(())
    }
}
