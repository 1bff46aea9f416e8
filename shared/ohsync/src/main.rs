//! The `ohsync` command.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use ohsync::config::ServeConfig;
use ohsync::feed::feed_line;
use ohsync::ops::{Ops, OpsError, ValidateArgs, parse_user, render, validate};
use ohsync::sandbox::Sandbox;
use ohsync::serve::{serve_until_signal, shutdown_signal};
use ohsync_engine::executor::{ProgressObserver, ProgressSink, RunProgress};
use ohsync_engine::identity::TenantId;
use ohsync_settings::{HTTP_HOSTS_VAR, OperatorPolicy, PRIVATE_HOSTS_VAR};
use ohsync_telemetry::{LogFormat, subscriber};
use secrecy::SecretString;

/// ohsync on one machine.
#[derive(Debug, Parser)]
#[command(name = "ohsync", version)]
struct Cli {
    /// How log lines are written.
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    log_format: Format,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The settings API, the scheduler and the workers in one process.
    Serve {
        /// The TOML configuration file (environment variables override it).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// `serve` with the Exchange and OfficeHeart simulators and two demo users.
    Sandbox {
        /// Seconds between scheduler ticks.
        #[arg(long, default_value_t = 20)]
        interval: u64,
    },
    /// Lists the users of a tenant (active or not), or every active user, with their last run.
    Users {
        /// Only this tenant's users, switched off ones included.
        #[arg(long)]
        tenant: Option<String>,
        #[command(flatten)]
        target: Target,
    },
    /// Shows a user's settings, last run and its errors (or every active user).
    Status {
        /// TENANT/USER, e.g. acme/jan; without it, every active user.
        user: Option<String>,
        #[command(flatten)]
        target: Target,
    },
    /// Runs a user's sync now, in this process, showing its progress (with --aws and a job
    /// queue: queues the job for the deployment's workers).
    SyncNow {
        /// TENANT/USER, e.g. acme/jan.
        user: String,
        #[command(flatten)]
        target: Target,
    },
    /// Shows what a user's next sync would do; changes nothing.
    DryRun {
        /// TENANT/USER, e.g. acme/jan.
        user: String,
        #[command(flatten)]
        target: Target,
    },
    /// Checks Exchange settings as the settings API does (static rules, then a live check);
    /// the password is read from OHSYNC_EXCHANGE_PASSWORD or asked for, never a flag.
    Validate {
        /// The EWS URL, e.g. https://mail.example.nl/EWS/Exchange.asmx.
        #[arg(long)]
        url: String,
        /// The Exchange version, e.g. Exchange2016.
        #[arg(long = "exchange-version")]
        exchange_version: String,
        /// The Windows user name.
        #[arg(long)]
        username: String,
        /// The short (NetBIOS) domain, e.g. OFFICEHEART.
        #[arg(long)]
        domain: String,
        /// Another mailbox to sync (impersonation).
        #[arg(long)]
        mailbox: Option<String>,
        /// The TOML configuration file `serve` uses, for the operator's allow-lists.
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

/// Which store the operator commands work on.
#[derive(Debug, clap::Args)]
struct Target {
    /// The TOML configuration file `serve` uses (environment variables override it).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The AWS deployment the environment names (OHSYNC_STATE_TABLE, OHSYNC_OFFICEHEART_URL,
    /// OHSYNC_OFFICEHEART_TOKEN_SECRET, OHSYNC_SYNC_QUEUE_URL, AWS_REGION…), as the functions
    /// read it.
    #[cfg(feature = "aws")]
    #[arg(long, conflicts_with = "config")]
    aws: bool,
}

/// The environment variable `ohsync validate` reads the Exchange password from.
const PASSWORD_VAR: &str = "OHSYNC_EXCHANGE_PASSWORD";

/// A user-visible error: its code, then English and Dutch.
fn report(code: &str, english: &str, dutch: &str) -> ExitCode {
    eprintln!("error [{code}]: {english}\nfout [{code}]: {dutch}");
    ExitCode::FAILURE
}

fn init_logs(format: Format, default_filter: &str) {
    let format = match format {
        Format::Text => LogFormat::Text,
        Format::Json => LogFormat::Json,
    };
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| default_filter.to_owned());
    // Only fails when a subscriber is installed already, which leaves logging working.
    let _ = tracing::subscriber::set_global_default(subscriber(format, &filter, std::io::stderr));
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { config } => {
            init_logs(cli.log_format, "info");
            let config = match ServeConfig::load(config.as_deref(), |var| std::env::var(var).ok()) {
                Ok(config) => config,
                Err(error) => return report(error.code(), &error.to_string(), &error.text_nl()),
            };
            match serve_until_signal(config).await {
                Ok(_) => ExitCode::SUCCESS,
                Err(error) => report(error.code(), &error.to_string(), &error.text_nl()),
            }
        }
        Command::Sandbox { interval } => {
            // The feed is the sandbox's output; logs only say what went wrong.
            init_logs(cli.log_format, "warn");
            sandbox(Duration::from_secs(interval.max(1))).await
        }
        command => {
            // The command's answer is its output; logs only say what went wrong.
            init_logs(cli.log_format, "warn");
            match operate(command).await {
                Ok(output) => {
                    print!("{output}");
                    ExitCode::SUCCESS
                }
                Err(failure) => failure,
            }
        }
    }
}

/// Loads the configuration `serve` would use.
fn load_config(path: Option<&std::path::Path>) -> Result<ServeConfig, ExitCode> {
    ServeConfig::load(path, |var| std::env::var(var).ok())
        .map_err(|error| report(error.code(), &error.to_string(), &error.text_nl()))
}

fn ops_failure(error: &OpsError) -> ExitCode {
    report(error.code(), &error.to_string(), &error.text_nl())
}

/// Opens the store `target` names.
async fn open(target: Target) -> Result<Ops, ExitCode> {
    #[cfg(feature = "aws")]
    if target.aws {
        let env = ohsync_aws_env::Environment::from_process();
        return Ops::aws(&env)
            .await
            .map_err(|error| report(error.code(), &error.to_string(), &error.text_nl()));
    }
    let config = load_config(target.config.as_deref())?;
    Ops::embedded(&config)
        .map_err(|error| report(error.code(), &error.to_string(), &error.text_nl()))
}

/// Runs an operator command; answers what to print.
async fn operate(command: Command) -> Result<String, ExitCode> {
    let user = |raw: &str| parse_user(raw).map_err(|error| ops_failure(&error));
    match command {
        Command::Users { tenant, target } => {
            let tenant = match tenant {
                Some(raw) => Some(
                    TenantId::parse(&raw)
                        .map_err(|_| ops_failure(&OpsError::BadUser(format!("{raw}/…"))))?,
                ),
                None => None,
            };
            let lines = open(target)
                .await?
                .users(tenant.as_ref())
                .await
                .map_err(|error| ops_failure(&error))?;
            Ok(render::users(&lines))
        }
        Command::Status { user: None, target } => {
            let lines = open(target)
                .await?
                .users(None)
                .await
                .map_err(|error| ops_failure(&error))?;
            Ok(render::users(&lines))
        }
        Command::Status {
            user: Some(raw),
            target,
        } => {
            let (tenant, user) = user(&raw)?;
            let status = open(target)
                .await?
                .status(&tenant, &user)
                .await
                .map_err(|error| ops_failure(&error))?;
            Ok(render::status(&status))
        }
        Command::SyncNow { user: raw, target } => {
            let (tenant, user) = user(&raw)?;
            let ops = open(target).await?;
            if ops.queues_sync_now() {
                ops.queue_sync_now(&tenant, &user)
                    .await
                    .map_err(|error| ops_failure(&error))?;
                return Ok(format!(
                    "{raw}: queued; a worker runs it within seconds (see `ohsync status {raw}`)\n"
                ));
            }
            eprintln!("» syncing {raw} now…");
            let summary = ops
                .sync_now(&tenant, &user, Some(ProgressSink::new(ProgressLine::new())))
                .await
                .map_err(|error| ops_failure(&error))?;
            Ok(render::run(&raw, &summary))
        }
        Command::DryRun { user: raw, target } => {
            let (tenant, user) = user(&raw)?;
            let ops = open(target).await?;
            eprintln!("» reading both calendars of {raw} (nothing is changed)…");
            let report = ops
                .dry_run(&tenant, &user)
                .await
                .map_err(|error| ops_failure(&error))?;
            Ok(render::plan(&raw, &report))
        }
        Command::Validate {
            url,
            exchange_version,
            username,
            domain,
            mailbox,
            config,
        } => {
            let (operator, insecure_tls_hosts) = match config {
                Some(path) => {
                    let config = load_config(Some(&path))?;
                    (config.operator, config.insecure_tls_hosts)
                }
                None => (operator_from_env()?, Vec::new()),
            };
            let password = read_password().map_err(|error| ops_failure(&error))?;
            let transport = ohsync_ews::TransportConfig {
                insecure_tls_hosts,
                ..ohsync_ews::TransportConfig::default()
            };
            eprintln!("» checking {url} as {domain}\\{username}…");
            let args = ValidateArgs {
                ews_url: url,
                exchange_version,
                username,
                domain,
                mailbox,
                password,
            };
            let report = validate(args, &operator, transport)
                .await
                .map_err(|error| ops_failure(&error))?;
            let output = render::checklist(&report);
            if report.passed() {
                Ok(output)
            } else {
                print!("{output}");
                Err(ExitCode::FAILURE)
            }
        }
        Command::Serve { .. } | Command::Sandbox { .. } => Ok(String::new()),
    }
}

/// The operator's allow-lists from the environment, without a configuration file.
fn operator_from_env() -> Result<OperatorPolicy, ExitCode> {
    let read = |var| std::env::var(var).unwrap_or_default();
    OperatorPolicy::parse(&read(PRIVATE_HOSTS_VAR), &read(HTTP_HOSTS_VAR)).map_err(|error| {
        report(
            "config_invalid",
            &error.to_string(),
            &format!("de toegestane hosts zijn niet geldig: {error}"),
        )
    })
}

/// The Exchange password: from [`PASSWORD_VAR`], else asked for without echo.
fn read_password() -> Result<SecretString, OpsError> {
    if let Ok(password) = std::env::var(PASSWORD_VAR) {
        return Ok(SecretString::from(password));
    }
    rpassword::prompt_password("Exchange password: ")
        .map(SecretString::from)
        .map_err(|error| OpsError::Password(error.to_string()))
}

/// Shows a run's progress on stderr: each step on a line, writes at most once a second.
struct ProgressLine {
    state: std::sync::Mutex<(usize, usize, std::time::Instant)>,
}

impl ProgressLine {
    fn new() -> Self {
        Self {
            state: std::sync::Mutex::new((0, 0, std::time::Instant::now())),
        }
    }
}

impl ProgressObserver for ProgressLine {
    fn observe(&self, progress: RunProgress) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (planned, sent, shown) = &mut *state;
        match progress {
            RunProgress::Read {
                exchange,
                officeheart,
            } => {
                eprintln!(
                    "  read: {exchange} changes from Exchange, {officeheart} from OfficeHeart"
                );
            }
            RunProgress::Planned { writes } => {
                *planned += writes;
                eprintln!("  plan: {writes} writes");
            }
            RunProgress::Wrote { items } => {
                *sent += items;
                if shown.elapsed() >= Duration::from_secs(1) || *sent >= *planned {
                    *shown = std::time::Instant::now();
                    let percent = (*sent * 100).checked_div(*planned).unwrap_or(100);
                    eprintln!("  written: {sent} of {planned} ({percent}%)");
                }
            }
        }
    }
}

async fn sandbox(interval: Duration) -> ExitCode {
    let sandbox = match Sandbox::start(interval, |step| println!("» {step}")).await {
        Ok(sandbox) => sandbox,
        Err(error) => return report(error.code(), &error.to_string(), &error.text_nl()),
    };
    let mut events = sandbox.serve.events();
    println!("{}", sandbox.guide());
    let feed = async {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if let Some(line) = feed_line(&event) {
                        println!("{line}");
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                    println!("({missed} runs not shown)");
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    };
    tokio::select! {
        _ = feed => {}
        _ = shutdown_signal() => {}
    }
    println!("» stopping: runs in flight get 5 s to finish…");
    sandbox.stop().await;
    ExitCode::SUCCESS
}
