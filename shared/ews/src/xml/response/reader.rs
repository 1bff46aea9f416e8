//! A pull reader over quick-xml that matches elements by local name (any prefix, or none).

use std::borrow::Cow;

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::error::EwsError;

/// One element: its start tag, and whether it was self-closing.
#[derive(Debug)]
pub(crate) struct Element<'a> {
    start: BytesStart<'a>,
    empty: bool,
}

impl<'a> Element<'a> {
    /// The name without its prefix.
    pub(crate) fn local_name(&self) -> &[u8] {
        self.start.local_name().into_inner().as_bytes()
    }

    /// The local name as text, for messages.
    pub(crate) fn name_for_display(&self) -> String {
        String::from_utf8_lossy(self.local_name()).into_owned()
    }

    /// The unescaped value of the attribute with this local name.
    pub(crate) fn attr(&self, local_name: &[u8]) -> Result<Option<String>, EwsError> {
        for attribute in self.start.attributes() {
            let attribute =
                attribute.map_err(|e| EwsError::malformed(format!("bad attribute: {e}")))?;
            if attribute.key.local_name().into_inner().as_bytes() == local_name {
                let value = attribute
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| EwsError::malformed(format!("bad attribute value: {e}")))?;
                return Ok(Some(value.into_owned()));
            }
        }
        Ok(None)
    }
}

/// Reads a document element by element; every element handed out must be consumed with
/// [`XmlReader::next_child`] until `None`, [`XmlReader::text`] or [`XmlReader::skip`].
#[derive(Debug)]
pub(crate) struct XmlReader<'a> {
    reader: Reader<&'a [u8]>,
}

fn xml_error(err: quick_xml::Error) -> EwsError {
    EwsError::malformed(format!("XML: {err}"))
}

/// Resolves `&lt;`-style references; a response never declares its own entities.
fn resolve_reference(reference: &BytesRef<'_>) -> Result<char, EwsError> {
    if let Some(ch) = reference.resolve_char_ref().map_err(xml_error)? {
        return Ok(ch);
    }
    match &**reference {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        other => Err(EwsError::malformed(format!("undeclared entity &{other};"))),
    }
}

fn append<'a>(text: &mut Option<Cow<'a, str>>, piece: Cow<'a, str>) {
    match text {
        None => *text = Some(piece),
        Some(existing) => existing.to_mut().push_str(&piece),
    }
}

impl<'a> XmlReader<'a> {
    /// A reader over a UTF-8 document (a leading byte-order mark is skipped).
    pub(crate) fn new(xml: &'a [u8]) -> Result<Self, EwsError> {
        let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
        let text = std::str::from_utf8(xml)
            .map_err(|e| EwsError::malformed(format!("response is not UTF-8: {e}")))?;
        Ok(Self {
            reader: Reader::from_str(text),
        })
    }

    /// The document element.
    pub(crate) fn root(&mut self) -> Result<Element<'a>, EwsError> {
        match self.next_child()? {
            Some(root) => Ok(root),
            None => Err(EwsError::malformed("the document has no root element")),
        }
    }

    /// The next child element of the current element, or `None` (consuming the end tag) when there is none.
    pub(crate) fn next_child(&mut self) -> Result<Option<Element<'a>>, EwsError> {
        loop {
            match self.reader.read_event().map_err(xml_error)? {
                Event::Start(start) => {
                    return Ok(Some(Element {
                        start,
                        empty: false,
                    }));
                }
                Event::Empty(start) => return Ok(Some(Element { start, empty: true })),
                Event::End(_) => return Ok(None),
                Event::Eof => {
                    return Err(EwsError::malformed("the document ends inside an element"));
                }
                _ => {}
            }
        }
    }

    /// The next child of `parent`; `None` at once for a self-closing parent.
    pub(crate) fn child_of(
        &mut self,
        parent: &Element<'a>,
    ) -> Result<Option<Element<'a>>, EwsError> {
        if parent.empty {
            return Ok(None);
        }
        self.next_child()
    }

    /// The element's text with references resolved; nested elements are skipped.
    pub(crate) fn text(&mut self, element: &Element<'a>) -> Result<Cow<'a, str>, EwsError> {
        if element.empty {
            return Ok(Cow::Borrowed(""));
        }
        let mut text = None;
        loop {
            match self.reader.read_event().map_err(xml_error)? {
                Event::Text(t) => append(&mut text, t.xml10_content()),
                Event::CData(c) => append(&mut text, c.xml10_content()),
                Event::GeneralRef(reference) => {
                    let ch = resolve_reference(&reference)?;
                    text.get_or_insert_with(|| Cow::Owned(String::new()))
                        .to_mut()
                        .push(ch);
                }
                Event::Start(nested) => {
                    self.reader.read_to_end(nested.name()).map_err(xml_error)?;
                }
                Event::End(_) => return Ok(text.unwrap_or(Cow::Borrowed(""))),
                Event::Eof => {
                    return Err(EwsError::malformed(
                        "the document ends inside a text element",
                    ));
                }
                _ => {}
            }
        }
    }

    /// Skips the element and everything inside it.
    pub(crate) fn skip(&mut self, element: &Element<'a>) -> Result<(), EwsError> {
        if !element.empty {
            self.reader
                .read_to_end(element.start.name())
                .map_err(xml_error)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_by_local_name_and_resolves_references() {
        let xml = br#"<?xml version="1.0"?><a:Root xmlns:a="urn:x"><a:Name Id="x&amp;y">caf&#233; &amp; <![CDATA[<raw>]]></a:Name><b/></a:Root>"#;
        let mut reader = XmlReader::new(xml).unwrap();
        let root = reader.root().unwrap();
        assert_eq!(root.local_name(), b"Root");
        let name = reader.child_of(&root).unwrap().unwrap();
        assert_eq!(name.local_name(), b"Name");
        assert_eq!(name.attr(b"Id").unwrap().as_deref(), Some("x&y"));
        assert_eq!(reader.text(&name).unwrap(), "café & <raw>");
        let empty = reader.child_of(&root).unwrap().unwrap();
        assert_eq!(reader.text(&empty).unwrap(), "");
        assert!(reader.child_of(&root).unwrap().is_none());
    }

    #[test]
    fn rejects_undeclared_entities_and_mismatched_tags() {
        let mut reader = XmlReader::new(b"<a>&bogus;</a>").unwrap();
        let root = reader.root().unwrap();
        assert!(reader.text(&root).is_err());
        let mut reader = XmlReader::new(b"<a><b></a>").unwrap();
        let root = reader.root().unwrap();
        let b = reader.child_of(&root).unwrap().unwrap();
        assert!(reader.skip(&b).is_err());
    }

    #[test]
    fn rejects_non_utf8() {
        assert!(XmlReader::new(b"<a>\xff</a>").is_err());
    }
}
