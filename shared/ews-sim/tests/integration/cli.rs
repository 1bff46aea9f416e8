//! The `ews-sim` binary: prints its URL, serves, and logs one line per request without passwords.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use crate::common::get_calendar_folder;

#[test]
fn binary_prints_its_url_and_logs_requests_without_passwords() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ews-sim"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--server-version",
            "Exchange2019",
        ])
        .args(["--user", r"CLI\jan:s3cr3t:pw:jan@cli.example"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let url = url.trim().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/EWS/Exchange.asmx"),
        "{url}"
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (status, body) = runtime.block_on(async {
        let response = reqwest::Client::new()
            .post(&url)
            .basic_auth(r"CLI\jan", Some("s3cr3t:pw"))
            .body(get_calendar_folder())
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    });
    assert_eq!(status, 200);
    assert!(
        body.contains(r#"MajorVersion="15" MinorVersion="2""#),
        "{body}"
    );

    child.kill().unwrap();
    child.wait().unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let line = log
        .lines()
        .find(|line| line.contains("operation=GetFolder"))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(
        line.contains(r"user=CLI\jan")
            && line.contains("outcome=NoError")
            && line.contains("status=200"),
        "{line}"
    );
    assert!(
        !log.contains("s3cr3t"),
        "the password never reaches the log"
    );
}
