use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Namespace, PropertiesUpdate};
use pangolin_core::{
    CatalogId, Error, Kind, NamespaceIdent, Page, PageRequest, Properties, Result,
};

use super::{MemoryStore, paginate};
use crate::NamespaceStore;

/// Rejects a property update that both sets and removes a key.
pub(crate) fn check_disjoint(updates: &Properties, removals: &[String]) -> Result<()> {
    match removals.iter().find(|k| updates.contains_key(*k)) {
        Some(k) => Err(Error::invalid(format!(
            "property '{k}' is both updated and removed"
        ))),
        None => Ok(()),
    }
}

#[async_trait]
impl NamespaceStore for MemoryStore {
    async fn create_namespace(&self, namespace: &Namespace, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        let cid = namespace.catalog_id;
        if !s.catalogs.contains_key(&cid) {
            return Err(Error::not_found(Kind::Catalog, cid));
        }
        if let Some(parent) = namespace.ident.parent()
            && !s.namespaces.contains_key(&(cid, parent.encoded()))
        {
            return Err(Error::not_found(Kind::Namespace, parent));
        }
        let key = (cid, namespace.ident.encoded());
        if s.namespaces.contains_key(&key) {
            return Err(Error::already_exists(Kind::Namespace, &namespace.ident));
        }
        s.namespaces.insert(key, namespace.clone());
        s.record(audit);
        Ok(())
    }

    async fn get_namespace(&self, catalog: CatalogId, ident: &NamespaceIdent) -> Result<Namespace> {
        let s = self.state.lock();
        s.namespaces
            .get(&(catalog, ident.encoded()))
            .cloned()
            .ok_or_else(|| Error::not_found(Kind::Namespace, ident))
    }

    async fn list_namespaces(
        &self,
        catalog: CatalogId,
        parent: Option<&NamespaceIdent>,
        page: &PageRequest,
    ) -> Result<Page<Namespace>> {
        let s = self.state.lock();
        if let Some(p) = parent
            && !s.namespaces.contains_key(&(catalog, p.encoded()))
        {
            return Err(Error::not_found(Kind::Namespace, p));
        }
        let depth = parent.map_or(1, |p| p.depth() + 1);
        let rows = s
            .namespaces
            .iter()
            .filter(|((c, _), ns)| {
                *c == catalog
                    && ns.ident.depth() == depth
                    && parent.is_none_or(|p| ns.ident.is_within(p))
            })
            .map(|(_, ns)| ns.clone());
        Ok(paginate(rows, page, |ns| ns.ident.encoded()))
    }

    async fn update_namespace_properties(
        &self,
        catalog: CatalogId,
        ident: &NamespaceIdent,
        updates: &Properties,
        removals: &[String],
        audit: &[AuditEvent],
    ) -> Result<PropertiesUpdate> {
        check_disjoint(updates, removals)?;
        let mut s = self.state.lock();
        let ns = s
            .namespaces
            .get_mut(&(catalog, ident.encoded()))
            .ok_or_else(|| Error::not_found(Kind::Namespace, ident))?;
        let mut result = PropertiesUpdate::default();
        for key in removals {
            match ns.properties.remove(key) {
                Some(_) => result.removed.push(key.clone()),
                None => result.missing.push(key.clone()),
            }
        }
        for (k, v) in updates {
            ns.properties.insert(k.clone(), v.clone());
            result.updated.push(k.clone());
        }
        ns.updated_at = pangolin_core::now();
        s.record(audit);
        Ok(result)
    }

    async fn drop_namespace(
        &self,
        catalog: CatalogId,
        ident: &NamespaceIdent,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut s = self.state.lock();
        let key = (catalog, ident.encoded());
        if !s.namespaces.contains_key(&key) {
            return Err(Error::not_found(Kind::Namespace, ident));
        }
        let has_children = s
            .namespaces
            .iter()
            .any(|((c, _), ns)| *c == catalog && ns.ident.parent().as_ref() == Some(ident));
        if has_children {
            return Err(Error::not_empty(
                Kind::Namespace,
                ident,
                "it has child namespaces",
            ));
        }
        let encoded = ident.encoded();
        if s.contents
            .keys()
            .any(|(c, _, ns, _)| *c == catalog && *ns == encoded)
        {
            return Err(Error::not_empty(
                Kind::Namespace,
                ident,
                "it has tables or views",
            ));
        }
        s.namespaces.remove(&key);
        s.record(audit);
        Ok(())
    }
}
