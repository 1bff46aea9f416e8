//! Writes calendar items in a requested shape, in schema order, with `t:` prefixes.

use crate::mailbox::item::PropertyPath;
use crate::mailbox::schema::{self, FIELDS};
use crate::request::shape::{BaseShape, ItemShape};
use crate::version::SchemaVersion;
use crate::view::{ItemView, Owner};
use crate::xml::{Element, XmlWriter};

/// Which operation the item is written for: each omits what Exchange never returns there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// GetItem: everything the shape asks for.
    GetItem,
    /// FindItem: no Body, UniqueBody or Attachments.
    FindItem,
    /// SyncFolderItems: no Body, UniqueBody or Attachments (EWS-NOTES §2).
    Sync,
}

/// How to write items for one response.
#[derive(Debug, Clone, Copy)]
pub struct Rendering<'a> {
    /// The shape the client asked for.
    pub shape: &'a ItemShape,
    /// The operation.
    pub purpose: Purpose,
    /// The request's schema version (newer fields are left out).
    pub requested: SchemaVersion,
    /// 2013+ servers add `IsTruncated` to Body.
    pub marks_truncation: bool,
}

impl Rendering<'_> {
    fn wants(&self, index: usize) -> bool {
        let def = schema::def(index);
        if def.since > self.requested {
            return false;
        }
        if self.purpose != Purpose::GetItem
            && matches!(def.element, "Body" | "UniqueBody" | "Attachments")
        {
            return false;
        }
        let by_base = match self.shape.base {
            BaseShape::IdOnly => def.element == "ItemId",
            BaseShape::Default => def.in_default,
            BaseShape::AllProperties => def.in_all,
        };
        by_base || self.shape.requests(&PropertyPath::Field(index))
    }

    /// Writes `<t:CalendarItem>…</t:CalendarItem>` for one view.
    pub fn write(&self, writer: &mut XmlWriter, view: &ItemView<'_>, owner: Owner<'_>) {
        writer.start("t:CalendarItem", &[]);
        let extended_position = schema::by_element("Culture").unwrap_or(FIELDS.len());
        for index in 0..FIELDS.len() {
            if index == extended_position {
                self.write_extended(writer, view);
            }
            if !self.wants(index) {
                continue;
            }
            if let Some(mut element) = view.value(index, owner) {
                if element.name == "Body"
                    && self.marks_truncation
                    && element.attribute("IsTruncated").is_none()
                {
                    element = element.attr("IsTruncated", "false");
                }
                writer.element("t", &element);
            }
        }
        writer.end("t:CalendarItem");
    }

    fn write_extended(&self, writer: &mut XmlWriter, view: &ItemView<'_>) {
        for path in &self.shape.additional {
            if let PropertyPath::Extended(uri) = path
                && let Some(value) = view.extended_value(uri)
            {
                writer.element("t", &value.to_property(uri));
            }
        }
    }
}

/// Writes `<t:CalendarItem><t:ItemId …/></t:CalendarItem>` (CreateItem / UpdateItem answers).
pub fn write_id_only(writer: &mut XmlWriter, view: &ItemView<'_>, owner: Owner<'_>) {
    writer.start("t:CalendarItem", &[]);
    let id: Element = view.item_id_element(owner);
    writer.element("t", &id);
    writer.end("t:CalendarItem");
}
