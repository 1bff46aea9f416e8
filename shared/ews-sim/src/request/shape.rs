//! Response shapes (`ItemShape`, `FolderShape`) and property paths (`FieldURI`, `ExtendedFieldURI`).

use super::error::{Parsed, RequestError};
use crate::mailbox::extended::ExtendedFieldUri;
use crate::mailbox::item::PropertyPath;
use crate::mailbox::schema;
use crate::xml::Element;

/// `BaseShape`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseShape {
    /// Only the id.
    IdOnly,
    /// The type's default set.
    Default,
    /// Every first-class property (not custom extended properties).
    AllProperties,
}

/// An `ItemShape`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemShape {
    /// BaseShape.
    pub base: BaseShape,
    /// AdditionalProperties.
    pub additional: Vec<PropertyPath>,
}

/// A `FolderShape` (folder properties are few; they are kept as FieldURI strings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderShape {
    /// BaseShape.
    pub base: BaseShape,
    /// AdditionalProperties as `folder:…` URIs.
    pub additional: Vec<String>,
}

fn base_shape(shape: &Element) -> Parsed<BaseShape> {
    match shape.child_text("BaseShape").as_deref() {
        Some("IdOnly") => Ok(BaseShape::IdOnly),
        Some("Default") => Ok(BaseShape::Default),
        Some("AllProperties") => Ok(BaseShape::AllProperties),
        Some(other) => Err(RequestError::schema(format!(
            "The element 'BaseShape' has an invalid value '{other}' according to its datatype 'DefaultShapeNamesType'."
        ))),
        None => Err(RequestError::schema(format!(
            "The element '{}' is missing the child element 'BaseShape'.",
            shape.name
        ))),
    }
}

/// Reads a `FieldURI`, `ExtendedFieldURI` or `IndexedFieldURI` element.
pub fn parse_path(element: &Element) -> Parsed<PropertyPath> {
    match element.name.as_str() {
        "FieldURI" => {
            let uri = element
                .attribute("FieldURI")
                .ok_or_else(|| RequestError::schema("FieldURI requires the FieldURI attribute."))?;
            if let Some(index) = schema::by_uri(uri) {
                return Ok(PropertyPath::Field(index));
            }
            if schema::is_known_uri_prefix(uri) {
                return Ok(PropertyPath::Absent(uri.to_owned()));
            }
            Err(RequestError::schema(format!(
                "The 'FieldURI' attribute is invalid - The value '{uri}' is invalid according to its datatype 'UnindexedFieldURIType'."
            )))
        }
        "ExtendedFieldURI" => ExtendedFieldUri::from_element(element)
            .map(PropertyPath::Extended)
            .map_err(|error| RequestError::schema(error.0)),
        "IndexedFieldURI" => {
            let uri = element.attribute("FieldURI").unwrap_or_default();
            let index = element.attribute("FieldIndex").unwrap_or_default();
            Ok(PropertyPath::Absent(format!("{uri}[{index}]")))
        }
        other => Err(RequestError::schema(format!(
            "Unexpected element '{other}' where a property path was expected."
        ))),
    }
}

/// The first property-path child of an element (restrictions, updates, sort orders).
pub fn first_path(element: &Element) -> Parsed<PropertyPath> {
    element
        .elements()
        .find(|child| {
            matches!(
                child.name.as_str(),
                "FieldURI" | "ExtendedFieldURI" | "IndexedFieldURI"
            )
        })
        .ok_or_else(|| {
            RequestError::schema(format!("'{}' requires a property path.", element.name))
        })
        .and_then(parse_path)
}

impl ItemShape {
    /// Reads an `ItemShape` element.
    pub fn parse(shape: &Element) -> Parsed<Self> {
        let base = base_shape(shape)?;
        let additional = match shape.child("AdditionalProperties") {
            Some(list) => list
                .elements()
                .map(parse_path)
                .collect::<Parsed<Vec<_>>>()?,
            None => Vec::new(),
        };
        Ok(Self { base, additional })
    }

    /// Does the shape ask for this path explicitly?
    pub fn requests(&self, path: &PropertyPath) -> bool {
        self.additional.contains(path)
    }
}

impl FolderShape {
    /// Reads a `FolderShape` element.
    pub fn parse(shape: &Element) -> Parsed<Self> {
        let base = base_shape(shape)?;
        let mut additional = Vec::new();
        if let Some(list) = shape.child("AdditionalProperties") {
            for path in list.elements() {
                match path.name.as_str() {
                    "FieldURI" => {
                        additional.push(path.attribute("FieldURI").unwrap_or_default().to_owned())
                    }
                    "ExtendedFieldURI" | "IndexedFieldURI" => {}
                    other => {
                        return Err(RequestError::schema(format!(
                            "Unexpected element '{other}' in AdditionalProperties."
                        )));
                    }
                }
            }
        }
        Ok(Self { base, additional })
    }
}
