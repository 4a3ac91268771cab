//! The per-area store traits. Every method documents its typed errors; every mutation takes
//! the audit events to persist atomically with it.

use std::sync::Arc;

use async_trait::async_trait;
use pangolin_core::audit::{AuditChainHead, AuditEvent, AuditResult, SealedAuditEvent};
use pangolin_core::model::{
    Catalog, Commit, Content, ContentKind, MergeOperation, MergeStatus, Namespace,
    PropertiesUpdate, Reference, Tenant, Warehouse,
};
use pangolin_core::{
    CatalogId, CommitId, ContentId, MergeId, Name, NamespaceIdent, Page, PageRequest, Properties,
    Result, TableIdent, TenantId, Timestamp, WarehouseId,
};

use crate::{
    AccessStore, ChangeFeed, CommitRequest, KeyStore, NewRef, ServiceUserStore, UserStore,
};

/// Everything Pangolin persists, as one object-safe handle.
pub trait Store:
    TenantStore
    + WarehouseStore
    + CatalogStore
    + NamespaceStore
    + ContentStore
    + RefStore
    + MergeStore
    + AuditStore
    + IdempotencyStore
    + UserStore
    + ServiceUserStore
    + KeyStore
    + AccessStore
    + StoreAdmin
    + 'static
{
}

impl<T> Store for T where
    T: TenantStore
        + WarehouseStore
        + CatalogStore
        + NamespaceStore
        + ContentStore
        + RefStore
        + MergeStore
        + AuditStore
        + IdempotencyStore
        + UserStore
        + ServiceUserStore
        + KeyStore
        + AccessStore
        + StoreAdmin
        + 'static
{
}

pub type DynStore = Arc<dyn Store>;

/// Tenants, ordered by name.
#[async_trait]
pub trait TenantStore: Send + Sync {
    /// `AlreadyExists(Tenant)` on a duplicate name.
    async fn create_tenant(&self, tenant: &Tenant, audit: &[AuditEvent]) -> Result<()>;
    /// `NotFound(Tenant)`.
    async fn get_tenant(&self, id: TenantId) -> Result<Tenant>;
    async fn get_tenant_by_name(&self, name: &Name) -> Result<Tenant>;
    async fn list_tenants(&self, page: &PageRequest) -> Result<Page<Tenant>>;
    /// Replaces name, properties and `updated_at` of the tenant with `tenant.id`.
    /// `NotFound(Tenant)`, `AlreadyExists(Tenant)` when renamed onto another tenant.
    async fn update_tenant(&self, tenant: &Tenant, audit: &[AuditEvent]) -> Result<()>;
    /// Deletes the tenant with its accounts and access records: users, service users and
    /// their API keys, roles, role assignments and grants, all in one transaction.
    /// `NotFound(Tenant)`; `NotEmpty(Tenant)` while it owns warehouses or catalogs (those are
    /// deleted on purpose, one by one, never by a tenant delete).
    async fn delete_tenant(&self, id: TenantId, audit: &[AuditEvent]) -> Result<()>;
}

/// Warehouses, scoped to a tenant, ordered by name.
#[async_trait]
pub trait WarehouseStore: Send + Sync {
    /// `NotFound(Tenant)`, `AlreadyExists(Warehouse)`.
    async fn create_warehouse(&self, warehouse: &Warehouse, audit: &[AuditEvent]) -> Result<()>;
    /// `NotFound(Warehouse)`, also when it belongs to another tenant.
    async fn get_warehouse(&self, tenant: TenantId, id: WarehouseId) -> Result<Warehouse>;
    async fn get_warehouse_by_name(&self, tenant: TenantId, name: &Name) -> Result<Warehouse>;
    async fn list_warehouses(
        &self,
        tenant: TenantId,
        page: &PageRequest,
    ) -> Result<Page<Warehouse>>;
    /// Replaces name, storage, secret, properties and `updated_at`.
    /// `NotFound(Warehouse)`, `AlreadyExists(Warehouse)`.
    async fn update_warehouse(&self, warehouse: &Warehouse, audit: &[AuditEvent]) -> Result<()>;
    /// Deletes the warehouse with the grants on it (`Scope::Warehouse`).
    /// `NotFound(Warehouse)`; `NotEmpty(Warehouse)` while a catalog uses it.
    async fn delete_warehouse(
        &self,
        tenant: TenantId,
        id: WarehouseId,
        audit: &[AuditEvent],
    ) -> Result<()>;
}

/// Catalogs, scoped to a tenant, ordered by name.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Creates the catalog together with its `main` branch and an empty root commit.
    /// `NotFound(Tenant)`, `NotFound(Warehouse)` (a local catalog's warehouse must be in the same
    /// tenant), `AlreadyExists(Catalog)`.
    async fn create_catalog(&self, catalog: &Catalog, audit: &[AuditEvent]) -> Result<()>;
    async fn get_catalog(&self, tenant: TenantId, id: CatalogId) -> Result<Catalog>;
    async fn get_catalog_by_name(&self, tenant: TenantId, name: &Name) -> Result<Catalog>;
    async fn list_catalogs(&self, tenant: TenantId, page: &PageRequest) -> Result<Page<Catalog>>;
    /// Replaces name, kind, properties and `updated_at`.
    /// `NotFound(Catalog)`, `NotFound(Warehouse)`, `AlreadyExists(Catalog)`.
    async fn update_catalog(&self, catalog: &Catalog, audit: &[AuditEvent]) -> Result<()>;
    /// Deletes the catalog with its references, commits, merge operations, stored metadata
    /// and every grant whose scope lies in it (`Scope::catalog`). With `cascade` it also
    /// deletes its namespaces and their tables and views on every reference; without,
    /// `NotEmpty(Catalog)` while it has namespaces. `NotFound(Catalog)`.
    async fn delete_catalog(
        &self,
        tenant: TenantId,
        id: CatalogId,
        cascade: bool,
        audit: &[AuditEvent],
    ) -> Result<()>;
}

/// Namespaces of a catalog (shared by all its branches), ordered by their encoded path.
#[async_trait]
pub trait NamespaceStore: Send + Sync {
    /// `NotFound(Catalog)`, `NotFound(Namespace)` for a missing parent,
    /// `AlreadyExists(Namespace)`.
    async fn create_namespace(&self, namespace: &Namespace, audit: &[AuditEvent]) -> Result<()>;
    /// `NotFound(Namespace)`.
    async fn get_namespace(&self, catalog: CatalogId, ident: &NamespaceIdent) -> Result<Namespace>;
    /// Direct children of `parent` (top-level namespaces when `None`).
    /// `NotFound(Namespace)` when `parent` does not exist.
    async fn list_namespaces(
        &self,
        catalog: CatalogId,
        parent: Option<&NamespaceIdent>,
        page: &PageRequest,
    ) -> Result<Page<Namespace>>;
    /// Atomically sets `updates` and removes `removals`; reports removals that were missing.
    /// `NotFound(Namespace)`; `InvalidInput` when a key is both set and removed.
    async fn update_namespace_properties(
        &self,
        catalog: CatalogId,
        ident: &NamespaceIdent,
        updates: &Properties,
        removals: &[String],
        audit: &[AuditEvent],
    ) -> Result<PropertiesUpdate>;
    /// `NotFound(Namespace)`; `NotEmpty(Namespace)` while it has child namespaces or any table or
    /// view on any reference.
    async fn drop_namespace(
        &self,
        catalog: CatalogId,
        ident: &NamespaceIdent,
        audit: &[AuditEvent],
    ) -> Result<()>;
}

/// Tables and views: per-reference pointers to metadata files, moved by [`ContentStore::commit`].
#[async_trait]
pub trait ContentStore: Send + Sync {
    /// The content at `ident` on branch or tag `reference`: one indexed read, no metadata body.
    /// `NotFound(Reference)`; `NotFound(Table|View)` when absent or of the other kind.
    async fn load_content(
        &self,
        catalog: CatalogId,
        reference: &Name,
        ident: &TableIdent,
        kind: ContentKind,
    ) -> Result<Content>;
    /// Content of `kind` directly in `namespace` on `reference`, ordered by name.
    /// `NotFound(Reference)`, `NotFound(Namespace)`.
    async fn list_contents(
        &self,
        catalog: CatalogId,
        reference: &Name,
        namespace: &NamespaceIdent,
        kind: ContentKind,
        page: &PageRequest,
    ) -> Result<Page<Content>>;
    /// The metadata JSON stored for `location`.
    ///
    /// Retention is "referenced only": the body a commit stored for a location stays loadable
    /// while some content row of the catalog (on any reference) points at that location, and
    /// is deleted with the last such row (a commit replacing or deleting it,
    /// [`RefStore::delete_ref`], [`CatalogStore::delete_catalog`]) before that call returns,
    /// also when several branches drop their last pointers concurrently: in the same
    /// transaction, or (PostgreSQL commits, to keep the branch locked for less time) in a
    /// transaction right after it, so a crash in between can leave a body nothing points at,
    /// never take one a pointer needs. [`RefStore::create_ref`]
    /// restores no bodies: a reference made at an older commit (or racing the commit that
    /// drops the last other pointer) may point at locations whose body is gone. Those answer
    /// `NotFound(Table)` like any unknown location, and callers read the metadata file from
    /// object storage instead.
    async fn load_metadata(&self, catalog: CatalogId, location: &str) -> Result<Arc<str>>;
    /// Applies a commit atomically (see [`CommitRequest`]). Errors: `NotFound(Reference)`,
    /// `InvalidInput` (tag, duplicate key, a `commit_id` already used, an empty location or
    /// one that overlaps another table's or view's, see [`crate::Change::Put`]),
    /// `Conflict` for a stale `expected_head`, `NotFound(Commit)` for a missing merge parent,
    /// `NotFound(Merge)` / `Conflict` for a `completes_merge` that is missing / not open,
    /// `NotFound(Namespace)` for a put into a missing namespace, and per change as its
    /// [`crate::Expected`] says. The checks run in the order of [`crate::rules::check_commit`]
    /// — changes in order, each one's expectation, then its location — and the first
    /// failing check decides the error; nothing is applied.
    ///
    /// The location check sees the catalog-wide state as it will be after the commit: content
    /// this commit deletes or replaces on its branch no longer counts, the commit's other puts
    /// do. It runs inside the commit's transaction and is serialized with every other commit
    /// that needs it, so two racing creates cannot both claim overlapping locations.
    async fn commit(&self, request: &CommitRequest) -> Result<Commit>;
    /// Whether any content row of the catalog, on any reference, points at metadata file
    /// `location`: a file that is not in use may be deleted (expired metadata-log entries).
    async fn metadata_in_use(&self, catalog: CatalogId, location: &str) -> Result<bool>;
    /// The references (branches and tags) that currently hold content `content_id`, under any
    /// name, ordered by name. Empty once the table is gone from every reference, which is
    /// when its files may be purged.
    async fn refs_holding(&self, catalog: CatalogId, content_id: ContentId) -> Result<Vec<Name>>;
    /// Where content `content_id` is on branch or tag `reference`, under whatever name it has
    /// there now (renames move it; grants name it by id): one indexed read.
    /// `NotFound(Reference)`; `None` when the reference does not hold it.
    async fn find_content(
        &self,
        catalog: CatalogId,
        reference: &Name,
        content_id: ContentId,
    ) -> Result<Option<Content>>;
    /// The content at `ident` as of commit `at` (read-only time travel).
    /// `NotFound(Commit)`, `NotFound(Table|View)`.
    async fn content_at(
        &self,
        catalog: CatalogId,
        at: CommitId,
        ident: &TableIdent,
        kind: ContentKind,
    ) -> Result<Content>;
}

/// Branches, tags and the commit DAG of a catalog.
#[async_trait]
pub trait RefStore: Send + Sync {
    /// Creates a branch or tag at commit `from`, carrying the catalog state as of that commit
    /// (restricted to `scope` when given). The copies keep their content ids and locations,
    /// so they never conflict with the originals; stored metadata is not restored (see
    /// [`ContentStore::load_metadata`]). `NotFound(Catalog)`, `NotFound(Commit)`,
    /// `AlreadyExists(Reference)`, `NotFound(Namespace)` when that state holds content in a
    /// namespace that no longer exists.
    async fn create_ref(&self, new: &NewRef, audit: &[AuditEvent]) -> Result<Reference>;
    /// `NotFound(Reference)`.
    async fn get_ref(&self, catalog: CatalogId, name: &Name) -> Result<Reference>;
    /// All references, ordered by name.
    async fn list_refs(&self, catalog: CatalogId, page: &PageRequest) -> Result<Page<Reference>>;
    /// Deletes a reference and its content pointers (commits stay in the DAG), with the
    /// stored metadata no other content row points at.
    /// `NotFound(Reference)`; `InvalidInput` for `main`.
    async fn delete_ref(&self, catalog: CatalogId, name: &Name, audit: &[AuditEvent])
    -> Result<()>;
    /// `NotFound(Commit)`, also for a commit of another catalog.
    async fn get_commit(&self, catalog: CatalogId, id: CommitId) -> Result<Commit>;
    /// The first-parent chain starting at `from` (inclusive), newest first.
    /// `NotFound(Commit)` when `from` does not exist.
    async fn list_commits(
        &self,
        catalog: CatalogId,
        from: CommitId,
        page: &PageRequest,
    ) -> Result<Page<Commit>>;
    /// The best common ancestor of commits `a` and `b`, over all parents (first and merge):
    /// a commit that is an ancestor-or-self of both and no ancestor of another such commit.
    /// So `Some(a)` when `a` is an ancestor of `b` (or equal), the fork point of two diverged
    /// branches, and after a merge the merged-in head. Criss-cross histories have several
    /// best candidates; the newest wins, by greatest id (UUIDv7, so "created last"). The id
    /// only breaks that tie: a child's id may be smaller than its parent's (ids are chosen
    /// before the commit lands), so "the greatest common id" would not be a best ancestor.
    /// `None` when the two share no commit. `NotFound(Commit)` when either is missing or
    /// belongs to another catalog.
    ///
    /// Cost: one walk over the commits reachable from `a` or `b` (ids only, each once per
    /// side), i.e. linear in the history below the two heads.
    async fn merge_base(
        &self,
        catalog: CatalogId,
        a: CommitId,
        b: CommitId,
    ) -> Result<Option<CommitId>>;
    /// The whole catalog state as of commit `at` (what [`ContentStore::content_at`] gives for
    /// one key, for every key), ordered by encoded namespace, then name. Equal to the content
    /// rows of a reference whose head is `at` and that carries the whole catalog; a partial
    /// branch's rows are only its scope, while this is the full fold of its history.
    /// `NotFound(Commit)`, also for a commit of another catalog.
    async fn contents_at(&self, catalog: CatalogId, at: CommitId) -> Result<Vec<Content>>;
}

/// Merge operations: a merge between two references kept while its conflicts are resolved.
/// Completing one is part of the merge commit ([`CommitRequest::completes_merge`]).
#[async_trait]
pub trait MergeStore: Send + Sync {
    /// `NotFound(Catalog)`; `AlreadyExists(Merge)` when the id is taken.
    async fn create_merge(&self, op: &MergeOperation, audit: &[AuditEvent]) -> Result<()>;
    /// `NotFound(Merge)`, also for an operation of another catalog.
    async fn get_merge(&self, catalog: CatalogId, id: MergeId) -> Result<MergeOperation>;
    /// The catalog's operations, newest first (by id; the page cursor is the last id
    /// returned), only those in `status` when given. `InvalidInput` for a page token whose
    /// key is not a merge id.
    async fn list_merges(
        &self,
        catalog: CatalogId,
        status: Option<MergeStatus>,
        page: &PageRequest,
    ) -> Result<Page<MergeOperation>>;
    /// Replaces `conflicts`, `status`, `result_commit` and `updated_at` of the operation
    /// `op.id` of catalog `op.catalog_id`, only while it is open: `NotFound(Merge)`, and
    /// `Conflict { current: Some(status) }` once it is completed or aborted — so of two
    /// racing writers (two resolvers, a resolve and an abort) exactly one wins.
    async fn update_merge(&self, op: &MergeOperation, audit: &[AuditEvent]) -> Result<()>;
}

/// Which audit records to read. `tenant: None` reads every tenant's (root only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub tenant: Option<TenantId>,
    pub principal: Option<String>,
    pub action: Option<String>,
    pub resource: Option<String>,
    pub result: Option<AuditResult>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

/// The append-only audit log, read newest first, and its hash chains.
///
/// Events are written unsealed, in the transaction of the mutation they describe (or by
/// [`AuditStore::append_audit`]), and linked into their chain later by
/// [`AuditStore::seal_audit`]: one chain per tenant and one for events without a tenant.
/// Sealing is what makes an event tamper-evident; it does not change what lists show.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Records events that accompany no mutation (denials, failures, logins). As in every
    /// mutation's `audit`, an id written again replaces the unsealed event; a sealed event
    /// never changes (the write is ignored).
    async fn append_audit(&self, events: &[AuditEvent]) -> Result<()>;
    /// Matching events, newest first by id (`since` inclusive, `until` exclusive), sealed or
    /// not. `InvalidInput` for a page token whose key is not an audit event id.
    async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>>;
    /// How many events [`AuditStore::list_audit`] would list for `filter`, over all pages.
    async fn count_audit(&self, filter: &AuditFilter) -> Result<u64>;
    /// Seals up to `limit` unsealed events (those committed when it looks); returns how many.
    ///
    /// Chain by chain, in one short transaction each that excludes every other sealer of
    /// that chain (never the writers of events): takes the chain's head (seq 0 and
    /// [`GENESIS_HASH`](pangolin_core::audit::GENESIS_HASH) for a new chain), the chain's
    /// unsealed events in (time, id) order, gives them `seq = head.seq + 1, + 2, …`,
    /// `prev_hash` = the hash before and `hash` =
    /// [`chain_hash`](pangolin_core::audit::chain_hash)`(prev_hash, event)`, and moves the
    /// head to the last one. So chain order is seal order, every event is sealed exactly once
    /// even with concurrent sealers, seqs have no gaps, and sealing again with nothing new
    /// is a no-op.
    async fn seal_audit(&self, limit: usize) -> Result<u64>;
    /// The sealed events of `chain` (a tenant, or `None` for events without one) with
    /// `seq > after_seq`, in seq order, at most `limit`. Reads the records as stored:
    /// checking them is the caller's.
    async fn audit_chain(
        &self,
        chain: Option<TenantId>,
        after_seq: Option<u64>,
        limit: usize,
    ) -> Result<Vec<SealedAuditEvent>>;
    /// The head of `chain`: its last sealed record's seq and hash as the sealer recorded
    /// them; `None` while nothing of it was sealed.
    async fn audit_chain_head(&self, chain: Option<TenantId>) -> Result<Option<AuditChainHead>>;
    /// Every chain's head, the tenantless chain first, then by tenant id.
    async fn audit_chain_heads(&self) -> Result<Vec<AuditChainHead>>;
}

/// A response remembered for an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// Who the key belongs to (e.g. tenant + catalog), so keys never collide across tenants.
    pub scope: String,
    pub key: String,
    /// A digest of the request (method, route, body) so a reused key with another request is
    /// detected instead of replayed.
    pub fingerprint: String,
    pub status: u16,
    pub body: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// The unexpired record for `(scope, key)` as of `now`.
    async fn get_idempotency(
        &self,
        scope: &str,
        key: &str,
        now: Timestamp,
    ) -> Result<Option<IdempotencyRecord>>;
    /// Stores a record unless an unexpired one exists; returns whether it was stored.
    async fn put_idempotency(&self, record: &IdempotencyRecord) -> Result<bool>;
    /// Deletes records expired before `now`; returns how many.
    async fn purge_idempotency(&self, now: Timestamp) -> Result<u64>;
}

#[async_trait]
pub trait StoreAdmin: Send + Sync {
    /// Short backend name for logs and metrics (`memory`, `sqlite`, `postgres`).
    fn backend(&self) -> &'static str;
    /// Brings the schema up to date; running it again is a no-op.
    async fn migrate(&self) -> Result<()>;
    /// Checks that the backend answers (readiness).
    async fn ping(&self) -> Result<()>;
    /// Changes made to catalogs through this store by any server, for cache invalidation.
    /// `None` for backends that a single process owns (memory, SQLite): a server's own changes
    /// are known to it without a feed.
    fn change_feed(&self) -> Option<ChangeFeed> {
        None
    }
}
