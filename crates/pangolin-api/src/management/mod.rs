//! The management API (`/api/v1/...`): JSON in kebab-case, errors in the same envelope as the
//! Iceberg routes.

mod access;
mod access_query;
mod access_wire;
mod admin_wire;
mod audit;
mod catalogs;
mod history;
mod merges;
mod refs;
mod tenants;
mod warehouses;
mod wire;

pub(crate) use wire::page_body;

use axum::Router;
use axum::routing::{delete, get, post};

use crate::AppState;
use crate::authz_table::listed;

pub(crate) fn routes() -> Router<AppState> {
    admin_routes()
        .merge(branching_routes())
        .merge(access_routes())
}

/// Roles, their assignments, grants, and the caller's permissions.
fn access_routes() -> Router<AppState> {
    let role = "/api/v1/roles/{id}";
    Router::new()
        .route(
            listed("/api/v1/roles"),
            get(access::list_roles).post(access::create_role),
        )
        .route(
            listed(role),
            get(access::get_role)
                .patch(access::update_role)
                .delete(access::delete_role),
        )
        .route(
            listed(&format!("{role}/assignments")),
            get(access::list_assignments).post(access::assign),
        )
        .route(
            listed(&format!("{role}/assignments/{{kind}}/{{assignee}}")),
            delete(access::unassign),
        )
        .route(
            listed("/api/v1/grants"),
            get(access::list_grants).post(access::create_grant),
        )
        .route(listed("/api/v1/grants/{id}"), delete(access::revoke_grant))
        .route(
            listed("/api/v1/me/permissions"),
            get(access::my_permissions),
        )
}

/// Tenants, warehouses and catalogs.
fn admin_routes() -> Router<AppState> {
    Router::new()
        .route(
            listed("/api/v1/tenants"),
            get(tenants::list).post(tenants::create),
        )
        .route(
            listed("/api/v1/tenants/{tenant}"),
            get(tenants::get)
                .patch(tenants::update)
                .delete(tenants::delete),
        )
        .route(
            listed("/api/v1/warehouses"),
            get(warehouses::list).post(warehouses::create),
        )
        .route(
            listed("/api/v1/warehouses/{warehouse}"),
            get(warehouses::get)
                .patch(warehouses::update)
                .delete(warehouses::delete),
        )
        .route(
            listed("/api/v1/warehouses/{warehouse}/validate"),
            post(warehouses::validate),
        )
        .route(
            listed("/api/v1/catalogs"),
            get(catalogs::list).post(catalogs::create),
        )
        .route(
            listed("/api/v1/catalogs/{catalog}"),
            get(catalogs::get)
                .patch(catalogs::update)
                .delete(catalogs::delete),
        )
}

/// Branches, tags, history and merges of a catalog.
fn branching_routes() -> Router<AppState> {
    let c = "/api/v1/catalogs/{catalog}";
    Router::new()
        .route(listed("/api/v1/audit"), get(audit::list))
        .route(listed("/api/v1/audit/count"), get(audit::count))
        .route(listed("/api/v1/audit/verify"), post(audit::verify))
        .route(
            listed(&format!("{c}/branches")),
            get(refs::list_branches).post(refs::create_branch),
        )
        .route(
            listed(&format!("{c}/branches/{{name}}")),
            get(refs::get_branch).delete(refs::delete_branch),
        )
        .route(
            listed(&format!("{c}/branches/{{name}}/rebase")),
            post(merges::rebase),
        )
        .route(
            listed(&format!("{c}/tags")),
            get(refs::list_tags).post(refs::create_tag),
        )
        .route(
            listed(&format!("{c}/tags/{{name}}")),
            get(refs::get_tag).delete(refs::delete_tag),
        )
        .route(
            listed(&format!("{c}/refs/{{name}}/commits")),
            get(history::log),
        )
        .route(listed(&format!("{c}/commits/{{id}}")), get(history::commit))
        .route(listed(&format!("{c}/diff")), get(history::diff))
        .route(
            listed(&format!("{c}/merges")),
            get(merges::list).post(merges::merge),
        )
        .route(listed(&format!("{c}/merges/{{id}}")), get(merges::get))
        .route(
            listed(&format!("{c}/merges/{{id}}/resolve")),
            post(merges::resolve),
        )
        .route(
            listed(&format!("{c}/merges/{{id}}/complete")),
            post(merges::complete),
        )
        .route(
            listed(&format!("{c}/merges/{{id}}/abort")),
            post(merges::abort),
        )
}
