//! XML reading (element tree by local name) and writing (prefixed, escaped).

pub mod dom;
pub mod writer;

pub use dom::{Element, Node, XmlError, parse};
pub use writer::XmlWriter;
