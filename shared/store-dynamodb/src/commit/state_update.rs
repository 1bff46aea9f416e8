//! The conditional update of the state item, built clause by clause, for a transaction or a
//! single UpdateItem.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure, Update};
use ohsync_engine::ports::{Commit, StateVersion, StoreError};
use ohsync_store_contract::record::encode_status;

use crate::item::{self, CURSOR, Item, MAPPING_COUNT, STATUS, SYNC_STATE, VERSION};
use crate::keys::STATE;

/// State item: the token of the stepwise commit in progress.
pub(super) const LEASE: &str = "commit_lease";
/// State item: until when that lease holds (epoch seconds).
pub(super) const LEASE_UNTIL: &str = "commit_lease_until";

/// An update of the state item.
pub(super) struct StateUpdate {
    conditions: Vec<String>,
    sets: Vec<String>,
    removes: Vec<String>,
    names: HashMap<String, String>,
    values: Item,
}

fn number(n: impl ToString) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

impl StateUpdate {
    /// An update that applies only while the state is at `expected` (0: never committed).
    pub(super) fn at_version(expected: StateVersion) -> Self {
        let mut update = Self {
            conditions: Vec::new(),
            sets: Vec::new(),
            removes: Vec::new(),
            names: HashMap::new(),
            values: HashMap::new(),
        };
        let version = update.name(VERSION);
        if expected.0 == 0 {
            update.condition(format!("attribute_not_exists({version})"));
        } else {
            let expected = update.value("expected", number(expected.0));
            update.condition(format!("{version} = {expected}"));
        }
        update
    }

    /// The placeholder of an attribute name.
    pub(super) fn name(&mut self, attribute: &str) -> String {
        let placeholder = format!("#{attribute}");
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    /// The placeholder of a value.
    pub(super) fn value(&mut self, label: &str, value: AttributeValue) -> String {
        let placeholder = format!(":{label}");
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// Adds a clause the condition requires.
    pub(super) fn condition(&mut self, clause: String) {
        self.conditions.push(clause);
    }

    /// Sets an attribute.
    pub(super) fn set(&mut self, attribute: &str, value: AttributeValue) {
        let (name, value) = (self.name(attribute), self.value(attribute, value));
        self.sets.push(format!("{name} = {value}"));
    }

    /// Removes an attribute.
    pub(super) fn remove(&mut self, attribute: &str) {
        let name = self.name(attribute);
        self.removes.push(name);
    }

    /// Moves the mapping count by `delta`.
    pub(super) fn add_to_count(&mut self, delta: i64) {
        let count = self.name(MAPPING_COUNT);
        let (zero, delta) = (
            self.value("zero", number(0)),
            self.value("delta", number(delta)),
        );
        self.sets.push(format!(
            "{count} = if_not_exists({count}, {zero}) + {delta}"
        ));
    }

    /// Moves the version to `next` and sets the positions and status the commit carries.
    pub(super) fn finish(&mut self, next: StateVersion, commit: &Commit) {
        self.set(VERSION, number(next.0));
        let optional = [
            (
                SYNC_STATE,
                commit.mailbox_sync_state.as_ref().map(|s| s.0.clone()),
            ),
            (CURSOR, commit.agenda_cursor.as_ref().map(|c| c.0.clone())),
            (STATUS, commit.status.as_ref().map(encode_status)),
        ];
        for (attribute, value) in optional {
            if let Some(value) = value {
                self.set(attribute, AttributeValue::S(value));
            }
        }
    }

    fn expression(&self) -> String {
        let mut expression = format!("SET {}", self.sets.join(", "));
        if !self.removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", self.removes.join(", ")));
        }
        expression
    }

    fn condition_expression(&self) -> String {
        self.conditions.join(" AND ")
    }

    /// The update as an item of a transaction; a failed condition answers the stored item.
    pub(super) fn into_transaction_item(
        self,
        table: &str,
        partition: &str,
    ) -> Result<Update, StoreError> {
        Update::builder()
            .table_name(table)
            .set_key(Some(item::key(partition, STATE)))
            .update_expression(self.expression())
            .condition_expression(self.condition_expression())
            .set_expression_attribute_names(Some(self.names))
            .set_expression_attribute_values(Some(self.values))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .map_err(super::built)
    }

    /// The update applied to an UpdateItem request.
    pub(super) fn apply_to(
        self,
        request: UpdateItemFluentBuilder,
        partition: &str,
    ) -> UpdateItemFluentBuilder {
        request
            .set_key(Some(item::key(partition, STATE)))
            .update_expression(self.expression())
            .condition_expression(self.condition_expression())
            .set_expression_attribute_names(Some(self.names))
            .set_expression_attribute_values(Some(self.values))
    }
}
