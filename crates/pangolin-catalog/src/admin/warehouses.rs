//! Warehouses: typed storage profiles with a sealed credential, managed by tenant admins.
//! The credential is sealed before it reaches the store and never leaves the server.

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{StorageProfile, Warehouse, WarehouseSecret};
use pangolin_core::{Error, Name, Page, PageRequest, Properties, Result, TenantId, WarehouseId};
use pangolin_storage::ValidationReport;
use serde_json::json;

use crate::Services;
use crate::guard;

#[derive(Debug, Clone)]
pub struct NewWarehouse {
    pub name: Name,
    pub storage: StorageProfile,
    pub secret: Option<WarehouseSecret>,
    pub properties: Properties,
}

/// What to do with a warehouse's credential on update.
#[derive(Debug, Clone, Default)]
pub enum SecretChange {
    #[default]
    Keep,
    Set(WarehouseSecret),
    Remove,
}

/// Fields to change; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct WarehouseUpdate {
    pub name: Option<Name>,
    pub storage: Option<StorageProfile>,
    pub secret: SecretChange,
    pub properties: Option<Properties>,
}

impl Services {
    /// Creates a warehouse; with `validate`, only after a probe of its storage (write, read,
    /// list, delete, and vending when configured) passed every check.
    pub async fn create_warehouse(
        &self,
        ctx: &RequestContext,
        new: NewWarehouse,
        validate: bool,
    ) -> Result<Warehouse> {
        let tenant = guard::require_tenant_admin(ctx)?;
        self.check_storage(&new.storage)?;
        let id = WarehouseId::generate();
        let now = pangolin_core::now();
        let warehouse = Warehouse {
            id,
            tenant_id: tenant,
            name: new.name,
            storage: new.storage,
            secret: self.seal(id, new.secret.as_ref())?,
            properties: new.properties,
            created_at: now,
            updated_at: now,
        };
        // Building the IO checks that the credential fits the profile before anything is kept.
        self.storage().io(&warehouse)?;
        if validate {
            let report = self.storage().validate(&warehouse).await;
            if !report.ok {
                self.storage().evict(warehouse.id);
                return Err(Error::invalid(failed_checks(&report)));
            }
        }
        let audit = ctx
            .audit(
                "warehouse.create",
                resource(&warehouse.name),
                AuditResult::Success,
            )
            .with_summary(summary(&warehouse));
        self.store().create_warehouse(&warehouse, &[audit]).await?;
        Ok(warehouse)
    }

    pub async fn list_warehouses(
        &self,
        ctx: &RequestContext,
        page: &PageRequest,
    ) -> Result<Page<Warehouse>> {
        let tenant = guard::require_tenant_admin(ctx)?;
        self.store().list_warehouses(tenant, page).await
    }

    pub async fn get_warehouse(&self, ctx: &RequestContext, name: &Name) -> Result<Warehouse> {
        let tenant = guard::require_tenant_admin(ctx)?;
        self.store().get_warehouse_by_name(tenant, name).await
    }

    pub async fn update_warehouse(
        &self,
        ctx: &RequestContext,
        name: &Name,
        update: WarehouseUpdate,
    ) -> Result<Warehouse> {
        let tenant = guard::require_tenant_admin(ctx)?;
        let mut warehouse = self.store().get_warehouse_by_name(tenant, name).await?;
        if let Some(storage) = update.storage {
            self.check_storage(&storage)?;
            warehouse.storage = storage;
        }
        warehouse.secret = match update.secret {
            SecretChange::Keep => warehouse.secret,
            SecretChange::Set(secret) => self.seal(warehouse.id, Some(&secret))?,
            SecretChange::Remove => None,
        };
        if let Some(new_name) = update.name {
            warehouse.name = new_name;
        }
        if let Some(properties) = update.properties {
            warehouse.properties = properties;
        }
        warehouse.updated_at = pangolin_core::now();
        self.storage().io(&warehouse)?;
        let audit = ctx
            .audit("warehouse.update", resource(name), AuditResult::Success)
            .with_summary(summary(&warehouse));
        self.store().update_warehouse(&warehouse, &[audit]).await?;
        self.invalidate_catalogs(tenant);
        Ok(warehouse)
    }

    /// Probes a warehouse's storage and reports each check (`ok` is false when one failed).
    pub async fn validate_named_warehouse(
        &self,
        ctx: &RequestContext,
        name: &Name,
    ) -> Result<ValidationReport> {
        let tenant = guard::require_tenant_admin(ctx)?;
        let warehouse = self.store().get_warehouse_by_name(tenant, name).await?;
        Ok(self.storage().validate(&warehouse).await)
    }

    /// Refused while a catalog uses the warehouse. Files in storage are never touched.
    pub async fn delete_warehouse(&self, ctx: &RequestContext, name: &Name) -> Result<()> {
        let tenant = guard::require_tenant_admin(ctx)?;
        let warehouse = self.store().get_warehouse_by_name(tenant, name).await?;
        let audit = ctx
            .audit("warehouse.delete", resource(name), AuditResult::Success)
            .with_summary(json!({ "warehouse-id": warehouse.id }));
        self.store()
            .delete_warehouse(tenant, warehouse.id, &[audit])
            .await?;
        self.storage().evict(warehouse.id);
        self.invalidate_catalogs(tenant);
        Ok(())
    }

    /// Every warehouse of a tenant (for cascades).
    pub(crate) async fn all_warehouses(&self, tenant: TenantId) -> Result<Vec<Warehouse>> {
        let mut out = Vec::new();
        let mut page = PageRequest::first(100);
        loop {
            let batch = self.store().list_warehouses(tenant, &page).await?;
            out.extend(batch.items);
            match batch.next {
                Some(token) => page = PageRequest::after(token, Some(100)),
                None => return Ok(out),
            }
        }
    }

    /// The profile's own rules, plus: a file warehouse must lie under one of the directories
    /// the server allows, so that a tenant admin cannot point a warehouse at the server's own
    /// files or at another tenant's warehouse directory outside those roots.
    fn check_storage(&self, storage: &StorageProfile) -> Result<()> {
        storage.validate()?;
        let StorageProfile::File(file) = storage else {
            return Ok(());
        };
        let allowed = &self.settings().file_warehouse_roots;
        let root = std::path::Path::new(&file.root);
        if allowed.iter().any(|a| root.starts_with(a)) {
            return Ok(());
        }
        Err(Error::invalid(format!(
            "storage.root must be one of, or a directory inside one of, the server's allowed file warehouse roots ({})",
            allowed
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }

    fn seal(
        &self,
        owner: WarehouseId,
        secret: Option<&WarehouseSecret>,
    ) -> Result<Option<pangolin_core::secret::SealedSecret>> {
        secret
            .map(|s| s.seal(self.storage().secrets(), owner))
            .transpose()
    }
}

fn resource(name: &Name) -> String {
    format!("warehouse/{name}")
}

/// The refusal of a warehouse whose storage failed validation, naming each failed check.
fn failed_checks(report: &ValidationReport) -> String {
    let failed: Vec<String> = report
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| format!("{}: {}", c.name, c.message))
        .collect();
    format!(
        "the warehouse's storage failed validation ({}); fix it or create with ?validate=false",
        failed.join("; ")
    )
}

/// What the audit log keeps of a warehouse: never the credential, only its kind.
fn summary(w: &Warehouse) -> serde_json::Value {
    json!({
        "warehouse-id": w.id,
        "name": w.name,
        "storage": w.storage,
        "credential": w.secret.as_ref().map(|s| s.kind.clone()),
        "properties": w.properties,
    })
}
