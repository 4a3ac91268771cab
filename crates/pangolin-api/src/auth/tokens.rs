//! Login, logout, revocation, the public keys and key rotation.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use pangolin_catalog::identity::PasswordLogin;
use serde_json::{Value, json};

use super::wire::{LoginBody, RevokeBody, TokenView};
use crate::AppState;
use crate::context::{Ctx, Who, unauthenticated};
use crate::error::ApiError;
use crate::extract::JsonBody;

type Reply<T> = Result<T, ApiError>;

pub(crate) async fn login(
    State(state): State<AppState>,
    parts: Parts,
    JsonBody(body): JsonBody<LoginBody>,
) -> Reply<Json<TokenView>> {
    let ctx = unauthenticated(&parts);
    let login = PasswordLogin {
        tenant: body.tenant,
        username: body.username,
        password: body.password,
    };
    let grant = state.services().login(&ctx, login).await?;
    Ok(Json(grant.into()))
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Who(who): Who,
) -> Reply<StatusCode> {
    state.services().logout(&ctx, &who).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn revoke(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    JsonBody(body): JsonBody<RevokeBody>,
) -> Reply<StatusCode> {
    state.services().revoke_token(&ctx, &body.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn jwks(State(state): State<AppState>) -> Reply<Json<Value>> {
    Ok(Json(state.services().jwks()?))
}

pub(crate) async fn rotate_keys(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
) -> Reply<Json<Value>> {
    let kid = state.services().rotate_signing_key(&ctx).await?;
    Ok(Json(json!({ "kid": kid })))
}
