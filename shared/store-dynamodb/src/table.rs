//! Creating the table, for tests and the local stack (on AWS the SAM template declares it).

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification, TimeToLiveStatus,
};

use crate::item::EXPIRES_AT;
use crate::keys::{PK, SK};

/// How long to wait for a new table to become active.
const ACTIVE_WITHIN: Duration = Duration::from_secs(120);

/// Why the table could not be created.
#[derive(Debug, thiserror::Error)]
#[error("could not create the DynamoDB table {table}: {detail}")]
pub struct TableError {
    /// The table.
    pub table: String,
    /// What failed.
    pub detail: String,
}

/// Creates the table as the SAM template declares it (string keys `pk` and `sk`, on-demand
/// billing, TTL on `expires_at`) and waits until it is active. An existing table is kept.
pub async fn create_table(client: &Client, table: &str) -> Result<(), TableError> {
    let failed = |detail: String| TableError {
        table: table.to_owned(),
        detail,
    };
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
    };
    let key = |name: &str, kind| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
    };
    let created = client
        .create_table()
        .table_name(table)
        .attribute_definitions(attribute(PK).map_err(|e| failed(e.to_string()))?)
        .attribute_definitions(attribute(SK).map_err(|e| failed(e.to_string()))?)
        .key_schema(key(PK, KeyType::Hash).map_err(|e| failed(e.to_string()))?)
        .key_schema(key(SK, KeyType::Range).map_err(|e| failed(e.to_string()))?)
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await;
    match created {
        Ok(_) => {}
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) => {}
        Err(error) => return Err(failed(DisplayErrorContext(&error).to_string())),
    }
    client
        .wait_until_table_exists()
        .table_name(table)
        .wait(ACTIVE_WITHIN)
        .await
        .map_err(|e| failed(DisplayErrorContext(&e).to_string()))?;

    let ttl = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(|e| failed(DisplayErrorContext(&e).to_string()))?;
    let enabled = ttl
        .time_to_live_description()
        .and_then(|description| description.time_to_live_status())
        .is_some_and(|status| {
            matches!(
                status,
                TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling
            )
        });
    if !enabled {
        let specification = TimeToLiveSpecification::builder()
            .attribute_name(EXPIRES_AT)
            .enabled(true)
            .build()
            .map_err(|e| failed(e.to_string()))?;
        client
            .update_time_to_live()
            .table_name(table)
            .time_to_live_specification(specification)
            .send()
            .await
            .map_err(|e| failed(DisplayErrorContext(&e).to_string()))?;
    }
    Ok(())
}
