//! The SOAP envelope: header (`ServerVersionInfo`), fault, and the ResponseMessages of any operation.

use super::reader::{Element, XmlReader};
use crate::error::{EwsError, MessageXml, ResponseClass, ResponseCode, ResponseStatus, SoapFault};
use crate::version::ServerVersionInfo;

/// Reads the operation-specific children of one ResponseMessage.
pub(crate) trait MessagePayload: Default {
    /// Consumes `child` (a payload element such as `Items` or `SyncState`).
    fn read_child<'a>(
        &mut self,
        reader: &mut XmlReader<'a>,
        child: &Element<'a>,
    ) -> Result<(), EwsError>;
}

/// A payload that skips everything (for operations outside the client's scope).
#[derive(Debug, Default)]
pub(crate) struct Ignored;

impl MessagePayload for Ignored {
    fn read_child<'a>(
        &mut self,
        reader: &mut XmlReader<'a>,
        child: &Element<'a>,
    ) -> Result<(), EwsError> {
        reader.skip(child)
    }
}

/// One ResponseMessage: its status and payload.
#[derive(Debug)]
pub(crate) struct Message<P> {
    pub(crate) status: ResponseStatus,
    pub(crate) payload: P,
}

impl<P> Message<P> {
    /// The payload when the message succeeded, otherwise the message as an error.
    pub(crate) fn into_result(self) -> Result<P, EwsError> {
        let ok = match self.status.class {
            ResponseClass::Success => true,
            ResponseClass::Warning => self.status.code == ResponseCode::NoError,
            ResponseClass::Error => false,
        };
        if ok {
            Ok(self.payload)
        } else {
            Err(EwsError::response(self.status))
        }
    }
}

/// A parsed envelope: the server version and either the messages or a fault.
#[derive(Debug)]
pub(crate) struct Envelope<P> {
    pub(crate) server_version: Option<ServerVersionInfo>,
    pub(crate) body: Result<Vec<Message<P>>, EwsError>,
}

/// Parses any EWS response envelope.
pub(crate) fn parse_envelope<P: MessagePayload>(xml: &[u8]) -> Result<Envelope<P>, EwsError> {
    let mut reader = XmlReader::new(xml)?;
    let root = reader.root()?;
    if root.local_name() != b"Envelope" {
        return Err(EwsError::malformed(format!(
            "expected a SOAP Envelope, got <{}>",
            root.name_for_display()
        )));
    }
    let mut server_version = None;
    let mut body = None;
    while let Some(child) = reader.child_of(&root)? {
        match child.local_name() {
            b"Header" => server_version = read_header(&mut reader, &child)?.or(server_version),
            b"Body" => body = Some(read_body::<P>(&mut reader, &child)?),
            _ => reader.skip(&child)?,
        }
    }
    let body = body.ok_or_else(|| EwsError::malformed("the envelope has no Body"))?;
    let body = body.map_err(|mut fault| {
        fault.server_version = server_version.clone();
        EwsError::SoapFault(Box::new(fault))
    });
    Ok(Envelope {
        server_version,
        body,
    })
}

fn read_header<'a>(
    reader: &mut XmlReader<'a>,
    header: &Element<'a>,
) -> Result<Option<ServerVersionInfo>, EwsError> {
    let mut found = None;
    while let Some(child) = reader.child_of(header)? {
        if child.local_name() == b"ServerVersionInfo" {
            found = read_server_version(&child)?;
        }
        reader.skip(&child)?;
    }
    Ok(found)
}

fn read_server_version(element: &Element<'_>) -> Result<Option<ServerVersionInfo>, EwsError> {
    let number = |name: &[u8]| -> Result<Option<u32>, EwsError> {
        element
            .attr(name)?
            .map(|value| {
                value.trim().parse::<u32>().map_err(|_| {
                    EwsError::malformed(format!(
                        "ServerVersionInfo {} is not a number: {value:?}",
                        String::from_utf8_lossy(name)
                    ))
                })
            })
            .transpose()
    };
    let Some(major) = number(b"MajorVersion")? else {
        return Ok(None);
    };
    Ok(Some(ServerVersionInfo {
        major,
        minor: number(b"MinorVersion")?.unwrap_or(0),
        major_build: number(b"MajorBuildNumber")?.unwrap_or(0),
        minor_build: number(b"MinorBuildNumber")?.unwrap_or(0),
        version: element.attr(b"Version")?,
    }))
}

/// The Body: the messages, or the fault (its server version is filled in by the caller).
fn read_body<'a, P: MessagePayload>(
    reader: &mut XmlReader<'a>,
    body: &Element<'a>,
) -> Result<Result<Vec<Message<P>>, SoapFault>, EwsError> {
    let mut messages = Vec::new();
    let mut fault = None;
    let mut saw_response = false;
    while let Some(child) = reader.child_of(body)? {
        if child.local_name() == b"Fault" {
            fault = Some(read_fault(reader, &child)?);
        } else {
            saw_response = true;
            collect_messages(reader, &child, &mut messages, 0)?;
        }
    }
    match fault {
        Some(fault) => Ok(Err(fault)),
        None if saw_response => Ok(Ok(messages)),
        None => Err(EwsError::malformed("the Body is empty")),
    }
}

/// How deep below the Body messages are searched; real responses nest them three levels deep,
/// and the bound keeps a hostile document from exhausting the stack.
const MAX_MESSAGE_DEPTH: usize = 16;

/// Finds the messages (elements carrying `ResponseClass`) below `container`.
fn collect_messages<'a, P: MessagePayload>(
    reader: &mut XmlReader<'a>,
    container: &Element<'a>,
    messages: &mut Vec<Message<P>>,
    depth: usize,
) -> Result<(), EwsError> {
    if depth > MAX_MESSAGE_DEPTH {
        return Err(EwsError::malformed("ResponseMessages nested too deeply"));
    }
    while let Some(child) = reader.child_of(container)? {
        match child.attr(b"ResponseClass")? {
            Some(class) => {
                messages.push(read_message(reader, &child, ResponseClass::parse(&class))?)
            }
            None => collect_messages(reader, &child, messages, depth + 1)?,
        }
    }
    Ok(())
}

fn read_message<'a, P: MessagePayload>(
    reader: &mut XmlReader<'a>,
    element: &Element<'a>,
    class: ResponseClass,
) -> Result<Message<P>, EwsError> {
    let mut code = None;
    let mut message_text = None;
    let mut message_xml = MessageXml::default();
    let mut payload = P::default();
    while let Some(child) = reader.child_of(element)? {
        match child.local_name() {
            b"ResponseCode" => code = Some(ResponseCode::parse(&reader.text(&child)?)),
            b"MessageText" => message_text = Some(reader.text(&child)?.trim().to_owned()),
            b"MessageXml" => message_xml = read_message_xml(reader, &child)?,
            b"DescriptiveLinkKey" => reader.skip(&child)?,
            _ => payload.read_child(reader, &child)?,
        }
    }
    let code = code.ok_or_else(|| EwsError::malformed("a ResponseMessage has no ResponseCode"))?;
    Ok(Message {
        status: ResponseStatus {
            class,
            code,
            message_text,
            message_xml,
        },
        payload,
    })
}

fn read_message_xml<'a>(
    reader: &mut XmlReader<'a>,
    element: &Element<'a>,
) -> Result<MessageXml, EwsError> {
    let mut values = Vec::new();
    while let Some(child) = reader.child_of(element)? {
        match (child.local_name(), child.attr(b"Name")?) {
            (b"Value", Some(name)) => values.push((name, reader.text(&child)?.trim().to_owned())),
            _ => reader.skip(&child)?,
        }
    }
    Ok(MessageXml { values })
}

fn read_fault<'a>(
    reader: &mut XmlReader<'a>,
    element: &Element<'a>,
) -> Result<SoapFault, EwsError> {
    let mut fault_code = String::new();
    let mut fault_string = String::new();
    let mut detail_code = None;
    let mut message = None;
    let mut message_xml = MessageXml::default();
    while let Some(child) = reader.child_of(element)? {
        match child.local_name() {
            b"faultcode" => fault_code = reader.text(&child)?.trim().to_owned(),
            b"faultstring" => fault_string = reader.text(&child)?.trim().to_owned(),
            b"detail" => {
                while let Some(detail) = reader.child_of(&child)? {
                    match detail.local_name() {
                        b"ResponseCode" => {
                            detail_code = Some(ResponseCode::parse(&reader.text(&detail)?))
                        }
                        b"Message" => message = Some(reader.text(&detail)?.trim().to_owned()),
                        b"MessageXml" => message_xml = read_message_xml(reader, &detail)?,
                        _ => reader.skip(&detail)?,
                    }
                }
            }
            _ => reader.skip(&child)?,
        }
    }
    let response_code = detail_code.unwrap_or_else(|| ResponseCode::parse(&fault_code));
    Ok(SoapFault {
        fault_code,
        fault_string,
        response_code,
        message,
        message_xml,
        server_version: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_instead_of_soap_is_malformed() {
        let err = parse_envelope::<Ignored>(b"<html><body>Sign in</body></html>").unwrap_err();
        assert_eq!(err.code(), "EWS_MALFORMED_RESPONSE");
        assert!(err.to_string().contains("<html>"));
    }

    #[test]
    fn a_fault_without_detail_takes_its_code_from_faultcode() {
        let xml = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
            <faultcode>a:ErrorSchemaValidation</faultcode><faultstring>bad</faultstring></s:Fault></s:Body></s:Envelope>"#;
        let envelope = parse_envelope::<Ignored>(xml).unwrap();
        let err = envelope.body.unwrap_err();
        assert_eq!(
            err.response_code(),
            Some(ResponseCode::ErrorSchemaValidation)
        );
    }

    #[test]
    fn deep_nesting_is_refused_instead_of_recursing() {
        let xml = format!(
            "<Envelope><Body>{}{}</Body></Envelope>",
            "<a>".repeat(10_000),
            "</a>".repeat(10_000)
        );
        let err = parse_envelope::<Ignored>(xml.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("nested too deeply"));
    }

    #[test]
    fn a_message_without_response_code_is_malformed() {
        let xml = br#"<Envelope><Body><R><M ResponseClass="Success"/></R></Body></Envelope>"#;
        assert!(parse_envelope::<Ignored>(xml).is_err());
    }
}
