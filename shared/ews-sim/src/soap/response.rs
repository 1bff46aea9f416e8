//! Response envelopes: the ServerVersionInfo header, per-operation ResponseMessages, and SOAP faults
//! (which, as on Exchange, carry no header).

use super::{ERRORS_NS, MESSAGES_NS, SOAP_NS, TYPES_NS, XSD_NS, XSI_NS};
use crate::response_code::{EwsError, ResponseCode};
use crate::version::{SchemaVersion, ServerVersion};
use crate::xml::XmlWriter;

/// Wraps an operation response element in an envelope with ServerVersionInfo.
pub fn envelope(server: ServerVersion, requested: SchemaVersion, body: &str) -> String {
    let build = server.build();
    let numbers = [
        build.major,
        build.minor,
        build.major_build,
        build.minor_build,
    ]
    .map(|n| n.to_string());
    let mut attributes = vec![
        ("MajorVersion", numbers[0].as_str()),
        ("MinorVersion", numbers[1].as_str()),
        ("MajorBuildNumber", numbers[2].as_str()),
        ("MinorBuildNumber", numbers[3].as_str()),
    ];
    if let Some(version) = server.version_attribute(requested) {
        attributes.push(("Version", version));
    }
    attributes.extend([
        ("xmlns:h", TYPES_NS),
        ("xmlns", TYPES_NS),
        ("xmlns:xsd", XSD_NS),
        ("xmlns:xsi", XSI_NS),
    ]);
    let mut writer = XmlWriter::with_declaration();
    writer.start("s:Envelope", &[("xmlns:s", SOAP_NS)]);
    writer.start("s:Header", &[]);
    writer.empty("h:ServerVersionInfo", &attributes);
    writer.end("s:Header");
    writer.start("s:Body", &[("xmlns:xsi", XSI_NS), ("xmlns:xsd", XSD_NS)]);
    let mut text = writer.finish();
    text.push_str(body);
    text.push_str("</s:Body></s:Envelope>");
    text
}

/// A SOAP fault for a whole-request error (HTTP 500).
pub fn fault(error: &EwsError) -> String {
    let code = format!("a:{}", error.code.as_str());
    let mut writer = XmlWriter::with_declaration();
    writer.start("s:Envelope", &[("xmlns:s", SOAP_NS)]);
    writer.start("s:Body", &[]);
    writer.start("s:Fault", &[]);
    writer.start("faultcode", &[("xmlns:a", TYPES_NS)]);
    writer.text(&code);
    writer.end("faultcode");
    writer.start("faultstring", &[("xml:lang", "en-US")]);
    writer.text(error.text());
    writer.end("faultstring");
    writer.start("detail", &[]);
    writer.start("e:ResponseCode", &[("xmlns:e", ERRORS_NS)]);
    writer.text(error.code.as_str());
    writer.end("e:ResponseCode");
    writer.start("e:Message", &[("xmlns:e", ERRORS_NS)]);
    writer.text(error.text());
    writer.end("e:Message");
    if !error.values.is_empty() {
        writer.start("t:MessageXml", &[("xmlns:t", TYPES_NS)]);
        for (name, value) in &error.values {
            writer.start("t:Value", &[("Name", name)]);
            writer.text(value);
            writer.end("t:Value");
        }
        writer.end("t:MessageXml");
    }
    writer.end("detail");
    writer.end("s:Fault");
    writer.end("s:Body");
    writer.end("s:Envelope");
    writer.finish()
}

/// A finished operation response element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseBody {
    /// The `<m:{Op}Response>` element.
    pub xml: String,
    /// The first error code among its messages (for the request log).
    pub first_error: Option<ResponseCode>,
}

/// Builds `<m:{Op}Response><m:ResponseMessages>…` one message at a time.
#[derive(Debug)]
pub struct ResponseBuilder {
    writer: XmlWriter,
    operation: String,
    first_error: Option<ResponseCode>,
}

impl ResponseBuilder {
    /// Starts the response of `operation`.
    pub fn new(operation: &str) -> Self {
        let mut writer = XmlWriter::default();
        writer.start(
            &format!("m:{operation}Response"),
            &[("xmlns:m", MESSAGES_NS), ("xmlns:t", TYPES_NS)],
        );
        writer.start("m:ResponseMessages", &[]);
        Self {
            writer,
            operation: operation.to_owned(),
            first_error: None,
        }
    }

    fn message_name(&self) -> String {
        format!("m:{}ResponseMessage", self.operation)
    }

    /// Opens a successful message and returns the writer for its content; close with [`Self::end_message`].
    pub fn success(&mut self) -> &mut XmlWriter {
        let name = self.message_name();
        self.writer.start(&name, &[("ResponseClass", "Success")]);
        self.writer
            .leaf("m:ResponseCode", ResponseCode::NoError.as_str());
        &mut self.writer
    }

    /// Opens an error message (MessageText, ResponseCode, DescriptiveLinkKey, MessageXml) and returns the
    /// writer for any operation-specific trailer; close with [`Self::end_message`].
    pub fn error(&mut self, error: &EwsError) -> &mut XmlWriter {
        let name = self.message_name();
        self.first_error.get_or_insert(error.code);
        self.writer.start(&name, &[("ResponseClass", "Error")]);
        self.writer.leaf("m:MessageText", error.text());
        self.writer.leaf("m:ResponseCode", error.code.as_str());
        self.writer.leaf("m:DescriptiveLinkKey", "0");
        if !error.values.is_empty() {
            self.writer.start("m:MessageXml", &[]);
            for (key, value) in &error.values {
                self.writer.start("t:Value", &[("Name", key)]);
                self.writer.text(value);
                self.writer.end("t:Value");
            }
            self.writer.end("m:MessageXml");
        }
        &mut self.writer
    }

    /// Writes a complete error message.
    pub fn error_message(&mut self, error: &EwsError) {
        self.error(error);
        self.end_message();
    }

    /// Closes the current message.
    pub fn end_message(&mut self) {
        let name = self.message_name();
        self.writer.end(&name);
    }

    /// Closes the response.
    pub fn finish(mut self) -> ResponseBody {
        self.writer.end("m:ResponseMessages");
        self.writer.end(&format!("m:{}Response", self.operation));
        ResponseBody {
            xml: self.writer.finish(),
            first_error: self.first_error,
        }
    }
}
