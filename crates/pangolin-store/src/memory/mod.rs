//! The in-memory reference backend: the executable definition of the contract's semantics.
//! One mutex over all state makes every method trivially atomic; it is for tests and
//! ephemeral servers, not for production.

mod access;
mod audit;
mod catalogs;
mod commit;
mod contents;
mod dag;
mod forget;
mod grants;
mod keys;
mod merges;
mod misc;
mod namespaces;
mod refs;
mod service_users;
#[cfg(feature = "testing")]
mod tamper;
mod tenants;
mod users;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{
    ApiKey, Assignee, Catalog, Commit, Content, Grant, MergeOperation, Namespace, Reference,
    RevokedToken, Role, RoleAssignment, ServiceUser, SigningKey, Tenant, User, Warehouse,
};
use pangolin_core::{
    AuditId, CatalogId, CommitId, GrantId, MergeId, Page, PageRequest, RoleId, ServiceUserId,
    TenantId, UserId, WarehouseId,
};
use parking_lot::Mutex;

use crate::IdempotencyRecord;

#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn shared() -> crate::DynStore {
        Arc::new(Self::new())
    }
}

/// Key of a content pointer: (catalog, reference, encoded namespace, name).
type ContentKey = (CatalogId, String, String, String);

#[derive(Default)]
struct State {
    tenants: BTreeMap<TenantId, Tenant>,
    warehouses: BTreeMap<WarehouseId, Warehouse>,
    catalogs: BTreeMap<CatalogId, Catalog>,
    /// Keyed by (catalog, encoded path).
    namespaces: BTreeMap<(CatalogId, String), Namespace>,
    /// Keyed by (catalog, reference name).
    refs: BTreeMap<(CatalogId, String), Reference>,
    contents: BTreeMap<ContentKey, Content>,
    commits: HashMap<CommitId, Commit>,
    /// Ordered by id, so newest first is a reverse walk.
    merges: BTreeMap<MergeId, MergeOperation>,
    /// Keyed by (catalog, metadata location).
    metadata: HashMap<(CatalogId, String), Arc<str>>,
    audit: BTreeMap<AuditId, audit::AuditRow>,
    /// The head (seq, hash) of every chain that has sealed records.
    audit_heads: BTreeMap<Option<TenantId>, (u64, String)>,
    idempotency: HashMap<(String, String), IdempotencyRecord>,
    users: BTreeMap<UserId, User>,
    service_users: BTreeMap<ServiceUserId, ServiceUser>,
    /// Keyed (and so listed) by key id.
    api_keys: BTreeMap<String, ApiKey>,
    /// Keyed by `kid`.
    signing_keys: BTreeMap<String, SigningKey>,
    /// Keyed by `jti`.
    revoked_tokens: BTreeMap<String, RevokedToken>,
    roles: BTreeMap<RoleId, Role>,
    /// Keyed (and so listed) by role id, then assignee.
    assignments: BTreeMap<(RoleId, Assignee), RoleAssignment>,
    /// Ordered by id.
    grants: BTreeMap<GrantId, Grant>,
}

impl State {
    fn record(&mut self, events: &[AuditEvent]) {
        for e in events {
            audit::record(&mut self.audit, e);
        }
    }
}

/// Pages over rows already sorted by `key`.
fn paginate<T: Clone>(
    rows: impl Iterator<Item = T>,
    page: &PageRequest,
    key: impl Fn(&T) -> String,
) -> Page<T> {
    let after = page.after_key();
    let mut out: Vec<T> = rows
        .filter(|r| after.as_ref().is_none_or(|a| key(r) > *a))
        .collect();
    if let Some(n) = page.fetch_limit() {
        out.truncate(n);
    }
    Page::from_rows(out, page, key)
}
