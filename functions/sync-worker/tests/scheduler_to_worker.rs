//! Scheduler → queue → worker on the local stack: an EventBridge tick through the scheduler
//! function queues a job per active user on an SQS FIFO queue on moto; the messages, received
//! as Lambda's poller receives them, go through the worker function; the appointment saved in
//! OfficeHeart is in Exchange afterwards.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_sdk_sqs::types::MessageSystemAttributeName;
use lambda_runtime::LambdaEvent;
use ohsync_scheduler_function::Scheduler;
use ohsync_sync_worker_function::{handle, worker_from_env};
use support::{Record, Stack, at, context, retried, sqs_event};

#[tokio::test]
async fn a_tick_reaches_the_worker_and_the_change_shows_on_the_other_side() {
    let Some(stack) = Stack::start().await else {
        return;
    };
    stack.save("jan", &stack.ews.url(), "Geheim!1").await;
    stack.save("piet", &stack.ews.url(), "Geheim!2").await;
    stack.oh_seed("jan", "Offerte Jansen", at(2));
    stack.oh_seed("piet", "Keuring", at(4));
    let sqs = aws_sdk_sqs::Client::new(&stack.sdk);
    let queue_url = ohsync_aws_env::test_stack::create_fifo_queue(&stack.sdk).await;
    let env = stack
        .env
        .clone()
        .with(ohsync_jobs_sqs::QUEUE_URL_VAR, &queue_url);
    let scheduler = Scheduler::from_env(&env, &stack.sdk).unwrap();
    let worker = worker_from_env(&env, &stack.sdk).await.unwrap();

    let mut tick = support::event_json("scheduler-tick.json");
    tick["time"] = serde_json::json!(chrono::Utc::now().to_rfc3339());
    let tick: EventBridgeEvent = serde_json::from_value(tick).unwrap();
    let summary = scheduler
        .handle(LambdaEvent::new(tick, context(60)))
        .await
        .unwrap();
    assert_eq!((summary.users_found, summary.jobs_queued), (2, 2));

    let received = sqs
        .receive_message()
        .queue_url(&queue_url)
        .max_number_of_messages(10)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap_or_default();
    assert_eq!(received.len(), 2);
    let records: Vec<Record> = received
        .iter()
        .map(|message| Record {
            id: message.message_id().unwrap().to_owned(),
            body: message.body().unwrap().to_owned(),
            group: message.attributes().unwrap()[&MessageSystemAttributeName::MessageGroupId]
                .clone(),
        })
        .collect();
    let response = handle(&worker, sqs_event(&records, 300)).await.unwrap();

    assert!(retried(&response).is_empty(), "{response:?}");
    assert_eq!(stack.ex_subjects("jan@ohsim.example"), ["Offerte Jansen"]);
    assert_eq!(stack.ex_subjects("piet@ohsim.example"), ["Keuring"]);
}
