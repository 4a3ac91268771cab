//! `/api/v1/warehouses`: tenant admins manage storage profiles and their credentials.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pangolin_catalog::admin::{NewWarehouse, WarehouseUpdate};
use pangolin_core::Name;
use serde_json::Value;

use super::admin_wire::{CreateWarehouse, UpdateWarehouse, WarehouseView};
use super::wire::page_body;
use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::iceberg::wire::PageParams;

type Reply<T> = Result<T, ApiError>;

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateQuery {
    /// Probe the storage before creating (default true).
    validate: Option<bool>,
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    QueryParams(query): QueryParams<CreateQuery>,
    JsonBody(body): JsonBody<CreateWarehouse>,
) -> Reply<(StatusCode, Json<WarehouseView>)> {
    let new = NewWarehouse {
        name: body.name,
        storage: body.storage,
        secret: body.credential,
        properties: body.properties,
    };
    let validate = query.validate.unwrap_or(true);
    let warehouse = state
        .services()
        .create_warehouse(&ctx, new, validate)
        .await?;
    Ok((StatusCode::CREATED, Json(warehouse.into())))
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    QueryParams(page): PageParams,
) -> Reply<Json<Value>> {
    let page = state
        .services()
        .list_warehouses(&ctx, &page.to_request()?)
        .await?;
    Ok(Json(page_body("warehouses", page.map(WarehouseView::from))))
}

pub(crate) async fn get(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(name): PathParams<Name>,
) -> Reply<Json<WarehouseView>> {
    let warehouse = state.services().get_warehouse(&ctx, &name).await?;
    Ok(Json(warehouse.into()))
}

pub(crate) async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(name): PathParams<Name>,
    JsonBody(mut body): JsonBody<UpdateWarehouse>,
) -> Reply<Json<WarehouseView>> {
    let update = WarehouseUpdate {
        secret: body.secret_change(),
        name: body.name,
        storage: body.storage,
        properties: body.properties,
    };
    let warehouse = state
        .services()
        .update_warehouse(&ctx, &name, update)
        .await?;
    Ok(Json(warehouse.into()))
}

pub(crate) async fn validate(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(name): PathParams<Name>,
) -> Reply<Json<pangolin_storage::ValidationReport>> {
    let report = state
        .services()
        .validate_named_warehouse(&ctx, &name)
        .await?;
    Ok(Json(report))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(name): PathParams<Name>,
) -> Reply<StatusCode> {
    state.services().delete_warehouse(&ctx, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
