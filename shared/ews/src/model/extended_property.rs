//! Extended (MAPI) properties: the ohsync tag that marks items ohsync created, and the marker of
//! a series write ohsync has not finished.

use std::borrow::Cow;
use std::fmt;

use crate::error::EwsError;

/// The PropertySetId of ohsync's own named properties.
pub const OHSYNC_PROPERTY_SET_ID: &str = "0f4d47ed-80b5-4901-a571-af5ef03136a5";
/// The PropertyName of the ohsync tag.
pub const OHSYNC_PROPERTY_NAME: &str = "ohsync-id";

/// The ohsync tag property: a named String property in ohsync's property set (EWS-NOTES §5: named, not a tag).
pub const OHSYNC_TAG_FIELD: ExtendedFieldUri = ExtendedFieldUri {
    distinguished_property_set_id: None,
    property_set_id: Some(Cow::Borrowed(OHSYNC_PROPERTY_SET_ID)),
    property_tag: None,
    property_name: Some(Cow::Borrowed(OHSYNC_PROPERTY_NAME)),
    property_id: None,
    property_type: Cow::Borrowed("String"),
};

/// The PropertyName of the unfinished-write marker.
pub const OHSYNC_UNFINISHED_PROPERTY_NAME: &str = "ohsync-unfinished";

/// The value ohsync writes into the marker; any value counts as marked when read.
pub const OHSYNC_UNFINISHED_VALUE: &str = "1";

/// The unfinished-write marker: a named String property in ohsync's property set, present on a
/// series master while a write of it that takes several requests is under way.
pub const OHSYNC_UNFINISHED_FIELD: ExtendedFieldUri = ExtendedFieldUri {
    distinguished_property_set_id: None,
    property_set_id: Some(Cow::Borrowed(OHSYNC_PROPERTY_SET_ID)),
    property_tag: None,
    property_name: Some(Cow::Borrowed(OHSYNC_UNFINISHED_PROPERTY_NAME)),
    property_id: None,
    property_type: Cow::Borrowed("String"),
};

/// An `ExtendedFieldURI`: which extended property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedFieldUri {
    /// `DistinguishedPropertySetId` (for example `Common`, `Appointment`, `Meeting`).
    pub distinguished_property_set_id: Option<Cow<'static, str>>,
    /// `PropertySetId` (a GUID).
    pub property_set_id: Option<Cow<'static, str>>,
    /// `PropertyTag` (for example `0x1000`).
    pub property_tag: Option<Cow<'static, str>>,
    /// `PropertyName`.
    pub property_name: Option<Cow<'static, str>>,
    /// `PropertyId`.
    pub property_id: Option<u32>,
    /// `PropertyType` (`String`, `Integer`, `SystemTime`, …).
    pub property_type: Cow<'static, str>,
}

impl ExtendedFieldUri {
    /// Whether `other` names the same property (GUIDs compared without case and braces).
    pub fn same_property(&self, other: &ExtendedFieldUri) -> bool {
        fn guid(value: &Option<Cow<'static, str>>) -> Option<String> {
            value.as_deref().map(|g| {
                g.trim_matches(|c| c == '{' || c == '}')
                    .to_ascii_lowercase()
            })
        }
        guid(&self.property_set_id) == guid(&other.property_set_id)
            && self.distinguished_property_set_id == other.distinguished_property_set_id
            && self.property_tag.as_deref().map(str::to_ascii_lowercase)
                == other.property_tag.as_deref().map(str::to_ascii_lowercase)
            && self.property_name == other.property_name
            && self.property_id == other.property_id
    }
}

/// One `ExtendedProperty`: the field and its value(s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedProperty {
    /// Which property.
    pub field: ExtendedFieldUri,
    /// `Value`, or each `Values/Value` of a multi-valued property.
    pub values: Vec<String>,
}

/// The ohsync tag value: `tenant:officeheart-id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OhsyncTag {
    tenant: String,
    officeheart_id: String,
}

impl OhsyncTag {
    /// A tag for an OfficeHeart appointment; the tenant may not contain `:` and neither part may be empty.
    pub fn new(
        tenant: impl Into<String>,
        officeheart_id: impl Into<String>,
    ) -> Result<Self, EwsError> {
        let tenant = tenant.into();
        let officeheart_id = officeheart_id.into();
        if tenant.is_empty() || tenant.contains(':') {
            return Err(EwsError::invalid_input(format!(
                "ohsync tag tenant {tenant:?} must be non-empty and contain no ':'"
            )));
        }
        if officeheart_id.is_empty() {
            return Err(EwsError::invalid_input(
                "ohsync tag OfficeHeart id is empty",
            ));
        }
        Ok(Self {
            tenant,
            officeheart_id,
        })
    }

    /// Parses a stored value; `None` unless it has the `tenant:id` shape.
    pub fn parse(value: &str) -> Option<Self> {
        let (tenant, id) = value.split_once(':')?;
        Self::new(tenant, id).ok()
    }

    /// The tenant.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The OfficeHeart appointment id.
    pub fn officeheart_id(&self) -> &str {
        &self.officeheart_id
    }
}

impl fmt::Display for OhsyncTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.tenant, self.officeheart_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_round_trips_and_keeps_colons_in_the_id() {
        let tag = OhsyncTag::new("acme", "appt:42").unwrap();
        assert_eq!(tag.to_string(), "acme:appt:42");
        assert_eq!(OhsyncTag::parse("acme:appt:42"), Some(tag));
    }

    #[test]
    fn tag_rejects_bad_parts() {
        assert!(OhsyncTag::new("", "1").is_err());
        assert!(OhsyncTag::new("a:b", "1").is_err());
        assert!(OhsyncTag::new("acme", "").is_err());
        assert_eq!(OhsyncTag::parse("no-colon"), None);
    }

    #[test]
    fn same_property_ignores_guid_case_and_braces() {
        let mut echoed = OHSYNC_TAG_FIELD.clone();
        echoed.property_set_id = Some(Cow::Owned("{0F4D47ED-80B5-4901-A571-AF5EF03136A5}".into()));
        assert!(OHSYNC_TAG_FIELD.same_property(&echoed));
        echoed.property_name = Some(Cow::Borrowed("other"));
        assert!(!OHSYNC_TAG_FIELD.same_property(&echoed));
        assert!(!OHSYNC_TAG_FIELD.same_property(&OHSYNC_UNFINISHED_FIELD));
    }
}
