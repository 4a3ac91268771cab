//! `/api/v1/roles`, role assignments, `/api/v1/grants` and `/api/v1/me/permissions`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pangolin_catalog::admin::access::{GrantQuery, NewGrant, NewRole, RoleUpdate};
use pangolin_core::{GrantId, RoleId};
use serde_json::{Value, json};

use super::access_query::{GrantParams, ResourceParams};
use super::access_wire::{
    AssignBody, AssignmentView, CreateGrant, CreateRole, GrantView, RoleView, UpdateRole, assignee,
};
use super::wire::page_body;
use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::iceberg::wire::PageParams;

type Reply<T> = Result<T, ApiError>;

pub(crate) async fn create_role(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    JsonBody(body): JsonBody<CreateRole>,
) -> Reply<(StatusCode, Json<RoleView>)> {
    let new = NewRole {
        name: body.name,
        description: body.description,
    };
    let role = state.services().create_role(&ctx, new).await?;
    Ok((StatusCode::CREATED, Json(role.into())))
}

pub(crate) async fn list_roles(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    QueryParams(page): PageParams,
) -> Reply<Json<Value>> {
    let page = state
        .services()
        .list_roles(&ctx, &page.to_request()?)
        .await?;
    Ok(Json(page_body("roles", page.map(RoleView::from))))
}

pub(crate) async fn get_role(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(id): PathParams<RoleId>,
) -> Reply<Json<RoleView>> {
    Ok(Json(state.services().get_role(&ctx, id).await?.into()))
}

pub(crate) async fn update_role(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(id): PathParams<RoleId>,
    JsonBody(body): JsonBody<UpdateRole>,
) -> Reply<Json<RoleView>> {
    let update = RoleUpdate {
        name: body.name,
        description: body.description,
    };
    let role = state.services().update_role(&ctx, id, update).await?;
    Ok(Json(role.into()))
}

pub(crate) async fn delete_role(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(id): PathParams<RoleId>,
) -> Reply<StatusCode> {
    state.services().delete_role(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn list_assignments(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(id): PathParams<RoleId>,
) -> Reply<Json<Value>> {
    let found = state.services().list_assignments(&ctx, id).await?;
    let views: Vec<AssignmentView> = found.into_iter().map(Into::into).collect();
    Ok(Json(json!({ "assignments": views })))
}

pub(crate) async fn assign(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(id): PathParams<RoleId>,
    JsonBody(body): JsonBody<AssignBody>,
) -> Reply<(StatusCode, Json<AssignmentView>)> {
    let made = state
        .services()
        .assign_role(&ctx, id, body.assignee)
        .await?;
    Ok((StatusCode::CREATED, Json(made.into())))
}

pub(crate) async fn unassign(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((id, kind, who)): PathParams<(RoleId, String, String)>,
) -> Reply<StatusCode> {
    let who = assignee(&kind, &who)?;
    state.services().unassign_role(&ctx, id, &who).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn create_grant(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    JsonBody(body): JsonBody<CreateGrant>,
) -> Reply<(StatusCode, Json<GrantView>)> {
    let new = NewGrant {
        grantee: body.grantee,
        action: body.action,
        scope: body.scope.into(),
    };
    let grant = state.services().create_grant(&ctx, new).await?;
    Ok((StatusCode::CREATED, Json(grant.into())))
}

pub(crate) async fn list_grants(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    QueryParams(params): QueryParams<GrantParams>,
    QueryParams(page): PageParams,
) -> Reply<Json<Value>> {
    let query = GrantQuery {
        grantee: params.grantee()?,
        scope: params.scope()?,
    };
    let page = state
        .services()
        .list_grants(&ctx, &query, &page.to_request()?)
        .await?;
    Ok(Json(page_body("grants", page.map(GrantView::from))))
}

pub(crate) async fn revoke_grant(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(id): PathParams<GrantId>,
) -> Reply<StatusCode> {
    state.services().revoke_grant(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's effective actions on the resource the query names.
pub(crate) async fn my_permissions(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    QueryParams(params): QueryParams<ResourceParams>,
) -> Reply<Json<Value>> {
    let query = params.into_query()?;
    let actions = state.services().my_permissions(&ctx, &query).await?;
    Ok(Json(json!({ "actions": actions })))
}
