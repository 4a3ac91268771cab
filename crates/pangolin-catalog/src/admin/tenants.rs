//! Tenants: created, renamed and deleted by root only.

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::Tenant;
use pangolin_core::{Name, Page, PageRequest, Properties, Result};
use serde_json::json;

use crate::Services;
use crate::guard;

#[derive(Debug, Clone)]
pub struct NewTenant {
    pub name: Name,
    pub properties: Properties,
}

/// Fields to change; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct TenantUpdate {
    pub name: Option<Name>,
    pub properties: Option<Properties>,
}

impl Services {
    pub async fn create_tenant(&self, ctx: &RequestContext, new: NewTenant) -> Result<Tenant> {
        guard::require_root(ctx)?;
        let mut tenant = Tenant::new(new.name);
        tenant.properties = new.properties;
        let audit = ctx
            .audit(
                "tenant.create",
                resource(&tenant.name),
                AuditResult::Success,
            )
            .with_summary(json!({ "tenant-id": tenant.id, "properties": tenant.properties }));
        self.store().create_tenant(&tenant, &[audit]).await?;
        Ok(tenant)
    }

    pub async fn list_tenants(
        &self,
        ctx: &RequestContext,
        page: &PageRequest,
    ) -> Result<Page<Tenant>> {
        guard::require_root(ctx)?;
        self.store().list_tenants(page).await
    }

    /// Root reads any tenant; everyone else only the tenant they act in (others look absent).
    pub async fn get_tenant(&self, ctx: &RequestContext, name: &Name) -> Result<Tenant> {
        let tenant = self.store().get_tenant_by_name(name).await?;
        if guard::require_root(ctx).is_ok() || ctx.tenant_id == Some(tenant.id) {
            return Ok(tenant);
        }
        Err(pangolin_core::Error::not_found(
            pangolin_core::Kind::Tenant,
            name,
        ))
    }

    pub async fn update_tenant(
        &self,
        ctx: &RequestContext,
        name: &Name,
        update: TenantUpdate,
    ) -> Result<Tenant> {
        guard::require_root(ctx)?;
        let mut tenant = self.store().get_tenant_by_name(name).await?;
        if let Some(new_name) = update.name {
            tenant.name = new_name;
        }
        if let Some(properties) = update.properties {
            tenant.properties = properties;
        }
        tenant.updated_at = pangolin_core::now();
        let audit = ctx
            .audit("tenant.update", resource(name), AuditResult::Success)
            .with_summary(json!({ "name": tenant.name, "properties": tenant.properties }));
        self.store().update_tenant(&tenant, &[audit]).await?;
        Ok(tenant)
    }

    /// Refuses while the tenant owns warehouses or catalogs, unless `cascade`: then its
    /// catalogs (with all their content) and warehouses go first. Table files in object
    /// storage are left in place: deleting a tenant never destroys data without a purge.
    pub async fn delete_tenant(
        &self,
        ctx: &RequestContext,
        name: &Name,
        cascade: bool,
    ) -> Result<()> {
        guard::require_root(ctx)?;
        let tenant = self.store().get_tenant_by_name(name).await?;
        if cascade {
            self.delete_tenant_contents(ctx, &tenant).await?;
        }
        let audit = ctx
            .audit("tenant.delete", resource(name), AuditResult::Success)
            .with_summary(json!({ "tenant-id": tenant.id, "cascade": cascade }));
        self.store().delete_tenant(tenant.id, &[audit]).await?;
        self.invalidate_catalogs(tenant.id);
        self.accounts_changed(tenant.id);
        Ok(())
    }

    async fn delete_tenant_contents(&self, ctx: &RequestContext, tenant: &Tenant) -> Result<()> {
        for catalog in self.all_catalogs(tenant.id).await? {
            let audit = ctx
                .audit(
                    "catalog.delete",
                    format!("catalog/{}", catalog.name),
                    AuditResult::Success,
                )
                .with_summary(json!({ "cascade": true, "tenant": tenant.name }));
            self.store()
                .delete_catalog(tenant.id, catalog.id, true, &[audit])
                .await?;
        }
        for warehouse in self.all_warehouses(tenant.id).await? {
            let audit = ctx
                .audit(
                    "warehouse.delete",
                    format!("warehouse/{}", warehouse.name),
                    AuditResult::Success,
                )
                .with_summary(json!({ "cascade": true, "tenant": tenant.name }));
            self.store()
                .delete_warehouse(tenant.id, warehouse.id, &[audit])
                .await?;
            self.storage().evict(warehouse.id);
        }
        Ok(())
    }
}

fn resource(name: &Name) -> String {
    format!("tenant/{name}")
}
