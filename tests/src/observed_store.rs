//! A binding store seen through a recorder: every call a run makes, with the binding it was
//! about, so that tests can count reads and writes and check which bindings a run touched.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use ohsync_engine::identity::BindingId;
use ohsync_engine::ports::{
    BindingScope, BindingState, Commit, ListingToken, Mapping, MappingPage, MappingQuery,
    StateVersion, Store, StoreError,
};

/// A call of the store port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreCall {
    /// `load` (a read).
    Load,
    /// `find_mappings` (a read).
    FindMappings,
    /// `list_mappings` (a read, only after a feed reset).
    ListMappings,
    /// `commit` (a write).
    Commit,
}

impl StoreCall {
    /// Whether the call only reads.
    pub fn is_read(self) -> bool {
        !matches!(self, Self::Commit)
    }
}

/// A store that records each call before passing it on.
pub struct ObservedStore {
    inner: Arc<dyn Store>,
    calls: Mutex<Vec<(StoreCall, BindingId)>>,
}

impl fmt::Debug for ObservedStore {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("ObservedStore")
            .field("calls", &self.calls())
            .finish_non_exhaustive()
    }
}

impl ObservedStore {
    /// Records the calls made to `inner`.
    pub fn new(inner: Arc<dyn Store>) -> Self {
        Self {
            inner,
            calls: Mutex::new(Vec::new()),
        }
    }

    /// The store itself, for reads that should not be counted (a test looking at the state).
    pub fn unobserved(&self) -> &Arc<dyn Store> {
        &self.inner
    }

    /// Every call since the last reset, in order.
    pub fn calls(&self) -> Vec<(StoreCall, BindingId)> {
        self.log().clone()
    }

    /// How many calls of one kind were made.
    pub fn count(&self, call: StoreCall) -> usize {
        self.log().iter().filter(|(made, _)| *made == call).count()
    }

    /// How many reading calls were made.
    pub fn reads(&self) -> usize {
        self.log().iter().filter(|(made, _)| made.is_read()).count()
    }

    /// How many writing calls were made.
    pub fn writes(&self) -> usize {
        self.log()
            .iter()
            .filter(|(made, _)| !made.is_read())
            .count()
    }

    /// Forgets the calls made so far.
    pub fn reset(&self) {
        self.log().clear();
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Vec<(StoreCall, BindingId)>> {
        // Recording is a push; a panic elsewhere cannot leave it half-done.
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, call: StoreCall, scope: &BindingScope) {
        self.log().push((call, scope.binding.clone()));
    }
}

#[async_trait]
impl Store for ObservedStore {
    async fn load(&self, scope: &BindingScope) -> Result<BindingState, StoreError> {
        self.record(StoreCall::Load, scope);
        self.inner.load(scope).await
    }

    async fn find_mappings(
        &self,
        scope: &BindingScope,
        query: &MappingQuery,
    ) -> Result<Vec<Mapping>, StoreError> {
        self.record(StoreCall::FindMappings, scope);
        self.inner.find_mappings(scope, query).await
    }

    async fn list_mappings(
        &self,
        scope: &BindingScope,
        page: Option<&ListingToken>,
    ) -> Result<MappingPage, StoreError> {
        self.record(StoreCall::ListMappings, scope);
        self.inner.list_mappings(scope, page).await
    }

    async fn commit(
        &self,
        scope: &BindingScope,
        expected: StateVersion,
        commit: &Commit,
    ) -> Result<StateVersion, StoreError> {
        self.record(StoreCall::Commit, scope);
        self.inner.commit(scope, expected, commit).await
    }
}
