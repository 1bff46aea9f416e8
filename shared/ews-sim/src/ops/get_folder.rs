//! GetFolder: the calendar (with its item count) and the other well-known folders.

use super::Context;
use super::access::resolve_folder;
use crate::mailbox::Mailbox;
use crate::mailbox::folders::{self, CALENDAR, FolderDef};
use crate::mailbox::ids::{self, ChangeKeyKind};
use crate::request::shape::{BaseShape, FolderShape};
use crate::request::target::FolderRef;
use crate::response_code::ResponseCode;
use crate::soap::response::{ResponseBody, ResponseBuilder};
use crate::version::SchemaVersion;
use crate::xml::XmlWriter;

/// Folder properties in BaseFolderType / FolderType order, with the shapes that include them.
const PROPERTIES: [(&str, bool, bool); 9] = [
    ("FolderId", true, true),
    ("ParentFolderId", false, true),
    ("FolderClass", false, true),
    ("DisplayName", true, true),
    ("TotalCount", true, true),
    ("ChildFolderCount", true, true),
    ("EffectiveRights", false, true),
    ("DistinguishedFolderId", false, false),
    ("UnreadCount", true, true),
];

fn wanted(shape: &FolderShape, property: &str, in_default: bool, in_all: bool) -> bool {
    let by_base = match shape.base {
        BaseShape::IdOnly => property == "FolderId",
        BaseShape::Default => in_default,
        BaseShape::AllProperties => in_all,
    };
    by_base
        || shape
            .additional
            .iter()
            .any(|uri| uri.strip_prefix("folder:") == Some(property))
}

fn write_folder(
    writer: &mut XmlWriter,
    context: &Context<'_>,
    mailbox: &Mailbox,
    def: &FolderDef,
    shape: &FolderShape,
) {
    let element = format!("t:{}", def.element);
    writer.start(&element, &[]);
    let identity = &mailbox.identity;
    let total = if def.number == CALENDAR {
        mailbox.items.len()
    } else {
        0
    };
    for (property, in_default, in_all) in PROPERTIES {
        if !wanted(shape, property, in_default, in_all) {
            continue;
        }
        match property {
            "FolderId" => writer.empty(
                "t:FolderId",
                &[
                    ("Id", &ids::folder_id(identity, def.number)),
                    (
                        "ChangeKey",
                        &ids::change_key(identity, ChangeKeyKind::Folder, 1),
                    ),
                ],
            ),
            "ParentFolderId" if def.parent != 0 => writer.empty(
                "t:ParentFolderId",
                &[
                    ("Id", &ids::folder_id(identity, def.parent)),
                    (
                        "ChangeKey",
                        &ids::change_key(identity, ChangeKeyKind::Folder, 1),
                    ),
                ],
            ),
            "FolderClass" => {
                if let Some(class) = def.class {
                    writer.leaf("t:FolderClass", class);
                }
            }
            "DisplayName" => writer.leaf("t:DisplayName", def.display_name),
            "TotalCount" => writer.leaf("t:TotalCount", &total.to_string()),
            "ChildFolderCount" => writer.leaf(
                "t:ChildFolderCount",
                &folders::child_count(def.number).to_string(),
            ),
            "EffectiveRights" => {
                writer.start("t:EffectiveRights", &[]);
                for (right, granted) in [
                    ("CreateAssociated", "true"),
                    ("CreateContents", "true"),
                    ("CreateHierarchy", "true"),
                    ("Delete", "true"),
                    ("Modify", "true"),
                    ("Read", "true"),
                    ("ViewPrivateItems", "true"),
                ] {
                    writer.leaf(&format!("t:{right}"), granted);
                }
                writer.end("t:EffectiveRights");
            }
            "DistinguishedFolderId" if context.requested >= SchemaVersion::Exchange2013 => {
                writer.leaf("t:DistinguishedFolderId", def.distinguished);
            }
            "UnreadCount" if def.element == "Folder" => writer.leaf("t:UnreadCount", "0"),
            _ => {}
        }
    }
    writer.end(&element);
}

/// Runs GetFolder.
pub fn run(
    context: &Context<'_>,
    mailboxes: &[Mailbox],
    shape: &FolderShape,
    folders: &[FolderRef],
) -> ResponseBody {
    let mut response = ResponseBuilder::new("GetFolder");
    for folder in folders {
        match resolve_folder(context, mailboxes, folder) {
            Ok((index, def)) => match mailboxes.get(index) {
                Some(mailbox) => {
                    let writer = response.success();
                    writer.start("m:Folders", &[]);
                    write_folder(writer, context, mailbox, def, shape);
                    writer.end("m:Folders");
                    response.end_message();
                }
                None => response.error_message(&ResponseCode::ErrorFolderNotFound.into()),
            },
            Err(error) => response.error_message(&error),
        }
    }
    response.finish()
}
