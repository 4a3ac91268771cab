//! `/api/v1/tenants`: root manages tenants.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pangolin_catalog::admin::{NewTenant, TenantUpdate};
use pangolin_core::Name;
use serde_json::Value;

use super::admin_wire::{CascadeQuery, CreateTenant, TenantView, UpdateTenant};
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
    JsonBody(body): JsonBody<CreateTenant>,
) -> Reply<(StatusCode, Json<TenantView>)> {
    let new = NewTenant {
        name: body.name,
        properties: body.properties,
    };
    let tenant = state.services().create_tenant(&ctx, new).await?;
    Ok((StatusCode::CREATED, Json(tenant.into())))
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    QueryParams(page): PageParams,
) -> Reply<Json<Value>> {
    let page = state
        .services()
        .list_tenants(&ctx, &page.to_request()?)
        .await?;
    Ok(Json(page_body("tenants", page.map(TenantView::from))))
}

pub(crate) async fn get(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(name): PathParams<Name>,
) -> Reply<Json<TenantView>> {
    let tenant = state.services().get_tenant(&ctx, &name).await?;
    Ok(Json(tenant.into()))
}

pub(crate) async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(name): PathParams<Name>,
    JsonBody(body): JsonBody<UpdateTenant>,
) -> Reply<Json<TenantView>> {
    let update = TenantUpdate {
        name: body.name,
        properties: body.properties,
    };
    let tenant = state.services().update_tenant(&ctx, &name, update).await?;
    Ok(Json(tenant.into()))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(name): PathParams<Name>,
    QueryParams(q): QueryParams<CascadeQuery>,
) -> Reply<StatusCode> {
    state
        .services()
        .delete_tenant(&ctx, &name, q.cascade)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
