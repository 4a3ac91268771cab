//! Table routes.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use iceberg_catalog_rest::{CommitTableRequest, CreateTableRequest, RegisterTableRequest};
use pangolin_catalog::tables::{LoadOutcome, SnapshotsMode, TableChange};
use pangolin_core::{Error, Result};
use serde::Deserialize;

use super::access::TableEndpoints;
use super::paths;
use super::responses::{commit_table_result, load_table_result, not_modified};
use super::wire::{ListIdentifiersResponse, PageParams};
use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryParams};

type TablePath = PathParams<(String, String, String)>;

pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace)): PathParams<(String, String)>,
    QueryParams(page): PageParams,
) -> Result<Json<ListIdentifiersResponse>, ApiError> {
    let (prefix, ns) = paths::in_namespace(&prefix, &namespace)?;
    let page = state
        .services()
        .list_tables(&ctx, &prefix, &ns, &page.to_request()?)
        .await?;
    Ok(Json(page.into()))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace)): PathParams<(String, String)>,
    JsonBody(body): JsonBody<CreateTableRequest>,
) -> Result<Response, ApiError> {
    let (parsed, ns) = paths::in_namespace(&prefix, &namespace)?;
    let name = body.name.clone();
    let table = state
        .services()
        .create_table(&ctx, &parsed, &ns, body)
        .await?;
    let endpoints = TableEndpoints::new(&prefix, &namespace, &name);
    Ok(load_table_result(&table, SnapshotsMode::All, &endpoints)?)
}

pub(crate) async fn register(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace)): PathParams<(String, String)>,
    JsonBody(body): JsonBody<RegisterTableRequest>,
) -> Result<Response, ApiError> {
    let (parsed, ns) = paths::in_namespace(&prefix, &namespace)?;
    let name = body.name.clone();
    let table = state
        .services()
        .register_table(&ctx, &parsed, &ns, body)
        .await?;
    let endpoints = TableEndpoints::new(&prefix, &namespace, &name);
    Ok(load_table_result(&table, SnapshotsMode::All, &endpoints)?)
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoadQuery {
    snapshots: Option<String>,
}

pub(crate) async fn load(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace, table)): TablePath,
    QueryParams(query): QueryParams<LoadQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let endpoints = TableEndpoints::new(&prefix, &namespace, &table);
    let (prefix, ident) = paths::at_table(&prefix, &namespace, &table)?;
    let mode = query
        .snapshots
        .as_deref()
        .map(SnapshotsMode::parse)
        .transpose()?
        .unwrap_or_default();
    let if_none_match = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    let outcome = state
        .services()
        .load_table(&ctx, &prefix, &ident, mode, if_none_match)
        .await?;
    Ok(match outcome {
        LoadOutcome::NotModified { etag } => not_modified(&etag)?,
        LoadOutcome::Loaded { table, mode } => load_table_result(&table, mode, &endpoints)?,
    })
}

pub(crate) async fn exists(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace, table)): TablePath,
) -> Result<StatusCode, ApiError> {
    let (prefix, ident) = paths::at_table(&prefix, &namespace, &table)?;
    state.services().table_exists(&ctx, &prefix, &ident).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn commit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace, table)): TablePath,
    JsonBody(body): JsonBody<CommitTableRequest>,
) -> Result<Response, ApiError> {
    let (prefix, ident) = paths::at_table(&prefix, &namespace, &table)?;
    if let Some(named) = &body.identifier
        && paths::table_from_iceberg(named)? != ident
    {
        return Err(Error::invalid("the body's identifier does not match the path").into());
    }
    let change = TableChange {
        ident,
        requirements: body.requirements,
        updates: body.updates,
    };
    let committed = state.services().commit_table(&ctx, &prefix, change).await?;
    Ok(commit_table_result(
        &committed.metadata_location,
        committed.metadata.json(),
    )?)
}

#[derive(Debug, Deserialize)]
pub(crate) struct DropQuery {
    #[serde(rename = "purgeRequested")]
    purge_requested: Option<String>,
}

pub(crate) async fn drop(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace, table)): TablePath,
    QueryParams(query): QueryParams<DropQuery>,
) -> Result<StatusCode, ApiError> {
    let (prefix, ident) = paths::at_table(&prefix, &namespace, &table)?;
    let purge = parse_bool("purgeRequested", query.purge_requested.as_deref())?;
    state
        .services()
        .drop_table(&ctx, &prefix, &ident, purge)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Metrics reports are validated and acknowledged; their content is logged at debug level.
pub(crate) async fn report_metrics(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace, table)): TablePath,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> Result<StatusCode, ApiError> {
    let (prefix, ident) = paths::at_table(&prefix, &namespace, &table)?;
    let report_type = body.get("report-type").and_then(|t| t.as_str());
    if !matches!(report_type, Some("scan-report" | "commit-report")) {
        return Err(Error::invalid(
            "a metrics report needs report-type 'scan-report' or 'commit-report'",
        )
        .into());
    }
    state.services().table_exists(&ctx, &prefix, &ident).await?;
    tracing::debug!(table = %ident, report = %body, "metrics report");
    Ok(StatusCode::NO_CONTENT)
}

fn parse_bool(name: &str, value: Option<&str>) -> Result<bool> {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(Error::invalid(format!(
            "{name} must be true or false, not {other:?}"
        ))),
    }
}
