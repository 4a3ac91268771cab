use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Tenant, Warehouse};
use pangolin_core::{Error, Kind, Name, Page, PageRequest, Result, TenantId, WarehouseId};

use super::{MemoryStore, paginate};
use crate::{TenantStore, WarehouseStore};

#[async_trait]
impl TenantStore for MemoryStore {
    async fn create_tenant(&self, tenant: &Tenant, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        if s.tenants.values().any(|t| t.name == tenant.name) || s.tenants.contains_key(&tenant.id) {
            return Err(Error::already_exists(Kind::Tenant, &tenant.name));
        }
        s.tenants.insert(tenant.id, tenant.clone());
        s.record(audit);
        Ok(())
    }

    async fn get_tenant(&self, id: TenantId) -> Result<Tenant> {
        let s = self.state.lock();
        s.tenants
            .get(&id)
            .cloned()
            .ok_or_else(|| Error::not_found(Kind::Tenant, id))
    }

    async fn get_tenant_by_name(&self, name: &Name) -> Result<Tenant> {
        let s = self.state.lock();
        s.tenants
            .values()
            .find(|t| &t.name == name)
            .cloned()
            .ok_or_else(|| Error::not_found(Kind::Tenant, name))
    }

    async fn list_tenants(&self, page: &PageRequest) -> Result<Page<Tenant>> {
        let s = self.state.lock();
        let mut all: Vec<Tenant> = s.tenants.values().cloned().collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(paginate(all.into_iter(), page, |t| t.name.to_string()))
    }

    async fn update_tenant(&self, tenant: &Tenant, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        if !s.tenants.contains_key(&tenant.id) {
            return Err(Error::not_found(Kind::Tenant, tenant.id));
        }
        if s.tenants
            .values()
            .any(|t| t.name == tenant.name && t.id != tenant.id)
        {
            return Err(Error::already_exists(Kind::Tenant, &tenant.name));
        }
        let stored = s.tenants.get_mut(&tenant.id).expect("checked above");
        stored.name = tenant.name.clone();
        stored.properties = tenant.properties.clone();
        stored.updated_at = tenant.updated_at;
        s.record(audit);
        Ok(())
    }

    async fn delete_tenant(&self, id: TenantId, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        let tenant = s
            .tenants
            .get(&id)
            .ok_or_else(|| Error::not_found(Kind::Tenant, id))?;
        if s.warehouses.values().any(|w| w.tenant_id == id)
            || s.catalogs.values().any(|c| c.tenant_id == id)
        {
            return Err(Error::not_empty(
                Kind::Tenant,
                &tenant.name,
                "it still owns warehouses or catalogs",
            ));
        }
        s.tenants.remove(&id);
        s.forget_tenant(id);
        s.record(audit);
        Ok(())
    }
}

#[async_trait]
impl WarehouseStore for MemoryStore {
    async fn create_warehouse(&self, warehouse: &Warehouse, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        if !s.tenants.contains_key(&warehouse.tenant_id) {
            return Err(Error::not_found(Kind::Tenant, warehouse.tenant_id));
        }
        let dup = s
            .warehouses
            .values()
            .any(|w| w.tenant_id == warehouse.tenant_id && w.name == warehouse.name);
        if dup || s.warehouses.contains_key(&warehouse.id) {
            return Err(Error::already_exists(Kind::Warehouse, &warehouse.name));
        }
        s.warehouses.insert(warehouse.id, warehouse.clone());
        s.record(audit);
        Ok(())
    }

    async fn get_warehouse(&self, tenant: TenantId, id: WarehouseId) -> Result<Warehouse> {
        let s = self.state.lock();
        s.warehouses
            .get(&id)
            .filter(|w| w.tenant_id == tenant)
            .cloned()
            .ok_or_else(|| Error::not_found(Kind::Warehouse, id))
    }

    async fn get_warehouse_by_name(&self, tenant: TenantId, name: &Name) -> Result<Warehouse> {
        let s = self.state.lock();
        s.warehouses
            .values()
            .find(|w| w.tenant_id == tenant && &w.name == name)
            .cloned()
            .ok_or_else(|| Error::not_found(Kind::Warehouse, name))
    }

    async fn list_warehouses(
        &self,
        tenant: TenantId,
        page: &PageRequest,
    ) -> Result<Page<Warehouse>> {
        let s = self.state.lock();
        let mut all: Vec<Warehouse> = s
            .warehouses
            .values()
            .filter(|w| w.tenant_id == tenant)
            .cloned()
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(paginate(all.into_iter(), page, |w| w.name.to_string()))
    }

    async fn update_warehouse(&self, warehouse: &Warehouse, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        let found = s
            .warehouses
            .get(&warehouse.id)
            .is_some_and(|w| w.tenant_id == warehouse.tenant_id);
        if !found {
            return Err(Error::not_found(Kind::Warehouse, warehouse.id));
        }
        let dup = s.warehouses.values().any(|w| {
            w.tenant_id == warehouse.tenant_id && w.name == warehouse.name && w.id != warehouse.id
        });
        if dup {
            return Err(Error::already_exists(Kind::Warehouse, &warehouse.name));
        }
        let stored = s.warehouses.get_mut(&warehouse.id).expect("checked above");
        stored.name = warehouse.name.clone();
        stored.storage = warehouse.storage.clone();
        stored.secret = warehouse.secret.clone();
        stored.properties = warehouse.properties.clone();
        stored.updated_at = warehouse.updated_at;
        s.record(audit);
        Ok(())
    }

    async fn delete_warehouse(
        &self,
        tenant: TenantId,
        id: WarehouseId,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut s = self.state.lock();
        let wh = s
            .warehouses
            .get(&id)
            .filter(|w| w.tenant_id == tenant)
            .ok_or_else(|| Error::not_found(Kind::Warehouse, id))?;
        if s.catalogs
            .values()
            .any(|c| c.kind.warehouse_id() == Some(id))
        {
            return Err(Error::not_empty(
                Kind::Warehouse,
                &wh.name,
                "a catalog still uses it",
            ));
        }
        s.warehouses.remove(&id);
        s.forget_warehouse_grants(id);
        s.record(audit);
        Ok(())
    }
}
