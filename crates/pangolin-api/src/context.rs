//! Building the [`RequestContext`] of a request: authenticate the credential it carries
//! (`Authorization: Bearer ...` or `X-API-Key`), place the principal in a tenant (root may
//! name one with `X-Pangolin-Tenant`: impersonation, audited on every request) and load what
//! it may do there. Without credentials a request acts as an administrator of the development
//! tenant when authentication is off (the server allows that on loopback only), and is
//! refused with 401 otherwise.
//!
//! The context is built once per request and kept in the request extensions, so a
//! middleware and the handler behind it share one authentication.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use pangolin_catalog::identity::{Authenticated, Credential};
use pangolin_catalog::{AccessDelegation, Principal, RequestContext};
use pangolin_core::Error;
use pangolin_core::audit::AuditResult;
use pangolin_core::model::{Access, Tier};

use crate::AppState;
use crate::error::ApiError;
use crate::front::REQUEST_ID;

pub(crate) const ACCESS_DELEGATION: &str = "x-iceberg-access-delegation";
pub(crate) const COMMIT_MESSAGE: &str = "pangolin-commit-message";
pub(crate) const TENANT_HEADER: &str = "x-pangolin-tenant";
const API_KEY_HEADER: &str = "x-api-key";

/// The context of the current request, extracted in every handler that needs a caller.
pub(crate) struct Ctx(pub(crate) RequestContext);

/// The authenticated principal itself (for logout, which needs the presented token).
pub(crate) struct Who(pub(crate) Authenticated);

/// The context of a route that also serves anonymous callers (config discovery): the caller
/// when there is one, an unauthenticated context otherwise. Bad credentials are still a 401.
pub(crate) struct MaybeCtx(pub(crate) RequestContext);

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(ctx) = parts.extensions.get::<RequestContext>() {
            return Ok(Ctx(ctx.clone()));
        }
        let (ctx, who) = build(parts, state).await?;
        parts.extensions.insert(ctx.clone());
        if let Some(who) = who {
            parts.extensions.insert(who);
        }
        // For the audit record of this request, should it be denied or fail.
        crate::audit_failures::remember(&parts.extensions, &ctx);
        Ok(Ctx(ctx))
    }
}

impl FromRequestParts<AppState> for Who {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ctx::from_request_parts(parts, state).await?;
        parts
            .extensions
            .get::<Authenticated>()
            .cloned()
            .map(Who)
            .ok_or_else(|| ApiError(Error::Unauthenticated("this needs credentials".into())))
    }
}

impl FromRequestParts<AppState> for MaybeCtx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let anonymous_allowed = state.config().anonymous_tenant.is_some();
        if credential(parts)?.is_some() || anonymous_allowed {
            return Ctx::from_request_parts(parts, state)
                .await
                .map(|Ctx(ctx)| MaybeCtx(ctx));
        }
        Ok(MaybeCtx(unauthenticated(parts)))
    }
}

/// A context for routes before authentication (login, token endpoints).
pub(crate) fn unauthenticated(parts: &Parts) -> RequestContext {
    let mut ctx = RequestContext::unauthenticated(
        header(parts, REQUEST_ID.as_str()).unwrap_or_default(),
        client_addr(parts),
        header(parts, "user-agent"),
    );
    ctx.delegation = delegation(parts);
    ctx
}

async fn build(
    parts: &Parts,
    state: &AppState,
) -> Result<(RequestContext, Option<Authenticated>), ApiError> {
    let mut ctx = unauthenticated(parts);
    ctx.commit_message = header(parts, COMMIT_MESSAGE).filter(|m| !m.trim().is_empty());
    let tenant_header = header(parts, TENANT_HEADER);
    let services = state.services();
    let Some(credential) = credential(parts)? else {
        return Ok((anonymous(ctx, state, tenant_header.as_deref())?, None));
    };
    let Some(who) = services.authenticate(credential).await? else {
        return Ok((anonymous(ctx, state, tenant_header.as_deref())?, None));
    };
    let placement = services.place(&who, tenant_header.as_deref()).await?;
    ctx.principal = who.principal.clone();
    ctx.groups = who.groups.clone();
    ctx.tenant_id = placement.tenant;
    ctx.access = placement.access;
    ctx.impersonating = placement.impersonating;
    if ctx.impersonating {
        record_impersonation(&ctx, parts, state).await?;
    }
    Ok((ctx, Some(who)))
}

/// Without credentials: the development tenant's administrator, if the server allows it.
fn anonymous(
    mut ctx: RequestContext,
    state: &AppState,
    tenant_header: Option<&str>,
) -> Result<RequestContext, ApiError> {
    let tenant = state
        .config()
        .anonymous_tenant
        .ok_or_else(|| Error::Unauthenticated("authentication is required".into()))?;
    if tenant_header.is_some_and(|t| t != tenant.to_string()) {
        return Err(Error::Unauthenticated(
            "acting in another tenant (X-Pangolin-Tenant) needs root credentials".into(),
        )
        .into());
    }
    ctx.tenant_id = Some(tenant);
    ctx.principal = Principal::anonymous();
    ctx.access = Arc::new(Access::new(Tier::TenantAdmin, Some(tenant), Vec::new()));
    Ok(ctx)
}

/// Every request root makes inside a tenant is on the record, reads included.
async fn record_impersonation(
    ctx: &RequestContext,
    parts: &Parts,
    state: &AppState,
) -> Result<(), ApiError> {
    let event = ctx
        .audit(
            "auth.impersonate",
            format!("{} {}", parts.method, parts.uri.path()),
            AuditResult::Success,
        )
        .with_summary(serde_json::json!({ "impersonation": true }));
    state.store().append_audit(&[event]).await?;
    Ok(())
}

/// The credential a request presents, if any. An `Authorization` header of another scheme
/// is refused rather than ignored, so a misconfigured client learns why it is anonymous.
fn credential(parts: &Parts) -> Result<Option<Credential<'_>>, ApiError> {
    if let Some(key) = parts.headers.get(API_KEY_HEADER) {
        let key = key
            .to_str()
            .map_err(|_| Error::Unauthenticated("malformed X-API-Key header".into()))?;
        return Ok(Some(Credential::ApiKey(key.trim())));
    }
    let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| Error::Unauthenticated("malformed Authorization header".into()))?;
    match value.split_once(' ') {
        // PyIceberg 0.12 without credentials sends `Authorization: Bearer None`: that (and an
        // empty token) is no credential, not a malformed one.
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => match token.trim() {
            "" | "None" | "null" => Ok(None),
            token => Ok(Some(Credential::Bearer(token))),
        },
        _ => Err(Error::Unauthenticated(
            "unsupported Authorization scheme: use `Bearer <token or API key>`".into(),
        )
        .into()),
    }
}

fn header(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn client_addr(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}

fn delegation(parts: &Parts) -> AccessDelegation {
    header(parts, ACCESS_DELEGATION)
        .map(|h| AccessDelegation::parse(&h))
        .unwrap_or_default()
}
