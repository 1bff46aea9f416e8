//! Extended (MAPI) properties addressed by `ExtendedFieldURI`: identity, parsing and rendering.

use crate::xml::Element;

/// Which property set a named property belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PropertySet {
    /// `DistinguishedPropertySetId` (e.g. `PublicStrings`, `Common`, `Meeting`).
    Distinguished(String),
    /// `PropertySetId`, a GUID kept in lower case without braces.
    Guid(String),
}

/// How the property is named within its set (or a bare tag).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PropertyKey {
    /// `PropertyName`.
    Name(String),
    /// `PropertyId` (a LID).
    Id(u32),
    /// `PropertyTag` (no set).
    Tag(u32),
}

/// One extended property's identity and type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExtendedFieldUri {
    /// The set; `None` for a PropertyTag.
    pub set: Option<PropertySet>,
    /// Name, id or tag.
    pub key: PropertyKey,
    /// `PropertyType`, e.g. `String`, `Integer`, `StringArray`.
    pub property_type: String,
}

/// The attribute combination is not one EWS allows (WSR/extendedfielduri).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidExtendedFieldUri(pub String);

const PROPERTY_TYPES: [&str; 27] = [
    "ApplicationTime",
    "ApplicationTimeArray",
    "Binary",
    "BinaryArray",
    "Boolean",
    "CLSID",
    "CLSIDArray",
    "Currency",
    "CurrencyArray",
    "Double",
    "DoubleArray",
    "Error",
    "Float",
    "FloatArray",
    "Integer",
    "IntegerArray",
    "Long",
    "LongArray",
    "Null",
    "Object",
    "ObjectArray",
    "Short",
    "ShortArray",
    "SystemTime",
    "SystemTimeArray",
    "String",
    "StringArray",
];
const DISTINGUISHED_SETS: [&str; 10] = [
    "Meeting",
    "Appointment",
    "Common",
    "PublicStrings",
    "Address",
    "InternetHeaders",
    "CalendarAssistant",
    "UnifiedMessaging",
    "Task",
    "Sharing",
];

fn parse_number(text: &str) -> Option<u32> {
    let text = text.trim();
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

fn normalise_guid(text: &str) -> Option<String> {
    let trimmed = text.trim().trim_start_matches('{').trim_end_matches('}');
    uuid::Uuid::parse_str(trimmed)
        .ok()
        .map(|guid| guid.hyphenated().to_string())
}

impl ExtendedFieldUri {
    /// Reads an `ExtendedFieldURI` element.
    pub fn from_element(element: &Element) -> Result<Self, InvalidExtendedFieldUri> {
        let invalid = |why: &str| InvalidExtendedFieldUri(why.to_owned());
        let property_type = element
            .attribute("PropertyType")
            .ok_or_else(|| invalid("PropertyType is required."))?;
        let property_type = PROPERTY_TYPES
            .iter()
            .find(|known| known.eq_ignore_ascii_case(property_type))
            .ok_or_else(|| invalid("PropertyType is not a valid MapiPropertyTypeType value."))?;
        let distinguished = element.attribute("DistinguishedPropertySetId");
        let guid = element.attribute("PropertySetId");
        let tag = element.attribute("PropertyTag");
        let name = element.attribute("PropertyName");
        let id = element.attribute("PropertyId");
        if let Some(tag) = tag {
            if distinguished.is_some() || guid.is_some() || name.is_some() || id.is_some() {
                return Err(invalid(
                    "PropertyTag cannot be combined with a property set, name or id.",
                ));
            }
            let tag = parse_number(tag).ok_or_else(|| invalid("PropertyTag is not a number."))?;
            return Ok(Self {
                set: None,
                key: PropertyKey::Tag(tag),
                property_type: (*property_type).to_owned(),
            });
        }
        let set = match (distinguished, guid) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "Use either DistinguishedPropertySetId or PropertySetId.",
                ));
            }
            (Some(name), None) => {
                let known = DISTINGUISHED_SETS
                    .iter()
                    .find(|known| **known == name)
                    .ok_or_else(|| invalid("DistinguishedPropertySetId is not a valid value."))?;
                PropertySet::Distinguished((*known).to_owned())
            }
            (None, Some(guid)) => PropertySet::Guid(
                normalise_guid(guid).ok_or_else(|| invalid("PropertySetId is not a GUID."))?,
            ),
            (None, None) => return Err(invalid("A property set or PropertyTag is required.")),
        };
        let key = match (name, id) {
            (Some(name), None) => PropertyKey::Name(name.to_owned()),
            (None, Some(id)) => PropertyKey::Id(
                parse_number(id).ok_or_else(|| invalid("PropertyId is not a number."))?,
            ),
            _ => {
                return Err(invalid(
                    "Exactly one of PropertyName and PropertyId is required with a property set.",
                ));
            }
        };
        Ok(Self {
            set: Some(set),
            key,
            property_type: (*property_type).to_owned(),
        })
    }

    /// The `ExtendedFieldURI` element, as Exchange writes it back.
    pub fn to_element(&self) -> Element {
        let mut element = Element::new("ExtendedFieldURI");
        match &self.set {
            Some(PropertySet::Distinguished(name)) => {
                element = element.attr("DistinguishedPropertySetId", name)
            }
            Some(PropertySet::Guid(guid)) => element = element.attr("PropertySetId", guid),
            None => {}
        }
        element = match &self.key {
            PropertyKey::Name(name) => element.attr("PropertyName", name),
            PropertyKey::Id(id) => element.attr("PropertyId", id.to_string()),
            PropertyKey::Tag(tag) => element.attr("PropertyTag", format!("0x{tag:x}")),
        };
        element.attr("PropertyType", &self.property_type)
    }

    /// Array types carry `<Values>` instead of `<Value>`.
    pub fn is_multi_valued(&self) -> bool {
        self.property_type.ends_with("Array")
    }
}

/// A stored extended property value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtendedValue {
    /// `<Value>`.
    Single(String),
    /// `<Values><Value>…`.
    Multi(Vec<String>),
}

impl ExtendedValue {
    /// Reads the value part of an `ExtendedProperty` element.
    pub fn from_property(element: &Element) -> Option<Self> {
        if let Some(values) = element.child("Values") {
            return Some(Self::Multi(
                values.children_named("Value").map(Element::text).collect(),
            ));
        }
        element
            .child("Value")
            .map(|value| Self::Single(value.text()))
    }

    /// All values as text (one for single-valued properties).
    pub fn texts(&self) -> Vec<&str> {
        match self {
            Self::Single(value) => vec![value.as_str()],
            Self::Multi(values) => values.iter().map(String::as_str).collect(),
        }
    }

    /// The whole `ExtendedProperty` element for this value.
    pub fn to_property(&self, uri: &ExtendedFieldUri) -> Element {
        let property = Element::new("ExtendedProperty").child_element(uri.to_element());
        match self {
            Self::Single(value) => property.child_element(Element::with_text("Value", value)),
            Self::Multi(values) => {
                let mut list = Element::new("Values");
                for value in values {
                    list = list.child_element(Element::with_text("Value", value));
                }
                property.child_element(list)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse;

    #[test]
    fn reads_named_guid_properties_case_insensitively_and_writes_them_back() {
        let element = parse(
            r#"<ExtendedFieldURI PropertySetId="{AA3DF801-4FC7-401F-BBC1-7C93D6498C2E}" PropertyName="ohsync" PropertyType="string"/>"#,
        )
        .unwrap();
        let uri = ExtendedFieldUri::from_element(&element).unwrap();
        assert_eq!(
            uri.set,
            Some(PropertySet::Guid(
                "aa3df801-4fc7-401f-bbc1-7c93d6498c2e".into()
            ))
        );
        assert_eq!(uri.property_type, "String");
        let back = uri.to_element();
        assert_eq!(
            back.attribute("PropertySetId"),
            Some("aa3df801-4fc7-401f-bbc1-7c93d6498c2e")
        );
        assert_eq!(ExtendedFieldUri::from_element(&back).unwrap(), uri);
    }

    #[test]
    fn rejects_combinations_ews_forbids() {
        for bad in [
            r#"<E PropertyTag="0x1000" PropertySetId="aa3df801-4fc7-401f-bbc1-7c93d6498c2e" PropertyType="String"/>"#,
            r#"<E DistinguishedPropertySetId="PublicStrings" PropertyType="String"/>"#,
            r#"<E DistinguishedPropertySetId="Nonsense" PropertyName="x" PropertyType="String"/>"#,
            r#"<E PropertyName="x" PropertyType="String"/>"#,
            r#"<E PropertyTag="0x1000" PropertyType="Text"/>"#,
        ] {
            assert!(
                ExtendedFieldUri::from_element(&parse(bad).unwrap()).is_err(),
                "{bad}"
            );
        }
        let tag = ExtendedFieldUri::from_element(
            &parse(r#"<E PropertyTag="4096" PropertyType="String"/>"#).unwrap(),
        )
        .unwrap();
        assert_eq!(tag.to_element().attribute("PropertyTag"), Some("0x1000"));
    }
}
