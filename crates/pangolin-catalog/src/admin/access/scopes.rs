//! Scopes as clients name them (catalogs and warehouses by name, tables and views by
//! identifier on `main`) and as grants keep them (by id): resolving one into the other, and
//! placing a stored scope (which warehouse its catalog is on, which namespace its table is in
//! now) for decisions and for display.

use std::collections::HashMap;

use pangolin_auth::authz::Placement;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, Catalog, ContentKind, Resource, Scope};
use pangolin_core::{
    CatalogId, Error, Name, NamespaceIdent, Result, TableIdent, TenantId, WarehouseId,
};

use crate::branches::main;
use crate::{Services, guard};

/// A scope as a client names it. Tables and views are looked up on `main`; the grant then
/// keeps their content id, so it follows them through renames and merges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeRef {
    Tenant,
    Warehouse {
        warehouse: Name,
    },
    Catalog {
        catalog: Name,
    },
    Namespace {
        catalog: Name,
        namespace: NamespaceIdent,
    },
    Table {
        catalog: Name,
        table: TableIdent,
    },
    View {
        catalog: Name,
        view: TableIdent,
    },
}

/// Where a scope is, by name, as far as it still exists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeNames {
    pub warehouse: Option<Name>,
    pub catalog: Option<Name>,
    /// The namespace of a namespace scope, or the one a table or view is in on `main` now.
    pub namespace: Option<NamespaceIdent>,
    /// The current name of a table or view on `main`; `None` when it is not there.
    pub name: Option<Name>,
}

/// A scope with what decisions need (its placement) and what people read (its names).
#[derive(Debug, Clone)]
pub struct PlacedScope {
    pub scope: Scope,
    pub placement: Placement,
    pub names: ScopeNames,
}

impl PlacedScope {
    /// The most specific resource the scope names, placed.
    pub fn resource(&self) -> Resource {
        self.placement.resource_of(&self.scope)
    }
}

/// Places stored scopes, reading each catalog and warehouse once per call.
pub(crate) struct Placer<'a> {
    services: &'a Services,
    tenant: TenantId,
    catalogs: HashMap<CatalogId, Option<Catalog>>,
    warehouses: HashMap<WarehouseId, Option<Name>>,
}

impl<'a> Placer<'a> {
    pub(crate) fn new(services: &'a Services, tenant: TenantId) -> Self {
        Placer {
            services,
            tenant,
            catalogs: HashMap::new(),
            warehouses: HashMap::new(),
        }
    }

    /// Where a stored scope is now. Objects that are gone leave their names out.
    pub(crate) async fn place(&mut self, scope: &Scope) -> Result<PlacedScope> {
        let mut names = ScopeNames::default();
        let mut placement = Placement::default();
        if let Scope::Warehouse { warehouse } = scope {
            names.warehouse = self.warehouse_name(*warehouse).await?;
        }
        if let Some(id) = scope.catalog()
            && let Some(catalog) = self.catalog(id).await?
        {
            placement.warehouse = catalog.kind.warehouse_id();
            if let Some(w) = placement.warehouse {
                names.warehouse = self.warehouse_name(w).await?;
            }
            names.catalog = Some(catalog.name.clone());
            self.place_inside(scope, &catalog, &mut placement, &mut names)
                .await?;
        }
        Ok(PlacedScope {
            scope: scope.clone(),
            placement,
            names,
        })
    }

    async fn place_inside(
        &self,
        scope: &Scope,
        catalog: &Catalog,
        placement: &mut Placement,
        names: &mut ScopeNames,
    ) -> Result<()> {
        match scope {
            Scope::Namespace { namespace, .. } => names.namespace = Some(namespace.clone()),
            Scope::Table { content, .. } | Scope::View { content, .. }
                if catalog.kind.warehouse_id().is_some() =>
            {
                let store = self.services.store();
                if let Some(found) = store.find_content(catalog.id, &main(), *content).await? {
                    placement.namespace = Some(found.ident.namespace.clone());
                    names.namespace = Some(found.ident.namespace);
                    names.name = Some(found.ident.name);
                }
            }
            _ => {}
        }
        Ok(())
    }

    async fn catalog(&mut self, id: CatalogId) -> Result<Option<Catalog>> {
        if let Some(known) = self.catalogs.get(&id) {
            return Ok(known.clone());
        }
        let found = absent_as_none(self.services.store().get_catalog(self.tenant, id).await)?;
        self.catalogs.insert(id, found.clone());
        Ok(found)
    }

    async fn warehouse_name(&mut self, id: WarehouseId) -> Result<Option<Name>> {
        if let Some(known) = self.warehouses.get(&id) {
            return Ok(known.clone());
        }
        let found = self.services.store().get_warehouse(self.tenant, id).await;
        let name = absent_as_none(found)?.map(|w| w.name);
        self.warehouses.insert(id, name.clone());
        Ok(name)
    }
}

fn absent_as_none<T>(found: Result<T>) -> Result<Option<T>> {
    match found {
        Ok(t) => Ok(Some(t)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

impl Services {
    /// Resolves a client's scope to ids. `NotFound` for an unknown warehouse or catalog; for
    /// an unknown table or view only when the caller may do `action` on its namespace
    /// (`Forbidden` otherwise, so that names it cannot see do not leak).
    pub(crate) async fn resolve_scope(
        &self,
        ctx: &RequestContext,
        tenant: TenantId,
        scope: &ScopeRef,
        action: Action,
    ) -> Result<PlacedScope> {
        let store = self.store();
        let (catalog_name, inside) = match scope {
            ScopeRef::Tenant => return Placer::new(self, tenant).place(&Scope::Tenant).await,
            ScopeRef::Warehouse { warehouse } => {
                let w = store.get_warehouse_by_name(tenant, warehouse).await?;
                let scope = Scope::Warehouse { warehouse: w.id };
                return Placer::new(self, tenant).place(&scope).await;
            }
            ScopeRef::Catalog { catalog } => (catalog, None),
            ScopeRef::Namespace { catalog, namespace } => (catalog, Some(namespace)),
            ScopeRef::Table { catalog, table } => {
                let content = self
                    .resolve_content(ctx, tenant, catalog, table, ContentKind::Table, action)
                    .await?;
                return Placer::new(self, tenant).place(&content).await;
            }
            ScopeRef::View { catalog, view } => {
                let content = self
                    .resolve_content(ctx, tenant, catalog, view, ContentKind::View, action)
                    .await?;
                return Placer::new(self, tenant).place(&content).await;
            }
        };
        let catalog = store.get_catalog_by_name(tenant, catalog_name).await?.id;
        let scope = match inside {
            None => Scope::Catalog { catalog },
            Some(namespace) => Scope::Namespace {
                catalog,
                namespace: namespace.clone(),
            },
        };
        Placer::new(self, tenant).place(&scope).await
    }

    /// The table or view scope `ident` names on `main` of local catalog `catalog`.
    async fn resolve_content(
        &self,
        ctx: &RequestContext,
        tenant: TenantId,
        catalog: &Name,
        ident: &TableIdent,
        kind: ContentKind,
        action: Action,
    ) -> Result<Scope> {
        let handle = match self.catalog_handle(tenant, catalog).await {
            Err(Error::NotImplemented(_)) => {
                return Err(Error::invalid(format!(
                    "catalog '{catalog}' is federated: grant on its namespaces or on the catalog"
                )));
            }
            other => other?,
        };
        let found = self
            .store()
            .load_content(handle.catalog.id, &main(), ident, kind)
            .await;
        let content = guard::require_found(ctx, action, &handle, &ident.namespace, found)?;
        let catalog = handle.catalog.id;
        Ok(match kind {
            ContentKind::Table => Scope::Table {
                catalog,
                content: content.content_id,
            },
            ContentKind::View => Scope::View {
                catalog,
                content: content.content_id,
            },
        })
    }
}
