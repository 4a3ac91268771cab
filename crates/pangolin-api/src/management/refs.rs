//! Branch and tag routes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pangolin_catalog::branches::NewBranch;
use pangolin_core::Name;
use pangolin_core::model::RefKind;
use serde_json::Value;

use super::wire::{CreateBranch, CreateTag, ReferenceView, page_body, source};
use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams};
use crate::iceberg::wire::PageParams;

type Reply<T> = Result<T, ApiError>;

pub(crate) async fn create_branch(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(catalog): PathParams<Name>,
    JsonBody(body): JsonBody<CreateBranch>,
) -> Reply<(StatusCode, Json<ReferenceView>)> {
    let new = NewBranch {
        name: body.name,
        from: source(body.from_ref, body.from_commit)?,
        kind: body.kind,
        tables: body.tables,
    };
    let reference = state.services().create_branch(&ctx, &catalog, new).await?;
    Ok((StatusCode::CREATED, Json(reference.into())))
}

pub(crate) async fn create_tag(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(catalog): PathParams<Name>,
    JsonBody(body): JsonBody<CreateTag>,
) -> Reply<(StatusCode, Json<ReferenceView>)> {
    let from = source(body.from_ref, body.from_commit)?;
    let reference = state
        .services()
        .create_tag(&ctx, &catalog, body.name, from)
        .await?;
    Ok((StatusCode::CREATED, Json(reference.into())))
}

pub(crate) async fn list_branches(
    state: State<AppState>,
    ctx: Ctx,
    catalog: PathParams<Name>,
    page: PageParams,
) -> Reply<Json<Value>> {
    list(state, ctx, catalog, page, RefKind::Branch, "branches").await
}

pub(crate) async fn list_tags(
    state: State<AppState>,
    ctx: Ctx,
    catalog: PathParams<Name>,
    page: PageParams,
) -> Reply<Json<Value>> {
    list(state, ctx, catalog, page, RefKind::Tag, "tags").await
}

async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(catalog): PathParams<Name>,
    crate::extract::QueryParams(page): PageParams,
    kind: RefKind,
    field: &str,
) -> Reply<Json<Value>> {
    let page = state
        .services()
        .list_references(&ctx, &catalog, kind, &page.to_request()?)
        .await?;
    Ok(Json(page_body(field, page.map(ReferenceView::from))))
}

pub(crate) async fn get_branch(
    state: State<AppState>,
    ctx: Ctx,
    path: PathParams<(Name, Name)>,
) -> Reply<Json<ReferenceView>> {
    get(state, ctx, path, RefKind::Branch).await
}

pub(crate) async fn get_tag(
    state: State<AppState>,
    ctx: Ctx,
    path: PathParams<(Name, Name)>,
) -> Reply<Json<ReferenceView>> {
    get(state, ctx, path, RefKind::Tag).await
}

async fn get(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((catalog, name)): PathParams<(Name, Name)>,
    kind: RefKind,
) -> Reply<Json<ReferenceView>> {
    let reference = state
        .services()
        .get_reference(&ctx, &catalog, &name, kind)
        .await?;
    Ok(Json(reference.into()))
}

pub(crate) async fn delete_branch(
    state: State<AppState>,
    ctx: Ctx,
    path: PathParams<(Name, Name)>,
) -> Reply<StatusCode> {
    delete(state, ctx, path, RefKind::Branch).await
}

pub(crate) async fn delete_tag(
    state: State<AppState>,
    ctx: Ctx,
    path: PathParams<(Name, Name)>,
) -> Reply<StatusCode> {
    delete(state, ctx, path, RefKind::Tag).await
}

async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((catalog, name)): PathParams<(Name, Name)>,
    kind: RefKind,
) -> Reply<StatusCode> {
    state
        .services()
        .delete_reference(&ctx, &catalog, &name, kind)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
