//! View routes. Handlers parse the path and body, call one `Services` view operation and
//! answer a `LoadViewResult` (written from the cached metadata bytes) or 204.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use pangolin_catalog::views::{
    CommitViewRequest, CreateViewRequest, RegisterViewRequest, ViewChange,
};
use pangolin_core::Error;

use super::paths;
use super::responses::load_view_result;
use super::wire::{ListIdentifiersResponse, PageParams, RenameRequest};
use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryParams};

type NamespacePath = PathParams<(String, String)>;
type ViewPath = PathParams<(String, String, String)>;

pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace)): NamespacePath,
    QueryParams(page): PageParams,
) -> Result<Json<ListIdentifiersResponse>, ApiError> {
    let (prefix, ns) = paths::in_namespace(&prefix, &namespace)?;
    let page = state
        .services()
        .list_views(&ctx, &prefix, &ns, &page.to_request()?)
        .await?;
    Ok(Json(page.into()))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace)): NamespacePath,
    JsonBody(body): JsonBody<CreateViewRequest>,
) -> Result<Response, ApiError> {
    let (prefix, ns) = paths::in_namespace(&prefix, &namespace)?;
    let view = state
        .services()
        .create_view(&ctx, &prefix, &ns, body)
        .await?;
    Ok(load_view_result(&view)?)
}

pub(crate) async fn register(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace)): NamespacePath,
    JsonBody(body): JsonBody<RegisterViewRequest>,
) -> Result<Response, ApiError> {
    let (prefix, ns) = paths::in_namespace(&prefix, &namespace)?;
    let view = state
        .services()
        .register_view(&ctx, &prefix, &ns, body)
        .await?;
    Ok(load_view_result(&view)?)
}

pub(crate) async fn load(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace, view)): ViewPath,
) -> Result<Response, ApiError> {
    let (prefix, ident) = paths::at_table(&prefix, &namespace, &view)?;
    let view = state.services().load_view(&ctx, &prefix, &ident).await?;
    Ok(load_view_result(&view)?)
}

pub(crate) async fn exists(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace, view)): ViewPath,
) -> Result<StatusCode, ApiError> {
    let (prefix, ident) = paths::at_table(&prefix, &namespace, &view)?;
    state.services().view_exists(&ctx, &prefix, &ident).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn replace(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace, view)): ViewPath,
    JsonBody(body): JsonBody<CommitViewRequest>,
) -> Result<Response, ApiError> {
    let (prefix, ident) = paths::at_table(&prefix, &namespace, &view)?;
    if let Some(named) = &body.identifier
        && paths::table_from_iceberg(named)? != ident
    {
        return Err(Error::invalid("the body's identifier does not match the path").into());
    }
    let change = ViewChange {
        ident,
        requirements: body.requirements,
        updates: body.updates,
    };
    let view = state.services().replace_view(&ctx, &prefix, change).await?;
    Ok(load_view_result(&view)?)
}

pub(crate) async fn drop(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace, view)): ViewPath,
) -> Result<StatusCode, ApiError> {
    let (prefix, ident) = paths::at_table(&prefix, &namespace, &view)?;
    state.services().drop_view(&ctx, &prefix, &ident).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn rename(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(prefix): PathParams<String>,
    JsonBody(body): JsonBody<RenameRequest>,
) -> Result<StatusCode, ApiError> {
    let prefix = paths::prefix(&prefix)?;
    state
        .services()
        .rename_view(&ctx, &prefix, &body.source, &body.destination)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
