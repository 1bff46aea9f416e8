//! The settings-API function from its environment against DynamoDB, Secrets Manager and SQS on
//! the local stack, answering the Function URL events in `infra/events/` as `lambda_http`
//! hands them to the router.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

use aws_config::SdkConfig;
use http_body_util::BodyExt;
use ohsync_aws_env::{EnvError, Environment, test_stack};
use ohsync_jobs_sqs::QUEUE_URL_VAR;
use ohsync_settings_api::{CallerTokens, router};
use ohsync_settings_api_function::{API_TOKENS_SECRET_VAR, api_state_from_env};
use ohsync_store_dynamodb::{TABLE_VARIABLE, create_table};
use serde_json::{Value, json};
use tower_service::Service;

/// The bearer token the events in `infra/events/` carry for tenant `acme`.
const EVENT_TOKEN: &str = "oh-acme-7Qm2vXz9KpL4wN8rT1sY";
/// The password in the PUT event's body.
const EVENT_PASSWORD: &str = "Welkom01!";

fn event(name: &str) -> Value {
    let path = format!("{}/../../infra/events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A fresh table, FIFO queue and caller-tokens secret, and the function's environment.
struct Stack {
    sdk: SdkConfig,
    env: Environment,
    /// The function's variables, as `env` holds them.
    variables: Vec<(String, String)>,
    queue_url: String,
}

impl Stack {
    async fn start() -> Option<Self> {
        let endpoint = test_stack::endpoint_or_skip()?;
        let sdk = test_stack::sdk_config(&endpoint).await;
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let table = format!("ohsync-test-{unique}");
        create_table(&aws_sdk_dynamodb::Client::new(&sdk), &table)
            .await
            .unwrap();
        let queue_url = test_stack::create_fifo_queue(&sdk).await;
        let tokens_secret = test_stack::create_secret(
            &sdk,
            "ohsync-test/api-caller-tokens",
            &json!({"tokens": [{"tenant": "acme", "sha256": CallerTokens::sha256_hex(EVENT_TOKEN)}]})
                .to_string(),
        )
        .await;
        let variables: Vec<(String, String)> = [
            (TABLE_VARIABLE, table.as_str()),
            (QUEUE_URL_VAR, queue_url.as_str()),
            (API_TOKENS_SECRET_VAR, tokens_secret.as_str()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
        Some(Self {
            sdk,
            env: Environment::from_pairs(variables.clone()),
            variables,
            queue_url,
        })
    }
}

/// The router's answer to a Function URL event: status and JSON body.
async fn answer(app: &mut axum::Router, event: &Value) -> (u16, Value) {
    let request = lambda_http::request::from_str(&event.to_string()).unwrap();
    let response = app.call(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    (status, body)
}

#[tokio::test]
async fn the_function_url_events_save_read_and_queue_through_aws() {
    let Some(stack) = Stack::start().await else {
        return;
    };
    let state = api_state_from_env(&stack.env, &stack.sdk).await.unwrap();
    let mut app = router(state);

    let (status, body) = answer(&mut app, &event("settings-api-put-exchange-settings.json")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["password_set"], true);
    assert!(!body.to_string().contains(EVENT_PASSWORD));
    let stored = aws_sdk_secretsmanager::Client::new(&stack.sdk)
        .get_secret_value()
        .secret_id("ohsync/acme/jan/exchange")
        .send()
        .await
        .unwrap();
    assert_eq!(stored.secret_string(), Some(EVENT_PASSWORD));

    let (status, body) = answer(&mut app, &event("settings-api-get-exchange-settings.json")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["username"], "jan");
    assert_eq!(body["password_set"], true);
    assert!(!body.to_string().contains(EVENT_PASSWORD));

    let (status, body) = answer(&mut app, &event("settings-api-sync-now.json")).await;
    assert_eq!(status, 202, "{body}");
    let received = aws_sdk_sqs::Client::new(&stack.sdk)
        .receive_message()
        .queue_url(&stack.queue_url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let messages = received.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let job = ohsync_jobs::SyncJob::from_message(messages[0].body().unwrap()).unwrap();
    assert_eq!((job.tenant.as_str(), job.user.as_str()), ("acme", "jan"));
}

#[tokio::test]
async fn events_without_the_tenants_token_are_refused() {
    let Some(stack) = Stack::start().await else {
        return;
    };
    let mut app = router(api_state_from_env(&stack.env, &stack.sdk).await.unwrap());
    let read = event("settings-api-get-exchange-settings.json");

    let mut anonymous = read.clone();
    anonymous["headers"]
        .as_object_mut()
        .unwrap()
        .remove("authorization");
    let (status, body) = answer(&mut app, &anonymous).await;
    assert_eq!(status, 401, "{body}");

    let mut wrong = read.clone();
    wrong["headers"]["authorization"] = json!("Bearer oh-acme-not-the-token");
    assert_eq!(answer(&mut app, &wrong).await.0, 401);

    let mut other_tenant = read;
    let path = "/v1/tenants/globex/users/jan/exchange-settings";
    other_tenant["rawPath"] = json!(path);
    other_tenant["requestContext"]["http"]["path"] = json!(path);
    let (status, body) = answer(&mut app, &other_tenant).await;
    assert_eq!(status, 403, "{body}");
}

#[tokio::test]
async fn a_missing_variable_or_unreadable_tokens_secret_is_named() {
    let Some(stack) = Stack::start().await else {
        return;
    };
    for variable in [TABLE_VARIABLE, QUEUE_URL_VAR, API_TOKENS_SECRET_VAR] {
        let env = stack.env.clone().with(variable, " ");
        let error = api_state_from_env(&env, &stack.sdk).await.unwrap_err();
        assert!(matches!(error, EnvError::Missing { variable: named, .. } if named == variable));
    }

    let malformed = test_stack::create_secret(
        &stack.sdk,
        "ohsync-test/api-caller-tokens",
        "{\"tokens\": \"oh-acme-secret-value\"}",
    )
    .await;
    let env = stack.env.clone().with(API_TOKENS_SECRET_VAR, &malformed);
    let error = api_state_from_env(&env, &stack.sdk).await.unwrap_err();
    assert_eq!(error.code(), "env_secret_unreadable");
    assert!(error.to_string().contains(API_TOKENS_SECRET_VAR), "{error}");
    assert!(
        !error.to_string().contains("oh-acme-secret-value"),
        "{error}"
    );

    let env = stack
        .env
        .clone()
        .with(API_TOKENS_SECRET_VAR, "ohsync-test/no-such-secret");
    let error = api_state_from_env(&env, &stack.sdk).await.unwrap_err();
    assert_eq!(error.code(), "env_secret_unreadable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_answers_function_url_events_through_the_lambda_runtime_api() {
    let Some(stack) = Stack::start().await else {
        return;
    };
    let endpoint = test_stack::endpoint_or_skip().unwrap();
    let api = test_stack::RuntimeApi::start().await;
    let mut variables = test_stack::function_variables(&endpoint);
    variables.extend(stack.variables.iter().cloned());
    let function = test_stack::FunctionProcess::spawn(
        env!("CARGO_BIN_EXE_ohsync-settings-api"),
        &api,
        &variables,
    );
    let limit = std::time::Duration::from_secs(60);

    let put = api
        .invoke(event("settings-api-put-exchange-settings.json"), limit)
        .await;
    let get = api
        .invoke(event("settings-api-get-exchange-settings.json"), limit)
        .await;
    let mut anonymous = event("settings-api-get-exchange-settings.json");
    anonymous["headers"]
        .as_object_mut()
        .unwrap()
        .remove("authorization");
    let refused = api.invoke(anonymous, limit).await;
    let (stdout, stderr) = function.stop().await;

    let status_and_body = |answer: Option<test_stack::Answer>| match answer {
        Some(test_stack::Answer::Response(response)) => (
            response["statusCode"].as_u64().unwrap(),
            serde_json::from_str::<Value>(response["body"].as_str().unwrap()).unwrap(),
        ),
        other => panic!("no response: {other:?}\n{stdout}\n{stderr}"),
    };
    let (status, body) = status_and_body(put);
    assert_eq!(status, 201, "{body}");
    let (status, body) = status_and_body(get);
    assert_eq!(
        (status, &body["password_set"]),
        (200, &json!(true)),
        "{body}"
    );
    let (status, body) = status_and_body(refused);
    assert_eq!(status, 401, "{body}");
    assert!(!stdout.contains(EVENT_PASSWORD) && !stderr.contains(EVENT_PASSWORD));
    assert!(!stdout.contains(EVENT_TOKEN) && !stderr.contains(EVENT_TOKEN));
}
