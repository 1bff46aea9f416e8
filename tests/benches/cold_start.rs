//! The three Lambda functions' release binaries: size, cold-start init time and the first
//! event, each binary run against a Lambda Runtime API on 127.0.0.1 with the local stack
//! behind it (DESIGN §8: worker init under 100 ms).
//!
//! Init time is from `spawn` to the binary's first `GET …/invocation/next`: process start,
//! the environment, the AWS SDK configuration, and what `main` reads before serving (the
//! worker: the OfficeHeart token from Secrets Manager; the settings API: the caller tokens).
//! On AWS the secret read crosses the network (add ~10–30 ms); here moto answers locally.
//!
//! `infra/local/with-stack.sh cargo bench -p ohsync-e2e --bench cold_start` (builds the three
//! binaries with `cargo build --release` first). `COLD_START_RUNS` sets the runs per function
//! (default 7).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark: a failure stops it with the reason"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use ohsync_aws_env::test_stack::{self, Answer, FunctionProcess, RuntimeApi};
use ohsync_settings_api::CallerTokens;
use ohsync_store_dynamodb::{TABLE_VARIABLE, create_table};
use serde_json::json;

/// (package, binary) of each function.
const FUNCTIONS: [(&str, &str); 3] = [
    ("ohsync-scheduler-function", "ohsync-scheduler"),
    ("ohsync-sync-worker-function", "ohsync-sync-worker"),
    ("ohsync-settings-api-function", "ohsync-settings-api"),
];

/// The release directory: the bench runs as TARGET/release/deps/cold_start-HASH.
fn release_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().and_then(Path::parent).unwrap().to_path_buf()
}

fn build() {
    println!("building the functions: cargo build --release (up to date: instant)");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command.args(["build", "--release"]);
    for (package, _) in FUNCTIONS {
        command.args(["-p", package]);
    }
    assert!(
        command.status().unwrap().success(),
        "the release build failed"
    );
}

/// The variables and first event of each function, over a fresh table, queue and secrets.
async fn setup(sdk: &SdkConfig, endpoint: &str) -> Vec<(Vec<(String, String)>, serde_json::Value)> {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let table = format!("ohsync-bench-{unique}");
    create_table(&aws_sdk_dynamodb::Client::new(sdk), &table)
        .await
        .unwrap();
    let queue_url = test_stack::create_fifo_queue(sdk).await;
    let token_secret =
        test_stack::create_secret(sdk, "ohsync-bench/officeheart-token", "oh-bench-token").await;
    let callers_secret = test_stack::create_secret(
        sdk,
        "ohsync-bench/api-caller-tokens",
        &json!({"tokens": [{"tenant": "acme", "sha256": CallerTokens::sha256_hex("oh-bench")}]})
            .to_string(),
    )
    .await;
    let base = |extra: &[(&str, &str)]| {
        let mut variables = test_stack::function_variables(endpoint);
        variables.push((TABLE_VARIABLE.to_owned(), table.clone()));
        variables.extend(
            extra
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
        );
        variables
    };
    let events = Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/events");
    let event = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(events.join(name)).unwrap()).unwrap()
    };
    let job = ohsync_jobs::SyncJob {
        tenant: ohsync_engine::identity::TenantId::parse("acme").unwrap(),
        user: ohsync_engine::identity::UserId::parse("nobody").unwrap(),
        trigger: ohsync_jobs::JobTrigger::SyncNow {
            requested_at: chrono::Utc::now(),
        },
    };
    let mut record = event("sync-worker-sqs-record.json");
    record["body"] = json!(job.to_message());
    record["attributes"]["MessageGroupId"] = json!(job.group_key());
    let mut get = event("settings-api-get-exchange-settings.json");
    get["headers"]["authorization"] = json!("Bearer oh-bench");
    vec![
        (
            base(&[("OHSYNC_SYNC_QUEUE_URL", &queue_url)]),
            event("scheduler-tick.json"),
        ),
        (
            base(&[
                ("OHSYNC_OFFICEHEART_URL", "http://127.0.0.1:9/"),
                ("OHSYNC_OFFICEHEART_TOKEN_SECRET", &token_secret),
            ]),
            json!({ "Records": [record] }),
        ),
        (
            base(&[
                ("OHSYNC_SYNC_QUEUE_URL", &queue_url),
                ("OHSYNC_API_TOKENS_SECRET", &callers_secret),
            ]),
            get,
        ),
    ]
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1_000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let runs: usize = std::env::var("COLD_START_RUNS")
        .ok()
        .and_then(|raw| raw.parse().ok())
        .unwrap_or(7)
        .max(1);
    build();
    let sdk = test_stack::sdk_config(&endpoint).await;
    let setups = setup(&sdk, &endpoint).await;
    println!(
        "| function | release binary | init (median of {runs}) | init (max) | first event (median) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: |");
    for ((_, binary), (variables, event)) in FUNCTIONS.iter().zip(setups) {
        let path = release_dir().join(binary);
        let size = std::fs::metadata(&path).unwrap().len();
        let mut inits = Vec::new();
        let mut firsts = Vec::new();
        for _ in 0..runs {
            let api = RuntimeApi::start().await;
            let process = FunctionProcess::spawn(path.to_str().unwrap(), &api, &variables);
            let polled = api.first_poll(Duration::from_secs(30)).await;
            let sent = Instant::now();
            let answer = api.invoke(event.clone(), Duration::from_secs(30)).await;
            let answered = sent.elapsed();
            let started = process.started;
            let (stdout, stderr) = process.stop().await;
            let polled =
                polled.unwrap_or_else(|| panic!("{binary} never polled:\n{stdout}\n{stderr}"));
            assert!(
                matches!(answer, Some(Answer::Response(_))),
                "{binary}: {answer:?}\n{stdout}\n{stderr}"
            );
            inits.push(polled - started);
            firsts.push(answered);
        }
        let max = inits.iter().max().copied().unwrap_or_default();
        println!(
            "| `{binary}` | {:.1} MiB | {} | {} | {} |",
            size as f64 / (1024.0 * 1024.0),
            ms(median(inits)),
            ms(max),
            ms(median(firsts)),
        );
    }
}
