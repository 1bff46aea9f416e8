//! Reading one shard of the active-users index, a page at a time, each read retried.

use ohsync_engine::identity::{TenantId, UserId};
use ohsync_jobs::Backoff;
use ohsync_settings::store::{
    ActiveUsersPage, IndexPage, SettingsStore, SettingsStoreError, Shard,
};

/// A page read, with how many reads it took.
pub(crate) struct PageRead {
    /// The page, or the last error once the tries ran out.
    pub(crate) page: Result<ActiveUsersPage, SettingsStoreError>,
    /// Reads made.
    pub(crate) attempts: u32,
}

impl PageRead {
    /// The users on the page (none when it failed).
    pub(crate) fn users(&self) -> &[(TenantId, UserId)] {
        self.page.as_ref().map_or(&[], |page| page.users.as_slice())
    }
}

/// One page of `shard` from `position`; a read the store may answer later (unavailable) is
/// tried again with back-off, a damaged index entry is not.
pub(crate) async fn read_page(
    settings: &dyn SettingsStore,
    shard: Shard,
    position: Option<&IndexPage>,
    backoff: &Backoff,
) -> PageRead {
    let mut attempts = 0;
    loop {
        if attempts > 0 {
            tokio::time::sleep(backoff.delay(attempts - 1)).await;
        }
        attempts += 1;
        match settings.active_users(shard, position).await {
            Err(error) if error.is_retryable() && backoff.may_retry(attempts) => {
                tracing::debug!(shard = %shard, attempts, %error, "index read failed; retrying");
            }
            page => return PageRead { page, attempts },
        }
    }
}
