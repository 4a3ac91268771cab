//! `/api/v1/service-users` and their API keys.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pangolin_catalog::identity::{NewApiKey, NewServiceUser, ServiceUserUpdate};
use pangolin_core::ServiceUserId;
use serde_json::Value;

use super::wire::{
    ApiKeyView, CreateApiKey, CreateServiceUser, MintedKeyView, ServiceUserView, UpdateServiceUser,
};
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
    JsonBody(body): JsonBody<CreateServiceUser>,
) -> Reply<(StatusCode, Json<ServiceUserView>)> {
    let services = state.services();
    let new = NewServiceUser {
        name: body.name,
        description: body.description,
        tier: body.tier,
    };
    let account = services.create_service_user(&ctx, new).await?;
    let id = account.id;
    let mut view = ServiceUserView::from(account);
    if body.create_api_key {
        let key = NewApiKey {
            name: None,
            expires_at: body.expires_at,
        };
        view = view.with_key(services.create_api_key(&ctx, id, key).await?);
    }
    Ok((StatusCode::CREATED, Json(view)))
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    QueryParams(page): PageParams,
) -> Reply<Json<Value>> {
    let page = state
        .services()
        .list_service_users(&ctx, &page.to_request()?)
        .await?;
    Ok(Json(page_body(
        "service-users",
        page.map(ServiceUserView::from),
    )))
}

pub(crate) async fn get(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(id): PathParams<ServiceUserId>,
) -> Reply<Json<ServiceUserView>> {
    Ok(Json(
        state.services().get_service_user(&ctx, id).await?.into(),
    ))
}

pub(crate) async fn update(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(id): PathParams<ServiceUserId>,
    JsonBody(body): JsonBody<UpdateServiceUser>,
) -> Reply<Json<ServiceUserView>> {
    let update = ServiceUserUpdate {
        description: body.description,
        tier: body.tier,
        disabled: body.disabled,
    };
    let account = state
        .services()
        .update_service_user(&ctx, id, update)
        .await?;
    Ok(Json(account.into()))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(id): PathParams<ServiceUserId>,
) -> Reply<StatusCode> {
    state.services().delete_service_user(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn create_key(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(id): PathParams<ServiceUserId>,
    body: axum::body::Bytes,
) -> Reply<(StatusCode, Json<MintedKeyView>)> {
    // The body is optional: no body mints a key without a name or expiry.
    let body: CreateApiKey = if body.iter().all(u8::is_ascii_whitespace) {
        CreateApiKey::default()
    } else {
        crate::extract::parse_json(&body)?
    };
    let new = NewApiKey {
        name: body.name,
        expires_at: body.expires_at,
    };
    let minted = state.services().create_api_key(&ctx, id, new).await?;
    Ok((StatusCode::CREATED, Json(minted.into())))
}

pub(crate) async fn list_keys(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams(id): PathParams<ServiceUserId>,
    QueryParams(page): PageParams,
) -> Reply<Json<Value>> {
    let page = state
        .services()
        .list_api_keys(&ctx, id, &page.to_request()?)
        .await?;
    Ok(Json(page_body("api-keys", page.map(ApiKeyView::from))))
}

pub(crate) async fn revoke_key(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((id, key_id)): PathParams<(ServiceUserId, String)>,
) -> Reply<Json<ApiKeyView>> {
    let key = state.services().revoke_api_key(&ctx, id, &key_id).await?;
    Ok(Json(key.into()))
}

pub(crate) async fn rotate_key(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PathParams((id, key_id)): PathParams<(ServiceUserId, String)>,
) -> Reply<(StatusCode, Json<MintedKeyView>)> {
    let minted = state.services().rotate_api_key(&ctx, id, &key_id).await?;
    Ok((StatusCode::CREATED, Json(minted.into())))
}
