//! How a function writes its log lines.

use ohsync_telemetry::LogFormat;

use crate::{EnvError, Environment};

/// `json` (default: CloudWatch Logs Insights reads the fields) or `text`.
pub const LOG_FORMAT_VAR: &str = "OHSYNC_LOG_FORMAT";

/// The log format [`LOG_FORMAT_VAR`] asks for.
pub fn log_format(env: &Environment) -> Result<LogFormat, EnvError> {
    env.parsed_or(LOG_FORMAT_VAR, LogFormat::Json, |raw| {
        match raw.to_ascii_lowercase().as_str() {
            "json" => Ok(LogFormat::Json),
            "text" => Ok(LogFormat::Text),
            _ => Err("must be json or text"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_unless_text_is_asked_for() {
        assert_eq!(log_format(&Environment::default()), Ok(LogFormat::Json));
        let text = Environment::default().with(LOG_FORMAT_VAR, "TEXT");
        assert_eq!(log_format(&text), Ok(LogFormat::Text));
        let bad = Environment::default().with(LOG_FORMAT_VAR, "xml");
        assert!(matches!(log_format(&bad), Err(EnvError::Invalid { .. })));
    }
}
