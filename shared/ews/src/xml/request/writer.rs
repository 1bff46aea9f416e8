//! The SOAP envelope writer: quick-xml's `Writer` with the `soap`/`t`/`m` prefixes declared by hand.

use std::borrow::Cow;
use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::version::ExchangeVersion;

const SOAP_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const TYPES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
const MESSAGES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";

/// The SOAP headers every request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    /// `RequestServerVersion`.
    pub version: ExchangeVersion,
    /// A Windows time zone id for `TimeZoneContext` (sent with 2010 and later only).
    pub time_zone_id: Option<String>,
    /// The SMTP address to impersonate (`ExchangeImpersonation/ConnectingSID/SmtpAddress`).
    pub impersonated_smtp: Option<String>,
}

impl RequestContext {
    /// Headers for `version` without time zone context or impersonation.
    pub fn new(version: ExchangeVersion) -> Self {
        Self {
            version,
            time_zone_id: None,
            impersonated_smtp: None,
        }
    }
}

/// Drops characters XML 1.0 cannot carry (control characters other than tab, newline and
/// carriage return, and U+FFFE/U+FFFF); Exchange would reject the whole request otherwise.
fn xml_safe(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    };
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| allowed(c)).collect())
    }
}

/// Writes one request document; every value goes through quick-xml's escaping.
pub(crate) struct SoapWriter {
    writer: Writer<Vec<u8>>,
}

impl SoapWriter {
    /// Writes the declaration, the envelope, the header and opens the body.
    pub(crate) fn begin(context: &RequestContext) -> io::Result<Self> {
        let mut soap = Self {
            writer: Writer::new(Vec::with_capacity(2048)),
        };
        soap.writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
        soap.start(
            "soap:Envelope",
            &[
                ("xmlns:soap", SOAP_NS),
                ("xmlns:t", TYPES_NS),
                ("xmlns:m", MESSAGES_NS),
            ],
        )?;
        soap.start("soap:Header", &[])?;
        soap.empty(
            "t:RequestServerVersion",
            &[("Version", context.version.as_str())],
        )?;
        if let Some(zone) = context.time_zone_id.as_deref()
            && context.version.has_start_end_time_zones()
        {
            soap.start("t:TimeZoneContext", &[])?;
            soap.empty("t:TimeZoneDefinition", &[("Id", zone)])?;
            soap.end("t:TimeZoneContext")?;
        }
        if let Some(smtp) = context.impersonated_smtp.as_deref() {
            soap.start("t:ExchangeImpersonation", &[])?;
            soap.start("t:ConnectingSID", &[])?;
            soap.text("t:SmtpAddress", smtp)?;
            soap.end("t:ConnectingSID")?;
            soap.end("t:ExchangeImpersonation")?;
        }
        soap.end("soap:Header")?;
        soap.start("soap:Body", &[])?;
        Ok(soap)
    }

    /// Closes the body and the envelope.
    pub(crate) fn finish(mut self) -> io::Result<Vec<u8>> {
        self.end("soap:Body")?;
        self.end("soap:Envelope")?;
        Ok(self.writer.into_inner())
    }

    fn element<'a>(name: &'a str, attributes: &[(&str, &str)]) -> BytesStart<'a> {
        let mut start = BytesStart::new(name);
        for (key, value) in attributes {
            start.push_attribute((*key, xml_safe(value).as_ref()));
        }
        start
    }

    /// `<name attr="…">`.
    pub(crate) fn start(&mut self, name: &str, attributes: &[(&str, &str)]) -> io::Result<()> {
        self.writer
            .write_event(Event::Start(Self::element(name, attributes)))
    }

    /// `</name>`.
    pub(crate) fn end(&mut self, name: &str) -> io::Result<()> {
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    /// `<name attr="…"/>`.
    pub(crate) fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) -> io::Result<()> {
        self.writer
            .write_event(Event::Empty(Self::element(name, attributes)))
    }

    /// `<name>text</name>`.
    pub(crate) fn text(&mut self, name: &str, text: &str) -> io::Result<()> {
        self.text_with(name, &[], text)
    }

    /// `<name attr="…">text</name>`.
    pub(crate) fn text_with(
        &mut self,
        name: &str,
        attributes: &[(&str, &str)],
        text: &str,
    ) -> io::Result<()> {
        self.start(name, attributes)?;
        self.writer
            .write_event(Event::Text(BytesText::new(&xml_safe(text))))?;
        self.end(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(context: &RequestContext) -> String {
        let soap = SoapWriter::begin(context).unwrap();
        String::from_utf8(soap.finish().unwrap()).unwrap()
    }

    #[test]
    fn header_carries_the_version_and_declares_the_prefixes() {
        let xml = document(&RequestContext::new(ExchangeVersion::Exchange2013Sp1));
        assert!(xml.starts_with(r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/""#));
        assert!(xml.contains(r#"<t:RequestServerVersion Version="Exchange2013_SP1"/>"#));
        assert!(!xml.contains("TimeZoneContext"));
        assert!(!xml.contains("ExchangeImpersonation"));
    }

    #[test]
    fn time_zone_context_only_from_2010() {
        let mut context = RequestContext::new(ExchangeVersion::Exchange2010);
        context.time_zone_id = Some("W. Europe Standard Time".into());
        assert!(document(&context).contains(
            r#"<t:TimeZoneContext><t:TimeZoneDefinition Id="W. Europe Standard Time"/></t:TimeZoneContext>"#
        ));
        context.version = ExchangeVersion::Exchange2007Sp1;
        assert!(!document(&context).contains("TimeZoneContext"));
    }

    #[test]
    fn impersonation_header_names_the_mailbox() {
        let mut context = RequestContext::new(ExchangeVersion::Exchange2016);
        context.impersonated_smtp = Some("alfred@contoso.com".into());
        assert!(document(&context).contains(
            "<t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>alfred@contoso.com</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>"
        ));
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(xml_safe("a\u{0}b\u{7}c\td\u{FFFF}"), "abc\td");
        assert!(matches!(xml_safe("plain"), Cow::Borrowed(_)));
    }
}
