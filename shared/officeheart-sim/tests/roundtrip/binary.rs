//! The `oh-sim` binary: command line, printed URL, run-time switches, log lines without tokens.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use ohsync_officeheart::{ClientConfig, OfficeHeartClient, OfficeHeartError, SecretString};

use crate::fixture::{TOKEN, acme, key, meeting, user};

/// The child process, killed when the test ends however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_oh-sim"));
    command
        .env("OH_SIM_TOKEN", TOKEN)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

#[tokio::test]
async fn the_binary_prints_its_url_and_takes_fault_switches_at_run_time() {
    let mut running = Running(
        command()
            .args(["--listen", "127.0.0.1:0", "--tenant", "acme"])
            .spawn()
            .unwrap(),
    );
    let mut url = String::new();
    BufReader::new(running.0.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let url = url.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let client = OfficeHeartClient::new(
        ClientConfig::new(url.parse().unwrap()),
        acme(),
        SecretString::from(TOKEN),
    )
    .unwrap();
    client
        .create_appointment(&user(), &key("k"), &meeting("Via binary", 0))
        .await
        .unwrap();
    let cursor = client
        .list_changes(&user(), None, None)
        .await
        .unwrap()
        .next_cursor;

    let http = reqwest::Client::new();
    let switch = serde_json::json!({ "fail_next": 1, "fail_with": "internal_error" });
    let refused = http
        .put(format!("{url}/_sim/faults"))
        .json(&switch)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401, "the switches need a token too");
    let accepted = http
        .put(format!("{url}/_sim/faults"))
        .bearer_auth(TOKEN)
        .json(&switch)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    let error = client.list_changes(&user(), None, None).await.unwrap_err();
    assert!(
        matches!(error, OfficeHeartError::Server { status: 500, .. }),
        "{error:?}"
    );

    client
        .create_appointment(&user(), &key("k2"), &meeting("Nog een", 1))
        .await
        .unwrap();
    let compact = http
        .post(format!("{url}/_sim/tenants/acme/users/jdevries/compact"))
        .bearer_auth(TOKEN);
    assert_eq!(compact.send().await.unwrap().status(), 204);
    let error = client
        .list_changes(&user(), Some(&cursor), None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, OfficeHeartError::CursorExpired { .. }),
        "{error:?}"
    );

    let stats: serde_json::Value = http
        .get(format!("{url}/_sim/stats"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let answered: u64 = stats
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["count"].as_u64().unwrap())
        .sum();
    assert_eq!(answered, 5, "two creates, three feed reads: {stats}");

    running.0.kill().unwrap();
    let mut log = String::new();
    running
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let request_lines = log
        .lines()
        .filter(|line| line.contains("request") && line.contains("/v1/"))
        .count();
    assert_eq!(request_lines, 5, "one line per API request:\n{log}");
    assert!(
        !log.contains(TOKEN),
        "the token must never be logged:\n{log}"
    );
}

#[test]
fn the_binary_refuses_to_listen_beyond_loopback() {
    let output = command().args(["--listen", "0.0.0.0:0"]).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a loopback address"));
}
