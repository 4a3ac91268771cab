//! [`StorageRegistry`]: one [`WarehouseIo`] per warehouse version, built on first use.

use std::collections::HashMap;
use std::sync::Arc;

use pangolin_core::model::{StorageProfile, Warehouse, WarehouseSecret};
use pangolin_core::secret::{SealedSecret, SecretBox};
use pangolin_core::{Result, Timestamp, WarehouseId};
use parking_lot::Mutex;

use crate::backends;
use crate::io::WarehouseIo;
use crate::vending::{HttpClient, VendCache};

/// Builds and caches the IO of each warehouse. A warehouse whose `updated_at` (or storage
/// profile or secret) changed gets a fresh IO; the previous one is dropped from the cache and
/// lives on only while callers still hold it.
pub struct StorageRegistry {
    secrets: SecretBox,
    cache: Mutex<HashMap<WarehouseId, Cached>>,
    /// Credential vending: the token services' client and the vended credentials.
    pub(crate) http: HttpClient,
    pub(crate) vended: VendCache,
}

struct Cached {
    updated_at: Timestamp,
    storage: StorageProfile,
    secret: Option<SealedSecret>,
    io: Arc<WarehouseIo>,
}

impl Cached {
    fn is_for(&self, warehouse: &Warehouse) -> bool {
        self.updated_at == warehouse.updated_at
            && self.storage == warehouse.storage
            && self.secret == warehouse.secret
    }
}

impl std::fmt::Debug for StorageRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StorageRegistry({} cached)", self.cache.lock().len())
    }
}

impl StorageRegistry {
    pub fn new(secrets: SecretBox) -> Self {
        StorageRegistry {
            secrets,
            cache: Mutex::new(HashMap::new()),
            http: HttpClient::new(),
            vended: VendCache::default(),
        }
    }

    /// The server's key for credentials at rest: what warehouse (and federated catalog)
    /// secrets are sealed with before they are stored.
    pub fn secrets(&self) -> &SecretBox {
        &self.secrets
    }

    /// The IO for a warehouse: builds the object store from the typed profile and the opened
    /// secret once, then caches it.
    pub fn io(&self, warehouse: &Warehouse) -> Result<Arc<WarehouseIo>> {
        if let Some(cached) = self.cache.lock().get(&warehouse.id)
            && cached.is_for(warehouse)
        {
            return Ok(Arc::clone(&cached.io));
        }
        // Built outside the lock (the file backend creates its root directory). Two callers
        // racing here both build; the last insert wins and both IOs work.
        let io = Arc::new(self.build(warehouse)?);
        self.cache.lock().insert(
            warehouse.id,
            Cached {
                updated_at: warehouse.updated_at,
                storage: warehouse.storage.clone(),
                secret: warehouse.secret.clone(),
                io: Arc::clone(&io),
            },
        );
        Ok(io)
    }

    /// Drops the cached IO of a deleted warehouse (callers holding it keep a working copy).
    pub fn evict(&self, warehouse: WarehouseId) {
        self.cache.lock().remove(&warehouse);
        self.vended.evict(warehouse);
    }

    /// The warehouse's credential in plaintext, for the moment it is needed.
    pub(crate) fn open_secret(&self, warehouse: &Warehouse) -> Result<Option<WarehouseSecret>> {
        warehouse
            .secret
            .as_ref()
            .map(|sealed| WarehouseSecret::open(&self.secrets, warehouse.id, sealed))
            .transpose()
    }

    fn build(&self, warehouse: &Warehouse) -> Result<WarehouseIo> {
        warehouse.storage.validate()?;
        let secret = self.open_secret(warehouse)?;
        let store = backends::build(&warehouse.storage, secret, &warehouse.properties)?;
        WarehouseIo::new(&warehouse.storage.base_location(), store)
    }
}
