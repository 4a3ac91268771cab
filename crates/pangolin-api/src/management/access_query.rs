//! Query parameters of the access routes: a resource named from the outside in (for
//! `/me/permissions` and the grant list's scope filter) and the grant list's grantee filter.

use pangolin_catalog::admin::access::{PermissionQuery, ScopeRef};
use pangolin_core::model::Grantee;
use pangolin_core::{Error, Name, NamespaceIdent, Result, TableIdent};
use serde::Deserialize;

/// A resource named by query parameters: `warehouse`, `catalog`, `namespace` (levels
/// separated by 0x1F, as in Iceberg paths), `table` or `view`, and `ref` for tables and views.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct ResourceParams {
    warehouse: Option<Name>,
    catalog: Option<Name>,
    namespace: Option<String>,
    table: Option<Name>,
    view: Option<Name>,
    #[serde(rename = "ref")]
    reference: Option<Name>,
}

impl ResourceParams {
    fn namespace(&self) -> Result<Option<NamespaceIdent>> {
        self.namespace
            .as_deref()
            .map(NamespaceIdent::from_encoded)
            .transpose()
    }

    pub(crate) fn into_query(self) -> Result<PermissionQuery> {
        Ok(PermissionQuery {
            namespace: self.namespace()?,
            warehouse: self.warehouse,
            catalog: self.catalog,
            table: self.table,
            view: self.view,
            reference: self.reference,
        })
    }

    /// The exact scope these parameters name, if any (the grant list's scope filter).
    fn scope(&self) -> Result<Option<ScopeRef>> {
        let namespace = self.namespace()?;
        let needs_catalog = || Error::invalid("namespace, table and view need catalog");
        let scope = match (&self.catalog, namespace, &self.table, &self.view) {
            (None, None, None, None) => {
                return Ok(self
                    .warehouse
                    .clone()
                    .map(|warehouse| ScopeRef::Warehouse { warehouse }));
            }
            (None, ..) => return Err(needs_catalog()),
            (Some(c), None, None, None) => ScopeRef::Catalog { catalog: c.clone() },
            (Some(c), Some(ns), None, None) => ScopeRef::Namespace {
                catalog: c.clone(),
                namespace: ns,
            },
            (Some(c), Some(ns), Some(t), None) => ScopeRef::Table {
                catalog: c.clone(),
                table: TableIdent::new(ns, t.clone()),
            },
            (Some(c), Some(ns), None, Some(v)) => ScopeRef::View {
                catalog: c.clone(),
                view: TableIdent::new(ns, v.clone()),
            },
            _ => return Err(Error::invalid("name one table or view, in its namespace")),
        };
        Ok(Some(scope))
    }
}

/// `GET /api/v1/grants` filters: one grantee (`user`, `service-user` or `role` id) and/or
/// the exact scope, named like in [`ResourceParams`]; paging parameters are read separately.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct GrantParams {
    user: Option<String>,
    service_user: Option<String>,
    role: Option<String>,
    warehouse: Option<Name>,
    catalog: Option<Name>,
    namespace: Option<String>,
    table: Option<Name>,
    view: Option<Name>,
}

impl GrantParams {
    pub(crate) fn grantee(&self) -> Result<Option<Grantee>> {
        let bad = |what: &str, v: &str| Error::invalid(format!("{v:?} is not a {what} id"));
        let grantee = match (&self.user, &self.service_user, &self.role) {
            (None, None, None) => return Ok(None),
            (Some(u), None, None) => u.parse().map(Grantee::User).map_err(|_| bad("user", u)),
            (None, Some(s), None) => s
                .parse()
                .map(Grantee::ServiceUser)
                .map_err(|_| bad("service user", s)),
            (None, None, Some(r)) => r.parse().map(Grantee::Role).map_err(|_| bad("role", r)),
            _ => Err(Error::invalid(
                "filter by one of user, service-user and role",
            )),
        };
        grantee.map(Some)
    }

    pub(crate) fn scope(&self) -> Result<Option<ScopeRef>> {
        ResourceParams {
            warehouse: self.warehouse.clone(),
            catalog: self.catalog.clone(),
            namespace: self.namespace.clone(),
            table: self.table.clone(),
            view: self.view.clone(),
            reference: None,
        }
        .scope()
    }
}
