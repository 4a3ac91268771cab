//! Resolving a request's `{prefix}` to a catalog, its warehouse and its object IO. This sits on
//! every request's path, so resolutions are cached (explicitly invalidated on change, and
//! bounded by a TTL for changes made by other servers sharing the store).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pangolin_core::context::RequestContext;
use pangolin_core::model::MAIN_BRANCH;
use pangolin_core::model::{Catalog, CatalogKind, RefKind, Warehouse};
use pangolin_core::{
    CatalogId, CommitId, Error, Kind, Name, PageRequest, Result, TenantId, Timestamp,
};
use pangolin_storage::WarehouseIo;
use parking_lot::RwLock;

use crate::prefix::VersionSpec;
use crate::{Prefix, Services, guard};

/// A local catalog with everything needed to serve it.
pub struct CatalogHandle {
    pub catalog: Catalog,
    pub warehouse: Warehouse,
    pub io: Arc<WarehouseIo>,
}

/// The concrete version of a catalog a request works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Version {
    /// A branch: readable and writable.
    Branch(Name),
    /// A tag: read-only.
    Tag(Name),
    /// One commit (time travel): read-only.
    Commit(CommitId),
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Branch(n) | Version::Tag(n) => write!(f, "@{n}"),
            Version::Commit(c) => write!(f, "#{c}"),
        }
    }
}

/// A catalog and the version of it a request addresses.
#[derive(Clone)]
pub struct Target {
    pub handle: Arc<CatalogHandle>,
    pub version: Version,
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
            "catalog/{}{}/{kind}/{what}",
            self.handle.catalog.name, self.version
        )
    }

    /// The branch writes go to; tags and commits are read-only (a clear 400).
    pub fn branch(&self) -> Result<&Name> {
        match &self.version {
            Version::Branch(b) => Ok(b),
            other => Err(Error::invalid(format!(
                "'{}{other}' is read-only: only branches can be written to",
                self.handle.catalog.name
            ))),
        }
    }

    pub fn require_writable(&self) -> Result<()> {
        self.branch().map(|_| ())
    }
}

/// What a catalog name resolves to: a local catalog this server serves, or a federated one.
enum Served {
    Local(Arc<CatalogHandle>),
    Federated(Box<Catalog>),
}

fn not_served(catalog: &Catalog) -> Error {
    Error::NotImplemented(format!(
        "catalog '{}' is federated; serving federated catalogs is not available yet",
        catalog.name
    ))
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

    pub(crate) fn forget_catalog(&self, catalog: CatalogId) {
        self.entries
            .write()
            .retain(|_, (_, h)| h.catalog.id != catalog);
    }

    pub(crate) fn forget_all(&self) {
        self.entries.write().clear();
    }

    fn invalidate_tenant(&self, tenant: TenantId) {
        self.entries.write().retain(|(t, _), _| *t != tenant);
    }
}

impl Services {
    /// The catalog and version a request's prefix names, in the caller's tenant, if the
    /// caller may see the catalog (`Forbidden` otherwise, before the version is looked at).
    pub async fn resolve(&self, ctx: &RequestContext, prefix: &Prefix) -> Result<Target> {
        let handle = self.visible_catalog(ctx, &prefix.catalog).await?;
        let version = self
            .resolve_version(handle.catalog.id, &prefix.version)
            .await?;
        Ok(Target { handle, version })
    }

    /// The served catalog `name` of the caller's tenant, if the caller may see it. A federated
    /// catalog is authorized exactly like a local one before it is refused as not served, so
    /// that no request to it can skip authorization (or its denial audit).
    pub(crate) async fn visible_catalog(
        &self,
        ctx: &RequestContext,
        name: &Name,
    ) -> Result<Arc<CatalogHandle>> {
        match self.lookup_catalog(ctx.tenant()?, name).await? {
            Served::Local(handle) => {
                guard::require_visible(ctx, &handle.catalog)?;
                Ok(handle)
            }
            Served::Federated(catalog) => {
                guard::require_visible(ctx, &catalog)?;
                Err(not_served(&catalog))
            }
        }
    }

    /// `main` costs nothing; other references and commits are checked to exist.
    pub(crate) async fn resolve_version(
        &self,
        catalog: CatalogId,
        spec: &VersionSpec,
    ) -> Result<Version> {
        match spec {
            VersionSpec::Ref(name) if name.as_str() == MAIN_BRANCH => {
                Ok(Version::Branch(name.clone()))
            }
            VersionSpec::Ref(name) => self.reference_version(catalog, name).await,
            VersionSpec::Commit(id) => {
                self.store().get_commit(catalog, *id).await?;
                Ok(Version::Commit(*id))
            }
            VersionSpec::Time { reference, at } => {
                let head = self.store().get_ref(catalog, reference).await?.head;
                self.commit_at_time(catalog, head, *at)
                    .await
                    .map(Version::Commit)
            }
        }
    }

    /// A branch or tag by name, cached per catalog generation.
    async fn reference_version(&self, catalog: CatalogId, name: &Name) -> Result<Version> {
        let generation = self.inner.pointers.generation(catalog);
        let key = (catalog, generation, name.clone());
        if let Some(version) = self.inner.pointers.version(&key) {
            return Ok(version);
        }
        let reference = self.store().get_ref(catalog, name).await?;
        let version = match reference.kind {
            RefKind::Branch => Version::Branch(reference.name),
            RefKind::Tag => Version::Tag(reference.name),
        };
        self.inner.pointers.put_version(key, version.clone());
        Ok(version)
    }

    /// The newest commit on the first-parent chain from `head` made at or before `at`.
    async fn commit_at_time(
        &self,
        catalog: CatalogId,
        head: CommitId,
        at: Timestamp,
    ) -> Result<CommitId> {
        let mut page = PageRequest::first(100);
        loop {
            let commits = self.store().list_commits(catalog, head, &page).await?;
            if let Some(found) = commits.items.iter().find(|c| c.created_at <= at) {
                return Ok(found.id);
            }
            match commits.next {
                Some(token) => page = PageRequest::after(token, Some(100)),
                None => {
                    return Err(Error::not_found(
                        Kind::Commit,
                        format!("at or before {}", at.to_rfc3339()),
                    ));
                }
            }
        }
    }

    /// The cached handle of catalog `name` of `tenant`, without authorization (callers
    /// acting for a request use [`Services::resolve`]).
    pub async fn catalog_handle(
        &self,
        tenant: TenantId,
        name: &Name,
    ) -> Result<Arc<CatalogHandle>> {
        match self.lookup_catalog(tenant, name).await? {
            Served::Local(handle) => Ok(handle),
            Served::Federated(catalog) => Err(not_served(&catalog)),
        }
    }

    async fn lookup_catalog(&self, tenant: TenantId, name: &Name) -> Result<Served> {
        if let Some(h) = self.inner.handles.get(tenant, name) {
            return Ok(Served::Local(h));
        }
        let catalog = self.store().get_catalog_by_name(tenant, name).await?;
        let warehouse_id = match &catalog.kind {
            CatalogKind::Local { warehouse_id } => *warehouse_id,
            CatalogKind::Federated(_) => return Ok(Served::Federated(Box::new(catalog))),
        };
        let warehouse = self.store().get_warehouse(tenant, warehouse_id).await?;
        let io = self.storage().io(&warehouse)?;
        let handle = Arc::new(CatalogHandle {
            catalog,
            warehouse,
            io,
        });
        self.inner.handles.put(tenant, handle.clone());
        Ok(Served::Local(handle))
    }

    /// Forgets cached catalogs of `tenant`; call after changing a catalog or warehouse.
    pub fn invalidate_catalogs(&self, tenant: TenantId) {
        self.inner.handles.invalidate_tenant(tenant);
        self.inner.pointers.changed_all();
    }
}
