//! Pangolin's service layer, free of HTTP: every Iceberg catalog operation as a method of
//! [`Services`], taking a [`RequestContext`] and typed inputs, returning typed outputs.
//!
//! Phases of a mutating operation: validate → resolve (catalog, reference) → execute against
//! object storage and the store (one atomic store call, carrying its audit events) → clean up.

pub mod admin;
pub mod audit;
mod bounded;
pub mod branches;
mod cache;
mod errors;
mod guard;
mod handles;
pub mod identity;
mod lists;
pub mod namespaces;
mod pointers;
mod prefix;
pub mod tables;
pub mod vend;
pub mod views;

use std::sync::Arc;
use std::time::Duration;

use pangolin_core::CatalogId;
use pangolin_storage::StorageRegistry;
use pangolin_store::{DynStore, StoreChange};

pub use cache::{CachedMetadata, MetadataCache};
pub use handles::{CatalogHandle, Target, Version};
pub use pangolin_core::context::{AccessDelegation, Principal, PrincipalKind, RequestContext};
pub use prefix::{Prefix, VersionSpec};

/// Tunables of the service layer, taken from the server configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Upper bound of the parsed/serialized metadata cache, in bytes of metadata JSON.
    pub metadata_cache_bytes: u64,
    /// How long a resolved catalog (catalog + warehouse + IO) is reused without re-reading it.
    /// Changes made through this server invalidate it at once; the TTL bounds staleness when
    /// several servers share one store.
    pub catalog_cache_ttl: Duration,
    /// How often a commit that lost a race on the metadata pointer is re-based and retried
    /// before answering 409.
    pub commit_retries: u32,
    /// How many table/view pointers (and resolved references) are cached for loads.
    pub pointer_cache_entries: usize,
    /// Authentication: tokens, caches, external issuers.
    pub auth: identity::AuthSettings,
    /// Directories under which tenant admins may create `file` warehouses (absolute,
    /// canonical). Empty: no file warehouse can be created through the API.
    pub file_warehouse_roots: Vec<std::path::PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            metadata_cache_bytes: 64 * 1024 * 1024,
            catalog_cache_ttl: Duration::from_secs(10),
            commit_retries: 8,
            pointer_cache_entries: 100_000,
            file_warehouse_roots: Vec::new(),
            auth: identity::AuthSettings::default(),
        }
    }
}

/// The service layer; cheap to clone.
#[derive(Clone)]
pub struct Services {
    inner: Arc<Inner>,
}

struct Inner {
    store: DynStore,
    storage: Arc<StorageRegistry>,
    handles: handles::HandleCache,
    metadata: MetadataCache,
    pointers: pointers::PointerCache,
    identity: identity::IdentityState,
    /// Storage access already on the audit record (`tables::vend_log`).
    vends: tables::VendLog,
    settings: Settings,
}

impl Services {
    /// `InvalidInput` when an external issuer in `settings.auth` is misconfigured.
    pub fn new(
        store: DynStore,
        storage: Arc<StorageRegistry>,
        settings: Settings,
    ) -> pangolin_core::Result<Self> {
        Ok(Services {
            inner: Arc::new(Inner {
                identity: identity::IdentityState::new(&settings.auth)?,
                vends: tables::VendLog::default(),
                handles: handles::HandleCache::new(settings.catalog_cache_ttl),
                metadata: MetadataCache::new(settings.metadata_cache_bytes),
                pointers: pointers::PointerCache::new(settings.pointer_cache_entries),
                store,
                storage,
                settings,
            }),
        })
    }

    pub fn store(&self) -> &DynStore {
        &self.inner.store
    }

    pub fn storage(&self) -> &Arc<StorageRegistry> {
        &self.inner.storage
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    pub(crate) fn identity(&self) -> &identity::IdentityState {
        &self.inner.identity
    }

    /// Forgets what is cached about a catalog whose versioned state changed (or may have).
    pub(crate) fn catalog_changed(&self, catalog: CatalogId) {
        self.inner.pointers.changed(catalog);
    }

    /// After a store commit: a landed commit, or one whose outcome is unknown, changed (or may
    /// have changed) the catalog's pointers.
    pub(crate) fn note_commit<T>(&self, catalog: CatalogId, outcome: &pangolin_core::Result<T>) {
        if matches!(
            outcome,
            Ok(_) | Err(pangolin_core::Error::CommitStateUnknown(_))
        ) {
            self.catalog_changed(catalog);
        }
    }

    /// Checks a warehouse's storage with real requests (probe object write/read/list/delete,
    /// and vending when configured); see [`pangolin_storage::ValidationReport`].
    pub async fn validate_warehouse(
        &self,
        warehouse: &pangolin_core::model::Warehouse,
    ) -> pangolin_storage::ValidationReport {
        self.storage().validate(warehouse).await
    }

    /// Applies a change another server announced on the store's change feed.
    pub fn apply_store_change(&self, change: StoreChange) {
        match change {
            StoreChange::Catalog(catalog) => {
                self.inner.pointers.changed(catalog);
                self.inner.handles.forget_catalog(catalog);
            }
            StoreChange::Everything => {
                self.inner.pointers.changed_all();
                self.inner.handles.forget_all();
            }
        }
    }
}
