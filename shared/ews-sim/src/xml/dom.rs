//! A small element tree read with quick-xml. Elements and attributes are kept by LOCAL name because
//! EWS clients use any prefix (or none) for the same namespace.

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

/// Deep documents are refused so that rendering and matching never recurse without bound.
const MAX_DEPTH: usize = 128;

/// One XML element: local name, attributes by local name (namespace declarations dropped), children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Local name (prefix removed).
    pub name: String,
    /// Attributes by local name, in document order.
    pub attributes: Vec<(String, String)>,
    /// Child nodes in document order.
    pub children: Vec<Node>,
}

/// A child of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A nested element.
    Element(Element),
    /// Character data (entities resolved).
    Text(String),
}

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    /// The text is not well-formed XML.
    #[error("Line {line}, position {column}: {message}")]
    Syntax {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What went wrong.
        message: String,
    },
    /// The document contains no element.
    #[error("Root element is missing.")]
    NoRoot,
    /// Nesting exceeds the limit.
    #[error("The document nests elements deeper than {MAX_DEPTH} levels.")]
    TooDeep,
    /// DTDs could smuggle entity expansion; EWS never sends one.
    #[error("DTD is prohibited in this XML document.")]
    Doctype,
}

impl Element {
    /// A new element without attributes or children.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            attributes: Vec::new(),
            children: Vec::new(),
        }
    }

    /// A new element holding only text.
    pub fn with_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        let mut element = Self::new(name);
        element.children.push(Node::Text(text.into()));
        element
    }

    /// Adds an attribute (builder style).
    pub fn attr(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push((name.into(), value.into()));
        self
    }

    /// Adds a child element (builder style).
    pub fn child_element(mut self, child: Element) -> Self {
        self.children.push(Node::Element(child));
        self
    }

    /// The value of the attribute with this local name.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Child elements in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|node| match node {
            Node::Element(element) => Some(element),
            Node::Text(_) => None,
        })
    }

    /// The first child element with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|element| element.name == name)
    }

    /// All child elements with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |element| element.name == name)
    }

    /// The first element child (whatever its name).
    pub fn first_element(&self) -> Option<&Element> {
        self.elements().next()
    }

    /// Concatenated character data of the direct text children.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for node in &self.children {
            if let Node::Text(part) = node {
                text.push_str(part);
            }
        }
        text
    }

    /// Text of the named child, trimmed, if that child exists.
    pub fn child_text(&self, name: &str) -> Option<String> {
        self.child(name).map(|child| child.text().trim().to_owned())
    }
}

/// Parses a whole document and returns its root element.
pub fn parse(document: &str) -> Result<Element, XmlError> {
    let document = document.strip_prefix('\u{feff}').unwrap_or(document);
    let mut reader = Reader::from_str(document);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader.read_event().map_err(|error| {
            syntax_error(
                document,
                usize::try_from(reader.error_position()).unwrap_or(0),
                &error,
            )
        })?;
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                stack.push(open_element(&start, document, &reader)?);
            }
            Event::Empty(start) => {
                let element = open_element(&start, document, &reader)?;
                attach(&mut stack, &mut root, element, document, &reader)?;
            }
            Event::End(_) => {
                let mut element = stack.pop().ok_or(XmlError::NoRoot)?;
                drop_layout_whitespace(&mut element);
                attach(&mut stack, &mut root, element, document, &reader)?;
            }
            Event::Text(text) => push_text(&mut stack, &text.xml10_content()),
            Event::CData(data) => {
                push_text(&mut stack, &data.into_inner());
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    Ok(None) => {
                        let name = reference.xml10_content();
                        resolve_predefined_entity(&name)
                            .ok_or_else(|| {
                                position_error(
                                    document,
                                    position(&reader),
                                    format!("Reference to undeclared entity '{name}'."),
                                )
                            })?
                            .to_owned()
                    }
                    Err(error) => {
                        return Err(syntax_error(document, position(&reader), &error));
                    }
                };
                push_text(&mut stack, &resolved);
            }
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(position_error(
            document,
            document.len(),
            "Unexpected end of file.".into(),
        ));
    }
    root.ok_or(XmlError::NoRoot)
}

fn position(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(0)
}

fn open_element(
    start: &BytesStart<'_>,
    document: &str,
    reader: &Reader<&[u8]>,
) -> Result<Element, XmlError> {
    let name = start.local_name().as_ref().to_owned();
    let mut element = Element::new(name);
    for attribute in start.attributes() {
        let attribute = attribute
            .map_err(|error| position_error(document, position(reader), error.to_string()))?;
        if attribute.key.as_namespace_binding().is_some() {
            continue;
        }
        let key = attribute.key.local_name().as_ref().to_owned();
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|error| syntax_error(document, position(reader), &error))?
            .into_owned();
        element.attributes.push((key, value));
    }
    Ok(element)
}

fn attach(
    stack: &mut [Element],
    root: &mut Option<Element>,
    element: Element,
    document: &str,
    reader: &Reader<&[u8]>,
) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(element)),
        None if root.is_none() => *root = Some(element),
        None => {
            return Err(position_error(
                document,
                position(reader),
                "There are multiple root elements.".into(),
            ));
        }
    }
    Ok(())
}

fn push_text(stack: &mut [Element], text: &str) {
    let Some(parent) = stack.last_mut() else {
        return;
    };
    match parent.children.last_mut() {
        Some(Node::Text(existing)) => existing.push_str(text),
        _ => parent.children.push(Node::Text(text.to_owned())),
    }
}

/// Indentation between child elements is layout, not content.
fn drop_layout_whitespace(element: &mut Element) {
    let has_elements = element
        .children
        .iter()
        .any(|node| matches!(node, Node::Element(_)));
    if has_elements {
        element.children.retain(|node| match node {
            Node::Text(text) => !text.trim().is_empty(),
            Node::Element(_) => true,
        });
    }
}

fn syntax_error(document: &str, offset: usize, error: &dyn std::fmt::Display) -> XmlError {
    position_error(document, offset, error.to_string())
}

fn position_error(document: &str, offset: usize, message: String) -> XmlError {
    let offset = offset.min(document.len());
    let before = document.get(..offset).unwrap_or(document);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |tail| tail.chars().count())
        + 1;
    XmlError::Syntax {
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_prefixed_and_unprefixed_names_alike() {
        let root = parse(
            r#"<?xml version="1.0"?><s:Envelope xmlns:s="x"><s:Body><Op xmlns="m" A="1"><t:Name>a &amp; b&#x21;</t:Name></Op></s:Body></s:Envelope>"#,
        )
        .unwrap();
        assert_eq!(root.name, "Envelope");
        let op = root.child("Body").unwrap().child("Op").unwrap();
        assert_eq!(op.attribute("A"), Some("1"));
        assert_eq!(
            op.attributes.len(),
            1,
            "namespace declarations are not attributes"
        );
        assert_eq!(op.child_text("Name").as_deref(), Some("a & b!"));
    }

    #[test]
    fn reports_line_and_position_of_syntax_errors() {
        let error = parse("<a>\n  <b></c></a>").unwrap_err();
        match error {
            XmlError::Syntax { line, .. } => assert_eq!(line, 2),
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            parse("<!DOCTYPE x []><x/>"),
            Err(XmlError::Doctype)
        ));
        assert!(matches!(parse("   "), Err(XmlError::NoRoot)));
    }

    #[test]
    fn refuses_documents_nested_too_deeply() {
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert!(matches!(parse(&deep), Err(XmlError::TooDeep)));
    }
}
