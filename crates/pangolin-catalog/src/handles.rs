//! Resolving a request's `{prefix}` to a catalog, its warehouse and its object IO. This sits on
//! every request's path, so resolutions are cached (explicitly invalidated on change, and
//! bounded by a TTL for changes made by other servers sharing the store).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pangolin_core::context::RequestContext;
use pangolin_core::model::{Catalog, CatalogKind, RefKind, Warehouse};
use pangolin_core::{CatalogId, Error, Name, Result, TenantId};
use pangolin_storage::WarehouseIo;
use parking_lot::RwLock;

use crate::{Prefix, Services};

/// A local catalog with everything needed to serve it.
pub struct CatalogHandle {
    pub catalog: Catalog,
    pub warehouse: Warehouse,
    pub io: Arc<WarehouseIo>,
}

/// A catalog and the reference (branch or tag) a request addresses.
#[derive(Clone)]
pub struct Target {
    pub handle: Arc<CatalogHandle>,
    pub reference: Name,
    /// Whether `reference` is a branch (writable); tags are read-only.
    pub writable: bool,
}

impl Target {
    pub fn catalog_id(&self) -> CatalogId {
        self.handle.catalog.id
    }

    pub fn io(&self) -> &WarehouseIo {
        &self.handle.io
    }

    /// The audit resource name of `what` (e.g. `table`, `ns.t`) in this catalog.
    pub fn resource(&self, kind: &str, what: impl fmt::Display) -> String {
        format!(
            "catalog/{}@{}/{kind}/{what}",
            self.handle.catalog.name, self.reference
        )
    }

    /// Refuses writes to tags with a clear 400.
    pub fn require_writable(&self) -> Result<()> {
        if self.writable {
            return Ok(());
        }
        Err(Error::invalid(format!(
            "'{}' is a tag of catalog '{}'; tags are read-only",
            self.reference, self.handle.catalog.name
        )))
    }
}

/// Resolved catalogs by (tenant, name), with the time they were resolved.
type HandleMap = HashMap<(TenantId, Name), (Instant, Arc<CatalogHandle>)>;

pub(crate) struct HandleCache {
    ttl: Duration,
    entries: RwLock<HandleMap>,
}

impl HandleCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        HandleCache {
            ttl,
            entries: RwLock::new(HashMap::new()),
        }
    }

    fn get(&self, tenant: TenantId, name: &Name) -> Option<Arc<CatalogHandle>> {
        let entries = self.entries.read();
        let (at, handle) = entries.get(&(tenant, name.clone()))?;
        (at.elapsed() < self.ttl).then(|| handle.clone())
    }

    fn put(&self, tenant: TenantId, handle: Arc<CatalogHandle>) {
        let key = (tenant, handle.catalog.name.clone());
        self.entries.write().insert(key, (Instant::now(), handle));
    }

    fn invalidate_tenant(&self, tenant: TenantId) {
        self.entries.write().retain(|(t, _), _| *t != tenant);
    }
}

impl Services {
    /// The catalog and reference a request's prefix names, in the caller's tenant.
    pub async fn resolve(&self, ctx: &RequestContext, prefix: &Prefix) -> Result<Target> {
        let handle = self.catalog_handle(ctx.tenant_id, &prefix.catalog).await?;
        let writable = if prefix.is_main() {
            true
        } else {
            let reference = self
                .store()
                .get_ref(handle.catalog.id, &prefix.reference)
                .await?;
            reference.kind == RefKind::Branch
        };
        Ok(Target {
            handle,
            reference: prefix.reference.clone(),
            writable,
        })
    }

    /// The cached handle of catalog `name` of `tenant`.
    pub async fn catalog_handle(
        &self,
        tenant: TenantId,
        name: &Name,
    ) -> Result<Arc<CatalogHandle>> {
        if let Some(h) = self.inner.handles.get(tenant, name) {
            return Ok(h);
        }
        let catalog = self.store().get_catalog_by_name(tenant, name).await?;
        let warehouse_id = match &catalog.kind {
            CatalogKind::Local { warehouse_id } => *warehouse_id,
            CatalogKind::Federated(_) => {
                return Err(Error::NotImplemented(format!(
                    "catalog '{name}' is federated; serving federated catalogs is not available yet"
                )));
            }
        };
        let warehouse = self.store().get_warehouse(tenant, warehouse_id).await?;
        let io = self.storage().io(&warehouse)?;
        let handle = Arc::new(CatalogHandle {
            catalog,
            warehouse,
            io,
        });
        self.inner.handles.put(tenant, handle.clone());
        Ok(handle)
    }

    /// Forgets cached catalogs of `tenant`; call after changing a catalog or warehouse.
    pub fn invalidate_catalogs(&self, tenant: TenantId) {
        self.inner.handles.invalidate_tenant(tenant);
    }
}
