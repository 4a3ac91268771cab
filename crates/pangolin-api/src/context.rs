//! Building the [`RequestContext`] of a request. Authentication (a later layer) will put the
//! authenticated principal into the request extensions; until then requests act anonymously in
//! the configured development tenant, which the server only allows on loopback.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use pangolin_catalog::{AccessDelegation, Principal, RequestContext};
use pangolin_core::Error;

use crate::AppState;
use crate::error::ApiError;

pub(crate) const ACCESS_DELEGATION: &str = "x-iceberg-access-delegation";
pub(crate) const COMMIT_MESSAGE: &str = "pangolin-commit-message";

/// The context of the current request, extracted in every handler.
pub(crate) struct Ctx(pub(crate) RequestContext);

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let tenant_id = state
            .config()
            .anonymous_tenant
            .ok_or_else(|| Error::Unauthenticated("authentication is required".into()))?;
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let client_addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        let ctx = RequestContext {
            request_id: header("x-request-id").unwrap_or_default(),
            tenant_id,
            principal: Principal::anonymous(),
            client_addr,
            user_agent: header("user-agent"),
            delegation: header(ACCESS_DELEGATION)
                .map(|h| AccessDelegation::parse(&h))
                .unwrap_or_default(),
            commit_message: header(COMMIT_MESSAGE).filter(|m| !m.trim().is_empty()),
        };
        // For the audit record of this request, should it be denied or fail.
        crate::audit_failures::remember(&parts.extensions, &ctx);
        Ok(Ctx(ctx))
    }
}
