//! `GET /v1/config`: which catalog (and reference) a client's `warehouse` names.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::{BufMut, Bytes, BytesMut};
use pangolin_catalog::Prefix;
use pangolin_core::Error;
use serde::Deserialize;

use super::ENDPOINTS;
use crate::AppState;
use crate::context::MaybeCtx;
use crate::error::ApiError;
use crate::extract::QueryParams;

/// The catalog a client without a `warehouse` setting gets, when it exists.
const DEFAULT_CATALOG: &str = "default";

#[derive(Debug, Deserialize)]
pub(crate) struct ConfigQuery {
    warehouse: Option<String>,
}

pub(crate) async fn get_config(
    State(state): State<AppState>,
    MaybeCtx(ctx): MaybeCtx,
    QueryParams(query): QueryParams<ConfigQuery>,
) -> Result<Response, ApiError> {
    let prefix = match query.warehouse.as_deref().filter(|w| !w.is_empty()) {
        Some(w) => Some(Prefix::parse(w)?),
        None => default_prefix(&state, &ctx).await?,
    };
    // Discovery works before authentication; an anonymous caller's prefix is echoed
    // unchecked, so it learns nothing about which catalogs exist. An authenticated caller
    // gets a catalog only if it may see it (`resolve` checks).
    if let Some(w) = query.warehouse.as_deref().filter(|w| !w.is_empty())
        && ctx.tenant_id.is_some()
    {
        state.services().resolve(&ctx, &Prefix::parse(w)?).await?;
    }
    let body = render(
        prefix.map(|p| p.to_string()).as_deref(),
        state.config_tail(),
    );
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

/// The part of every config response that never changes: the endpoints and the idempotency
/// key lifetime, rendered once at startup.
pub(crate) fn static_tail(idempotency_lifetime_secs: u64) -> Bytes {
    let tail = serde_json::json!({
        "endpoints": ENDPOINTS,
        "idempotency-key-lifetime": format!("PT{idempotency_lifetime_secs}S"),
    });
    let rendered = tail.to_string();
    // `{"endpoints":...}` without its opening brace, to be appended after the overrides.
    Bytes::from(rendered[1..].to_owned())
}

fn render(prefix: Option<&str>, tail: &Bytes) -> Bytes {
    let mut out = BytesMut::with_capacity(tail.len() + 64);
    out.put_slice(br#"{"defaults":{},"overrides":{"#);
    if let Some(prefix) = prefix {
        out.put_slice(br#""prefix":"#);
        out.put_slice(serde_json::to_string(prefix).unwrap_or_default().as_bytes());
    }
    out.put_slice(b"},");
    out.put_slice(tail);
    out.freeze()
}

/// `default` when the tenant has such a catalog and the caller may see it, so `uri=...` alone
/// works for newcomers.
async fn default_prefix(
    state: &AppState,
    ctx: &pangolin_catalog::RequestContext,
) -> Result<Option<Prefix>, Error> {
    if ctx.tenant_id.is_none() {
        return Ok(None);
    }
    let prefix = Prefix::parse(DEFAULT_CATALOG)?;
    match state.services().resolve(ctx, &prefix).await {
        Ok(_) => Ok(Some(prefix)),
        Err(Error::NotFound { .. } | Error::Forbidden(_) | Error::NotImplemented(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rendered_config_is_the_spec_shape() {
        let tail = static_tail(1800);
        let with: serde_json::Value =
            serde_json::from_slice(&render(Some("sales@dev"), &tail)).unwrap();
        assert_eq!(with["overrides"]["prefix"], "sales@dev");
        assert_eq!(with["defaults"], serde_json::json!({}));
        assert_eq!(with["idempotency-key-lifetime"], "PT1800S");
        assert_eq!(with["endpoints"].as_array().unwrap().len(), ENDPOINTS.len());
        let without: serde_json::Value = serde_json::from_slice(&render(None, &tail)).unwrap();
        assert_eq!(without["overrides"], serde_json::json!({}));
    }
}
