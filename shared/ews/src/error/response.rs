//! What the server says when it refuses: a ResponseMessage status or a SOAP fault.

use std::fmt;
use std::time::Duration;

use super::ResponseCode;
use crate::version::ServerVersionInfo;

/// `ResponseClass` of a ResponseMessage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseClass {
    /// The operation succeeded.
    Success,
    /// The operation partly succeeded or was skipped (for example `ErrorBatchProcessingStopped`).
    Warning,
    /// The operation failed.
    Error,
}

impl ResponseClass {
    /// Parses the attribute value; anything unknown counts as an error.
    pub fn parse(raw: &str) -> Self {
        match raw.trim() {
            "Success" => Self::Success,
            "Warning" => Self::Warning,
            _ => Self::Error,
        }
    }
}

/// The `<t:Value Name="…">` entries of a `MessageXml` element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageXml {
    /// `(Name, value)` pairs in document order.
    pub values: Vec<(String, String)>,
}

impl MessageXml {
    /// The value with this `Name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// `BackOffMilliseconds` as a duration.
    pub fn back_off(&self) -> Option<Duration> {
        self.get("BackOffMilliseconds")
            .and_then(|ms| ms.trim().parse::<u64>().ok())
            .map(Duration::from_millis)
    }

    /// `InnerErrorResponseCode` of an `ErrorInternalServerError`.
    pub fn inner_code(&self) -> Option<ResponseCode> {
        self.get("InnerErrorResponseCode").map(ResponseCode::parse)
    }
}

/// The status part of one ResponseMessage that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseStatus {
    /// `ResponseClass`.
    pub class: ResponseClass,
    /// `ResponseCode`.
    pub code: ResponseCode,
    /// `MessageText`.
    pub message_text: Option<String>,
    /// `MessageXml` values.
    pub message_xml: MessageXml,
}

impl fmt::Display for ResponseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EWS {}", self.code)?;
        if let Some(inner) = self.message_xml.inner_code() {
            write!(f, " (inner {inner})")?;
        }
        if let Some(text) = &self.message_text {
            write!(f, ": {text}")?;
        }
        Ok(())
    }
}

/// A SOAP fault (EWS sends these with HTTP 500).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapFault {
    /// `faultcode` as sent (may carry a prefix such as `a:`).
    pub fault_code: String,
    /// `faultstring` (possibly localised).
    pub fault_string: String,
    /// `detail/ResponseCode`, or the local part of `faultcode` when the detail has none.
    pub response_code: ResponseCode,
    /// `detail/Message`.
    pub message: Option<String>,
    /// `detail/MessageXml` values.
    pub message_xml: MessageXml,
    /// The header's `ServerVersionInfo`, when the fault carried one.
    pub server_version: Option<ServerVersionInfo>,
}

impl fmt::Display for SoapFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SOAP fault {}: {}",
            self.response_code,
            self.fault_string.trim()
        )
    }
}
