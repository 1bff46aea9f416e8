//! The local stack and the simulators for the sync-worker function's tests: a fresh DynamoDB
//! table, the OfficeHeart token in Secrets Manager, users saved as the settings API saves them
//! (password in Secrets Manager, settings in the table), and the Lambda events built from the
//! JSON SQS and EventBridge send.
#![allow(dead_code, reason = "each test binary uses a different part")]
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

use aws_config::SdkConfig;
use aws_lambda_events::event::sqs::SqsEvent;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use lambda_runtime::{Context, LambdaEvent};
use ohsync_aws_env::{Environment, test_stack};
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_engine::ports::{BindingScope, BindingState, SecretName, Secrets, Store};
use ohsync_ews_sim::{EwsSimulator, RunningSim, SimConfig, SimUser};
use ohsync_jobs::{JobTrigger, SyncJob};
use ohsync_officeheart::AppointmentData;
use ohsync_oh_sim::Simulator;
use ohsync_secrets::SecretsManagerSecrets;
use ohsync_settings::store::SettingsStore;
use ohsync_settings::{ExchangeSettingsInput, OperatorPolicy, SecretRef, StoredSettings, validate};
use ohsync_store_dynamodb::{
    DynamoHostSlots, DynamoSettingsStore, DynamoStore, TABLE_VARIABLE, create_table,
};
use ohsync_sync_worker_function::OFFICEHEART_TOKEN_SECRET_VAR;
use ohsync_worker::OFFICEHEART_URL_VAR;
use secrecy::SecretString;
use serde_json::json;

/// Exchange accounts on the simulator: (account, password, SMTP address).
pub const ACCOUNTS: [(&str, &str, &str); 3] = [
    ("jan", "Geheim!1", "jan@ohsim.example"),
    ("piet", "Geheim!2", "piet@ohsim.example"),
    ("kees", "Geheim!3", "kees@ohsim.example"),
];

/// A tenant of its own, the stack, both simulators, and the function's environment.
pub struct Stack {
    pub sdk: SdkConfig,
    pub endpoint: String,
    pub table: String,
    pub tenant: TenantId,
    pub ews: RunningSim,
    pub oh: Simulator,
    pub env: Environment,
    /// The function's variables, as `env` holds them.
    pub variables: Vec<(String, String)>,
}

impl Stack {
    /// `None` (after saying so) without the local stack.
    pub async fn start() -> Option<Self> {
        let endpoint = test_stack::endpoint_or_skip()?;
        let sdk = test_stack::sdk_config(&endpoint).await;
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let table = format!("ohsync-test-{unique}");
        create_table(&aws_sdk_dynamodb::Client::new(&sdk), &table)
            .await
            .unwrap();
        let tenant = TenantId::parse(&format!("t-{}", &unique[..12])).unwrap();
        let token = format!("oh-agenda-{unique}");
        let token_secret =
            test_stack::create_secret(&sdk, "ohsync-test/officeheart-token", &token).await;
        let mut config = SimConfig::default();
        for (account, password, smtp) in ACCOUNTS {
            config = config.with_user(SimUser::new("OHSIM", account, password, smtp));
        }
        let ews = EwsSimulator::start(config, "127.0.0.1:0").await.unwrap();
        let oh = Simulator::start(ohsync_oh_sim::SimConfig::new().grant(
            ohsync_officeheart::TenantId::new(tenant.as_str()).unwrap(),
            token,
        ))
        .await
        .unwrap();
        let variables: Vec<(String, String)> = [
            (TABLE_VARIABLE, table.as_str()),
            (OFFICEHEART_URL_VAR, oh.url().as_str()),
            (OFFICEHEART_TOKEN_SECRET_VAR, token_secret.as_str()),
            (ohsync_settings::PRIVATE_HOSTS_VAR, "127.0.0.1"),
            (ohsync_settings::HTTP_HOSTS_VAR, "127.0.0.1"),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
        let env = Environment::from_pairs(variables.clone());
        Some(Self {
            sdk,
            endpoint,
            table,
            tenant,
            ews,
            oh,
            env,
            variables,
        })
    }

    pub fn settings_store(&self) -> DynamoSettingsStore {
        DynamoSettingsStore::new(aws_sdk_dynamodb::Client::new(&self.sdk), &self.table)
    }

    /// The per-host run slots the workers share, in the stack's table.
    pub fn host_slots(&self) -> DynamoHostSlots {
        DynamoHostSlots::new(aws_sdk_dynamodb::Client::new(&self.sdk), &self.table)
    }

    /// Saves `user`'s settings at `ews_url` with `password`, as the settings API does.
    pub async fn save(&self, user: &str, ews_url: &str, password: &str) -> StoredSettings {
        let user = UserId::parse(user).unwrap();
        let operator = OperatorPolicy::parse("127.0.0.1", "127.0.0.1").unwrap();
        let input = ExchangeSettingsInput {
            ews_url: Some(ews_url.to_owned()),
            exchange_version: Some("Exchange2016".into()),
            username: Some(user.as_str().to_owned()),
            domain: Some("OHSIM".into()),
            password: Some(SecretString::from(password)),
            ..ExchangeSettingsInput::default()
        };
        let validated = validate(input, &operator).unwrap();
        let written = SecretsManagerSecrets::new(&self.sdk)
            .write(
                &SecretName::exchange_password(&self.tenant, &user),
                validated.password.as_ref().unwrap(),
            )
            .await
            .unwrap();
        let secret = SecretRef {
            name: written.name.to_string(),
            version_id: written.version_id.to_string(),
        };
        let record =
            StoredSettings::new(&self.tenant, &user, &validated, secret, Utc::now()).unwrap();
        self.settings_store()
            .put(&self.tenant, &user, &record, None)
            .await
            .unwrap();
        record
    }

    /// Saves `user`'s settings at an Exchange that does not answer (a port nobody listens on).
    pub async fn save_unreachable(&self, user: &str) -> StoredSettings {
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let url = format!("http://{closed}/EWS/Exchange.asmx");
        self.save(user, &url, "Geheim!3").await
    }

    /// Creates an hour-long appointment in `smtp`'s Exchange calendar, as Outlook would.
    pub fn ex_create(&self, smtp: &str, subject: &str, start: DateTime<Utc>) {
        self.ews
            .mailbox(smtp)
            .unwrap()
            .create(
                &ohsync_ews_sim::ItemPatch::new()
                    .subject(subject)
                    .start(start)
                    .end(start + TimeDelta::hours(1)),
            )
            .unwrap();
    }

    /// The binding state `settings` lead to.
    pub async fn state(&self, user: &str, settings: &StoredSettings) -> BindingState {
        DynamoStore::new(aws_sdk_dynamodb::Client::new(&self.sdk), &self.table)
            .load(&BindingScope {
                tenant: self.tenant.clone(),
                user: UserId::parse(user).unwrap(),
                binding: settings.binding_id.clone(),
            })
            .await
            .unwrap()
    }

    /// A tick job for `user`.
    pub fn job(&self, user: &str) -> SyncJob {
        SyncJob {
            tenant: self.tenant.clone(),
            user: UserId::parse(user).unwrap(),
            trigger: JobTrigger::Tick { tick: Utc::now() },
        }
    }

    pub fn oh_seed(&self, user: &str, subject: &str, start: DateTime<Utc>) {
        self.oh.seed(
            &ohsync_officeheart::TenantId::new(self.tenant.as_str()).unwrap(),
            &ohsync_officeheart::UserId::new(user).unwrap(),
            oh_data(subject, start),
        );
    }

    pub fn ex_subjects(&self, smtp: &str) -> Vec<String> {
        self.ews
            .mailbox(smtp)
            .unwrap()
            .items()
            .into_iter()
            .filter_map(|item| item.subject)
            .collect()
    }
}

/// One SQS record as Lambda delivers it from a FIFO queue.
pub struct Record {
    pub id: String,
    pub body: String,
    pub group: String,
}

impl Record {
    /// The record carrying `job`.
    pub fn of(job: &SyncJob) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            body: job.to_message(),
            group: job.group_key(),
        }
    }
}

/// A Lambda event from `infra/events/`.
pub fn event_json(name: &str) -> serde_json::Value {
    let path = format!("{}/../../infra/events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The event Lambda's SQS poller sends for `records` (each `infra/events/sync-worker-sqs-record.json`
/// with its id, body and group), read back as the handler's event with a deadline
/// `seconds_left` away.
pub fn sqs_event(records: &[Record], seconds_left: i64) -> LambdaEvent<SqsEvent> {
    let template = event_json("sync-worker-sqs-record.json");
    let records: Vec<_> = records
        .iter()
        .map(|record| {
            let mut json = template.clone();
            json["messageId"] = json!(record.id);
            json["receiptHandle"] = json!(format!("AQEB{}", record.id));
            json["body"] = json!(record.body);
            json["attributes"]["MessageGroupId"] = json!(record.group);
            json["attributes"]["MessageDeduplicationId"] = json!(format!("dedup-{}", record.id));
            json
        })
        .collect();
    let payload: SqsEvent = serde_json::from_value(json!({ "Records": records })).unwrap();
    LambdaEvent::new(payload, context(seconds_left))
}

/// An invocation context whose deadline is `seconds_left` away.
pub fn context(seconds_left: i64) -> Context {
    let mut context = Context::default();
    context.request_id = uuid::Uuid::new_v4().to_string();
    context.deadline =
        u64::try_from((Utc::now() + TimeDelta::seconds(seconds_left)).timestamp_millis()).unwrap();
    context
}

/// The ids of the records the response asks SQS to hand out again.
pub fn retried(response: &aws_lambda_events::event::sqs::SqsBatchResponse) -> Vec<String> {
    response
        .batch_item_failures
        .iter()
        .map(|failure| failure.item_identifier.clone())
        .collect()
}

/// A whole hour `days` from now.
pub fn at(days: i64) -> DateTime<Utc> {
    Utc::now().duration_trunc(TimeDelta::hours(1)).unwrap() + TimeDelta::days(days)
}

fn oh_data(subject: &str, start: DateTime<Utc>) -> AppointmentData {
    AppointmentData::new(
        subject,
        ohsync_officeheart::Schedule::timed(
            start.fixed_offset(),
            (start + TimeDelta::hours(1)).fixed_offset(),
        )
        .unwrap(),
        chrono_tz::Europe::Amsterdam,
    )
}
