//! What `ohsync serve` runs with: a TOML file, overridden by environment variables that carry
//! the Lambda functions' names where one exists (docs/ONE-MACHINE.md).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::TimeDelta;
use ohsync_settings::{HTTP_HOSTS_VAR, INSECURE_TLS_HOSTS_VAR, OperatorPolicy, PRIVATE_HOSTS_VAR};
use ohsync_settings_api::CallerTokens;
use ohsync_worker::OFFICEHEART_URL_VAR;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use url::Url;

/// ohsync's OfficeHeart bearer token itself (instead of `officeheart_token_file`).
pub const OFFICEHEART_TOKEN_VAR: &str = "OHSYNC_OFFICEHEART_TOKEN";
/// Where the embedded store and the secrets file are kept.
pub const DATA_DIR_VAR: &str = "OHSYNC_DATA_DIR";
/// The settings API's listen address.
pub const LISTEN_VAR: &str = "OHSYNC_LISTEN";
/// Seconds between scheduler ticks.
pub const INTERVAL_SECONDS_VAR: &str = "OHSYNC_INTERVAL_SECONDS";

/// A configuration that cannot be used; each has a stable code and Dutch and English text.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file could not be read.
    #[error("cannot read the configuration file {path}: {source}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The configuration file is not valid TOML of the expected shape.
    #[error("the configuration file {path} is not valid: {reason}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The parser's message (names the key and line; never quotes a token).
        reason: String,
    },
    /// A setting has a value that cannot be used.
    #[error("setting {setting} is not valid: {reason}")]
    Invalid {
        /// The file key or environment variable.
        setting: String,
        /// Why.
        reason: String,
    },
    /// A required setting is missing.
    #[error("setting {setting} is required: {what}")]
    Missing {
        /// The file key and environment variable.
        setting: &'static str,
        /// What it is for.
        what: &'static str,
    },
}

impl ConfigError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreadable { .. } => "config_unreadable",
            Self::Malformed { .. } => "config_malformed",
            Self::Invalid { .. } => "config_invalid",
            Self::Missing { .. } => "config_missing",
        }
    }

    /// The message in Dutch.
    pub fn text_nl(&self) -> String {
        match self {
            Self::Unreadable { path, source } => format!(
                "het configuratiebestand {} kan niet gelezen worden: {source}",
                path.display()
            ),
            Self::Malformed { path, reason } => format!(
                "het configuratiebestand {} is niet geldig: {reason}",
                path.display()
            ),
            Self::Invalid { setting, reason } => {
                format!("instelling {setting} is niet geldig: {reason}")
            }
            Self::Missing { setting, what } => {
                format!("instelling {setting} is verplicht ({what})")
            }
        }
    }
}

/// One caller token entry of the settings API: the tenant and the SHA-256 of its token.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CallerTokenEntry {
    /// The tenant the token is for.
    pub tenant: String,
    /// The token's SHA-256 as 64 hex digits.
    pub sha256: String,
}

/// The configuration file as written; every key is optional (defaults and environment fill in).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Where the store and secrets live.
    pub data_dir: Option<PathBuf>,
    /// The settings API's address.
    pub listen: Option<String>,
    /// Seconds between scheduler ticks.
    pub interval_seconds: Option<u64>,
    /// Concurrent runs at most.
    pub workers: Option<usize>,
    /// Concurrent runs per Exchange host at most.
    pub runs_per_exchange_host: Option<usize>,
    /// The longest a run lives, in seconds.
    pub max_run_seconds: Option<i64>,
    /// How long runs in flight get to finish at shutdown, in seconds.
    pub shutdown_grace_seconds: Option<u64>,
    /// The OfficeHeart agenda API's root URL.
    pub officeheart_url: Option<String>,
    /// A file holding ohsync's OfficeHeart token.
    pub officeheart_token_file: Option<PathBuf>,
    /// Private hosts EWS may reach (comma-separated).
    pub allow_private_hosts: Option<String>,
    /// Hosts EWS may reach over plain http (comma-separated).
    pub allow_http_hosts: Option<String>,
    /// Hosts whose TLS certificate may fail verification (comma-separated).
    pub insecure_tls_hosts: Option<String>,
    /// Who may call the settings API.
    #[serde(default)]
    pub caller_tokens: Vec<CallerTokenEntry>,
}

/// Everything `serve` needs, resolved and checked.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Where the embedded store and the secrets file are kept.
    pub data_dir: PathBuf,
    /// The settings API's address (port 0: any free port).
    pub listen: SocketAddr,
    /// Time between scheduler ticks.
    pub interval: Duration,
    /// Concurrent runs at most.
    pub workers: usize,
    /// Concurrent runs per Exchange host at most.
    pub runs_per_exchange_host: usize,
    /// The longest a run lives.
    pub max_run_time: TimeDelta,
    /// How long runs in flight get to finish at shutdown.
    pub shutdown_grace: Duration,
    /// The OfficeHeart agenda API's root URL.
    pub officeheart_url: Url,
    /// ohsync's OfficeHeart token.
    pub officeheart_token: SecretString,
    /// The operator's allow-lists for EWS.
    pub operator: OperatorPolicy,
    /// Hosts whose TLS certificate may fail verification.
    pub insecure_tls_hosts: Vec<String>,
    /// Who may call the settings API.
    pub callers: CallerTokens,
}

impl ServeConfig {
    /// Reads `file` (when given) and applies the environment as `env` reports it.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let parsed = match file {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
                        path: path.to_owned(),
                        source,
                    })?;
                toml::from_str(&text).map_err(|error| ConfigError::Malformed {
                    path: path.to_owned(),
                    reason: error.message().to_owned(),
                })?
            }
            None => ConfigFile::default(),
        };
        Self::resolve(parsed, env)
    }

    /// `file` with the environment's overrides, checked.
    pub fn resolve(
        file: ConfigFile,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let text = |var: &str, from_file: Option<String>| env(var).or(from_file);
        let data_dir = env(DATA_DIR_VAR)
            .map(PathBuf::from)
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./ohsync-data"));
        let listen = text(LISTEN_VAR, file.listen).unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen = listen
            .parse()
            .map_err(|_| invalid(LISTEN_VAR, "not host:port"))?;
        let interval_seconds = match env(INTERVAL_SECONDS_VAR) {
            Some(raw) => positive(INTERVAL_SECONDS_VAR, &raw)?,
            None => file.interval_seconds.unwrap_or(300),
        };
        let officeheart_url =
            text(OFFICEHEART_URL_VAR, file.officeheart_url).ok_or(ConfigError::Missing {
                setting: "officeheart_url / OHSYNC_OFFICEHEART_URL",
                what: "the OfficeHeart agenda API's root URL",
            })?;
        let officeheart_url = Url::parse(&officeheart_url)
            .map_err(|error| invalid(OFFICEHEART_URL_VAR, error.to_string()))?;
        let officeheart_token =
            officeheart_token(env(OFFICEHEART_TOKEN_VAR), file.officeheart_token_file)?;
        let private_hosts = text(PRIVATE_HOSTS_VAR, file.allow_private_hosts).unwrap_or_default();
        let http_hosts = text(HTTP_HOSTS_VAR, file.allow_http_hosts).unwrap_or_default();
        let operator = OperatorPolicy::parse(&private_hosts, &http_hosts).map_err(|error| {
            invalid("allow_private_hosts / allow_http_hosts", error.to_string())
        })?;
        let insecure_tls_hosts = text(INSECURE_TLS_HOSTS_VAR, file.insecure_tls_hosts)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|host| !host.is_empty())
            .map(str::to_owned)
            .collect();
        let callers = caller_tokens(&file.caller_tokens)?;
        Ok(Self {
            data_dir,
            listen,
            interval: Duration::from_secs(interval_seconds.max(1)),
            workers: file.workers.unwrap_or(4).max(1),
            runs_per_exchange_host: file.runs_per_exchange_host.unwrap_or(2).max(1),
            max_run_time: TimeDelta::seconds(file.max_run_seconds.unwrap_or(900).max(1)),
            shutdown_grace: Duration::from_secs(file.shutdown_grace_seconds.unwrap_or(30)),
            officeheart_url,
            officeheart_token,
            operator,
            insecure_tls_hosts,
            callers,
        })
    }
}

fn invalid(setting: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        setting: setting.to_owned(),
        reason: reason.into(),
    }
}

fn positive(setting: &str, raw: &str) -> Result<u64, ConfigError> {
    match raw.trim().parse::<u64>() {
        Ok(value) if value > 0 => Ok(value),
        _ => Err(invalid(setting, "not a whole number above 0")),
    }
}

fn officeheart_token(
    from_env: Option<String>,
    file: Option<PathBuf>,
) -> Result<SecretString, ConfigError> {
    if let Some(token) = from_env.filter(|token| !token.trim().is_empty()) {
        return Ok(SecretString::from(token.trim().to_owned()));
    }
    let Some(path) = file else {
        return Err(ConfigError::Missing {
            setting: "officeheart_token_file / OHSYNC_OFFICEHEART_TOKEN",
            what: "ohsync's OfficeHeart bearer token",
        });
    };
    let token = std::fs::read_to_string(&path).map_err(|source| ConfigError::Unreadable {
        path: path.clone(),
        source,
    })?;
    let token = token.trim();
    if token.is_empty() {
        return Err(invalid("officeheart_token_file", "the file is empty"));
    }
    Ok(SecretString::from(token.to_owned()))
}

fn caller_tokens(entries: &[CallerTokenEntry]) -> Result<CallerTokens, ConfigError> {
    let document = serde_json::json!({ "tokens": entries }).to_string();
    CallerTokens::from_json(&document).map_err(|error| invalid("caller_tokens", error.to_string()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use secrecy::ExposeSecret;

    use super::*;

    const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    fn file(text: &str) -> ConfigFile {
        toml::from_str(text).unwrap()
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        move |key| map.get(key).cloned()
    }

    const MINIMAL: &str = r#"
        officeheart_url = "https://agenda.example/"
        caller_tokens = [{ tenant = "acme", sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" }]
    "#;

    #[test]
    fn defaults_fill_in_and_the_environment_overrides_the_file() {
        let config = ServeConfig::resolve(
            file(&format!(
                "{MINIMAL}\ninterval_seconds = 60\nlisten = \"127.0.0.1:9000\""
            )),
            env(&[
                (OFFICEHEART_TOKEN_VAR, "oh-token"),
                (INTERVAL_SECONDS_VAR, "20"),
                (DATA_DIR_VAR, "/tmp/ohsync-x"),
            ]),
        )
        .unwrap();
        assert_eq!(config.interval, Duration::from_secs(20));
        assert_eq!(config.listen, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(config.data_dir, PathBuf::from("/tmp/ohsync-x"));
        assert_eq!(config.workers, 4);
        assert_eq!(config.runs_per_exchange_host, 2);
        assert_eq!(config.officeheart_token.expose_secret(), "oh-token");
        assert_eq!(
            config.callers.tenants_of("test").len(),
            1,
            "{HASH} is sha256(test)"
        );
    }

    #[test]
    fn an_unknown_key_a_missing_token_and_a_bad_interval_are_refused_with_codes() {
        assert!(toml::from_str::<ConfigFile>("listn = \"x\"").is_err());
        let missing = ServeConfig::resolve(file(MINIMAL), env(&[])).unwrap_err();
        assert_eq!(missing.code(), "config_missing");
        assert!(missing.text_nl().contains("verplicht"));
        let bad = ServeConfig::resolve(
            file(MINIMAL),
            env(&[(OFFICEHEART_TOKEN_VAR, "t"), (INTERVAL_SECONDS_VAR, "0")]),
        )
        .unwrap_err();
        assert_eq!(bad.code(), "config_invalid");
        assert!(bad.to_string().contains(INTERVAL_SECONDS_VAR));
    }
}
