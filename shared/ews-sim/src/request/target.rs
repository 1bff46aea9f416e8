//! Folder and item addresses in requests.

use super::error::{Parsed, RequestError};
use crate::mailbox::folders;
use crate::xml::Element;

/// A `DistinguishedFolderId` (optionally in another mailbox) or a `FolderId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderRef {
    /// A well-known folder by name.
    Distinguished {
        /// The DistinguishedFolderId name (`calendar`, …).
        name: String,
        /// `Mailbox/EmailAddress`, when addressing another mailbox.
        mailbox: Option<String>,
    },
    /// A FolderId value.
    Id(String),
}

impl FolderRef {
    /// Reads one `DistinguishedFolderId` or `FolderId` element.
    pub fn parse(element: &Element) -> Parsed<Self> {
        match element.name.as_str() {
            "DistinguishedFolderId" => {
                let name = element
                    .attribute("Id")
                    .ok_or_else(|| RequestError::schema("DistinguishedFolderId requires Id."))?;
                if !folders::is_schema_name(name) {
                    return Err(RequestError::schema(format!(
                        "The 'Id' attribute is invalid - The value '{name}' is invalid according to its datatype 'DistinguishedFolderIdNameType'."
                    )));
                }
                let mailbox = element
                    .child("Mailbox")
                    .and_then(|mailbox| mailbox.child_text("EmailAddress"));
                Ok(Self::Distinguished {
                    name: name.to_owned(),
                    mailbox,
                })
            }
            "FolderId" => {
                let id = element
                    .attribute("Id")
                    .ok_or_else(|| RequestError::schema("FolderId requires Id."))?;
                Ok(Self::Id(id.to_owned()))
            }
            other => Err(RequestError::schema(format!(
                "Unexpected element '{other}' where a folder id was expected."
            ))),
        }
    }

    /// Reads every folder id below a container element (`FolderIds`, `ParentFolderIds`, …).
    pub fn parse_all(container: &Element) -> Parsed<Vec<Self>> {
        container.elements().map(Self::parse).collect()
    }

    /// Reads the single folder id below a container element (`SyncFolderId`, `SavedItemFolderId`).
    pub fn parse_single(container: &Element) -> Parsed<Self> {
        let mut all = Self::parse_all(container)?;
        match (all.pop(), all.is_empty()) {
            (Some(folder), true) => Ok(folder),
            _ => Err(RequestError::schema(format!(
                "'{}' must contain exactly one folder id.",
                container.name
            ))),
        }
    }
}

/// An item address: `ItemId`, `OccurrenceItemId` or `RecurringMasterItemId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemRef {
    /// `ItemId` with optional ChangeKey.
    Id {
        /// The Id attribute.
        id: String,
        /// The ChangeKey attribute.
        change_key: Option<String>,
    },
    /// `OccurrenceItemId`: instance `index` of a master.
    Occurrence {
        /// RecurringMasterId.
        master_id: String,
        /// InstanceIndex (1-based).
        index: u32,
        /// ChangeKey of the master, if given.
        change_key: Option<String>,
    },
    /// `RecurringMasterItemId`: the master of an occurrence.
    Master {
        /// OccurrenceId.
        occurrence_id: String,
        /// ChangeKey, if given.
        change_key: Option<String>,
    },
}

impl ItemRef {
    /// Reads one item address element.
    pub fn parse(element: &Element) -> Parsed<Self> {
        let attribute = |name: &str| {
            element.attribute(name).map(str::to_owned).ok_or_else(|| {
                RequestError::schema(format!(
                    "The required attribute '{name}' is missing on '{}'.",
                    element.name
                ))
            })
        };
        let change_key = element.attribute("ChangeKey").map(str::to_owned);
        match element.name.as_str() {
            "ItemId" => Ok(Self::Id {
                id: attribute("Id")?,
                change_key,
            }),
            "OccurrenceItemId" => {
                let index = attribute("InstanceIndex")?
                    .trim()
                    .parse()
                    .map_err(|_| RequestError::schema("InstanceIndex is not a valid integer."))?;
                Ok(Self::Occurrence {
                    master_id: attribute("RecurringMasterId")?,
                    index,
                    change_key,
                })
            }
            "RecurringMasterItemId" => Ok(Self::Master {
                occurrence_id: attribute("OccurrenceId")?,
                change_key,
            }),
            other => Err(RequestError::schema(format!(
                "Unexpected element '{other}' where an item id was expected."
            ))),
        }
    }

    /// Reads every item address below a container (`ItemIds`, `Ignore`).
    pub fn parse_all(container: &Element) -> Parsed<Vec<Self>> {
        container.elements().map(Self::parse).collect()
    }

    /// The ChangeKey the client sent, if any.
    pub fn change_key(&self) -> Option<&str> {
        match self {
            Self::Id { change_key, .. }
            | Self::Occurrence { change_key, .. }
            | Self::Master { change_key, .. } => change_key.as_deref(),
        }
    }
}
