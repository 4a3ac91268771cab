//! The authorization vocabulary: actions, the scopes grants are given on, the resources
//! requests touch, roles and grants. The decision itself (`pangolin-auth`) is a pure function
//! over these.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    CatalogId, ContentId, Error, GrantId, Name, NamespaceIdent, Result, RoleId, ServiceUserId,
    TenantId, Timestamp, UserId, WarehouseId,
};

use super::{ContentKind, Tier};

/// What a request wants to do. `Write` implies `Read` and `List`; nothing else implies
/// anything (vending is granted separately from metadata access).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Read,
    Write,
    Create,
    Delete,
    List,
    ManageGrants,
    /// Create, delete and merge `ingest` branches.
    ManageIngestBranches,
    /// Create, delete and merge `experimental` branches (and tags).
    ManageExperimentalBranches,
    ManageDiscovery,
    ReadAudit,
    VendRead,
    VendWrite,
}

impl Action {
    pub const ALL: [Action; 12] = [
        Action::Read,
        Action::Write,
        Action::Create,
        Action::Delete,
        Action::List,
        Action::ManageGrants,
        Action::ManageIngestBranches,
        Action::ManageExperimentalBranches,
        Action::ManageDiscovery,
        Action::ReadAudit,
        Action::VendRead,
        Action::VendWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Write => "write",
            Action::Create => "create",
            Action::Delete => "delete",
            Action::List => "list",
            Action::ManageGrants => "manage-grants",
            Action::ManageIngestBranches => "manage-ingest-branches",
            Action::ManageExperimentalBranches => "manage-experimental-branches",
            Action::ManageDiscovery => "manage-discovery",
            Action::ReadAudit => "read-audit",
            Action::VendRead => "vend-read",
            Action::VendWrite => "vend-write",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Whether holding `self` allows `wanted`.
    pub fn implies(self, wanted: Action) -> bool {
        self == wanted
            || (self == Action::Write && matches!(wanted, Action::Read | Action::List))
            || (self == Action::VendWrite && wanted == Action::VendRead)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a grant is given on. A scope covers itself and everything inside it: a namespace
/// covers its descendant namespaces and their tables and views; tables and views are named
/// by their stable content id, so grants follow them through renames, branches and merges.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Scope {
    Tenant,
    Warehouse {
        warehouse: WarehouseId,
    },
    Catalog {
        catalog: CatalogId,
    },
    Namespace {
        catalog: CatalogId,
        namespace: NamespaceIdent,
    },
    Table {
        catalog: CatalogId,
        content: ContentId,
    },
    View {
        catalog: CatalogId,
        content: ContentId,
    },
}

impl Scope {
    /// Whether a grant on this scope applies to `resource`.
    pub fn covers(&self, resource: &Resource) -> bool {
        match self {
            Scope::Tenant => true,
            Scope::Warehouse { warehouse } => resource.warehouse == Some(*warehouse),
            Scope::Catalog { catalog } => resource.catalog == Some(*catalog),
            Scope::Namespace { catalog, namespace } => {
                resource.catalog == Some(*catalog)
                    && resource
                        .namespace
                        .as_ref()
                        .is_some_and(|ns| ns.is_within(namespace))
            }
            Scope::Table { catalog, content } => {
                resource.catalog == Some(*catalog)
                    && resource.content == Some((ContentKind::Table, *content))
            }
            Scope::View { catalog, content } => {
                resource.catalog == Some(*catalog)
                    && resource.content == Some((ContentKind::View, *content))
            }
        }
    }

    /// Whether this scope lies inside (or equals) `outer`: a grant on `outer` reaches it.
    pub fn is_within(&self, outer: &Scope, warehouse_of: Option<WarehouseId>) -> bool {
        outer.covers(&self.as_resource(warehouse_of))
    }

    /// The most specific resource this scope names (for "is within" checks). `warehouse_of`
    /// is the warehouse of the scope's catalog, when it has one.
    pub fn as_resource(&self, warehouse_of: Option<WarehouseId>) -> Resource {
        let mut r = Resource::default();
        match self {
            Scope::Tenant => {}
            Scope::Warehouse { warehouse } => r.warehouse = Some(*warehouse),
            Scope::Catalog { catalog } => {
                r.warehouse = warehouse_of;
                r.catalog = Some(*catalog);
            }
            Scope::Namespace { catalog, namespace } => {
                r.warehouse = warehouse_of;
                r.catalog = Some(*catalog);
                r.namespace = Some(namespace.clone());
            }
            Scope::Table { catalog, content } | Scope::View { catalog, content } => {
                r.warehouse = warehouse_of;
                r.catalog = Some(*catalog);
                let kind = match self {
                    Scope::View { .. } => ContentKind::View,
                    _ => ContentKind::Table,
                };
                r.content = Some((kind, *content));
            }
        }
        r
    }

    /// A canonical string form, unique per scope: what stores index and compare (e.g. to
    /// refuse a duplicate grant). `namespace:<catalog>:<encoded path>` etc.
    pub fn key(&self) -> String {
        match self {
            Scope::Tenant => "tenant".into(),
            Scope::Warehouse { warehouse } => format!("warehouse:{warehouse}"),
            Scope::Catalog { catalog } => format!("catalog:{catalog}"),
            Scope::Namespace { catalog, namespace } => {
                format!("namespace:{catalog}:{}", namespace.encoded())
            }
            Scope::Table { catalog, content } => format!("table:{catalog}:{content}"),
            Scope::View { catalog, content } => format!("view:{catalog}:{content}"),
        }
    }

    /// The catalog the scope lies in, if any.
    pub fn catalog(&self) -> Option<CatalogId> {
        match self {
            Scope::Tenant | Scope::Warehouse { .. } => None,
            Scope::Catalog { catalog }
            | Scope::Namespace { catalog, .. }
            | Scope::Table { catalog, .. }
            | Scope::View { catalog, .. } => Some(*catalog),
        }
    }
}

/// Where a request acts, from the outside in. Every field that is known is filled in: a
/// table resource names its warehouse, catalog, namespace and content id, so that a grant
/// on any of them can be found to cover it. The namespace of a table is the table's own
/// namespace (a table is "inside" every ancestor of it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Resource {
    pub warehouse: Option<WarehouseId>,
    pub catalog: Option<CatalogId>,
    pub namespace: Option<NamespaceIdent>,
    pub content: Option<(ContentKind, ContentId)>,
}

impl Resource {
    pub fn tenant() -> Self {
        Resource::default()
    }
}

/// What a principal holds, loaded once per request by authentication: the input of every
/// authorization decision (`pangolin_auth::authz`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub tier: Tier,
    /// The principal's tenant; `None` for root.
    pub tenant: Option<TenantId>,
    /// Every grant that applies to the principal: its own and its roles'.
    pub grants: Vec<Grant>,
}

impl Access {
    pub fn new(tier: Tier, tenant: Option<TenantId>, grants: Vec<Grant>) -> Self {
        Access {
            tier,
            tenant,
            grants,
        }
    }

    /// Everything inside the tenant, without consulting grants.
    pub fn is_tenant_admin(&self) -> bool {
        self.tier == Tier::TenantAdmin && self.tenant.is_some()
    }

    /// The grants that count: a tenant user's, of its own tenant.
    pub fn effective_grants(&self) -> impl Iterator<Item = &Grant> {
        let counts = self.tier == Tier::TenantUser && self.tenant.is_some();
        self.grants
            .iter()
            .filter(move |g| counts && Some(g.tenant_id) == self.tenant)
    }
}

/// Who a grant is given to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "kebab-case")]
pub enum Grantee {
    User(UserId),
    ServiceUser(ServiceUserId),
    Role(RoleId),
}

/// Who a role is assigned to. Groups come from external identity providers (an OIDC
/// `groups` claim): every member of the group holds the role while the token says so.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "kebab-case")]
pub enum Assignee {
    User(UserId),
    ServiceUser(ServiceUserId),
    Group(String),
}

/// One permission: `grantee` may do `action` on everything `scope` covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Grant {
    pub id: GrantId,
    pub tenant_id: TenantId,
    pub grantee: Grantee,
    pub action: Action,
    pub scope: Scope,
    /// The principal id that gave it (for the record).
    pub granted_by: String,
    pub created_at: Timestamp,
}

/// A named set of grants, assigned to users, service users and groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Role {
    pub id: RoleId,
    pub tenant_id: TenantId,
    /// Unique per tenant.
    pub name: Name,
    pub description: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Role {
    pub fn new(tenant_id: TenantId, name: Name) -> Self {
        let now = crate::now();
        Role {
            id: RoleId::generate(),
            tenant_id,
            name,
            description: None,
            created_at: now,
            updated_at: now,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RoleAssignment {
    pub tenant_id: TenantId,
    pub role_id: RoleId,
    pub assignee: Assignee,
    pub created_at: Timestamp,
}

/// An OIDC group name as kept in assignments: non-empty, no control characters.
pub fn check_group(group: &str) -> Result<()> {
    if group.is_empty() || group.len() > 1024 || group.chars().any(char::is_control) {
        return Err(Error::invalid(format!("invalid group name {group:?}")));
    }
    Ok(())
}

/// Convenience for tests and fixtures.
pub fn namespace_scope(catalog: CatalogId, levels: &[&str]) -> Result<Scope> {
    let levels = levels.iter().map(Name::new).collect::<Result<Vec<_>>>()?;
    Ok(Scope::Namespace {
        catalog,
        namespace: NamespaceIdent::new(levels)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_in(catalog: CatalogId, ns: &[&str], content: ContentId) -> Resource {
        Resource {
            warehouse: Some(WarehouseId::from_uuid(uuid::Uuid::nil())),
            catalog: Some(catalog),
            namespace: Some(NamespaceIdent::from_strs(ns).unwrap()),
            content: Some((ContentKind::Table, content)),
        }
    }

    #[test]
    fn write_implies_read_and_list_only() {
        assert!(Action::Write.implies(Action::Read));
        assert!(Action::Write.implies(Action::List));
        assert!(!Action::Write.implies(Action::Delete));
        assert!(!Action::Write.implies(Action::VendRead));
        assert!(!Action::Read.implies(Action::Write));
        assert!(Action::VendWrite.implies(Action::VendRead));
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
    }

    #[test]
    fn namespaces_cover_descendants_not_siblings() {
        let c = CatalogId::generate();
        let t = ContentId::generate();
        let scope = namespace_scope(c, &["a"]).unwrap();
        assert!(scope.covers(&table_in(c, &["a"], t)));
        assert!(scope.covers(&table_in(c, &["a", "b"], t)));
        assert!(!scope.covers(&table_in(c, &["ab"], t)));
        assert!(!scope.covers(&table_in(CatalogId::generate(), &["a"], t)));
    }

    #[test]
    fn tables_are_named_by_content_id() {
        let c = CatalogId::generate();
        let t = ContentId::generate();
        let scope = Scope::Table {
            catalog: c,
            content: t,
        };
        assert!(scope.covers(&table_in(c, &["x"], t)));
        assert!(!scope.covers(&table_in(c, &["x"], ContentId::generate())));
        let view = Scope::View {
            catalog: c,
            content: t,
        };
        assert!(!view.covers(&table_in(c, &["x"], t)));
    }

    #[test]
    fn scope_keys_are_distinct() {
        let c = CatalogId::generate();
        let t = ContentId::generate();
        let keys: std::collections::HashSet<String> = [
            Scope::Tenant,
            Scope::Catalog { catalog: c },
            namespace_scope(c, &["a"]).unwrap(),
            namespace_scope(c, &["a", "b"]).unwrap(),
            Scope::Table {
                catalog: c,
                content: t,
            },
            Scope::View {
                catalog: c,
                content: t,
            },
        ]
        .iter()
        .map(Scope::key)
        .collect();
        assert_eq!(keys.len(), 6);
    }

    #[test]
    fn within_follows_covers() {
        let c = CatalogId::generate();
        let w = WarehouseId::generate();
        let inner = namespace_scope(c, &["a", "b"]).unwrap();
        assert!(inner.is_within(&namespace_scope(c, &["a"]).unwrap(), Some(w)));
        assert!(inner.is_within(&Scope::Catalog { catalog: c }, Some(w)));
        assert!(inner.is_within(&Scope::Warehouse { warehouse: w }, Some(w)));
        assert!(inner.is_within(&Scope::Tenant, Some(w)));
        assert!(!Scope::Tenant.is_within(&inner, Some(w)));
    }
}
