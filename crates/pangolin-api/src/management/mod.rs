//! The management API (`/api/v1/...`): JSON in kebab-case, errors in the same envelope as the
//! Iceberg routes.

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
use axum::routing::{get, post};

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    admin_routes().merge(branching_routes())
}

/// Tenants, warehouses and catalogs.
fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tenants", get(tenants::list).post(tenants::create))
        .route(
            "/api/v1/tenants/{tenant}",
            get(tenants::get)
                .patch(tenants::update)
                .delete(tenants::delete),
        )
        .route(
            "/api/v1/warehouses",
            get(warehouses::list).post(warehouses::create),
        )
        .route(
            "/api/v1/warehouses/{warehouse}",
            get(warehouses::get)
                .patch(warehouses::update)
                .delete(warehouses::delete),
        )
        .route(
            "/api/v1/warehouses/{warehouse}/validate",
            post(warehouses::validate),
        )
        .route(
            "/api/v1/catalogs",
            get(catalogs::list).post(catalogs::create),
        )
        .route(
            "/api/v1/catalogs/{catalog}",
            get(catalogs::get)
                .patch(catalogs::update)
                .delete(catalogs::delete),
        )
}

/// Branches, tags, history and merges of a catalog.
fn branching_routes() -> Router<AppState> {
    let c = "/api/v1/catalogs/{catalog}";
    Router::new()
        .route("/api/v1/audit", get(audit::list))
        .route("/api/v1/audit/count", get(audit::count))
        .route("/api/v1/audit/verify", post(audit::verify))
        .route(
            &format!("{c}/branches"),
            get(refs::list_branches).post(refs::create_branch),
        )
        .route(
            &format!("{c}/branches/{{name}}"),
            get(refs::get_branch).delete(refs::delete_branch),
        )
        .route(
            &format!("{c}/branches/{{name}}/rebase"),
            post(merges::rebase),
        )
        .route(
            &format!("{c}/tags"),
            get(refs::list_tags).post(refs::create_tag),
        )
        .route(
            &format!("{c}/tags/{{name}}"),
            get(refs::get_tag).delete(refs::delete_tag),
        )
        .route(&format!("{c}/refs/{{name}}/commits"), get(history::log))
        .route(&format!("{c}/commits/{{id}}"), get(history::commit))
        .route(&format!("{c}/diff"), get(history::diff))
        .route(
            &format!("{c}/merges"),
            get(merges::list).post(merges::merge),
        )
        .route(&format!("{c}/merges/{{id}}"), get(merges::get))
        .route(&format!("{c}/merges/{{id}}/resolve"), post(merges::resolve))
        .route(
            &format!("{c}/merges/{{id}}/complete"),
            post(merges::complete),
        )
        .route(&format!("{c}/merges/{{id}}/abort"), post(merges::abort))
}
