//! Every route of the router and what it requires of the caller: the one table that says who
//! may call what. The service layer enforces it (before any side effect); the router refuses
//! to build with a route missing here; the gate middleware authenticates every non-public
//! route before its handler runs and audits refusals; the authorization matrix test
//! (`tests/authz_matrix.rs`) calls every route here as every kind of principal.
//!
//! Levels name where a grant must be: the resource the route addresses (`{prefix}` is a
//! catalog, `{namespace}` a namespace, `{table}`/`{view}` one object by its content id) or,
//! for routes whose body names the object, that object.

use pangolin_core::model::Action;

/// How far out a grant is looked for: the level of the resource a route acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Tenant,
    Warehouse,
    Catalog,
    Namespace,
    Table,
    View,
}

/// What a route needs before it does anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// No credentials needed (health, discovery, login and token endpoints).
    Public,
    /// Any authenticated principal, root outside tenants included; it acts on its own things.
    Authenticated,
    /// Any principal acting in a tenant; what it gets is filtered to what it may see.
    TenantMember,
    /// Root outside tenants (tenants, signing keys).
    Root,
    /// Root for root accounts, tenant admins (or root impersonating) for their tenant's.
    RootOrTenantAdmin,
    TenantAdmin,
    /// Tenant admins, or whoever holds `manage-grants` anywhere in the tenant.
    GrantManager,
    /// Every listed action on the resource at its level (tenant admins hold them all).
    Grants(&'static [(Action, Level)]),
    /// The resource at the level must be visible: some grant on it, inside it or covering it.
    /// Lists under it are filtered.
    Visible(Level),
}

/// One route: method, path template as the router spells it, requirement, and for
/// requirements the tuple cannot say, a note for readers.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub requirement: Requirement,
    pub note: &'static str,
}

use Action::*;
use Level::*;
use Requirement::*;

const fn r(method: &'static str, path: &'static str, requirement: Requirement) -> Route {
    Route {
        method,
        path,
        requirement,
        note: "",
    }
}

const fn n(
    method: &'static str,
    path: &'static str,
    requirement: Requirement,
    note: &'static str,
) -> Route {
    Route {
        method,
        path,
        requirement,
        note,
    }
}

const NS: &str = "/v1/{prefix}/namespaces/{namespace}";

/// Every route. Order: health, authentication and accounts, tenancy, catalogs and branching,
/// access management, Iceberg REST.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    r("GET", "/health/live", Public),
    r("GET", "/health/ready", Public),
    r("POST", "/api/v1/users/login", Public),
    r("POST", "/api/v1/users/logout", Authenticated),
    n("POST", "/api/v1/tokens/revoke", RootOrTenantAdmin, "also the token's owner"),
    r("POST", "/api/v1/keys/rotate", Root),
    r("GET", "/.well-known/jwks.json", Public),
    r("POST", "/v1/oauth/tokens", Public),
    r("POST", "/v1/{prefix}/oauth/tokens", Public),
    r("POST", "/api/v1/oauth/tokens", Public),
    r("GET", "/api/v1/auth/providers", Public),
    r("GET", "/api/v1/auth/{provider}/authorize", Public),
    r("GET", "/api/v1/auth/{provider}/callback", Public),
    r("POST", "/api/v1/auth/exchange", Public),
    r("GET", "/api/v1/users", RootOrTenantAdmin),
    r("POST", "/api/v1/users", RootOrTenantAdmin),
    r("GET", "/api/v1/users/me", Authenticated),
    r("PUT", "/api/v1/users/me/password", Authenticated),
    n("GET", "/api/v1/users/{id}", RootOrTenantAdmin, "also the account itself"),
    r("PATCH", "/api/v1/users/{id}", RootOrTenantAdmin),
    r("DELETE", "/api/v1/users/{id}", RootOrTenantAdmin),
    r("GET", "/api/v1/service-users", TenantAdmin),
    r("POST", "/api/v1/service-users", TenantAdmin),
    r("GET", "/api/v1/service-users/{id}", TenantAdmin),
    r("PATCH", "/api/v1/service-users/{id}", TenantAdmin),
    r("DELETE", "/api/v1/service-users/{id}", TenantAdmin),
    r("GET", "/api/v1/service-users/{id}/api-keys", TenantAdmin),
    r("POST", "/api/v1/service-users/{id}/api-keys", TenantAdmin),
    r("DELETE", "/api/v1/service-users/{id}/api-keys/{key_id}", TenantAdmin),
    r("POST", "/api/v1/service-users/{id}/api-keys/{key_id}/rotate", TenantAdmin),
    r("GET", "/api/v1/tenants", Root),
    r("POST", "/api/v1/tenants", Root),
    n("GET", "/api/v1/tenants/{tenant}", Authenticated, "root, or a member of that tenant"),
    r("PATCH", "/api/v1/tenants/{tenant}", Root),
    r("DELETE", "/api/v1/tenants/{tenant}", Root),
    r("GET", "/api/v1/warehouses", TenantAdmin),
    r("POST", "/api/v1/warehouses", TenantAdmin),
    r("GET", "/api/v1/warehouses/{warehouse}", TenantAdmin),
    r("PATCH", "/api/v1/warehouses/{warehouse}", TenantAdmin),
    r("DELETE", "/api/v1/warehouses/{warehouse}", TenantAdmin),
    r("POST", "/api/v1/warehouses/{warehouse}/validate", TenantAdmin),
    r("GET", "/api/v1/catalogs", TenantMember),
    n("POST", "/api/v1/catalogs", Grants(&[(Create, Warehouse)]), "federated: create on the tenant"),
    r("GET", "/api/v1/catalogs/{catalog}", Visible(Catalog)),
    r("PATCH", "/api/v1/catalogs/{catalog}", Grants(&[(Write, Catalog)])),
    r("DELETE", "/api/v1/catalogs/{catalog}", Grants(&[(Delete, Catalog)])),
    r("GET", "/api/v1/catalogs/{catalog}/branches", Visible(Catalog)),
    n("POST", "/api/v1/catalogs/{catalog}/branches", Grants(&[(ManageExperimentalBranches, Catalog)]), "ingest branches: manage-ingest-branches"),
    r("GET", "/api/v1/catalogs/{catalog}/branches/{name}", Visible(Catalog)),
    n("DELETE", "/api/v1/catalogs/{catalog}/branches/{name}", Grants(&[(ManageExperimentalBranches, Catalog)]), "by the branch's kind"),
    n("POST", "/api/v1/catalogs/{catalog}/branches/{name}/rebase", Grants(&[(ManageExperimentalBranches, Catalog), (Write, Table)]), "as a merge into the branch"),
    r("GET", "/api/v1/catalogs/{catalog}/tags", Visible(Catalog)),
    r("POST", "/api/v1/catalogs/{catalog}/tags", Grants(&[(ManageExperimentalBranches, Catalog)])),
    r("GET", "/api/v1/catalogs/{catalog}/tags/{name}", Visible(Catalog)),
    r("DELETE", "/api/v1/catalogs/{catalog}/tags/{name}", Grants(&[(ManageExperimentalBranches, Catalog)])),
    r("GET", "/api/v1/catalogs/{catalog}/refs/{name}/commits", Grants(&[(Read, Catalog)])),
    r("GET", "/api/v1/catalogs/{catalog}/commits/{id}", Grants(&[(Read, Catalog)])),
    r("GET", "/api/v1/catalogs/{catalog}/diff", Grants(&[(Read, Catalog)])),
    r("GET", "/api/v1/catalogs/{catalog}/merges", Grants(&[(Read, Catalog)])),
    n("POST", "/api/v1/catalogs/{catalog}/merges", Grants(&[(ManageExperimentalBranches, Catalog), (Write, Table)]), "the managing action of both branches; write, create or delete on every table changed"),
    r("GET", "/api/v1/catalogs/{catalog}/merges/{id}", Grants(&[(Read, Catalog)])),
    r("POST", "/api/v1/catalogs/{catalog}/merges/{id}/resolve", Grants(&[(ManageExperimentalBranches, Catalog)])),
    r("POST", "/api/v1/catalogs/{catalog}/merges/{id}/complete", Grants(&[(ManageExperimentalBranches, Catalog), (Write, Table)])),
    r("POST", "/api/v1/catalogs/{catalog}/merges/{id}/abort", Grants(&[(ManageExperimentalBranches, Catalog)])),
    r("GET", "/api/v1/roles", GrantManager),
    r("POST", "/api/v1/roles", TenantAdmin),
    r("GET", "/api/v1/roles/{id}", GrantManager),
    r("PATCH", "/api/v1/roles/{id}", TenantAdmin),
    r("DELETE", "/api/v1/roles/{id}", TenantAdmin),
    r("GET", "/api/v1/roles/{id}/assignments", GrantManager),
    n("POST", "/api/v1/roles/{id}/assignments", Grants(&[(ManageGrants, Namespace), (Read, Namespace)]), "what giving every grant of the role needs; never to oneself"),
    n("DELETE", "/api/v1/roles/{id}/assignments/{kind}/{assignee}", Grants(&[(ManageGrants, Namespace), (Read, Namespace)]), "what giving every grant of the role needs"),
    r("GET", "/api/v1/grants", TenantMember),
    n("POST", "/api/v1/grants", Grants(&[(ManageGrants, Namespace), (Read, Namespace)]), "manage-grants and the granted action on the granted scope; never to oneself"),
    n("DELETE", "/api/v1/grants/{id}", Grants(&[(ManageGrants, Namespace), (Read, Namespace)]), "manage-grants and the granted action on the grant's scope"),
    r("GET", "/api/v1/me/permissions", TenantMember),
    n("GET", "/api/v1/audit", Grants(&[(ReadAudit, Tenant)]), "root (outside tenants) reads every tenant's"),
    n("GET", "/api/v1/audit/count", Grants(&[(ReadAudit, Tenant)]), "root (outside tenants) reads every tenant's"),
    n("POST", "/api/v1/audit/verify", Grants(&[(ReadAudit, Tenant)]), "root (outside tenants) verifies every chain"),
    n("GET", "/v1/config", Public, "a named catalog must be visible to an authenticated caller"),
    r("GET", "/v1/{prefix}/namespaces", Visible(Catalog)),
    n("POST", "/v1/{prefix}/namespaces", Grants(&[(Create, Catalog)]), "nested: create on the parent namespace"),
    r("GET", NS, Grants(&[(Read, Namespace)])),
    r("HEAD", NS, Grants(&[(Read, Namespace)])),
    r("DELETE", NS, Grants(&[(Delete, Namespace)])),
    r("POST", "/v1/{prefix}/namespaces/{namespace}/properties", Grants(&[(Write, Namespace)])),
    r("GET", "/v1/{prefix}/namespaces/{namespace}/tables", Visible(Namespace)),
    n("POST", "/v1/{prefix}/namespaces/{namespace}/tables", Grants(&[(Create, Namespace)]), "staged creates too"),
    n("POST", "/v1/{prefix}/namespaces/{namespace}/register", Grants(&[(Create, Namespace)]), "overwrite: also write on the table"),
    r("GET", "/v1/{prefix}/namespaces/{namespace}/tables/{table}", Grants(&[(Read, Table)])),
    r("HEAD", "/v1/{prefix}/namespaces/{namespace}/tables/{table}", Grants(&[(Read, Table)])),
    n("POST", "/v1/{prefix}/namespaces/{namespace}/tables/{table}", Grants(&[(Write, Table)]), "assert-create of a missing table: create on the namespace"),
    n("DELETE", "/v1/{prefix}/namespaces/{namespace}/tables/{table}", Grants(&[(Delete, Table)]), "purge too"),
    r("POST", "/v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics", Grants(&[(Read, Table)])),
    n("GET", "/v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials", Grants(&[(Read, Table), (VendRead, Table)]), "read-write credentials: vend-write, on a branch"),
    n("POST", "/v1/{prefix}/namespaces/{namespace}/tables/{table}/sign", Grants(&[(Read, Table), (VendRead, Table)]), "writes: vend-write, on a branch"),
    n("POST", "/v1/{prefix}/tables/rename", Grants(&[(Delete, Table), (Create, Namespace)]), "delete on the source, create in the destination namespace"),
    n("POST", "/v1/{prefix}/transactions/commit", Grants(&[(Write, Table)]), "on every table; staged creates: create on the namespace"),
    r("GET", "/v1/{prefix}/namespaces/{namespace}/views", Visible(Namespace)),
    r("POST", "/v1/{prefix}/namespaces/{namespace}/views", Grants(&[(Create, Namespace)])),
    r("POST", "/v1/{prefix}/namespaces/{namespace}/register-view", Grants(&[(Create, Namespace)])),
    r("GET", "/v1/{prefix}/namespaces/{namespace}/views/{view}", Grants(&[(Read, View)])),
    r("HEAD", "/v1/{prefix}/namespaces/{namespace}/views/{view}", Grants(&[(Read, View)])),
    r("POST", "/v1/{prefix}/namespaces/{namespace}/views/{view}", Grants(&[(Write, View)])),
    r("DELETE", "/v1/{prefix}/namespaces/{namespace}/views/{view}", Grants(&[(Delete, View)])),
    n("POST", "/v1/{prefix}/views/rename", Grants(&[(Delete, View), (Create, Namespace)]), "delete on the source, create in the destination namespace"),
];

/// The route `method` `path` (a template, as the router matched it), if the table has it.
/// The router answers `HEAD` on every `GET` route it has no explicit `HEAD` for, with the
/// `GET` handler: such a request needs what the `GET` needs.
pub fn find(method: &str, path: &str) -> Option<&'static Route> {
    let exact = |m: &str| {
        ROUTES
            .iter()
            .find(|r| r.path == path && r.method.eq_ignore_ascii_case(m))
    };
    exact(method).or_else(|| {
        method
            .eq_ignore_ascii_case("HEAD")
            .then(|| exact("GET"))
            .flatten()
    })
}

/// The table indexed by path, built once (the gate looks a route up on every request).
#[derive(Debug)]
pub(crate) struct RouteIndex {
    by_path: std::collections::HashMap<&'static str, Vec<&'static Route>>,
}

impl RouteIndex {
    pub(crate) fn new() -> Self {
        let mut by_path: std::collections::HashMap<_, Vec<_>> = Default::default();
        for route in ROUTES {
            by_path.entry(route.path).or_default().push(route);
        }
        RouteIndex { by_path }
    }

    /// [`find`], in O(1).
    pub(crate) fn find(&self, method: &str, path: &str) -> Option<&'static Route> {
        let routes = self.by_path.get(path)?;
        let exact = |m: &str| {
            routes
                .iter()
                .copied()
                .find(|r| r.method.eq_ignore_ascii_case(m))
        };
        exact(method).or_else(|| {
            method
                .eq_ignore_ascii_case("HEAD")
                .then(|| exact("GET"))
                .flatten()
        })
    }
}

/// Whether the table has any route on `path`. The router calls this for every path it
/// registers and refuses to build without it, so no route can exist without a requirement.
pub(crate) fn has_path(path: &str) -> bool {
    ROUTES.iter().any(|r| r.path == path)
}

/// `path`, after checking that the table knows it (see [`has_path`]).
pub(crate) fn listed(path: &str) -> &str {
    assert!(
        has_path(path),
        "route {path} is missing from the authorization table (authz_table::ROUTES)"
    );
    path
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_route_is_listed_once() {
        let mut seen = HashSet::new();
        for route in ROUTES {
            assert!(
                seen.insert((route.method, route.path)),
                "{} {} twice",
                route.method,
                route.path
            );
        }
    }

    #[test]
    fn the_index_finds_what_the_table_says() {
        let index = RouteIndex::new();
        for route in ROUTES {
            let found = index.find(route.method, route.path).unwrap();
            let same = (found.method, found.path, found.requirement);
            assert_eq!(same, (route.method, route.path, route.requirement));
        }
        let head = index.find("HEAD", "/api/v1/users/me").unwrap();
        assert_eq!(head.method, "GET");
        assert!(index.find("TRACE", "/api/v1/users/me").is_none());
        assert!(index.find("GET", "/nowhere").is_none());
    }

    #[test]
    fn every_iceberg_endpoint_is_in_the_table() {
        for endpoint in crate::iceberg::ENDPOINTS {
            let (method, path) = endpoint.split_once(' ').unwrap();
            assert!(find(method, path).is_some(), "{endpoint}");
        }
        let iceberg = ROUTES
            .iter()
            .filter(|r| r.path.starts_with("/v1/{prefix}/") && !r.path.ends_with("/oauth/tokens"));
        for route in iceberg {
            let endpoint = format!("{} {}", route.method, route.path);
            assert!(
                crate::iceberg::ENDPOINTS.contains(&endpoint.as_str()),
                "{endpoint} is served but not advertised in /v1/config"
            );
        }
    }
}
