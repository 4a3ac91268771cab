//! Short-lived caches of what authentication reads from the store: accounts behind tokens,
//! API keys, and the grants of a principal. An entry is trusted for the TTL; changes this
//! server makes invalidate at once (accounts and keys by id, grants by a per-tenant
//! generation that every access change bumps).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pangolin_core::TenantId;
use pangolin_core::model::{Access, ApiKey, Grantee, ServiceUser, User};
use parking_lot::{Mutex, RwLock};
use quick_cache::sync::Cache;

const CAPACITY: usize = 50_000;

/// A cache whose entries expire after a TTL.
pub(crate) struct TtlCache<K: Eq + Hash + Clone, V: Clone> {
    ttl: Duration,
    entries: Cache<K, (Instant, V)>,
}

impl<K: Eq + Hash + Clone, V: Clone> TtlCache<K, V> {
    fn new(ttl: Duration) -> Self {
        TtlCache {
            ttl,
            entries: crate::bounded::bounded_cache(CAPACITY),
        }
    }

    pub(crate) fn get(&self, key: &K) -> Option<V> {
        let (at, value) = self.entries.get(key)?;
        (at.elapsed() < self.ttl).then_some(value)
    }

    pub(crate) fn put(&self, key: K, value: V) {
        self.entries.insert(key, (Instant::now(), value));
    }

    pub(crate) fn forget(&self, key: &K) {
        self.entries.remove(key);
    }

    pub(crate) fn clear(&self) {
        self.entries.clear();
    }
}

/// The grants cache key: the principal and the groups its credential asserted.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct GrantsKey {
    pub(crate) tenant: TenantId,
    pub(crate) principal: Grantee,
    pub(crate) groups: Arc<[String]>,
}

pub(crate) struct AuthCaches {
    pub(crate) users: TtlCache<String, Arc<User>>,
    pub(crate) api_keys: TtlCache<String, Arc<(ApiKey, ServiceUser)>>,
    pub(crate) service_users: TtlCache<String, Arc<ServiceUser>>,
    grants: TtlCache<GrantsKey, (u64, Arc<Access>)>,
    generations: RwLock<HashMap<TenantId, u64>>,
    /// Serializes generation bumps with the reads that tag entries.
    bump: Mutex<()>,
}

impl AuthCaches {
    pub(crate) fn new(ttl: Duration) -> Self {
        AuthCaches {
            users: TtlCache::new(ttl),
            api_keys: TtlCache::new(ttl),
            service_users: TtlCache::new(ttl),
            grants: TtlCache::new(ttl),
            generations: RwLock::new(HashMap::new()),
            bump: Mutex::new(()),
        }
    }

    pub(crate) fn generation(&self, tenant: TenantId) -> u64 {
        self.generations.read().get(&tenant).copied().unwrap_or(0)
    }

    /// The access (grants) cached for `key`, unless the tenant's access changed since they were read.
    pub(crate) fn grants(&self, key: &GrantsKey) -> Option<Arc<Access>> {
        let (generation, grants) = self.grants.get(key)?;
        (generation == self.generation(key.tenant)).then_some(grants)
    }

    /// Caches grants read while the tenant was at `generation` (read before the store read,
    /// so a change racing the read leaves an entry that is already stale).
    pub(crate) fn put_grants(&self, key: GrantsKey, generation: u64, grants: Arc<Access>) {
        self.grants.put(key, (generation, grants));
    }

    /// Roles, grants or assignments of `tenant` changed: every cached grant set of it is stale.
    pub(crate) fn access_changed(&self, tenant: TenantId) {
        let _serial = self.bump.lock();
        *self.generations.write().entry(tenant).or_insert(0) += 1;
    }
}
