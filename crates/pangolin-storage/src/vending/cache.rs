//! Vended credentials cached per (warehouse version, location, mode) for half their
//! lifetime: loads of a hot table cost one STS/SAS/token call per half-lifetime, and a client
//! never receives a credential with less than half of its lifetime left.

use std::collections::HashMap;

use chrono::Utc;
use pangolin_core::{Timestamp, WarehouseId};
use parking_lot::Mutex;

use super::{VendMode, VendedCredential};

/// Entries kept before expired ones are swept (and, if that is not enough, all dropped).
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub(crate) warehouse: WarehouseId,
    /// A changed warehouse (profile, secret) never serves credentials of its old version.
    pub(crate) version: Timestamp,
    pub(crate) location: String,
    pub(crate) mode: VendMode,
}

struct Entry {
    credential: VendedCredential,
    fresh_until: Timestamp,
}

#[derive(Default)]
pub(crate) struct VendCache {
    entries: Mutex<HashMap<Key, Entry>>,
}

impl VendCache {
    pub(crate) fn get(&self, key: &Key) -> Option<VendedCredential> {
        let entries = self.entries.lock();
        let entry = entries.get(key)?;
        (Utc::now() < entry.fresh_until).then(|| entry.credential.clone())
    }

    /// Caches an expiring credential until half of its remaining lifetime has passed.
    pub(crate) fn put(&self, key: Key, credential: &VendedCredential) {
        let Some(expires_at) = credential.expires_at else {
            return; // long-lived keys cost nothing to "vend" again
        };
        let now = Utc::now();
        if expires_at <= now {
            return;
        }
        let fresh_until = now + (expires_at - now) / 2;
        let mut entries = self.entries.lock();
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| e.fresh_until > now);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                credential: credential.clone(),
                fresh_until,
            },
        );
    }

    /// Forgets everything of a warehouse (deleted or changed).
    pub(crate) fn evict(&self, warehouse: WarehouseId) {
        self.entries.lock().retain(|k, _| k.warehouse != warehouse);
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::super::{CredentialStorage, SecretProperties};
    use super::*;

    fn credential(expires_in: Option<Duration>) -> VendedCredential {
        VendedCredential {
            prefix: "s3://b/t".into(),
            config: SecretProperties::default(),
            expires_at: expires_in.map(|d| Utc::now() + d),
            storage: CredentialStorage::S3,
        }
    }

    fn key(mode: VendMode) -> Key {
        Key {
            warehouse: WarehouseId::generate(),
            version: Utc::now(),
            location: "s3://b/t".into(),
            mode,
        }
    }

    #[test]
    fn caches_for_half_the_lifetime_only() {
        let cache = VendCache::default();
        let k = key(VendMode::Read);
        cache.put(k.clone(), &credential(Some(Duration::hours(1))));
        assert!(cache.get(&k).is_some());
        let other_mode = Key {
            mode: VendMode::ReadWrite,
            ..k.clone()
        };
        assert!(cache.get(&other_mode).is_none(), "modes never share");
        // Less than two seconds left: fresh for under a second.
        let short = key(VendMode::Read);
        cache.put(
            short.clone(),
            &credential(Some(Duration::milliseconds(1500))),
        );
        std::thread::sleep(std::time::Duration::from_millis(900));
        assert!(cache.get(&short).is_none());
    }

    #[test]
    fn static_and_expired_credentials_are_not_cached() {
        let cache = VendCache::default();
        let k = key(VendMode::Read);
        cache.put(k.clone(), &credential(None));
        assert!(cache.get(&k).is_none());
        cache.put(k.clone(), &credential(Some(Duration::seconds(-1))));
        assert!(cache.get(&k).is_none());
        cache.put(k.clone(), &credential(Some(Duration::hours(1))));
        cache.evict(k.warehouse);
        assert!(cache.get(&k).is_none());
    }
}
