//! The ready-to-use defaults: a tenant, a warehouse (a file warehouse unless `bootstrap.storage`
//! says otherwise) and a local catalog on it, so that a fresh server works with
//! `warehouse=default` at once. Idempotent and race-safe: whatever
//! exists is kept as it is (an operator may have changed it), only what is missing is created.

use anyhow::Context;
use pangolin_core::audit::{AuditEvent, AuditResult};
use pangolin_core::model::{Catalog, CatalogKind, FileProfile, StorageProfile, Tenant, Warehouse};
use pangolin_core::secret::SecretBox;
use pangolin_core::{CatalogId, Error, Name, Properties, Result, TenantId, WarehouseId};
use pangolin_store::DynStore;
use serde_json::json;

use crate::config::{Config, StorageSecret};

/// Ensures the configured default tenant, warehouse and catalog exist; returns the tenant.
/// `secrets` seals the warehouse's configured storage credential.
pub(crate) async fn ensure_defaults(
    store: &DynStore,
    config: &Config,
    secrets: &SecretBox,
) -> anyhow::Result<TenantId> {
    let names = &config.bootstrap;
    let storage = WarehouseSpec {
        storage: prepare_storage(config)?,
        secret: names.storage_secret.as_ref(),
        secrets,
    };
    let tenant = ensure_tenant(store, &names.tenant)
        .await
        .with_context(|| format!("bootstrapping tenant {:?}", names.tenant.as_str()))?;
    let warehouse = ensure_warehouse(store, tenant.id, &names.warehouse, storage)
        .await
        .with_context(|| format!("bootstrapping warehouse {:?}", names.warehouse.as_str()))?;
    let catalog = ensure_catalog(store, tenant.id, &warehouse, &names.catalog)
        .await
        .with_context(|| format!("bootstrapping catalog {:?}", names.catalog.as_str()))?;
    tracing::info!(
        tenant = %tenant.name,
        warehouse = %warehouse.name,
        catalog = %catalog.name,
        location = %warehouse.storage.base_location(),
        "defaults ready"
    );
    Ok(tenant.id)
}

/// The configured default tenant if it exists (for servers started with bootstrap disabled).
pub(crate) async fn find_default_tenant(
    store: &DynStore,
    config: &Config,
) -> anyhow::Result<Option<TenantId>> {
    match store.get_tenant_by_name(&config.bootstrap.tenant).await {
        Ok(tenant) => Ok(Some(tenant.id)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e).context("looking up the default tenant"),
    }
}

/// The configured storage profile; for a file warehouse, its directory is created and the root
/// made canonical.
fn prepare_storage(config: &Config) -> anyhow::Result<StorageProfile> {
    match config.bootstrap_storage() {
        StorageProfile::File(file) => Ok(StorageProfile::File(FileProfile {
            root: prepare_root(file.root.as_ref())?,
        })),
        other => Ok(other),
    }
}

/// Creates the warehouse directory and returns its canonical absolute path.
fn prepare_root(root: &std::path::Path) -> anyhow::Result<String> {
    std::fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
    let root = root
        .canonicalize()
        .with_context(|| format!("resolving {}", root.display()))?;
    root.to_str()
        .map(str::to_owned)
        .with_context(|| format!("the warehouse root {} is not UTF-8", root.display()))
}

async fn ensure_tenant(store: &DynStore, name: &Name) -> Result<Tenant> {
    let get = async || store.get_tenant_by_name(name).await;
    let create = async || {
        let tenant = Tenant::new(name.clone());
        let audit = event(
            tenant.id,
            "bootstrap.create-tenant",
            format!("tenant/{name}"),
        );
        store
            .create_tenant(&tenant, &[audit])
            .await
            .map(|()| tenant)
    };
    get_or_create("tenant", get, create).await
}

/// What the default warehouse is configured to be.
struct WarehouseSpec<'a> {
    storage: StorageProfile,
    secret: Option<&'a StorageSecret>,
    secrets: &'a SecretBox,
}

async fn ensure_warehouse(
    store: &DynStore,
    tenant: TenantId,
    name: &Name,
    spec: WarehouseSpec<'_>,
) -> Result<Warehouse> {
    let storage = spec.storage;
    storage.validate()?;
    let id = WarehouseId::generate();
    let sealed = match spec.secret {
        Some(secret) => Some(secret.expose().seal(spec.secrets, id)?),
        None => None,
    };
    let get = async || store.get_warehouse_by_name(tenant, name).await;
    let create = async || {
        let now = pangolin_core::now();
        let warehouse = Warehouse {
            id,
            tenant_id: tenant,
            name: name.clone(),
            storage: storage.clone(),
            secret: sealed.clone(),
            properties: Properties::new(),
            created_at: now,
            updated_at: now,
        };
        let audit = event(
            tenant,
            "bootstrap.create-warehouse",
            format!("warehouse/{name}"),
        )
        .with_summary(json!({ "storage": storage.base_location() }));
        store
            .create_warehouse(&warehouse, &[audit])
            .await
            .map(|()| warehouse)
    };
    let warehouse = get_or_create("warehouse", get, create).await?;
    if warehouse.storage != storage {
        tracing::warn!(
            warehouse = %name,
            existing = %warehouse.storage.base_location(),
            configured = %storage.base_location(),
            "the default warehouse exists with another storage profile; leaving it unchanged"
        );
    } else if warehouse.secret.is_some() != spec.secret.is_some() {
        tracing::warn!(
            warehouse = %name,
            "the default warehouse exists with a different storage credential setting; leaving it unchanged"
        );
    }
    Ok(warehouse)
}

async fn ensure_catalog(
    store: &DynStore,
    tenant: TenantId,
    warehouse: &Warehouse,
    name: &Name,
) -> Result<Catalog> {
    let kind = CatalogKind::Local {
        warehouse_id: warehouse.id,
    };
    let get = async || store.get_catalog_by_name(tenant, name).await;
    let create = async || {
        let now = pangolin_core::now();
        let catalog = Catalog {
            id: CatalogId::generate(),
            tenant_id: tenant,
            name: name.clone(),
            kind: kind.clone(),
            properties: Properties::new(),
            created_at: now,
            updated_at: now,
        };
        let audit = event(
            tenant,
            "bootstrap.create-catalog",
            format!("catalog/{name}"),
        )
        .with_summary(json!({ "warehouse": warehouse.name.as_str() }));
        store
            .create_catalog(&catalog, &[audit])
            .await
            .map(|()| catalog)
    };
    let catalog = get_or_create("catalog", get, create).await?;
    if catalog.kind != kind {
        tracing::warn!(
            catalog = %name,
            "the default catalog exists but is not a local catalog on the default warehouse; leaving it unchanged"
        );
    }
    Ok(catalog)
}

/// The existing object, or a new one. A concurrent creator winning the race (two servers
/// starting on one database) counts as existing.
async fn get_or_create<T>(
    what: &str,
    get: impl AsyncFn() -> Result<T>,
    create: impl AsyncFnOnce() -> Result<T>,
) -> Result<T> {
    match get().await {
        Err(Error::NotFound { .. }) => {}
        found => return found,
    }
    match create().await {
        Err(Error::AlreadyExists { .. }) => get().await,
        Ok(created) => {
            tracing::info!("bootstrap created the default {what}");
            Ok(created)
        }
        Err(e) => Err(e),
    }
}

fn event(tenant: TenantId, action: &str, resource: String) -> AuditEvent {
    AuditEvent::new(
        Some(tenant),
        "system",
        action,
        resource,
        AuditResult::Success,
    )
}
