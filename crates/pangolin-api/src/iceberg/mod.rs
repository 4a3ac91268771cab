//! The Iceberg REST Catalog API (`/v1/...`), per the official OpenAPI spec.

mod access;
mod config;
mod namespaces;
mod paths;
mod responses;
mod tables;
mod transactions;
mod views;
pub(crate) mod wire;

pub(crate) use access::CredentialFreeBody;
pub(crate) use config::static_tail as config_tail;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use crate::authz_table::listed;

/// Every endpoint served, as `/v1/config` advertises them.
pub(crate) const ENDPOINTS: &[&str] = &[
    "GET /v1/{prefix}/namespaces",
    "POST /v1/{prefix}/namespaces",
    "GET /v1/{prefix}/namespaces/{namespace}",
    "HEAD /v1/{prefix}/namespaces/{namespace}",
    "DELETE /v1/{prefix}/namespaces/{namespace}",
    "POST /v1/{prefix}/namespaces/{namespace}/properties",
    "GET /v1/{prefix}/namespaces/{namespace}/tables",
    "POST /v1/{prefix}/namespaces/{namespace}/tables",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/register",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/sign",
    "POST /v1/{prefix}/tables/rename",
    "POST /v1/{prefix}/transactions/commit",
    "GET /v1/{prefix}/namespaces/{namespace}/views",
    "POST /v1/{prefix}/namespaces/{namespace}/views",
    "GET /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "POST /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "POST /v1/{prefix}/namespaces/{namespace}/register-view",
    "POST /v1/{prefix}/views/rename",
];

pub(crate) fn routes() -> Router<AppState> {
    let ns = "/v1/{prefix}/namespaces/{namespace}";
    let table = "/v1/{prefix}/namespaces/{namespace}/tables/{table}";
    let view = "/v1/{prefix}/namespaces/{namespace}/views/{view}";
    Router::new()
        .route(listed("/v1/config"), get(config::get_config))
        .route(
            listed("/v1/{prefix}/namespaces"),
            get(namespaces::list).post(namespaces::create),
        )
        .route(
            listed(ns),
            get(namespaces::load)
                .head(namespaces::exists)
                .delete(namespaces::drop),
        )
        .route(
            listed(&format!("{ns}/properties")),
            post(namespaces::update_properties),
        )
        .route(
            listed(&format!("{ns}/tables")),
            get(tables::list).post(tables::create),
        )
        .route(listed(&format!("{ns}/register")), post(tables::register))
        .route(
            listed(table),
            get(tables::load)
                .head(tables::exists)
                .post(tables::commit)
                .delete(tables::drop),
        )
        .route(
            listed(&format!("{table}/credentials")),
            get(access::credentials),
        )
        .route(listed(&format!("{table}/sign")), post(access::sign))
        .route(
            listed(&format!("{table}/metrics")),
            post(tables::report_metrics),
        )
        .route(
            listed("/v1/{prefix}/tables/rename"),
            post(transactions::rename_table),
        )
        .route(
            listed("/v1/{prefix}/transactions/commit"),
            post(transactions::commit),
        )
        .route(
            listed(&format!("{ns}/views")),
            get(views::list).post(views::create),
        )
        .route(
            listed(&format!("{ns}/register-view")),
            post(views::register),
        )
        .route(
            listed(view),
            get(views::load)
                .head(views::exists)
                .post(views::replace)
                .delete(views::drop),
        )
        .route(listed("/v1/{prefix}/views/rename"), post(views::rename))
}
