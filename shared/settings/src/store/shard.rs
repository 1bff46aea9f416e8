//! The shards of the active-users index.
//!
//! 16 shards: the scheduler reads them with 16 concurrent requests, so enumeration takes about
//! one request's time; at 10,000 active users a shard holds about 625 entries (≈ 30 KB), one
//! page of any backend, and stays one page up to about 20,000 users per shard. More shards
//! would add requests per tick (each Query is billed at least half a read unit) without
//! making a single page faster to read. The count is part of the stored layout: changing it
//! means rebuilding the index.

use std::fmt;

use ohsync_engine::identity::{TenantId, UserId};
use sha2::{Digest, Sha256};

/// How many shards the active-users index has.
pub const SHARDS: u32 = 16;

/// One shard of the active-users index; only values below [`SHARDS`] exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Shard(u32);

impl Shard {
    /// The shard numbered `index`, if there is one.
    pub fn new(index: u32) -> Option<Self> {
        (index < SHARDS).then_some(Self(index))
    }

    /// Every shard, in order.
    pub fn all() -> impl Iterator<Item = Self> {
        (0..SHARDS).map(Self)
    }

    /// The shard of a user: a hash of (tenant, user) that stays the same across builds and
    /// platforms (SHA-256, not the standard library's hasher, whose output may change).
    pub fn of(tenant: &TenantId, user: &UserId) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"ohsync-active-shard-v1");
        for part in [tenant.as_str(), user.as_str()] {
            // Length-prefixed, so ("ab", "c") and ("a", "bc") hash apart.
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        let digest = hasher.finalize();
        let leading = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
        Self(leading % SHARDS)
    }

    /// The shard's number.
    pub fn index(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(n: usize) -> UserId {
        UserId::parse(&format!("user{n}@acme.nl")).unwrap()
    }

    #[test]
    fn only_shards_below_the_count_exist() {
        assert_eq!(Shard::new(SHARDS - 1).map(Shard::index), Some(SHARDS - 1));
        assert_eq!(Shard::new(SHARDS), None);
        assert_eq!(Shard::all().count(), SHARDS as usize);
        assert_eq!(Shard::new(3).unwrap().to_string(), "03");
    }

    #[test]
    fn the_shard_is_fixed_per_user_and_spreads_users_evenly() {
        let tenant = TenantId::parse("acme").unwrap();
        // Pinned (values computed independently with Python's hashlib): a changed hash would
        // strand every stored index entry.
        let pinned: Vec<_> = (0..4)
            .map(|n| Shard::of(&tenant, &user(n)).index())
            .collect();
        assert_eq!(pinned, [2, 4, 15, 15]);
        let mut counts = [0usize; SHARDS as usize];
        for n in 0..16_000 {
            counts[Shard::of(&tenant, &user(n)).index() as usize] += 1;
        }
        for count in counts {
            assert!((850..1150).contains(&count), "uneven shards: {counts:?}");
        }
        let other = TenantId::parse("acme2").unwrap();
        let moved = (0..100)
            .filter(|&n| Shard::of(&tenant, &user(n)) != Shard::of(&other, &user(n)))
            .count();
        assert!(moved > 80, "the tenant takes part in the hash");
    }
}
