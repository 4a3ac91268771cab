//! Wire types of roles, role assignments, grants and `/me/permissions`. Clients name scopes
//! by names (catalog, warehouse) and identifiers (namespace levels, table name); views show
//! the ids grants keep and the names those ids have now.

use pangolin_catalog::admin::access::{GrantInfo, ScopeNames, ScopeRef};
use pangolin_core::model::{Action, Assignee, Grantee, Role, RoleAssignment, Scope};
use pangolin_core::{
    CatalogId, ContentId, Error, GrantId, Name, NamespaceIdent, Result, RoleId, TableIdent,
    Timestamp, WarehouseId,
};
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct CreateRole {
    pub(crate) name: Name,
    pub(crate) description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct UpdateRole {
    pub(crate) name: Option<Name>,
    /// Absent: keep; `null`: remove.
    #[serde(default, deserialize_with = "present")]
    pub(crate) description: Option<Option<String>>,
}

fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> std::result::Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct RoleView {
    id: RoleId,
    name: Name,
    description: Option<String>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<Role> for RoleView {
    fn from(r: Role) -> Self {
        RoleView {
            id: r.id,
            name: r.name,
            description: r.description,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// `{"type": "user" | "service-user" | "group", "id": "..."}` (a group's id is its name).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssignBody {
    #[serde(flatten)]
    pub(crate) assignee: Assignee,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct AssignmentView {
    role_id: RoleId,
    assignee: Assignee,
    created_at: Timestamp,
}

impl From<RoleAssignment> for AssignmentView {
    fn from(a: RoleAssignment) -> Self {
        AssignmentView {
            role_id: a.role_id,
            assignee: a.assignee,
            created_at: a.created_at,
        }
    }
}

/// The assignee of `DELETE .../assignments/{kind}/{assignee}`.
pub(crate) fn assignee(kind: &str, id: &str) -> Result<Assignee> {
    let parse_err = |_| Error::invalid(format!("{id:?} is not a {kind} id"));
    match kind {
        "user" => Ok(Assignee::User(id.parse().map_err(parse_err)?)),
        "service-user" => Ok(Assignee::ServiceUser(id.parse().map_err(parse_err)?)),
        "group" => Ok(Assignee::Group(id.to_owned())),
        other => Err(Error::invalid(format!(
            "assignee kind must be user, service-user or group, not {other:?}"
        ))),
    }
}

/// A scope as a client names it.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) enum ScopeBody {
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
        namespace: NamespaceIdent,
        table: Name,
    },
    View {
        catalog: Name,
        namespace: NamespaceIdent,
        view: Name,
    },
}

impl From<ScopeBody> for ScopeRef {
    fn from(body: ScopeBody) -> Self {
        match body {
            ScopeBody::Tenant => ScopeRef::Tenant,
            ScopeBody::Warehouse { warehouse } => ScopeRef::Warehouse { warehouse },
            ScopeBody::Catalog { catalog } => ScopeRef::Catalog { catalog },
            ScopeBody::Namespace { catalog, namespace } => {
                ScopeRef::Namespace { catalog, namespace }
            }
            ScopeBody::Table {
                catalog,
                namespace,
                table,
            } => ScopeRef::Table {
                catalog,
                table: TableIdent::new(namespace, table),
            },
            ScopeBody::View {
                catalog,
                namespace,
                view,
            } => ScopeRef::View {
                catalog,
                view: TableIdent::new(namespace, view),
            },
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct CreateGrant {
    pub(crate) grantee: Grantee,
    pub(crate) action: Action,
    pub(crate) scope: ScopeBody,
}

/// A grant as the API shows it: ids and the names they have now (`null` once gone).
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct GrantView {
    id: GrantId,
    grantee: GranteeView,
    action: Action,
    scope: ScopeView,
    granted_by: String,
    created_at: Timestamp,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
struct GranteeView {
    #[serde(flatten)]
    grantee: Grantee,
    name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
struct ScopeView {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    warehouse_id: Option<WarehouseId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warehouse: Option<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    catalog_id: Option<CatalogId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    catalog: Option<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<NamespaceIdent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_id: Option<ContentId>,
    /// The table's or view's current name (on `main`).
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<Name>,
}

impl ScopeView {
    fn new(scope: &Scope, names: ScopeNames) -> Self {
        let mut view = ScopeView {
            kind: "tenant",
            warehouse_id: None,
            warehouse: names.warehouse,
            catalog_id: scope.catalog(),
            catalog: names.catalog,
            namespace: names.namespace,
            content_id: None,
            name: names.name,
        };
        match scope {
            Scope::Tenant => {}
            Scope::Warehouse { warehouse } => {
                view.kind = "warehouse";
                view.warehouse_id = Some(*warehouse);
            }
            Scope::Catalog { .. } => view.kind = "catalog",
            Scope::Namespace { namespace, .. } => {
                view.kind = "namespace";
                view.namespace = Some(namespace.clone());
            }
            Scope::Table { content, .. } => {
                view.kind = "table";
                view.content_id = Some(*content);
            }
            Scope::View { content, .. } => {
                view.kind = "view";
                view.content_id = Some(*content);
            }
        }
        view
    }
}

impl From<GrantInfo> for GrantView {
    fn from(info: GrantInfo) -> Self {
        let g = info.grant;
        GrantView {
            id: g.id,
            grantee: GranteeView {
                grantee: g.grantee,
                name: info.grantee_name,
            },
            action: g.action,
            scope: ScopeView::new(&g.scope, info.scope),
            granted_by: g.granted_by,
            created_at: g.created_at,
        }
    }
}
