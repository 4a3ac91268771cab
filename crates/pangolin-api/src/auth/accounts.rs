//! `/api/v1/users`: accounts of the caller's tenant (root: root accounts), and the caller's
//! own profile.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pangolin_catalog::identity::{NewUser, UserUpdate};
use pangolin_core::UserId;
use serde_json::Value;

use super::wire::{ChangePassword, CreateUser, UpdateUser, UserView};
use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::iceberg::wire::PageParams;
use crate::management::page_body;

type Reply<T> = Result<T, ApiError>;

pub(crate) async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    JsonBody(body): JsonBody<CreateUser>,
) -> Reply<(StatusCode, Json<UserView>)> {
    let new = NewUser {
        name: body.name,
        tier: body.tier,
        password: body.password,
        email: body.email,
        display_name: body.display_name,
    };
    let user = state.services().create_user(&ctx, new).await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    QueryParams(page): PageParams,
) -> Reply<Json<Value>> {
    let page = state
        .services()
        .list_users(&ctx, &page.to_request()?)
        .await?;
    Ok(Json(page_body("users", page.map(UserView::from))))
}

pub(crate) async fn get(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(id): PathParams<UserId>,
) -> Reply<Json<UserView>> {
    Ok(Json(state.services().get_user(&ctx, id).await?.into()))
}

pub(crate) async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(id): PathParams<UserId>,
    JsonBody(body): JsonBody<UpdateUser>,
) -> Reply<Json<UserView>> {
    let update = UserUpdate {
        email: body.email,
        display_name: body.display_name,
        tier: body.tier,
        disabled: body.disabled,
        password: body.password,
    };
    Ok(Json(
        state.services().update_user(&ctx, id, update).await?.into(),
    ))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(id): PathParams<UserId>,
) -> Reply<StatusCode> {
    state.services().delete_user(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn me(State(state): State<AppState>, Ctx(ctx): Ctx) -> Reply<Json<UserView>> {
    Ok(Json(state.services().me(&ctx).await?.into()))
}

pub(crate) async fn change_password(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    JsonBody(body): JsonBody<ChangePassword>,
) -> Reply<StatusCode> {
    state
        .services()
        .change_password(&ctx, body.current_password, body.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
