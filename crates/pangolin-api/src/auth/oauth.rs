//! The OAuth2 token endpoint of the Iceberg REST spec (`POST /v1/oauth/tokens`, form
//! encoded), as PyIceberg (`credential=<id>:<secret>`), DuckDB (`CLIENT_ID`/`CLIENT_SECRET`)
//! and iceberg-rust call it. Client credentials are a service user's API key; a token of
//! this server can be exchanged for a fresh one. Errors use the OAuth2 error shape.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pangolin_core::Error;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::context::unauthenticated;

const CLIENT_CREDENTIALS: &str = "client_credentials";
const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    subject_token: Option<String>,
    #[allow(dead_code)]
    scope: Option<String>,
}

#[derive(Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    issued_token_type: &'static str,
}

#[derive(Serialize)]
struct OAuthError {
    error: &'static str,
    error_description: String,
}

pub(crate) async fn token(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    respond(state, parts, body).await
}

/// The same endpoint under a catalog prefix (clients configured with the prefix in `uri`).
pub(crate) async fn token_with_prefix(
    State(state): State<AppState>,
    parts: Parts,
    body: Bytes,
) -> Response {
    respond(state, parts, body).await
}

async fn respond(state: AppState, parts: Parts, body: Bytes) -> Response {
    let request: TokenRequest = match serde_urlencoded::from_bytes(&body) {
        Ok(r) => r,
        Err(e) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()),
    };
    let ctx = unauthenticated(&parts);
    let (client_id, client_secret) = client_auth(&parts, &request);
    let services = state.services();
    let grant = match request.grant_type.as_deref() {
        Some(CLIENT_CREDENTIALS) => match (client_id, client_secret) {
            (Some(id), Some(secret)) => services.client_credentials(&ctx, &id, &secret).await,
            _ => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "client_id and client_secret are required".into(),
                );
            }
        },
        Some(TOKEN_EXCHANGE) => match &request.subject_token {
            Some(token) => services.exchange_token(&ctx, token).await,
            None => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "subject_token is required".into(),
                );
            }
        },
        other => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                format!("grant_type {other:?} is not supported; use client_credentials"),
            );
        }
    };
    match grant {
        Ok(grant) => Json(TokenResponse {
            access_token: grant.access_token,
            token_type: "bearer",
            expires_in: grant.expires_in,
            issued_token_type: ACCESS_TOKEN_TYPE,
        })
        .into_response(),
        Err(Error::Unauthenticated(m)) => {
            oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", m)
        }
        Err(Error::RateLimited { retry_after_secs }) => {
            let mut r = oauth_error(
                StatusCode::TOO_MANY_REQUESTS,
                "invalid_request",
                format!("too many attempts; retry in {retry_after_secs} s"),
            );
            r.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs.max(1)),
            );
            r
        }
        Err(e) => crate::error::ApiError(e).into_response(),
    }
}

/// Client credentials from the form, or from HTTP Basic authentication (RFC 6749 §2.3.1).
fn client_auth(parts: &Parts, request: &TokenRequest) -> (Option<String>, Option<String>) {
    if let (Some(id), Some(secret)) = (&request.client_id, &request.client_secret) {
        return (Some(id.clone()), Some(secret.clone()));
    }
    let basic = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|raw| String::from_utf8(raw).ok());
    match basic.as_deref().and_then(|s| s.split_once(':')) {
        Some((id, secret)) => (Some(id.to_owned()), Some(secret.to_owned())),
        None => (request.client_id.clone(), request.client_secret.clone()),
    }
}

fn oauth_error(status: StatusCode, error: &'static str, description: String) -> Response {
    (
        status,
        Json(OAuthError {
            error,
            error_description: description,
        }),
    )
        .into_response()
}
