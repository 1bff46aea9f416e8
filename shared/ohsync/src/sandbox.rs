//! `ohsync sandbox`: `serve` with the Exchange and OfficeHeart simulators in the same process,
//! a demo tenant whose two users are registered through the settings API over HTTP, and what
//! to paste into a terminal to watch sync happen.

use std::time::Duration;

use chrono::{DurationRound, TimeDelta, Utc};
use ohsync_ews_sim::{EwsSimulator, RunningSim, SimConfig, SimUser};
use ohsync_oh_sim::Simulator;
use ohsync_settings::OperatorPolicy;
use ohsync_settings_api::CallerTokens;
use secrecy::SecretString;
use tempfile::TempDir;

use crate::config::ServeConfig;
use crate::serve::{Serve, ServeError};

/// The demo tenant.
pub const TENANT: &str = "demo";
/// The Exchange simulator's NetBIOS domain for the demo users.
pub const DOMAIN: &str = "DEMO";
/// The demo users' Exchange password.
pub const PASSWORD: &str = "Welkom01!";
/// The token ohsync uses at the OfficeHeart simulator (the sandbox's own, not a secret).
const AGENDA_TOKEN: &str = "demo-agenda-token";
/// The demo users: OfficeHeart user id, Exchange account, mailbox address.
pub const USERS: [(&str, &str, &str); 2] = [
    ("jan", "jan", "jan@demo.example"),
    ("piet", "piet", "piet@demo.example"),
];

/// Why the sandbox could not start; each has a stable code and Dutch and English text.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A simulator or the temporary data directory could not be set up.
    #[error("cannot start the {what}: {reason}")]
    Setup {
        /// What.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// `serve` could not start.
    #[error(transparent)]
    Serve(#[from] ServeError),
    /// The settings API refused a demo user's settings.
    #[error("registering demo user {user} failed: {reason}")]
    Register {
        /// The user.
        user: &'static str,
        /// The API's status and answer, or the transport error.
        reason: String,
    },
}

impl SandboxError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Setup { .. } => "sandbox_setup_failed",
            Self::Serve(error) => error.code(),
            Self::Register { .. } => "sandbox_register_failed",
        }
    }

    /// The message in Dutch.
    pub fn text_nl(&self) -> String {
        match self {
            Self::Setup { what, reason } => format!("kan de {what} niet starten: {reason}"),
            Self::Serve(error) => error.text_nl(),
            Self::Register { user, reason } => {
                format!("demogebruiker {user} registreren is mislukt: {reason}")
            }
        }
    }
}

/// A running sandbox: stop it with [`Sandbox::stop`].
#[derive(Debug)]
pub struct Sandbox {
    /// The running `serve`.
    pub serve: Serve,
    /// The Exchange simulator.
    pub ews: RunningSim,
    /// The OfficeHeart simulator.
    pub oh: Simulator,
    /// The settings API token of tenant `demo` (printed for curl; the sandbox's own).
    pub api_token: String,
    config: ServeConfig,
    data: TempDir,
}

fn setup(what: &'static str) -> impl FnOnce(String) -> SandboxError {
    move |reason| SandboxError::Setup { what, reason }
}

impl Sandbox {
    /// Starts both simulators on free ports, `serve` on a fresh temporary data directory with
    /// `interval` between ticks, and registers the demo users through the API; `say` is told
    /// each step.
    pub async fn start(interval: Duration, say: impl Fn(&str)) -> Result<Self, SandboxError> {
        say("starting the Exchange simulator (EWS, NTLM and Basic auth)…");
        let mut ews_config = SimConfig::default();
        for (_, account, smtp) in USERS {
            ews_config = ews_config.with_user(SimUser::new(DOMAIN, account, PASSWORD, smtp));
        }
        let ews = EwsSimulator::start(ews_config, "127.0.0.1:0")
            .await
            .map_err(|error| setup("Exchange simulator")(error.to_string()))?;
        say("starting the OfficeHeart simulator…");
        let oh_tenant = ohsync_officeheart::TenantId::new(TENANT)
            .map_err(|error| setup("OfficeHeart simulator")(error.to_string()))?;
        let oh = Simulator::start(ohsync_oh_sim::SimConfig::new().grant(oh_tenant, AGENDA_TOKEN))
            .await
            .map_err(|error| setup("OfficeHeart simulator")(error.to_string()))?;
        let data = TempDir::with_prefix("ohsync-sandbox-")
            .map_err(|error| setup("data directory")(error.to_string()))?;
        let api_token = format!("demo-{}", uuid::Uuid::new_v4().simple());
        let config = ServeConfig {
            data_dir: data.path().to_owned(),
            listen: ([127, 0, 0, 1], 0).into(),
            interval,
            workers: 4,
            runs_per_exchange_host: 2,
            max_run_time: TimeDelta::minutes(2),
            shutdown_grace: Duration::from_secs(5),
            officeheart_url: oh
                .url()
                .parse()
                .map_err(|_| setup("OfficeHeart simulator")("no URL".to_owned()))?,
            officeheart_token: SecretString::from(AGENDA_TOKEN),
            operator: OperatorPolicy::parse("127.0.0.1", "127.0.0.1")
                .map_err(|error| setup("operator policy")(error.to_string()))?,
            insecure_tls_hosts: Vec::new(),
            callers: demo_callers(&api_token)?,
        };
        say(&format!(
            "starting ohsync serve (data in {})…",
            data.path().display()
        ));
        write_ops_config(&config, &api_token)
            .map_err(|error| setup("configuration file")(error.to_string()))?;
        let serve = Serve::start(config.clone()).await?;
        let sandbox = Self {
            serve,
            ews,
            oh,
            api_token,
            config,
            data,
        };
        for (user, account, _) in USERS {
            say(&format!(
                "registering {TENANT}/{user} through the settings API…"
            ));
            sandbox.register(user, account).await?;
        }
        Ok(sandbox)
    }

    /// The configuration `serve` runs with (the operator commands open the same store).
    pub fn config(&self) -> &ServeConfig {
        &self.config
    }

    /// The configuration file the operator commands can be pointed at (`--config`).
    pub fn config_file(&self) -> std::path::PathBuf {
        self.data.path().join(CONFIG_FILE)
    }

    /// The settings API's root.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.serve.addr())
    }

    async fn register(&self, user: &'static str, account: &str) -> Result<(), SandboxError> {
        let failed = |reason: String| SandboxError::Register { user, reason };
        let answer = reqwest::Client::new()
            .put(format!(
                "{}/v1/tenants/{TENANT}/users/{user}/exchange-settings",
                self.api_url()
            ))
            .bearer_auth(&self.api_token)
            .json(&serde_json::json!({
                "ews_url": self.ews.url(),
                "exchange_version": "Exchange2016",
                "domain": DOMAIN,
                "username": account,
                "password": PASSWORD,
            }))
            .send()
            .await
            .map_err(|error| failed(error.without_url().to_string()))?;
        if answer.status().is_success() {
            return Ok(());
        }
        let status = answer.status();
        Err(failed(format!(
            "{status}: {}",
            answer.text().await.unwrap_or_default()
        )))
    }

    /// The block printed at start: where everything is, the token, and commands to try.
    pub fn guide(&self) -> String {
        let api = self.api_url();
        let ews = self.ews.url();
        let oh = self.oh.url();
        let token = &self.api_token;
        let tomorrow = Utc::now()
            .duration_trunc(TimeDelta::days(1))
            .unwrap_or_else(|_| Utc::now())
            + TimeDelta::days(1);
        let day = tomorrow.format("%Y-%m-%d");
        format!(
            r#"
ohsync sandbox is running. Tenant `{TENANT}`, users `jan` and `piet` (Exchange {DOMAIN}\jan, {DOMAIN}\piet, password {PASSWORD}).

  settings API   {api}   (bearer token: {token})
  Exchange (EWS) {ews}
  OfficeHeart    {oh}   (agenda token: {AGENDA_TOKEN})
  data           {data}   (deleted at stop)

Add an appointment in OfficeHeart (jan):
  curl -sS -X POST '{oh}/v1/tenants/{TENANT}/users/jan/agenda/appointments' \
    -H 'Authorization: Bearer {AGENDA_TOKEN}' -H "Idempotency-Key: $(date +%s%N)" -H 'Content-Type: application/json' \
    -d '{{"subject":"Uit OfficeHeart","location":"Kamer 2","start":"{day}T10:00:00+01:00","end":"{day}T11:00:00+01:00","time_zone":"Europe/Amsterdam"}}'

Add an appointment in Exchange (jan, SOAP CreateItem with Basic auth):
  curl -sS -u '{DOMAIN}\jan:{PASSWORD}' -H 'Content-Type: text/xml; charset=utf-8' '{ews}' --data-binary '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Header><t:RequestServerVersion Version="Exchange2016"/></soap:Header><soap:Body><m:CreateItem SendMeetingInvitations="SendToNone"><m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"/></m:SavedItemFolderId><m:Items><t:CalendarItem><t:Subject>Uit Outlook</t:Subject><t:Start>{day}T13:00:00Z</t:Start><t:End>{day}T14:00:00Z</t:End></t:CalendarItem></m:Items></m:CreateItem></soap:Body></soap:Envelope>'

See jan's sync status, and sync now instead of waiting for the next tick:
  curl -sS -H 'Authorization: Bearer {token}' '{api}/v1/tenants/{TENANT}/users/jan/sync-status'
  curl -sS -X POST -H 'Authorization: Bearer {token}' '{api}/v1/tenants/{TENANT}/users/jan/sync-now'

Operator commands on the sandbox's store (in another terminal):
  cargo run -q -p ohsync -- users --config {config}
  cargo run -q -p ohsync -- dry-run demo/piet --config {config}
  cargo run -q -p ohsync -- status demo/jan --config {config}

Every run is listed below. Ctrl-C stops.
"#,
            data = self.data.path().display(),
            config = self.config_file().display(),
        )
    }

    /// Stops `serve` (the simulators and the data directory go with `self`).
    pub async fn stop(self) {
        self.serve.stop().await;
    }
}

/// The operator commands' configuration file in the data directory.
const CONFIG_FILE: &str = "ohsync.toml";

/// Writes `ohsync.toml` (and the OfficeHeart token beside it) for the operator commands: the
/// same store, simulators and allow-lists as the sandbox's `serve`.
fn write_ops_config(config: &ServeConfig, api_token: &str) -> std::io::Result<()> {
    let token_file = config.data_dir.join("officeheart-token");
    std::fs::write(&token_file, AGENDA_TOKEN)?;
    let text = format!(
        "# ohsync sandbox: the operator commands' view of this sandbox (deleted at stop)\n\
         data_dir = {data:?}\n\
         officeheart_url = {url:?}\n\
         officeheart_token_file = {token:?}\n\
         allow_private_hosts = \"127.0.0.1\"\n\
         allow_http_hosts = \"127.0.0.1\"\n\
         caller_tokens = [{{ tenant = \"{TENANT}\", sha256 = \"{hash}\" }}]\n",
        data = config.data_dir.display().to_string(),
        url = config.officeheart_url.as_str(),
        token = token_file.display().to_string(),
        hash = CallerTokens::sha256_hex(api_token),
    );
    std::fs::write(config.data_dir.join(CONFIG_FILE), text)
}

fn demo_callers(token: &str) -> Result<CallerTokens, SandboxError> {
    let document = serde_json::json!({
        "tokens": [{ "tenant": TENANT, "sha256": CallerTokens::sha256_hex(token) }]
    });
    CallerTokens::from_json(&document.to_string())
        .map_err(|error| setup("settings API")(error.to_string()))
}
