//! `/api/v1/catalogs`: local and federated catalogs of the caller's tenant.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pangolin_catalog::admin::{CatalogUpdate, NewCatalog};
use pangolin_core::Name;
use serde_json::Value;

use super::admin_wire::{CascadeQuery, CatalogView, CreateCatalog, UpdateCatalog};
use super::wire::page_body;
use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::iceberg::wire::PageParams;

type Reply<T> = Result<T, ApiError>;

pub(crate) async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    JsonBody(body): JsonBody<CreateCatalog>,
) -> Reply<(StatusCode, Json<CatalogView>)> {
    let new = NewCatalog {
        name: body.name,
        kind: body.kind.into(),
        properties: body.properties,
    };
    let catalog = state.services().create_catalog(&ctx, new).await?;
    Ok((StatusCode::CREATED, Json(catalog.into())))
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    QueryParams(page): PageParams,
) -> Reply<Json<Value>> {
    let page = state
        .services()
        .list_catalogs(&ctx, &page.to_request()?)
        .await?;
    Ok(Json(page_body("catalogs", page.map(CatalogView::from))))
}

pub(crate) async fn get(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(name): PathParams<Name>,
) -> Reply<Json<CatalogView>> {
    let catalog = state.services().get_catalog(&ctx, &name).await?;
    Ok(Json(catalog.into()))
}

pub(crate) async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(name): PathParams<Name>,
    JsonBody(body): JsonBody<UpdateCatalog>,
) -> Reply<Json<CatalogView>> {
    let update = CatalogUpdate {
        name: body.name,
        properties: body.properties,
    };
    let catalog = state.services().update_catalog(&ctx, &name, update).await?;
    Ok(Json(catalog.into()))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(name): PathParams<Name>,
    QueryParams(q): QueryParams<CascadeQuery>,
) -> Reply<StatusCode> {
    state
        .services()
        .delete_catalog(&ctx, &name, q.cascade)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
