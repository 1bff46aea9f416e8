//! The `ohsync` command.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use ohsync::config::ServeConfig;
use ohsync::feed::feed_line;
use ohsync::sandbox::Sandbox;
use ohsync::serve::{serve_until_signal, shutdown_signal};
use ohsync_telemetry::{LogFormat, subscriber};

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
}

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
