use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Catalog, Commit, MAIN_BRANCH, RefKind, Reference};
use pangolin_core::{
    CatalogId, CommitId, Error, Kind, Name, Page, PageRequest, Properties, Result, TenantId,
};

use super::{MemoryStore, State, paginate};
use crate::CatalogStore;

/// The root commit and `main` branch every catalog starts with.
pub(crate) fn initial_history(catalog: &Catalog) -> (Commit, Reference) {
    let root = Commit {
        id: CommitId::generate(),
        catalog_id: catalog.id,
        parents: vec![],
        author: "pangolin".into(),
        message: "create catalog".into(),
        created_at: catalog.created_at,
        operations: vec![],
    };
    let main = Reference {
        catalog_id: catalog.id,
        name: Name::new(MAIN_BRANCH).expect("'main' is a valid name"),
        kind: RefKind::Branch,
        head: root.id,
        scope: None,
        properties: Properties::new(),
        created_at: catalog.created_at,
        updated_at: catalog.created_at,
    };
    (root, main)
}

impl State {
    fn check_catalog_refs(&self, catalog: &Catalog) -> Result<()> {
        if !self.tenants.contains_key(&catalog.tenant_id) {
            return Err(Error::not_found(Kind::Tenant, catalog.tenant_id));
        }
        if let Some(wid) = catalog.kind.warehouse_id() {
            let ok = self
                .warehouses
                .get(&wid)
                .is_some_and(|w| w.tenant_id == catalog.tenant_id);
            if !ok {
                return Err(Error::not_found(Kind::Warehouse, wid));
            }
        }
        let dup = self.catalogs.values().any(|c| {
            c.tenant_id == catalog.tenant_id && c.name == catalog.name && c.id != catalog.id
        });
        if dup {
            return Err(Error::already_exists(Kind::Catalog, &catalog.name));
        }
        Ok(())
    }
}

#[async_trait]
impl CatalogStore for MemoryStore {
    async fn create_catalog(&self, catalog: &Catalog, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        s.check_catalog_refs(catalog)?;
        if s.catalogs.contains_key(&catalog.id) {
            return Err(Error::already_exists(Kind::Catalog, &catalog.name));
        }
        let (root, main) = initial_history(catalog);
        s.catalogs.insert(catalog.id, catalog.clone());
        s.refs.insert((catalog.id, MAIN_BRANCH.into()), main);
        s.commits.insert(root.id, root);
        s.record(audit);
        Ok(())
    }

    async fn get_catalog(&self, tenant: TenantId, id: CatalogId) -> Result<Catalog> {
        let s = self.state.lock();
        s.catalogs
            .get(&id)
            .filter(|c| c.tenant_id == tenant)
            .cloned()
            .ok_or_else(|| Error::not_found(Kind::Catalog, id))
    }

    async fn get_catalog_by_name(&self, tenant: TenantId, name: &Name) -> Result<Catalog> {
        let s = self.state.lock();
        s.catalogs
            .values()
            .find(|c| c.tenant_id == tenant && &c.name == name)
            .cloned()
            .ok_or_else(|| Error::not_found(Kind::Catalog, name))
    }

    async fn list_catalogs(&self, tenant: TenantId, page: &PageRequest) -> Result<Page<Catalog>> {
        let s = self.state.lock();
        let mut all: Vec<Catalog> = s
            .catalogs
            .values()
            .filter(|c| c.tenant_id == tenant)
            .cloned()
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(paginate(all.into_iter(), page, |c| c.name.to_string()))
    }

    async fn update_catalog(&self, catalog: &Catalog, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        let found = s
            .catalogs
            .get(&catalog.id)
            .is_some_and(|c| c.tenant_id == catalog.tenant_id);
        if !found {
            return Err(Error::not_found(Kind::Catalog, catalog.id));
        }
        s.check_catalog_refs(catalog)?;
        let stored = s.catalogs.get_mut(&catalog.id).expect("checked above");
        stored.name = catalog.name.clone();
        stored.kind = catalog.kind.clone();
        stored.properties = catalog.properties.clone();
        stored.updated_at = catalog.updated_at;
        s.record(audit);
        Ok(())
    }

    async fn delete_catalog(
        &self,
        tenant: TenantId,
        id: CatalogId,
        cascade: bool,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut s = self.state.lock();
        let catalog = s
            .catalogs
            .get(&id)
            .filter(|c| c.tenant_id == tenant)
            .ok_or_else(|| Error::not_found(Kind::Catalog, id))?;
        if !cascade && s.namespaces.keys().any(|(c, _)| *c == id) {
            return Err(Error::not_empty(
                Kind::Catalog,
                &catalog.name,
                "it still has namespaces",
            ));
        }
        s.catalogs.remove(&id);
        s.namespaces.retain(|(c, _), _| *c != id);
        s.refs.retain(|(c, _), _| *c != id);
        s.contents.retain(|(c, ..), _| *c != id);
        s.commits.retain(|_, commit| commit.catalog_id != id);
        s.merges.retain(|_, op| op.catalog_id != id);
        s.metadata.retain(|(c, _), _| *c != id);
        s.forget_catalog_grants(id);
        s.record(audit);
        Ok(())
    }
}
