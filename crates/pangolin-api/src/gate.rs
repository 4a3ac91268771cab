//! The gate in front of every route (run by the `front` layer), driven by the authorization
//! table:
//!
//! - a route that is not `Public` is authenticated before its handler runs, so a request
//!   without valid credentials learns nothing else (401 before any 400 or 404); a public
//!   route is authenticated too when it presents credentials (config discovery answers
//!   authenticated callers differently), but decides itself what bad ones mean;
//! - refusals are audited by `audit_failures` (one record per denied request, with the
//!   reason). The decisions themselves are the service layer's.

use axum::extract::{FromRequestParts, MatchedPath, Request};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::authz_table::Requirement;
use crate::context::Ctx;

/// The request to hand on, or the refusal to answer instead.
pub(crate) async fn admit(state: &AppState, request: Request) -> Result<Request, Response> {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|p| state.routes().find(request.method().as_str(), p.as_str()));
    // No route (the fallback): nothing to guard.
    let Some(route) = route else {
        return Ok(request);
    };
    let public = route.requirement == Requirement::Public;
    if public && !carries_credentials(&request) {
        return Ok(request);
    }
    let (mut parts, body) = request.into_parts();
    // The context lands in the request's extensions, where the handler finds it.
    match Ctx::from_request_parts(&mut parts, state).await {
        Ok(_) => {}
        // A public route decides itself what bad credentials mean.
        Err(_) if public => {}
        Err(e) => return Err(e.into_response()),
    }
    Ok(Request::from_parts(parts, body))
}

/// Whether a request presents credentials (public routes then still know their caller, and
/// what it was refused is audited).
fn carries_credentials(request: &Request) -> bool {
    let headers = request.headers();
    headers.contains_key(axum::http::header::AUTHORIZATION) || headers.contains_key("x-api-key")
}
