//! Browser login: the providers on offer, the redirect to a provider, the provider's
//! callback, and the exchange of the one-time code the UI receives for an access token.
//! The flow itself lives in `pangolin_catalog::identity` (browser login).

use axum::Json;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pangolin_catalog::identity::ProviderCallback;
use pangolin_core::Error;
use serde::Deserialize;
use serde_json::{Value, json};

use super::wire::TokenView;
use crate::AppState;
use crate::context::unauthenticated;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryParams};

type Reply<T> = Result<T, ApiError>;

#[derive(Deserialize)]
pub(crate) struct AuthorizeQuery {
    redirect_uri: String,
}

/// RFC 6749 §4.1.2: `code` and `state`, or `error` (and extras we ignore).
#[derive(Deserialize)]
pub(crate) struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExchangeBody {
    code: String,
}

/// `GET /api/v1/auth/providers`: what a login page offers.
pub(crate) async fn providers(State(state): State<AppState>) -> Json<Value> {
    let providers: Vec<Value> = state
        .services()
        .login_providers()
        .into_iter()
        .map(|p| json!({ "name": p.name, "kind": p.kind.as_str() }))
        .collect();
    Json(json!({ "providers": providers }))
}

/// `GET /api/v1/auth/{provider}/authorize?redirect_uri=...`: 302 to the provider.
pub(crate) async fn authorize(
    State(state): State<AppState>,
    PathParams(provider): PathParams<String>,
    QueryParams(query): QueryParams<AuthorizeQuery>,
) -> Reply<Response> {
    let callback = callback_uri(&state, &provider)?;
    let url = state
        .services()
        .begin_browser_login(&provider, &query.redirect_uri, &callback)
        .await?;
    Ok(found(&url))
}

/// `GET /api/v1/auth/{provider}/callback?code&state`: 302 back to the UI with a one-time
/// `code` or an `error`; 400 when the state cannot be trusted.
pub(crate) async fn callback(
    State(state): State<AppState>,
    parts: Parts,
    PathParams(provider): PathParams<String>,
    QueryParams(query): QueryParams<CallbackQuery>,
) -> Reply<Response> {
    let ctx = unauthenticated(&parts);
    let callback = callback_uri(&state, &provider)?;
    let returned = ProviderCallback {
        code: query.code,
        state: query.state,
        error: query.error,
    };
    let location = state
        .services()
        .finish_browser_login(&ctx, &provider, returned, &callback)
        .await?;
    Ok(found(&location))
}

/// `POST /api/v1/auth/exchange {"code": ...}`: the access token, once per code.
pub(crate) async fn exchange(
    State(state): State<AppState>,
    parts: Parts,
    JsonBody(body): JsonBody<ExchangeBody>,
) -> Reply<Json<TokenView>> {
    let ctx = unauthenticated(&parts);
    let grant = state
        .services()
        .exchange_login_code(&ctx, &body.code)
        .await?;
    Ok(Json(grant.into()))
}

/// This server's callback for `provider`, as registered at the provider: it must be the
/// same URL in the authorization request and in the code redemption.
fn callback_uri(state: &AppState, provider: &str) -> Result<String, ApiError> {
    let base = state.config().public_url.as_deref().ok_or_else(|| {
        Error::NotImplemented("browser login is not configured (auth.public_url is unset)".into())
    })?;
    Ok(format!(
        "{}/api/v1/auth/{provider}/callback",
        base.trim_end_matches('/')
    ))
}

/// A 302. The URL may carry a one-time code: no caching, and no Referer to the next page.
fn found(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    match HeaderValue::from_str(location) {
        Ok(value) => headers.insert(header::LOCATION, value),
        Err(_) => {
            return ApiError(Error::internal(format!("unusable redirect {location:?}")))
                .into_response();
        }
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
