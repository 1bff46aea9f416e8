//! The request envelope: SOAP Header values EWS uses, and the operation element in the Body.

use super::SOAP_NS;
use crate::request::error::{Parsed, RequestError};
use crate::xml::{Element, parse};

/// How `ExchangeImpersonation/ConnectingSID` names the user to act as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImpersonationTarget {
    /// PrimarySmtpAddress or SmtpAddress.
    Smtp(String),
    /// PrincipalName (UPN).
    PrincipalName(String),
    /// SID (the simulator has none, so never matches).
    Sid(String),
}

/// The SOAP Header values that influence processing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestHeader {
    /// `RequestServerVersion/@Version`, as sent.
    pub version: Option<String>,
    /// `ExchangeImpersonation`.
    pub impersonation: Option<ImpersonationTarget>,
    /// `TimeZoneContext/TimeZoneDefinition/@Id`.
    pub time_zone: Option<String>,
}

/// A parsed request: header values and the operation element.
#[derive(Debug, Clone)]
pub struct SoapRequest {
    /// Header values.
    pub header: RequestHeader,
    /// The first element child of Body.
    pub operation: Element,
}

impl RequestHeader {
    fn parse(header: &Element) -> Parsed<Self> {
        let mut result = Self::default();
        for child in header.elements() {
            match child.name.as_str() {
                "RequestServerVersion" => {
                    result.version = child.attribute("Version").map(str::to_owned)
                }
                "TimeZoneContext" => {
                    result.time_zone = child
                        .child("TimeZoneDefinition")
                        .and_then(|definition| definition.attribute("Id"))
                        .map(str::to_owned);
                }
                "ExchangeImpersonation" => {
                    let sid = child
                        .child("ConnectingSID")
                        .and_then(Element::first_element)
                        .ok_or_else(|| {
                            RequestError::schema("ExchangeImpersonation requires ConnectingSID.")
                        })?;
                    let value = sid.text().trim().to_owned();
                    result.impersonation = Some(match sid.name.as_str() {
                        "PrimarySmtpAddress" | "SmtpAddress" => ImpersonationTarget::Smtp(value),
                        "PrincipalName" => ImpersonationTarget::PrincipalName(value),
                        "SID" => ImpersonationTarget::Sid(value),
                        other => {
                            return Err(RequestError::schema(format!(
                                "'{other}' is not a ConnectingSID choice."
                            )));
                        }
                    });
                }
                _ => {}
            }
        }
        Ok(result)
    }
}

/// Reads a request body. `namespace` checks are limited to the root: clients use any prefix.
pub fn read(body: &str) -> Parsed<SoapRequest> {
    let root = parse(body).map_err(|error| RequestError::schema(error.to_string()))?;
    if root.name != "Envelope" {
        return Err(RequestError::schema(format!(
            "The root element must be '{{{SOAP_NS}}}Envelope', found '{}'.",
            root.name
        )));
    }
    let header = root
        .child("Header")
        .map(RequestHeader::parse)
        .transpose()?
        .unwrap_or_default();
    let operation = root
        .child("Body")
        .and_then(Element::first_element)
        .cloned()
        .ok_or_else(|| RequestError::schema("The SOAP Body is empty."))?;
    Ok(SoapRequest { header, operation })
}
