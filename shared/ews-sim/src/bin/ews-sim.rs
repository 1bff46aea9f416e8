//! `ews-sim`: runs the Exchange simulator on a local port until Ctrl-C.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use ohsync_ews_sim::{EwsSimulator, ServerVersion, SimConfig, SimUser};

/// Command line of the simulator.
#[derive(Debug, Parser)]
#[command(
    name = "ews-sim",
    about = "A stateful Exchange Web Services simulator for tests and the sandbox"
)]
struct Cli {
    /// Address to listen on (use 127.0.0.1:0 for a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// A user as DOMAIN\name:password:smtp@address (repeatable).
    #[arg(long = "user", required = true)]
    users: Vec<SimUser>,
    /// The Exchange product to claim (Exchange2007_SP1 … Exchange2019).
    #[arg(long, default_value = "Exchange2016")]
    server_version: ServerVersion,
    /// Delay added to every SOAP request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Refuse Basic authentication (NTLM only).
    #[arg(long)]
    no_basic: bool,
    /// Serve HTTPS with a self-signed certificate generated at start.
    #[arg(long)]
    tls: bool,
    /// Require NTLM channel bindings (Extended Protection); implies --tls.
    #[arg(long)]
    extended_protection: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let mut config = SimConfig::default()
        .with_server_version(cli.server_version)
        .with_latency(Duration::from_millis(cli.latency_ms))
        .with_basic_auth(!cli.no_basic);
    if cli.tls {
        config = config.with_tls();
    }
    if cli.extended_protection {
        config = config.with_extended_protection();
    }
    for user in cli.users {
        config = config.with_user(user);
    }
    let simulator = match EwsSimulator::start(config, &cli.listen).await {
        Ok(simulator) => simulator,
        Err(error) => {
            eprintln!("ews-sim: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", simulator.url());
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("ews-sim: cannot wait for Ctrl-C: {error}");
    }
    simulator.shutdown().await;
    ExitCode::SUCCESS
}
