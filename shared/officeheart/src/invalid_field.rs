//! The error for a field value outside the contract's limits, and the checks shared by the
//! appointment and its exceptions.

/// A field value outside the contract's limits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidField {
    /// The field's wire name; inside an array with its index, e.g. `exceptions[2].subject`.
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
}

impl InvalidField {
    /// The same error for a field nested in `parent`: `subject` in `exceptions[2]` becomes
    /// `exceptions[2].subject`.
    pub(crate) fn within(self, parent: &str) -> Self {
        Self {
            field: format!("{parent}.{}", self.field),
            ..self
        }
    }
}

/// An [`InvalidField`] for `field`.
pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> InvalidField {
    InvalidField {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Refuses a text longer than `max_chars` characters (not bytes).
pub(crate) fn check_text(
    field: impl Into<String>,
    value: &str,
    max_chars: usize,
) -> Result<(), InvalidField> {
    if value.chars().count() > max_chars {
        return Err(invalid(field, format!("at most {max_chars} characters")));
    }
    Ok(())
}
