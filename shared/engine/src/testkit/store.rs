//! A fake binding store: a version per binding, every write conditional on it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::faults::{Faults, RequestCounter, lock};
use crate::identity::{BindingId, OfficeHeartId};
use crate::ports::{
    BindingScope, BindingState, Commit, ListingToken, Mapping, MappingPage, MappingQuery,
    StateVersion, Store, StoreError,
};

#[derive(Debug, Default, Clone)]
struct Record {
    state: BindingState,
    mappings: BTreeMap<OfficeHeartId, Mapping>,
}

#[derive(Debug, Default)]
struct StoreState {
    bindings: HashMap<BindingId, Record>,
    /// Every mapping ever written (for tests that trace lineage).
    history: Vec<Mapping>,
}

/// An in-memory store.
#[derive(Debug)]
pub struct FakeStore {
    state: Mutex<StoreState>,
    faults: Arc<Faults>,
    page_size: Mutex<usize>,
    /// Requests per operation.
    pub requests: RequestCounter,
}

fn crashed() -> StoreError {
    StoreError::Unavailable("injected crash: connection lost".into())
}

impl FakeStore {
    /// An empty store.
    pub fn new(faults: Arc<Faults>) -> Self {
        Self {
            state: Mutex::new(StoreState::default()),
            faults,
            page_size: Mutex::new(100),
            requests: RequestCounter::default(),
        }
    }

    /// Sets how many mappings one `list_mappings` page holds.
    pub fn set_page_size(&self, size: usize) {
        *lock(&self.page_size) = size.max(1);
    }

    /// The binding's state as stored.
    pub fn state(&self, binding: &BindingId) -> BindingState {
        lock(&self.state)
            .bindings
            .get(binding)
            .map(|record| record.state.clone())
            .unwrap_or_default()
    }

    /// The binding's mappings as stored.
    pub fn mappings(&self, binding: &BindingId) -> Vec<Mapping> {
        lock(&self.state)
            .bindings
            .get(binding)
            .map(|record| record.mappings.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Every mapping ever written, in order.
    pub fn history(&self) -> Vec<Mapping> {
        lock(&self.state).history.clone()
    }

    async fn enter(&self, operation: &'static str) -> Result<(), StoreError> {
        self.faults.checkpoint().await;
        self.requests.hit(operation);
        self.faults.alive().map_err(|_| crashed())
    }
}

fn matches(query: &MappingQuery, mapping: &Mapping) -> bool {
    query.officeheart_ids.contains(&mapping.officeheart_id)
        || query.exchange_item_ids.contains(&mapping.exchange_item_id)
        || query.exchange_uids.contains(&mapping.exchange_uid)
}

#[async_trait]
impl Store for FakeStore {
    async fn load(&self, scope: &BindingScope) -> Result<BindingState, StoreError> {
        self.enter("load").await?;
        Ok(self.state(&scope.binding))
    }

    async fn find_mappings(
        &self,
        scope: &BindingScope,
        query: &MappingQuery,
    ) -> Result<Vec<Mapping>, StoreError> {
        self.enter("find_mappings").await?;
        Ok(self
            .mappings(&scope.binding)
            .into_iter()
            .filter(|mapping| matches(query, mapping))
            .collect())
    }

    async fn list_mappings(
        &self,
        scope: &BindingScope,
        page: Option<&ListingToken>,
    ) -> Result<MappingPage, StoreError> {
        self.enter("list_mappings").await?;
        // The token is the last OfficeHeart id handed out: pages stay consistent across writes.
        let after = page
            .map(|token| OfficeHeartId::parse(&token.0))
            .transpose()
            .map_err(|error| StoreError::Corrupt(format!("bad page token: {error}")))?;
        let size = *lock(&self.page_size);
        let store = lock(&self.state);
        let Some(record) = store.bindings.get(&scope.binding) else {
            return Ok(MappingPage::default());
        };
        let rest = match &after {
            Some(after) => record
                .mappings
                .range::<OfficeHeartId, _>((
                    std::ops::Bound::Excluded(after),
                    std::ops::Bound::Unbounded,
                ))
                .collect::<Vec<_>>(),
            None => record.mappings.iter().collect(),
        };
        let mappings: Vec<Mapping> = rest
            .iter()
            .take(size)
            .map(|(_, mapping)| (*mapping).clone())
            .collect();
        let next = (rest.len() > size)
            .then(|| mappings.last())
            .flatten()
            .map(|last| ListingToken(last.officeheart_id.to_string()));
        Ok(MappingPage { mappings, next })
    }

    async fn commit(
        &self,
        scope: &BindingScope,
        expected: StateVersion,
        commit: &Commit,
    ) -> Result<StateVersion, StoreError> {
        self.enter("commit").await?;
        let version = {
            let mut store = lock(&self.state);
            let mut record = store
                .bindings
                .get(&scope.binding)
                .cloned()
                .unwrap_or_default();
            if record.state.version != expected {
                return Err(StoreError::Conflict);
            }
            for id in &commit.mapping_removals {
                record.mappings.remove(id);
            }
            for mapping in &commit.mapping_upserts {
                record
                    .mappings
                    .insert(mapping.officeheart_id.clone(), mapping.clone());
            }
            let intents = &mut record.state.intents;
            intents.retain(|intent| {
                !commit.intents_removed.contains(&intent.officeheart_id)
                    && !commit
                        .intents_added
                        .iter()
                        .any(|added| added.officeheart_id == intent.officeheart_id)
            });
            intents.extend(commit.intents_added.iter().cloned());
            let unconfirmed = &mut record.state.unconfirmed_items;
            for item_id in &commit.unconfirmed_added {
                if !unconfirmed.contains(item_id) {
                    unconfirmed.push(item_id.clone());
                }
            }
            unconfirmed.retain(|item_id| !commit.unconfirmed_removed.contains(item_id));
            if let Some(position) = &commit.mailbox_sync_state {
                record.state.mailbox_sync_state = Some(position.clone());
            }
            if let Some(cursor) = &commit.agenda_cursor {
                record.state.agenda_cursor = Some(cursor.clone());
            }
            if let Some(status) = &commit.status {
                record.state.status = Some(status.clone());
            }
            record.state.version = StateVersion(expected.0 + 1);
            record.state.mapping_count = record.mappings.len() as u64;
            let version = record.state.version;
            store.history.extend(commit.mapping_upserts.iter().cloned());
            store.bindings.insert(scope.binding.clone(), record);
            version
        };
        self.faults.effect().map_err(|_| crashed())?;
        Ok(version)
    }
}
