//! Paged enumeration. A page position is the last (tenant, user) handed out, so every backend
//! resumes the same way and a position stays valid while users come and go.

use ohsync_engine::identity::{TenantId, UserId};

/// Where the next page starts: after this user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndexPage {
    tenant: TenantId,
    user: UserId,
}

impl IndexPage {
    /// The position after `user` of `tenant`.
    pub fn after(tenant: TenantId, user: UserId) -> Self {
        Self { tenant, user }
    }

    /// The tenant of the last user handed out.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// The last user handed out.
    pub fn user(&self) -> &UserId {
        &self.user
    }
}

/// One page of a shard of the active-users index.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActiveUsersPage {
    /// The active users on this page, in (tenant, user) order.
    pub users: Vec<(TenantId, UserId)>,
    /// Where the next page starts; `None` on the last page. A page before the last may be
    /// empty (a backend may only learn at the next read that nothing follows).
    pub next: Option<IndexPage>,
}

/// One page of a tenant's users.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TenantUsersPage {
    /// The users on this page, in order.
    pub users: Vec<UserId>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<IndexPage>,
}
