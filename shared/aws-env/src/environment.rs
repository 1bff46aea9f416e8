//! The environment as read once at start, and what is wrong with it.

use std::collections::HashMap;
use std::ffi::OsString;

/// A variable that is missing or cannot be used. Each names the variable, so that an operator
/// sees from the function's first log line what to fix in the template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvError {
    /// Required and unset (or blank).
    #[error("the environment variable {variable} must be set ({purpose})")]
    Missing {
        /// The variable.
        variable: &'static str,
        /// What it is for.
        purpose: &'static str,
    },
    /// Set, but not usable.
    #[error("the environment variable {variable} is not valid: {reason}")]
    Invalid {
        /// The variable.
        variable: &'static str,
        /// What is wrong (never the value of a secret).
        reason: String,
    },
    /// Set, but not valid Unicode.
    #[error("the environment variable {variable} is not valid Unicode")]
    NotUnicode {
        /// The variable.
        variable: &'static str,
    },
    /// The secret a variable names could not be read.
    #[error("the secret named by {variable} could not be read: {reason}")]
    Secret {
        /// The variable naming the secret.
        variable: &'static str,
        /// Why (an AWS error code or a description; never the value).
        reason: String,
    },
}

impl EnvError {
    /// A stable code for logs and alarms.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing { .. } => "env_missing",
            Self::Invalid { .. } => "env_invalid",
            Self::NotUnicode { .. } => "env_not_unicode",
            Self::Secret { .. } => "env_secret_unreadable",
        }
    }

    /// The message in Dutch (the English one is `Display`).
    pub fn text_nl(&self) -> String {
        match self {
            Self::Missing { variable, purpose } => {
                format!("de omgevingsvariabele {variable} moet gezet zijn ({purpose})")
            }
            Self::Invalid { variable, reason } => {
                format!("de omgevingsvariabele {variable} is niet geldig: {reason}")
            }
            Self::NotUnicode { variable } => {
                format!("de omgevingsvariabele {variable} is geen geldige Unicode")
            }
            Self::Secret { variable, reason } => {
                format!("het geheim dat {variable} noemt kon niet gelezen worden: {reason}")
            }
        }
    }
}

/// Environment variables by name. `None` marks a value that is not valid Unicode.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    vars: HashMap<String, Option<String>>,
}

impl Environment {
    /// The process environment, as Lambda sets it from the template.
    pub fn from_process() -> Self {
        Self {
            vars: std::env::vars_os()
                .filter_map(|(name, value)| Some((name.into_string().ok()?, unicode(value))))
                .collect(),
        }
    }

    /// Exactly these variables (tests, and callers that assemble their own).
    pub fn from_pairs<N: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        Self {
            vars: pairs
                .into_iter()
                .map(|(name, value)| (name.into(), Some(value.into())))
                .collect(),
        }
    }

    /// This environment with `variable` set to `value`.
    pub fn with(mut self, variable: &str, value: impl Into<String>) -> Self {
        self.vars.insert(variable.to_owned(), Some(value.into()));
        self
    }

    /// The value of `variable`, trimmed; unset and blank are both `None`.
    pub fn optional(&self, variable: &'static str) -> Result<Option<&str>, EnvError> {
        match self.vars.get(variable) {
            None => Ok(None),
            Some(None) => Err(EnvError::NotUnicode { variable }),
            Some(Some(value)) => Ok(Some(value.trim()).filter(|value| !value.is_empty())),
        }
    }

    /// The value of `variable`, which must be set; `purpose` says what it is for in the error.
    pub fn required(
        &self,
        variable: &'static str,
        purpose: &'static str,
    ) -> Result<&str, EnvError> {
        self.optional(variable)?
            .ok_or(EnvError::Missing { variable, purpose })
    }

    /// The value of `variable` parsed by `parse`, or `default` when unset; a parse failure is
    /// [`EnvError::Invalid`] with the parser's reason.
    pub fn parsed_or<T, E: std::fmt::Display>(
        &self,
        variable: &'static str,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, EnvError> {
        match self.optional(variable)? {
            None => Ok(default),
            Some(raw) => parse(raw).map_err(|error| EnvError::Invalid {
                variable,
                reason: error.to_string(),
            }),
        }
    }

    /// The whole number above zero in `variable`, or `default` when unset.
    pub fn positive_or<T>(&self, variable: &'static str, default: T) -> Result<T, EnvError>
    where
        T: std::str::FromStr + PartialOrd + Default,
    {
        self.parsed_or(variable, default, |raw| match raw.parse::<T>() {
            Ok(value) if value > T::default() => Ok(value),
            _ => Err("must be a whole number above zero"),
        })
    }
}

fn unicode(value: OsString) -> Option<String> {
    value.into_string().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_counts_as_unset_and_values_are_trimmed() {
        let env = Environment::from_pairs([("A", "  x "), ("B", "  ")]);
        assert_eq!(env.optional("A"), Ok(Some("x")));
        assert_eq!(env.optional("B"), Ok(None));
        assert_eq!(env.optional("C"), Ok(None));
        assert_eq!(
            env.required("B", "the table"),
            Err(EnvError::Missing {
                variable: "B",
                purpose: "the table"
            })
        );
    }

    #[test]
    fn errors_name_the_variable() {
        let env = Environment::default().with("OHSYNC_N", "many");
        let error = env
            .parsed_or("OHSYNC_N", 5u32, str::parse::<u32>)
            .unwrap_err();
        assert_eq!(error.code(), "env_invalid");
        assert!(error.to_string().contains("OHSYNC_N"), "{error}");
        assert!(error.text_nl().contains("OHSYNC_N") && error.text_nl() != error.to_string());
        assert_eq!(env.parsed_or("OHSYNC_M", 5u32, str::parse::<u32>), Ok(5));
        let counts = Environment::from_pairs([("ZERO", "0"), ("TEN", "10"), ("NEG", "-3")]);
        assert_eq!(counts.positive_or("TEN", 1u32), Ok(10));
        assert_eq!(counts.positive_or("UNSET", 7i64), Ok(7));
        for variable in ["ZERO", "NEG"] {
            assert!(matches!(
                counts.positive_or(variable, 1i64),
                Err(EnvError::Invalid { .. })
            ));
        }
        let missing = env
            .required("OHSYNC_TABLE", "the DynamoDB table")
            .unwrap_err();
        assert_eq!(
            missing.to_string(),
            "the environment variable OHSYNC_TABLE must be set (the DynamoDB table)"
        );
    }

    #[test]
    fn the_process_environment_is_read() {
        // PATH is set in every test environment this runs in.
        assert!(
            Environment::from_process()
                .optional("PATH")
                .unwrap()
                .is_some()
        );
    }
}
