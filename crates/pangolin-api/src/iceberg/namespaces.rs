//! Namespace routes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::paths;
use super::wire::{
    CreateNamespaceRequest, ListNamespacesResponse, NamespaceResponse, PageParams,
    UpdatePropertiesRequest, UpdatePropertiesResponse,
};
use crate::AppState;
use crate::context::Ctx;
use crate::error::{ApiError, error_response};
use crate::extract::{JsonBody, PathParams, QueryParams};

#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    parent: Option<String>,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(prefix): PathParams<String>,
    QueryParams(query): QueryParams<ListQuery>,
    QueryParams(page): PageParams,
) -> Result<Json<ListNamespacesResponse>, ApiError> {
    let prefix = paths::prefix(&prefix)?;
    let parent = query.parent.as_deref().map(paths::namespace).transpose()?;
    let page = state
        .services()
        .list_namespaces(&ctx, &prefix, parent.as_ref(), &page.to_request()?)
        .await?;
    Ok(Json(page.into()))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(prefix): PathParams<String>,
    JsonBody(body): JsonBody<CreateNamespaceRequest>,
) -> Result<Json<NamespaceResponse>, ApiError> {
    let prefix = paths::prefix(&prefix)?;
    let ns = state
        .services()
        .create_namespace(&ctx, &prefix, body.namespace, body.properties)
        .await?;
    Ok(Json(NamespaceResponse {
        namespace: ns.ident,
        properties: ns.properties,
    }))
}

pub(crate) async fn load(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace)): PathParams<(String, String)>,
) -> Result<Json<NamespaceResponse>, ApiError> {
    let (prefix, ident) = paths::in_namespace(&prefix, &namespace)?;
    let ns = state
        .services()
        .load_namespace(&ctx, &prefix, &ident)
        .await?;
    Ok(Json(NamespaceResponse {
        namespace: ns.ident,
        properties: ns.properties,
    }))
}

pub(crate) async fn exists(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace)): PathParams<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (prefix, ident) = paths::in_namespace(&prefix, &namespace)?;
    state
        .services()
        .load_namespace(&ctx, &prefix, &ident)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn drop(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace)): PathParams<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (prefix, ident) = paths::in_namespace(&prefix, &namespace)?;
    state
        .services()
        .drop_namespace(&ctx, &prefix, &ident)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn update_properties(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((prefix, namespace)): PathParams<(String, String)>,
    JsonBody(body): JsonBody<UpdatePropertiesRequest>,
) -> Result<Response, ApiError> {
    let (prefix, ident) = paths::in_namespace(&prefix, &namespace)?;
    if let Some(key) = body.removals.iter().find(|k| body.updates.contains_key(*k)) {
        return Ok(error_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            "UnprocessableEntityException",
            format!("property '{key}' is in both removals and updates"),
        ));
    }
    let result = state
        .services()
        .update_namespace_properties(&ctx, &prefix, &ident, body.updates, body.removals)
        .await?;
    let body = UpdatePropertiesResponse {
        updated: result.updated,
        removed: result.removed,
        missing: result.missing,
    };
    Ok(Json(body).into_response())
}
