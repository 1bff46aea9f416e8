//! The properties inside an item element of CreateItem / UpdateItem, checked against the schema catalog
//! the way Exchange's schema validation would (unknown elements and malformed values are faults).

use super::error::{Parsed, RequestError};
use crate::mailbox::extended::{ExtendedFieldUri, ExtendedValue};
use crate::mailbox::schema::{self, FieldIndex, ValueKind};
use crate::time::WireDateTime;
use crate::xml::Element;

/// The properties one item element carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemProperties {
    /// The item element's name (`CalendarItem`, `Message`, …).
    pub kind: String,
    /// First-class properties, as sent.
    pub fields: Vec<(FieldIndex, Element)>,
    /// Extended properties.
    pub extended: Vec<(ExtendedFieldUri, ExtendedValue)>,
}

const ENUMERATIONS: [(&str, &[&str]); 3] = [
    (
        "Sensitivity",
        &["Normal", "Personal", "Private", "Confidential"],
    ),
    ("Importance", &["Low", "Normal", "High"]),
    (
        "LegacyFreeBusyStatus",
        &[
            "Free",
            "Tentative",
            "Busy",
            "OOF",
            "WorkingElsewhere",
            "NoData",
        ],
    ),
];

fn invalid_value(element: &Element, expected: &str) -> RequestError {
    RequestError::schema(format!(
        "The '{}' element is invalid - The value '{}' is invalid according to its datatype '{expected}'.",
        element.name,
        element.text().trim()
    ))
}

fn check_value(index: FieldIndex, element: &Element) -> Parsed<()> {
    let text = element.text();
    let text = text.trim();
    match schema::def(index).kind {
        ValueKind::DateTime if WireDateTime::parse(text).is_none() => {
            return Err(invalid_value(element, "xs:dateTime"));
        }
        ValueKind::Boolean if !matches!(text, "true" | "false" | "1" | "0") => {
            return Err(invalid_value(element, "xs:boolean"));
        }
        ValueKind::Integer if text.parse::<i64>().is_err() => {
            return Err(invalid_value(element, "xs:int"));
        }
        _ => {}
    }
    if let Some((_, allowed)) = ENUMERATIONS.iter().find(|(name, _)| *name == element.name)
        && !allowed.contains(&text)
    {
        return Err(invalid_value(element, &format!("{}Type", element.name)));
    }
    if element.name == "Body" {
        match element.attribute("BodyType") {
            Some("HTML" | "Text") => {}
            _ => {
                return Err(RequestError::schema(
                    "The 'BodyType' attribute of 'Body' must be HTML or Text.",
                ));
            }
        }
    }
    Ok(())
}

impl ItemProperties {
    /// Reads the children of an item element.
    pub fn parse(item: &Element) -> Parsed<Self> {
        let mut fields = Vec::new();
        let mut extended = Vec::new();
        for child in item.elements() {
            if child.name == "ExtendedProperty" {
                let uri_element = child.child("ExtendedFieldURI").ok_or_else(|| {
                    RequestError::schema("ExtendedProperty requires ExtendedFieldURI.")
                })?;
                let uri = ExtendedFieldUri::from_element(uri_element)
                    .map_err(|error| RequestError::schema(error.0))?;
                let value = ExtendedValue::from_property(child).ok_or_else(|| {
                    RequestError::schema("ExtendedProperty requires Value or Values.")
                })?;
                if uri.is_multi_valued() != matches!(value, ExtendedValue::Multi(_)) {
                    return Err(RequestError::schema(
                        "Array property types take Values; other types take Value.",
                    ));
                }
                extended.push((uri, value));
                continue;
            }
            let index = schema::by_element(&child.name).ok_or_else(|| {
                RequestError::schema(format!(
                    "The element '{}' in namespace 'http://schemas.microsoft.com/exchange/services/2006/types' has invalid child element '{}'.",
                    item.name, child.name
                ))
            })?;
            check_value(index, child)?;
            fields.push((index, child.clone()));
        }
        Ok(Self {
            kind: item.name.clone(),
            fields,
            extended,
        })
    }

    /// Number of properties (first-class and extended) the element carries.
    pub fn property_count(&self) -> usize {
        self.fields.len() + self.extended.len()
    }
}
