//! Writes EWS XML: a string buffer with escaping, where the caller names elements with their prefixes.

use quick_xml::escape::{escape, partial_escape};

use super::dom::{Element, Node};

/// An append-only XML text builder.
#[derive(Debug, Default)]
pub struct XmlWriter {
    out: String,
}

impl XmlWriter {
    /// A writer that starts with the XML declaration, as Exchange's responses do.
    pub fn with_declaration() -> Self {
        Self {
            out: String::from(r#"<?xml version="1.0" encoding="utf-8"?>"#),
        }
    }

    /// Opens `<name attr="…">`.
    pub fn start(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.open_tag(name, attributes);
        self.out.push('>');
    }

    /// Closes `</name>`.
    pub fn end(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Writes `<name attr="…"/>`.
    pub fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.open_tag(name, attributes);
        self.out.push_str("/>");
    }

    /// Writes `<name>text</name>` (or `<name/>` for empty text).
    pub fn leaf(&mut self, name: &str, text: &str) {
        if text.is_empty() {
            self.empty(name, &[]);
        } else {
            self.start(name, &[]);
            self.text(text);
            self.end(name);
        }
    }

    /// Writes escaped character data.
    pub fn text(&mut self, text: &str) {
        self.out.push_str(&partial_escape(text));
    }

    /// Writes a stored element tree, giving every element the same prefix.
    pub fn element(&mut self, prefix: &str, element: &Element) {
        let name = format!("{prefix}:{}", element.name);
        let attributes: Vec<(&str, &str)> = element
            .attributes
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect();
        if element.children.is_empty() {
            self.empty(&name, &attributes);
            return;
        }
        self.start(&name, &attributes);
        for node in &element.children {
            match node {
                Node::Element(child) => self.element(prefix, child),
                Node::Text(text) => self.text(text),
            }
        }
        self.end(&name);
    }

    /// The text written so far.
    pub fn finish(self) -> String {
        self.out
    }

    fn open_tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            self.out.push_str(&escape(*value));
            self.out.push('"');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_attributes_and_round_trips_through_the_reader() {
        let mut writer = XmlWriter::default();
        writer.start("t:A", &[("X", "a\"<&")]);
        writer.leaf("t:B", "1 < 2 & 3");
        writer.leaf("t:C", "");
        writer.end("t:A");
        let text = writer.finish();
        assert_eq!(
            text,
            r#"<t:A X="a&quot;&lt;&amp;"><t:B>1 &lt; 2 &amp; 3</t:B><t:C/></t:A>"#
        );
        let parsed = crate::xml::dom::parse(&text).unwrap();
        assert_eq!(parsed.attribute("X"), Some("a\"<&"));
        assert_eq!(parsed.child_text("B").as_deref(), Some("1 < 2 & 3"));
    }
}
