//! What a delete takes along: the assignments, grants and API keys that hang on a deleted
//! account, role, tenant, warehouse or catalog. Called under the one lock, so a delete and
//! its cascade are one atomic step.

use pangolin_core::model::{Assignee, Grantee, Scope};
use pangolin_core::{CatalogId, TenantId, WarehouseId};

use super::State;

impl State {
    /// Forgets a deleted user or service user: its role assignments and its grants.
    pub(super) fn forget_principal(&mut self, assignee: &Assignee, grantee: &Grantee) {
        self.assignments.retain(|(_, a), _| a != assignee);
        self.grants.retain(|_, g| &g.grantee != grantee);
    }

    /// Forgets everything a deleted tenant owned besides warehouses and catalogs (which a
    /// tenant delete refuses to take along).
    pub(super) fn forget_tenant(&mut self, tenant: TenantId) {
        self.grants.retain(|_, g| g.tenant_id != tenant);
        self.assignments.retain(|_, a| a.tenant_id != tenant);
        self.api_keys.retain(|_, k| k.tenant_id != tenant);
        self.roles.retain(|_, r| r.tenant_id != tenant);
        self.service_users.retain(|_, s| s.tenant_id != tenant);
        self.users.retain(|_, u| u.tenant_id != Some(tenant));
    }

    /// Forgets the grants on a deleted warehouse.
    pub(super) fn forget_warehouse_grants(&mut self, warehouse: WarehouseId) {
        self.grants
            .retain(|_, g| g.scope != Scope::Warehouse { warehouse });
    }

    /// Forgets the grants whose scope lies in a deleted catalog.
    pub(super) fn forget_catalog_grants(&mut self, catalog: CatalogId) {
        self.grants
            .retain(|_, g| g.scope.catalog() != Some(catalog));
    }
}
