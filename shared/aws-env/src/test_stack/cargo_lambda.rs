//! cargo-lambda's local Lambda runtime (`cargo lambda watch --only-lambda-apis`) for running a
//! function's binary the way its developers do: the binary polls cargo-lambda's Runtime API,
//! and events go in through `cargo lambda invoke`. The test command installs cargo-lambda
//! (PyPI) and names its binary in [`CARGO_LAMBDA_VAR`]; without it these tests are skipped.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::REQUIRE_VAR;

/// The variable naming the `cargo-lambda` binary.
pub const CARGO_LAMBDA_VAR: &str = "OHSYNC_CARGO_LAMBDA";

/// The function name cargo-lambda gives a function it does not start itself.
const FUNCTION_NAME: &str = "_";

/// A running `cargo lambda watch --only-lambda-apis` on 127.0.0.1; stopped when dropped.
#[derive(Debug)]
pub struct CargoLambda {
    binary: String,
    port: u16,
    child: Child,
}

impl CargoLambda {
    /// Starts cargo-lambda's runtime on a free port, or answers `None` after printing why the
    /// test is skipped (no [`CARGO_LAMBDA_VAR`]).
    ///
    /// # Panics
    /// When [`REQUIRE_VAR`] is `1` and cargo-lambda is not named, or it does not start.
    pub async fn start_or_skip() -> Option<Self> {
        let Some(binary) = std::env::var(CARGO_LAMBDA_VAR)
            .ok()
            .filter(|value| !value.is_empty())
        else {
            assert!(
                std::env::var(REQUIRE_VAR).as_deref() != Ok("1"),
                "{CARGO_LAMBDA_VAR} is not set but {REQUIRE_VAR}=1"
            );
            println!("skipped: {CARGO_LAMBDA_VAR} is not set (infra/local/test.sh sets it)");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|address| address.port())
            .unwrap_or_else(|error| panic!("no free port: {error}"));
        let child = Command::new(&binary)
            .args(["lambda", "watch", "--only-lambda-apis", "-A", "127.0.0.1"])
            .args(["-P", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {binary}: {error}"));
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "cargo lambda watch did not listen on 127.0.0.1:{port} within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(Self {
            binary,
            port,
            child,
        })
    }

    /// The variables cargo-lambda asks a function it does not start to be run with.
    pub fn lambda_variables(&self) -> Vec<(String, String)> {
        [
            (
                "AWS_LAMBDA_RUNTIME_API",
                format!("http://127.0.0.1:{}/.rt", self.port),
            ),
            ("AWS_LAMBDA_FUNCTION_NAME", FUNCTION_NAME.to_owned()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "4096".to_owned()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "1".to_owned()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
    }

    /// Hands the event in `event_file` to the function through `cargo lambda invoke`; answers
    /// what it printed (the function's answer as JSON) or, when it failed, its error output.
    ///
    /// # Panics
    /// When `cargo lambda invoke` cannot be started.
    pub async fn invoke(&self, event_file: &Path) -> Result<String, String> {
        let mut command = Command::new(&self.binary);
        command
            .args(["lambda", "invoke", FUNCTION_NAME, "-A", "127.0.0.1"])
            .args(["-P", &self.port.to_string(), "--data-file"])
            .arg(event_file)
            .stdin(Stdio::null());
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .unwrap_or_else(|error| panic!("the invoke task failed: {error}"))
            .unwrap_or_else(|error| panic!("cannot run cargo lambda invoke: {error}"));
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }
}

impl Drop for CargoLambda {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
