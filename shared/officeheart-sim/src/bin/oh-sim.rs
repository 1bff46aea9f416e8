//! `oh-sim`: serves the OfficeHeart agenda simulator until interrupted.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use ohsync_officeheart::TenantId;
use ohsync_oh_sim::{SimConfig, Simulator};

/// A stateful OfficeHeart agenda API for tests and the sandbox. Fault switches: `/_sim/faults`.
#[derive(Parser)]
#[command(name = "oh-sim", version)]
struct Args {
    /// Address to listen on; must be a loopback address.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// The bearer token to accept (prefer the environment variable, which stays out of `ps`).
    #[arg(long, env = "OH_SIM_TOKEN", hide_env_values = true)]
    token: String,
    /// The tenant the token belongs to.
    #[arg(long, default_value = "demo")]
    tenant: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("oh-sim: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    // The admin switches have no protection beyond the token; keep the simulator off the network.
    if !args.listen.ip().is_loopback() {
        return Err(format!(
            "--listen {} is not a loopback address",
            args.listen
        ));
    }
    let tenant = TenantId::new(args.tenant).map_err(|error| format!("--tenant: {error}"))?;
    let config = SimConfig::new()
        .listen(args.listen)
        .grant(tenant, args.token);
    let simulator = Simulator::start(config)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", args.listen))?;
    println!("{}", simulator.url());
    tokio::signal::ctrl_c()
        .await
        .map_err(|error| format!("waiting for Ctrl-C: {error}"))?;
    Ok(())
}
