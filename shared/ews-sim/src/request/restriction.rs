//! FindItem `Restriction`s: parsed search expressions and their evaluation over an item's values.

use std::cmp::Ordering;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::error::{Parsed, RequestError};
use super::shape::{first_path, parse_path};
use crate::mailbox::item::PropertyPath;
use crate::mailbox::schema::{self, ValueKind};
use crate::time::parse_instant;
use crate::xml::Element;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// IsEqualTo
    Equal,
    /// IsNotEqualTo
    NotEqual,
    /// IsGreaterThan
    Greater,
    /// IsGreaterThanOrEqualTo
    GreaterOrEqual,
    /// IsLessThan
    Less,
    /// IsLessThanOrEqualTo
    LessOrEqual,
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// `Constant/@Value`.
    Constant(String),
    /// Another property of the same item.
    Path(PropertyPath),
}

/// `ContainmentMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Containment {
    /// FullString
    FullString,
    /// Prefixed
    Prefixed,
    /// Substring
    Substring,
    /// PrefixOnWords
    PrefixOnWords,
    /// ExactPhrase
    ExactPhrase,
}

/// A search expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restriction {
    /// And
    And(Vec<Restriction>),
    /// Or
    Or(Vec<Restriction>),
    /// Not
    Not(Box<Restriction>),
    /// Exists
    Exists(PropertyPath),
    /// IsEqualTo and friends.
    Compare {
        /// The operator.
        op: Comparison,
        /// The property.
        path: PropertyPath,
        /// What it is compared with.
        operand: Operand,
    },
    /// Contains
    Contains {
        /// The property.
        path: PropertyPath,
        /// The constant.
        value: String,
        /// ContainmentMode.
        mode: Containment,
        /// ContainmentComparison is one of the IgnoreCase variants.
        ignore_case: bool,
    },
    /// A valid expression the simulator does not evaluate (Excludes).
    Unsupported(String),
}

impl Restriction {
    /// Reads the single expression inside a `Restriction` (or any expression element).
    pub fn parse_container(container: &Element) -> Parsed<Self> {
        let mut expressions = container.elements();
        match (expressions.next(), expressions.next()) {
            (Some(expression), None) => Self::parse(expression),
            _ => Err(RequestError::schema(format!(
                "'{}' must contain exactly one search expression.",
                container.name
            ))),
        }
    }

    fn parse(element: &Element) -> Parsed<Self> {
        let comparison = match element.name.as_str() {
            "And" => {
                return Ok(Self::And(
                    element.elements().map(Self::parse).collect::<Parsed<_>>()?,
                ));
            }
            "Or" => {
                return Ok(Self::Or(
                    element.elements().map(Self::parse).collect::<Parsed<_>>()?,
                ));
            }
            "Not" => return Ok(Self::Not(Box::new(Self::parse_container(element)?))),
            "Exists" => return Ok(Self::Exists(first_path(element)?)),
            "Contains" => return Self::parse_contains(element),
            "Excludes" => return Ok(Self::Unsupported("Excludes".to_owned())),
            "IsEqualTo" => Comparison::Equal,
            "IsNotEqualTo" => Comparison::NotEqual,
            "IsGreaterThan" => Comparison::Greater,
            "IsGreaterThanOrEqualTo" => Comparison::GreaterOrEqual,
            "IsLessThan" => Comparison::Less,
            "IsLessThanOrEqualTo" => Comparison::LessOrEqual,
            other => {
                return Err(RequestError::schema(format!(
                    "'{other}' is not a search expression."
                )));
            }
        };
        let path = first_path(element)?;
        let right = element
            .child("FieldURIOrConstant")
            .and_then(Element::first_element)
            .ok_or_else(|| {
                RequestError::schema(format!("'{}' requires FieldURIOrConstant.", element.name))
            })?;
        let operand = if right.name == "Constant" {
            Operand::Constant(right.attribute("Value").unwrap_or_default().to_owned())
        } else {
            Operand::Path(parse_path(right)?)
        };
        Ok(Self::Compare {
            op: comparison,
            path,
            operand,
        })
    }

    fn parse_contains(element: &Element) -> Parsed<Self> {
        let path = first_path(element)?;
        let value = element
            .child("Constant")
            .and_then(|constant| constant.attribute("Value"))
            .ok_or_else(|| RequestError::schema("Contains requires Constant."))?
            .to_owned();
        let mode = match element.attribute("ContainmentMode").unwrap_or("FullString") {
            "FullString" => Containment::FullString,
            "Prefixed" => Containment::Prefixed,
            "Substring" => Containment::Substring,
            "PrefixOnWords" => Containment::PrefixOnWords,
            "ExactPhrase" => Containment::ExactPhrase,
            other => {
                return Err(RequestError::schema(format!(
                    "'{other}' is not a ContainmentMode."
                )));
            }
        };
        let ignore_case = element
            .attribute("ContainmentComparison")
            .is_some_and(|value| value.contains("IgnoreCase"));
        Ok(Self::Contains {
            path,
            value,
            mode,
            ignore_case,
        })
    }

    /// The first unsupported expression, if any (the request then fails as a whole).
    pub fn unsupported(&self) -> Option<&str> {
        match self {
            Self::Unsupported(name) => Some(name),
            Self::And(all) | Self::Or(all) => all.iter().find_map(Self::unsupported),
            Self::Not(inner) => inner.unsupported(),
            _ => None,
        }
    }

    /// Evaluates the expression; `values` gives every value a path has on the item (none if absent).
    pub fn matches(&self, values: &dyn Fn(&PropertyPath) -> Vec<String>) -> bool {
        match self {
            Self::And(all) => all.iter().all(|inner| inner.matches(values)),
            Self::Or(any) => any.iter().any(|inner| inner.matches(values)),
            Self::Not(inner) => !inner.matches(values),
            Self::Exists(path) => !values(path).is_empty(),
            Self::Compare { op, path, operand } => {
                let right: Vec<String> = match operand {
                    Operand::Constant(constant) => vec![constant.clone()],
                    Operand::Path(other) => values(other),
                };
                let kind = kind_of(path);
                let left = values(path);
                if *op == Comparison::NotEqual {
                    return !left.iter().any(|l| {
                        right
                            .iter()
                            .any(|r| compare(kind, l, r) == Some(Ordering::Equal))
                    });
                }
                left.iter().any(|l| {
                    right.iter().any(|r| {
                        compare(kind, l, r).is_some_and(|ordering| match op {
                            Comparison::Equal => ordering == Ordering::Equal,
                            Comparison::Greater => ordering == Ordering::Greater,
                            Comparison::GreaterOrEqual => ordering != Ordering::Less,
                            Comparison::Less => ordering == Ordering::Less,
                            Comparison::LessOrEqual => ordering != Ordering::Greater,
                            Comparison::NotEqual => false,
                        })
                    })
                })
            }
            Self::Contains {
                path,
                value,
                mode,
                ignore_case,
            } => values(path)
                .iter()
                .any(|candidate| contains(candidate, value, *mode, *ignore_case)),
            Self::Unsupported(_) => false,
        }
    }
}

/// How values of a path compare.
pub fn kind_of(path: &PropertyPath) -> ValueKind {
    match path {
        PropertyPath::Field(index) => schema::def(*index).kind,
        PropertyPath::Extended(uri) => match uri.property_type.trim_end_matches("Array") {
            "SystemTime" | "ApplicationTime" => ValueKind::DateTime,
            "Integer" | "Long" | "Short" => ValueKind::Integer,
            "Boolean" => ValueKind::Boolean,
            "Binary" => ValueKind::Binary,
            _ => ValueKind::Text,
        },
        PropertyPath::Absent(_) => ValueKind::Text,
    }
}

/// Compares two values of a kind; `None` when either side does not parse as that kind.
pub fn compare(kind: ValueKind, left: &str, right: &str) -> Option<Ordering> {
    match kind {
        ValueKind::DateTime => Some(parse_instant(left)?.cmp(&parse_instant(right)?)),
        ValueKind::Integer => Some(
            left.trim()
                .parse::<i64>()
                .ok()?
                .cmp(&right.trim().parse::<i64>().ok()?),
        ),
        ValueKind::Boolean => {
            let truth = |text: &str| matches!(text.trim(), "true" | "1");
            Some(truth(left).cmp(&truth(right)))
        }
        // Bytes compare exactly; base64 text is case-sensitive.
        ValueKind::Binary => Some(
            STANDARD
                .decode(left.trim())
                .ok()?
                .cmp(&STANDARD.decode(right.trim()).ok()?),
        ),
        _ => Some(left.to_lowercase().cmp(&right.to_lowercase())),
    }
}

fn contains(candidate: &str, value: &str, mode: Containment, ignore_case: bool) -> bool {
    let (candidate, value) = if ignore_case {
        (candidate.to_lowercase(), value.to_lowercase())
    } else {
        (candidate.to_owned(), value.to_owned())
    };
    match mode {
        Containment::FullString => candidate == value,
        Containment::Prefixed => candidate.starts_with(&value),
        Containment::Substring | Containment::ExactPhrase => candidate.contains(&value),
        Containment::PrefixOnWords => candidate
            .split_whitespace()
            .any(|word| word.starts_with(&value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mailbox::schema::field;
    use crate::xml::parse;

    fn restriction(xml: &str) -> Restriction {
        Restriction::parse_container(&parse(xml).unwrap()).unwrap()
    }

    #[test]
    fn evaluates_and_or_exists_and_typed_comparisons() {
        let r = restriction(
            r#"<Restriction><And>
                <Exists><ExtendedFieldURI PropertySetId="aa3df801-4fc7-401f-bbc1-7c93d6498c2e" PropertyName="tag" PropertyType="String"/></Exists>
                <Or>
                  <IsEqualTo><FieldURI FieldURI="item:Subject"/><FieldURIOrConstant><Constant Value="LUNCH"/></FieldURIOrConstant></IsEqualTo>
                  <IsGreaterThan><FieldURI FieldURI="calendar:Start"/><FieldURIOrConstant><Constant Value="2026-01-01T00:00:00Z"/></FieldURIOrConstant></IsGreaterThan>
                </Or>
              </And></Restriction>"#,
        );
        let item = |subject: &'static str, start: &'static str, tagged: bool| {
            move |path: &PropertyPath| -> Vec<String> {
                match path {
                    PropertyPath::Field(index) if *index == field::subject() => {
                        vec![subject.to_owned()]
                    }
                    PropertyPath::Field(index) if *index == field::start() => {
                        vec![start.to_owned()]
                    }
                    PropertyPath::Extended(_) if tagged => vec!["t:1".to_owned()],
                    _ => Vec::new(),
                }
            }
        };
        assert!(r.matches(&item("lunch", "2025-01-01T10:00:00Z", true)));
        assert!(r.matches(&item("x", "2026-01-02T10:00:00+01:00", true)));
        assert!(!r.matches(&item("x", "2025-12-31T10:00:00Z", true)));
        assert!(!r.matches(&item("lunch", "2025-01-01T10:00:00Z", false)));
    }

    #[test]
    fn contains_modes_and_unsupported_expressions() {
        let r = restriction(
            r#"<Restriction><Contains ContainmentMode="Substring" ContainmentComparison="IgnoreCase"><FieldURI FieldURI="item:Subject"/><Constant Value="meeting notes"/></Contains></Restriction>"#,
        );
        assert!(r.matches(&|_: &PropertyPath| vec!["Weekly MEETING NOTES".to_owned()]));
        assert!(!r.matches(&|_: &PropertyPath| vec!["notes".to_owned()]));
        let excludes = restriction(
            r#"<Restriction><Not><Excludes><FieldURI FieldURI="item:Subject"/><Bitmask Value="1"/></Excludes></Not></Restriction>"#,
        );
        assert_eq!(excludes.unsupported(), Some("Excludes"));
        assert!(
            Restriction::parse_container(&parse("<Restriction><Bogus/></Restriction>").unwrap())
                .is_err()
        );
    }
}
