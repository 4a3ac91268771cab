//! The outcome every kind of principal must get on a route, derived from the route's
//! requirement in the authorization table, and the grants the "exact" and "sibling" users
//! hold for it.

use axum::http::StatusCode;
use pangolin_api::authz_table::{Level, Requirement, Route};
use pangolin_core::model::Action;

use super::world::Who;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The route did its work (2xx).
    Allowed,
    /// 401: no credentials.
    Unauthenticated,
    /// 403: authenticated, not allowed.
    Forbidden,
    /// 404: the object is in another tenant, so for the caller it does not exist.
    NotFound,
    /// 501: allowed, but the server cannot do it here (remote signing on the fixture's file
    /// warehouse; browser login without providers).
    Unsupported,
}

impl Outcome {
    pub fn matches(self, status: StatusCode) -> bool {
        match self {
            Outcome::Allowed => status.is_success(),
            Outcome::Unauthenticated => status == StatusCode::UNAUTHORIZED,
            Outcome::Forbidden => status == StatusCode::FORBIDDEN,
            Outcome::NotFound => status == StatusCode::NOT_FOUND,
            Outcome::Unsupported => status == StatusCode::NOT_IMPLEMENTED,
        }
    }
}

/// Routes whose request names objects of the app's tenant in its body or query (path
/// parameters always do).
const ADDRESSING_BODIES: &[(&str, &str)] = &[
    ("POST", "/api/v1/catalogs"),
    ("POST", "/api/v1/grants"),
    ("GET", "/api/v1/me/permissions"),
];

/// Whether the request names an object of the app's tenant (which another tenant's
/// administrator must find absent).
pub fn addresses(route: &Route) -> bool {
    (route.path.contains('{') && !route.path.ends_with("/oauth/tokens"))
        || ADDRESSING_BODIES.contains(&(route.method, route.path))
}

/// Where the table's generic rule does not tell the whole story, and why.
fn exception(route: &Route, who: Who) -> Option<Outcome> {
    match (route.method, route.path, who) {
        // Root outside tenants manages root accounts; a tenant account is not among them.
        ("GET" | "PATCH" | "DELETE", "/api/v1/users/{id}", Who::Root) => Some(Outcome::NotFound),
        // A token is verified, not looked up by id: another tenant's admin is refused.
        ("POST", "/api/v1/tokens/revoke", Who::ForeignAdmin) => Some(Outcome::Forbidden),
        // Root (outside tenants) reads and verifies every tenant's log.
        (_, "/api/v1/audit" | "/api/v1/audit/count" | "/api/v1/audit/verify", Who::Root) => {
            Some(Outcome::Allowed)
        }
        // Browser login is not configured in the matrix (501 for everyone); a made-up
        // exchange code is refused.
        (_, "/api/v1/auth/{provider}/authorize" | "/api/v1/auth/{provider}/callback", _) => {
            Some(Outcome::Unsupported)
        }
        ("POST", "/api/v1/auth/exchange", _) => Some(Outcome::Unauthenticated),
        // The spec documents no 404 for signing: another tenant's table is refused (403).
        ("POST", "/v1/{prefix}/namespaces/{namespace}/tables/{table}/sign", Who::ForeignAdmin) => {
            Some(Outcome::Forbidden)
        }
        // Allowed callers reach the warehouse, which (a file warehouse) cannot sign.
        (
            "POST",
            "/v1/{prefix}/namespaces/{namespace}/tables/{table}/sign",
            Who::TenantAdmin | Who::Exact,
        ) => Some(Outcome::Unsupported),
        _ => None,
    }
}

pub fn expected(route: &Route, who: Who) -> Outcome {
    use Outcome::*;
    use Requirement::*;
    if let Some(outcome) = exception(route, who) {
        return outcome;
    }
    let req = route.requirement;
    match who {
        Who::Anonymous if req == Public => Allowed,
        Who::Anonymous => Unauthenticated,
        Who::Root => match req {
            Public | Authenticated | Root | RootOrTenantAdmin => Allowed,
            _ => Forbidden,
        },
        Who::TenantAdmin if req == Root => Forbidden,
        Who::TenantAdmin => Allowed,
        Who::ForeignAdmin => match req {
            Public => Allowed,
            Root => Forbidden,
            _ if addresses(route) => NotFound,
            _ => Allowed,
        },
        Who::NoGrant => match req {
            Public | Authenticated | TenantMember => Allowed,
            _ => Forbidden,
        },
        Who::Exact => match req {
            Root | RootOrTenantAdmin | TenantAdmin => Forbidden,
            _ => Allowed,
        },
        Who::Sibling => match req {
            Public | Authenticated | TenantMember | GrantManager => Allowed,
            _ => Forbidden,
        },
    }
}

/// The grants the "exact" user gets for a route (the "sibling" user gets the same actions
/// on the sibling resources).
pub fn grants_for(route: &Route) -> Vec<(Action, Level)> {
    match route.requirement {
        Requirement::Grants(needs) => needs.to_vec(),
        Requirement::Visible(level) => vec![(Action::List, level)],
        Requirement::GrantManager => vec![(Action::ManageGrants, Level::Namespace)],
        _ => Vec::new(),
    }
}
