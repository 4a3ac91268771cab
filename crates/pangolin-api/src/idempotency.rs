//! `Idempotency-Key` on mutating Iceberg routes. The first final response for a key (2xx and
//! deterministic 4xx, never 5xx or auth-dependent 401/403/429) is stored per tenant and replayed
//! for retries of the same request within the advertised lifetime. A key reused with a
//! different request is refused (400, which the spec documents on every mutating route; 422
//! is not) instead of replaying an unrelated answer.
//!
//! Two copies of one request racing in flight both execute; the second's result is not stored.
//! Mutations themselves are guarded by compare-and-swap, so such a race cannot double-apply a
//! commit (the loser gets a 409 or an AlreadyExists), it can only answer differently.

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::future::Either;
use pangolin_core::{Error, Result};
use pangolin_store::IdempotencyRecord;
use sha2::{Digest, Sha256};
use tower::{Layer, Service};

use crate::AppState;
use crate::context::Ctx;
use crate::error::{ApiError, error_response};
use crate::iceberg::CredentialFreeBody;
use crate::route_service::{Answer, RouteService, take_ready};

const HEADER: &str = "idempotency-key";
/// Largest request or response body buffered for fingerprinting and replay.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// The guard as a layer on the Iceberg routes. Reads (and requests without a key) go straight
/// to the route without a boxed future: they are most of the traffic.
#[derive(Clone)]
pub(crate) struct IdempotencyLayer(pub(crate) AppState);

impl<S> Layer<S> for IdempotencyLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard {
            inner,
            state: self.0.clone(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct Guard<S> {
    inner: S,
    state: AppState,
}

impl<S: RouteService> Service<Request> for Guard<S> {
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, Answer>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<std::result::Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if matches!(*request.method(), Method::GET | Method::HEAD)
            || !request.headers().contains_key(HEADER)
        {
            return Either::Left(self.inner.call(request));
        }
        let inner = take_ready(&mut self.inner);
        let state = self.state.clone();
        Either::Right(Box::pin(async move {
            Ok(match guarded(state, request, inner).await {
                Ok(response) => response,
                Err(e) => ApiError(e).into_response(),
            })
        }))
    }
}

async fn guarded<S>(state: AppState, request: Request, mut inner: S) -> Result<Response>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    let (mut parts, body) = request.into_parts();
    let key = parse_key(parts.headers.get(HEADER))?;
    let Ctx(ctx) = Ctx::from_request_parts(&mut parts, &state)
        .await
        .map_err(|e| e.0)?;
    let body = to_bytes(body, MAX_BODY)
        .await
        .map_err(|e| Error::invalid(format!("cannot read the request body: {e}")))?;
    // Keys belong to one principal of one tenant: another caller's key never replays.
    let scope = format!("{}/{}", ctx.tenant()?, ctx.principal.id);
    let fingerprint = fingerprint(&parts.method, &parts.uri, &body);
    let now = pangolin_core::now();
    if let Some(record) = state.store().get_idempotency(&scope, &key, now).await? {
        return Ok(replay(record, &fingerprint));
    }
    let Ok(response) = inner
        .call(Request::from_parts(parts, Body::from(body)))
        .await;
    if !is_final(response.status()) {
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, MAX_BODY).await.map_err(Error::internal)?;
    // A response with vended credentials is stored (and replayed) without them; a signature
    // is not stored at all.
    let stored = match parts.extensions.get::<CredentialFreeBody>() {
        Some(CredentialFreeBody(without)) => without.clone(),
        None => Some(body.clone()),
    };
    if let Some(text) = stored.as_deref().and_then(|b| std::str::from_utf8(b).ok()) {
        let record = IdempotencyRecord {
            scope,
            key,
            fingerprint,
            status: parts.status.as_u16(),
            body: text.to_owned(),
            created_at: now,
            expires_at: now + state.config().idempotency_lifetime,
        };
        state.store().put_idempotency(&record).await?;
    }
    Ok(Response::from_parts(parts, Body::from(body)))
}

/// Keys are UUIDs (the spec asks for UUIDv7; any UUID spelling is accepted).
fn parse_key(value: Option<&HeaderValue>) -> Result<String> {
    let raw = value.and_then(|v| v.to_str().ok()).unwrap_or_default();
    uuid::Uuid::parse_str(raw.trim())
        .map(|u| u.to_string())
        .map_err(|_| Error::invalid(format!("Idempotency-Key must be a UUID, not {raw:?}")))
}

fn fingerprint(method: &Method, uri: &axum::http::Uri, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str());
    h.update([0]);
    h.update(uri.path_and_query().map(|p| p.as_str()).unwrap_or_default());
    h.update([0]);
    h.update(body);
    hex::encode(h.finalize())
}

/// 2xx and 4xx that would come out the same again; auth and rate limits may change.
fn is_final(status: StatusCode) -> bool {
    status.is_success()
        || (status.is_client_error()
            && !matches!(
                status,
                StatusCode::UNAUTHORIZED
                    | StatusCode::FORBIDDEN
                    | StatusCode::REQUEST_TIMEOUT
                    | StatusCode::TOO_MANY_REQUESTS
            ))
}

fn replay(record: IdempotencyRecord, fingerprint: &str) -> Response {
    if record.fingerprint != fingerprint {
        return error_response(
            StatusCode::BAD_REQUEST,
            "BadRequestException",
            "this Idempotency-Key was already used for a different request".into(),
        );
    }
    let status = StatusCode::from_u16(record.status).unwrap_or(StatusCode::OK);
    let mut response = (status, record.body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert("idempotency-replayed", HeaderValue::from_static("true"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_deterministic_outcomes_are_final() {
        for s in [200, 201, 204, 400, 404, 409, 422] {
            assert!(is_final(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        for s in [401, 403, 429, 500, 502, 503] {
            assert!(!is_final(StatusCode::from_u16(s).unwrap()), "{s}");
        }
    }

    #[test]
    fn keys_must_be_uuids() {
        let ok = HeaderValue::from_static("017F22E2-79B0-7CC3-98C4-DC0C0C07398F");
        assert_eq!(
            parse_key(Some(&ok)).unwrap(),
            "017f22e2-79b0-7cc3-98c4-dc0c0c07398f"
        );
        assert!(parse_key(Some(&HeaderValue::from_static("nope"))).is_err());
        assert!(parse_key(None).is_err());
    }
}
