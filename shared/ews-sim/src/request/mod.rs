//! Reading EWS operations out of a SOAP body, by local element names.

pub mod error;
pub mod properties;
pub mod restriction;
pub mod shape;
pub mod target;

use chrono::{DateTime, Utc};

use self::error::{Parsed, RequestError};
use self::properties::ItemProperties;
use self::restriction::Restriction;
use self::shape::{FolderShape, ItemShape, first_path};
use self::target::{FolderRef, ItemRef};
use crate::mailbox::item::PropertyPath;
use crate::response_code::{EwsError, ResponseCode};
use crate::time::parse_instant;
use crate::xml::Element;

/// `ConflictResolution` of UpdateItem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictResolution {
    /// Fail on a stale ChangeKey.
    NeverOverwrite,
    /// Apply changes that do not collide with newer server changes (the default).
    AutoResolve,
    /// Apply everything.
    AlwaysOverwrite,
}

/// One edit inside an `ItemChange`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// SetItemField.
    Set {
        /// The property.
        path: PropertyPath,
        /// The item element carrying the new value.
        value: ItemProperties,
    },
    /// AppendToItemField.
    Append {
        /// The property.
        path: PropertyPath,
        /// The item element carrying what to append.
        value: ItemProperties,
    },
    /// DeleteItemField.
    Delete {
        /// The property.
        path: PropertyPath,
    },
}

/// One `ItemChange`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemChange {
    /// The item.
    pub target: ItemRef,
    /// Its edits in order.
    pub updates: Vec<Update>,
}

/// The paging view of FindItem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// CalendarView: expanded instances overlapping a range.
    Calendar {
        /// StartDate.
        start: DateTime<Utc>,
        /// EndDate.
        end: DateTime<Utc>,
        /// MaxEntriesReturned.
        max: Option<usize>,
    },
    /// IndexedPageItemView.
    Indexed {
        /// MaxEntriesReturned.
        max: Option<usize>,
        /// Offset.
        offset: usize,
        /// BasePoint="End".
        from_end: bool,
    },
    /// No paging element: every match.
    Unpaged,
}

/// One `FieldOrder` of a SortOrder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    /// The property.
    pub path: PropertyPath,
    /// Order="Descending".
    pub descending: bool,
}

/// A parsed operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// GetFolder.
    GetFolder {
        /// FolderShape.
        shape: FolderShape,
        /// FolderIds.
        folders: Vec<FolderRef>,
    },
    /// SyncFolderItems.
    SyncFolderItems {
        /// ItemShape.
        shape: ItemShape,
        /// SyncFolderId.
        folder: FolderRef,
        /// SyncState (absent on the first call).
        state: Option<String>,
        /// Ignore list.
        ignore: Vec<ItemRef>,
        /// MaxChangesReturned (1–512).
        max_changes: usize,
    },
    /// GetItem.
    GetItem {
        /// ItemShape.
        shape: ItemShape,
        /// ItemIds.
        items: Vec<ItemRef>,
    },
    /// FindItem.
    FindItem {
        /// ItemShape.
        shape: ItemShape,
        /// Paging view.
        view: View,
        /// Restriction.
        restriction: Option<Restriction>,
        /// SortOrder.
        sort: Vec<SortKey>,
        /// ParentFolderIds.
        folders: Vec<FolderRef>,
    },
    /// CreateItem.
    CreateItem {
        /// SendMeetingInvitations.
        send_invitations: Option<String>,
        /// SavedItemFolderId.
        saved_folder: Option<FolderRef>,
        /// Items.
        items: Vec<ItemProperties>,
    },
    /// UpdateItem.
    UpdateItem {
        /// ConflictResolution.
        conflict: ConflictResolution,
        /// SendMeetingInvitationsOrCancellations.
        send: Option<String>,
        /// ItemChanges.
        changes: Vec<ItemChange>,
    },
    /// DeleteItem.
    DeleteItem {
        /// DeleteType.
        delete_type: String,
        /// SendMeetingCancellations.
        send_cancellations: Option<String>,
        /// ItemIds.
        items: Vec<ItemRef>,
    },
    /// ResolveNames.
    ResolveNames {
        /// UnresolvedEntry.
        entry: String,
    },
    /// An EWS operation the simulator does not implement.
    Unsupported(String),
}

/// EWS operations outside the simulator's scope; they get a proper error response, not a fault.
const OTHER_OPERATIONS: [&str; 60] = [
    "AddDelegate",
    "ApplyConversationAction",
    "ArchiveItem",
    "ConvertId",
    "CopyFolder",
    "CopyItem",
    "CreateAttachment",
    "CreateFolder",
    "CreateFolderPath",
    "CreateManagedFolder",
    "CreateUserConfiguration",
    "DeleteAttachment",
    "DeleteFolder",
    "DeleteUserConfiguration",
    "EmptyFolder",
    "ExpandDL",
    "ExportItems",
    "FindConversation",
    "FindFolder",
    "FindPeople",
    "GetAttachment",
    "GetConversationItems",
    "GetDelegate",
    "GetEvents",
    "GetInboxRules",
    "GetMailTips",
    "GetPasswordExpirationDate",
    "GetPersona",
    "GetRoomLists",
    "GetRooms",
    "GetSearchableMailboxes",
    "GetServerTimeZones",
    "GetSharingFolder",
    "GetSharingMetadata",
    "GetStreamingEvents",
    "GetUserAvailabilityRequest",
    "GetUserConfiguration",
    "GetUserOofSettingsRequest",
    "GetUserPhoto",
    "MarkAllItemsAsRead",
    "MarkAsJunk",
    "MoveFolder",
    "MoveItem",
    "PlayOnPhone",
    "RemoveDelegate",
    "SendItem",
    "SetUserOofSettingsRequest",
    "Subscribe",
    "SyncFolderHierarchy",
    "Unsubscribe",
    "UpdateDelegate",
    "UpdateFolder",
    "UpdateInboxRules",
    "UpdateUserConfiguration",
    "UploadItems",
    "GetAppManifests",
    "GetClientAccessToken",
    "GetNonIndexableItemDetails",
    "GetDiscoverySearchConfiguration",
    "SearchMailboxes",
];

fn required_child<'a>(element: &'a Element, name: &str) -> Parsed<&'a Element> {
    element.child(name).ok_or_else(|| {
        RequestError::schema(format!(
            "The element '{}' has incomplete content. Expected '{name}'.",
            element.name
        ))
    })
}

fn number_attribute(element: &Element, name: &str) -> Parsed<Option<usize>> {
    element
        .attribute(name)
        .map(|value| {
            value.trim().parse::<usize>().map_err(|_| {
                RequestError::schema(format!("The '{name}' attribute is invalid - The value '{value}' is not a valid integer."))
            })
        })
        .transpose()
}

fn date_attribute(element: &Element, name: &str) -> Parsed<DateTime<Utc>> {
    let value = element.attribute(name).ok_or_else(|| {
        RequestError::schema(format!("The required attribute '{name}' is missing."))
    })?;
    parse_instant(value).ok_or_else(|| {
        RequestError::schema(format!("The '{name}' attribute is invalid - The value '{value}' is invalid according to its datatype 'xs:dateTime'."))
    })
}

fn enumerated(element: &Element, name: &str, allowed: &[&str]) -> Parsed<Option<String>> {
    match element.attribute(name) {
        None => Ok(None),
        Some(value) if allowed.contains(&value) => Ok(Some(value.to_owned())),
        Some(value) => Err(RequestError::schema(format!(
            "The '{name}' attribute is invalid - The value '{value}' is invalid."
        ))),
    }
}

const SEND_INVITATIONS: [&str; 3] = ["SendToNone", "SendOnlyToAll", "SendToAllAndSaveCopy"];
const SEND_UPDATES: [&str; 5] = [
    "SendToNone",
    "SendOnlyToAll",
    "SendOnlyToChanged",
    "SendToAllAndSaveCopy",
    "SendToChangedAndSaveCopy",
];

impl Operation {
    /// The operation's element name (also used as the counter key).
    pub fn name(&self) -> &str {
        match self {
            Self::GetFolder { .. } => "GetFolder",
            Self::SyncFolderItems { .. } => "SyncFolderItems",
            Self::GetItem { .. } => "GetItem",
            Self::FindItem { .. } => "FindItem",
            Self::CreateItem { .. } => "CreateItem",
            Self::UpdateItem { .. } => "UpdateItem",
            Self::DeleteItem { .. } => "DeleteItem",
            Self::ResolveNames { .. } => "ResolveNames",
            Self::Unsupported(name) => name,
        }
    }

    /// Does the operation write to a mailbox?
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            Self::CreateItem { .. } | Self::UpdateItem { .. } | Self::DeleteItem { .. }
        )
    }

    /// Reads the operation element (the first child of `soap:Body`).
    pub fn parse(element: &Element) -> Parsed<Self> {
        match element.name.as_str() {
            "GetFolder" => Ok(Self::GetFolder {
                shape: FolderShape::parse(required_child(element, "FolderShape")?)?,
                folders: FolderRef::parse_all(required_child(element, "FolderIds")?)?,
            }),
            "SyncFolderItems" => Self::parse_sync(element),
            "GetItem" => Ok(Self::GetItem {
                shape: ItemShape::parse(required_child(element, "ItemShape")?)?,
                items: ItemRef::parse_all(required_child(element, "ItemIds")?)?,
            }),
            "FindItem" => Self::parse_find(element),
            "CreateItem" => Ok(Self::CreateItem {
                send_invitations: enumerated(element, "SendMeetingInvitations", &SEND_INVITATIONS)?,
                saved_folder: element
                    .child("SavedItemFolderId")
                    .map(FolderRef::parse_single)
                    .transpose()?,
                items: required_child(element, "Items")?
                    .elements()
                    .map(ItemProperties::parse)
                    .collect::<Parsed<_>>()?,
            }),
            "UpdateItem" => Self::parse_update(element),
            "DeleteItem" => Ok(Self::DeleteItem {
                delete_type: enumerated(
                    element,
                    "DeleteType",
                    &["HardDelete", "SoftDelete", "MoveToDeletedItems"],
                )?
                .ok_or_else(|| {
                    RequestError::schema("The required attribute 'DeleteType' is missing.")
                })?,
                send_cancellations: enumerated(
                    element,
                    "SendMeetingCancellations",
                    &SEND_INVITATIONS,
                )?,
                items: ItemRef::parse_all(required_child(element, "ItemIds")?)?,
            }),
            "ResolveNames" => Ok(Self::ResolveNames {
                entry: required_child(element, "UnresolvedEntry")?
                    .text()
                    .trim()
                    .to_owned(),
            }),
            other if OTHER_OPERATIONS.contains(&other) => Ok(Self::Unsupported(other.to_owned())),
            other => Err(RequestError::schema(format!(
                "The element '{other}' in namespace 'http://schemas.microsoft.com/exchange/services/2006/messages' is not an EWS operation."
            ))),
        }
    }

    fn parse_sync(element: &Element) -> Parsed<Self> {
        let max_text = required_child(element, "MaxChangesReturned")?.text();
        let max_changes = max_text.trim().parse::<usize>().ok().filter(|max| (1..=512).contains(max)).ok_or_else(|| {
            RequestError::schema(format!(
                "The 'MaxChangesReturned' element is invalid - The value '{}' is invalid according to its datatype 'MaxSyncChangesReturnedType' - The value must be between 1 and 512.",
                max_text.trim()
            ))
        })?;
        let state = element
            .child("SyncState")
            .map(|state| state.text().trim().to_owned())
            .filter(|state| !state.is_empty());
        Ok(Self::SyncFolderItems {
            shape: ItemShape::parse(required_child(element, "ItemShape")?)?,
            folder: FolderRef::parse_single(required_child(element, "SyncFolderId")?)?,
            state,
            ignore: element
                .child("Ignore")
                .map(ItemRef::parse_all)
                .transpose()?
                .unwrap_or_default(),
            max_changes,
        })
    }

    fn parse_find(element: &Element) -> Parsed<Self> {
        let mut view = View::Unpaged;
        for candidate in element.elements() {
            view = match candidate.name.as_str() {
                "CalendarView" => View::Calendar {
                    start: date_attribute(candidate, "StartDate")?,
                    end: date_attribute(candidate, "EndDate")?,
                    max: number_attribute(candidate, "MaxEntriesReturned")?,
                },
                "IndexedPageItemView" => View::Indexed {
                    max: number_attribute(candidate, "MaxEntriesReturned")?,
                    offset: number_attribute(candidate, "Offset")?.ok_or_else(|| {
                        RequestError::schema("IndexedPageItemView requires Offset.")
                    })?,
                    from_end: match candidate.attribute("BasePoint") {
                        Some("Beginning") => false,
                        Some("End") => true,
                        _ => {
                            return Err(RequestError::schema(
                                "IndexedPageItemView requires BasePoint Beginning or End.",
                            ));
                        }
                    },
                },
                "FractionalPageItemView" | "ContactsView" | "SeekToConditionPageItemView" => {
                    return Err(RequestError::Fault(
                        EwsError::new(ResponseCode::ErrorInvalidOperation).with_message(format!(
                            "{} is not supported for calendar folders.",
                            candidate.name
                        )),
                    ));
                }
                _ => continue,
            };
        }
        let mut sort = Vec::new();
        if let Some(order) = element.child("SortOrder") {
            for key in order.children_named("FieldOrder") {
                sort.push(SortKey {
                    path: first_path(key)?,
                    descending: key.attribute("Order") == Some("Descending"),
                });
            }
        }
        Ok(Self::FindItem {
            shape: ItemShape::parse(required_child(element, "ItemShape")?)?,
            view,
            restriction: element
                .child("Restriction")
                .map(Restriction::parse_container)
                .transpose()?,
            sort,
            folders: FolderRef::parse_all(required_child(element, "ParentFolderIds")?)?,
        })
    }

    fn parse_update(element: &Element) -> Parsed<Self> {
        let conflict = match element.attribute("ConflictResolution") {
            None | Some("AutoResolve") => ConflictResolution::AutoResolve,
            Some("NeverOverwrite") => ConflictResolution::NeverOverwrite,
            Some("AlwaysOverwrite") => ConflictResolution::AlwaysOverwrite,
            Some(other) => {
                return Err(RequestError::schema(format!(
                    "'{other}' is not a ConflictResolution value."
                )));
            }
        };
        let mut changes = Vec::new();
        for change in required_child(element, "ItemChanges")?.children_named("ItemChange") {
            let target = change
                .elements()
                .find(|child| {
                    matches!(
                        child.name.as_str(),
                        "ItemId" | "OccurrenceItemId" | "RecurringMasterItemId"
                    )
                })
                .ok_or_else(|| RequestError::schema("ItemChange requires an item id."))
                .and_then(ItemRef::parse)?;
            let mut updates = Vec::new();
            for update in required_child(change, "Updates")?.elements() {
                let path = first_path(update)?;
                let value = || {
                    update
                        .elements()
                        .find(|child| {
                            !matches!(
                                child.name.as_str(),
                                "FieldURI" | "ExtendedFieldURI" | "IndexedFieldURI"
                            )
                        })
                        .ok_or_else(|| {
                            RequestError::schema(format!(
                                "'{}' requires an item element.",
                                update.name
                            ))
                        })
                        .and_then(ItemProperties::parse)
                };
                updates.push(match update.name.as_str() {
                    "SetItemField" => Update::Set {
                        path,
                        value: value()?,
                    },
                    "AppendToItemField" => Update::Append {
                        path,
                        value: value()?,
                    },
                    "DeleteItemField" => Update::Delete { path },
                    other => {
                        return Err(RequestError::schema(format!(
                            "'{other}' is not an item change description."
                        )));
                    }
                });
            }
            changes.push(ItemChange { target, updates });
        }
        Ok(Self::UpdateItem {
            conflict,
            send: enumerated(
                element,
                "SendMeetingInvitationsOrCancellations",
                &SEND_UPDATES,
            )?,
            changes,
        })
    }
}
