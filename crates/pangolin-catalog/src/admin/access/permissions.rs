//! `GET /api/v1/me/permissions`: what the caller may do on one resource, named the way a
//! client names it. A table or view that does not exist is answered with what the caller
//! could do on it at its namespace (grants on other tables cannot apply to it), so the answer
//! never tells whether a name the caller cannot see exists.

use std::collections::BTreeSet;

use pangolin_auth::authz;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, ContentKind, Resource};
use pangolin_core::{Error, Name, NamespaceIdent, Result, TableIdent, TenantId};

use crate::Services;
use crate::branches::main;

/// The resource to ask about, from the outside in; every level given needs the ones above it
/// (a warehouse alone, or a catalog, a namespace in it, a table or view in that).
#[derive(Debug, Clone, Default)]
pub struct PermissionQuery {
    pub warehouse: Option<Name>,
    pub catalog: Option<Name>,
    pub namespace: Option<NamespaceIdent>,
    pub table: Option<Name>,
    pub view: Option<Name>,
    /// The branch or tag tables and views are looked up on; `main` when absent.
    pub reference: Option<Name>,
}

impl Services {
    /// Every action the caller may do on the resource `query` names.
    pub async fn my_permissions(
        &self,
        ctx: &RequestContext,
        query: &PermissionQuery,
    ) -> Result<BTreeSet<Action>> {
        let tenant = ctx.tenant()?;
        let resource = self.query_resource(tenant, query).await?;
        Ok(authz::effective_actions(&ctx.access, &resource))
    }

    async fn query_resource(&self, tenant: TenantId, q: &PermissionQuery) -> Result<Resource> {
        check_shape(q)?;
        let store = self.store();
        let mut resource = Resource::default();
        if let Some(name) = &q.warehouse {
            resource.warehouse = Some(store.get_warehouse_by_name(tenant, name).await?.id);
        }
        let Some(name) = &q.catalog else {
            return Ok(resource);
        };
        let catalog = store.get_catalog_by_name(tenant, name).await?;
        let warehouse = catalog.kind.warehouse_id();
        if resource.warehouse.is_some() && resource.warehouse != warehouse {
            return Err(Error::invalid(format!(
                "catalog '{name}' is not on that warehouse"
            )));
        }
        resource.warehouse = warehouse;
        resource.catalog = Some(catalog.id);
        resource.namespace = q.namespace.clone();
        let (Some(namespace), Some((kind, object))) = (&q.namespace, object(q)) else {
            return Ok(resource);
        };
        let ident = TableIdent::new(namespace.clone(), object.clone());
        let reference = q.reference.clone().unwrap_or_else(main);
        match store
            .load_content(catalog.id, &reference, &ident, kind)
            .await
        {
            Ok(content) => resource.content = Some((kind, content.content_id)),
            Err(Error::NotFound { kind: k, .. }) if k == kind.error_kind() => {}
            Err(e) => return Err(e),
        }
        Ok(resource)
    }
}

fn object(q: &PermissionQuery) -> Option<(ContentKind, &Name)> {
    match (&q.table, &q.view) {
        (Some(t), _) => Some((ContentKind::Table, t)),
        (None, Some(v)) => Some((ContentKind::View, v)),
        (None, None) => None,
    }
}

fn check_shape(q: &PermissionQuery) -> Result<()> {
    let refuse = |why: &str| Err(Error::invalid(why.to_owned()));
    if q.table.is_some() && q.view.is_some() {
        return refuse("name a table or a view, not both");
    }
    if (q.table.is_some() || q.view.is_some()) && q.namespace.is_none() {
        return refuse("a table or view needs its namespace");
    }
    if q.namespace.is_some() && q.catalog.is_none() {
        return refuse("a namespace needs its catalog");
    }
    if q.reference.is_some() && object(q).is_none() {
        return refuse("ref applies to tables and views only");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_name_levels_from_the_outside_in() {
        let n = |s: &str| Some(Name::new(s).unwrap());
        let ns = Some(NamespaceIdent::from_strs(&["db"]).unwrap());
        let ok = PermissionQuery {
            catalog: n("c"),
            namespace: ns.clone(),
            table: n("t"),
            ..Default::default()
        };
        assert!(check_shape(&ok).is_ok());
        assert!(check_shape(&PermissionQuery::default()).is_ok());
        let no_catalog = PermissionQuery {
            namespace: ns.clone(),
            ..Default::default()
        };
        assert!(check_shape(&no_catalog).is_err());
        let no_namespace = PermissionQuery {
            catalog: n("c"),
            view: n("v"),
            ..Default::default()
        };
        assert!(check_shape(&no_namespace).is_err());
        let both = PermissionQuery {
            view: n("v"),
            ..ok.clone()
        };
        assert!(check_shape(&both).is_err());
    }
}
