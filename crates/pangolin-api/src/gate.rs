//! The gate in front of every route, driven by the authorization table:
//!
//! - a route that is not `Public` is authenticated before its handler runs, so a request
//!   without valid credentials learns nothing else (401 before any 400 or 404); a public
//!   route is authenticated too when it presents credentials (config discovery answers
//!   authenticated callers differently), but decides itself what bad ones mean;
//! - every refusal (403) of an authenticated request is audited as a denial, with the route
//!   and the reason, whichever layer refused. The decisions themselves are the service
//!   layer's.

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use pangolin_catalog::RequestContext;
use pangolin_core::audit::AuditResult;

use crate::AppState;
use crate::authz_table::{Requirement, Route};
use crate::context::Ctx;
use crate::error::DenialReason;

pub(crate) async fn gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|p| state.routes().find(request.method().as_str(), p.as_str()));
    let Some(route) = route else {
        return next.run(request).await;
    };
    let public = route.requirement == Requirement::Public;
    if public && !carries_credentials(&request) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let ctx = match Ctx::from_request_parts(&mut parts, &state).await {
        Ok(Ctx(ctx)) => ctx,
        // A public route decides itself what bad credentials mean.
        Err(_) if public => return next.run(Request::from_parts(parts, body)).await,
        Err(e) => return e.into_response(),
    };
    // Cheap copies (shared bytes); the audit text is made only for a refusal.
    let (method, uri) = (parts.method.clone(), parts.uri.clone());
    let response = next.run(Request::from_parts(parts, body)).await;
    if response.status() == StatusCode::FORBIDDEN {
        // Taken out first: a response is not `Sync`, so no borrow of it may cross an await.
        let reason = response
            .extensions()
            .get::<DenialReason>()
            .map(|r| r.0.clone());
        let what = format!("{method} {}", uri.path());
        record_denial(&state, &ctx, route, what, reason).await;
    }
    response
}

/// Whether a request presents credentials (public routes then still know their caller, and
/// what it was refused is audited).
fn carries_credentials(request: &Request) -> bool {
    let headers = request.headers();
    headers.contains_key(axum::http::header::AUTHORIZATION) || headers.contains_key("x-api-key")
}

async fn record_denial(
    state: &AppState,
    ctx: &RequestContext,
    route: &Route,
    what: String,
    reason: Option<String>,
) {
    let event = ctx
        .audit("access.denied", what, AuditResult::Denied)
        .with_summary(serde_json::json!({
            "route": format!("{} {}", route.method, route.path),
            "reason": reason,
            "impersonation": ctx.impersonating,
        }));
    if let Err(e) = state.store().append_audit(&[event]).await {
        tracing::warn!(error = %e, "a denial could not be audited");
    }
}
