//! Records what the services cannot: every denied request (401, 403) and every mutating
//! request (POST, PUT, PATCH, DELETE) that failed (status ≥ 400), one audit event each.
//! Successes are recorded by the services themselves, atomically with the mutation, so they
//! are never recorded here.
//!
//! Who asked is known only once the gate or the handler extracted its
//! [`Ctx`](crate::context::Ctx): the `front` layer puts an empty [`Caller`] slot into the
//! request ([`Watch::start`]), the extractor fills it, and the layer reads it after the
//! response ([`Watch::finish`]; an empty slot: the request never got that far, e.g. it failed
//! authentication, and counts as `anonymous`).

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use pangolin_catalog::RequestContext;
use pangolin_core::TenantId;
use pangolin_core::audit::{AuditEvent, AuditResult};
use serde_json::json;

use crate::AppState;
use crate::error::ErrorType;
use crate::front::REQUEST_ID;

/// Who a request acted as, filled in by the context extractor.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallerSlot(Arc<OnceLock<Caller>>);

#[derive(Debug)]
struct Caller {
    principal: String,
    tenant: Option<TenantId>,
}

/// Notes who the request acts as, for the record of its failure (if it fails).
pub(crate) fn remember(extensions: &axum::http::Extensions, ctx: &RequestContext) {
    if let Some(CallerSlot(slot)) = extensions.get::<CallerSlot>() {
        let _ = slot.set(Caller {
            principal: ctx.principal.id.clone(),
            tenant: ctx.tenant_id,
        });
    }
}

/// The audit result of a response, when it is recorded here at all.
fn result_of(method: &Method, status: StatusCode) -> Option<AuditResult> {
    let mutating = matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Some(AuditResult::Denied),
        s if mutating && (s.is_client_error() || s.is_server_error()) => Some(AuditResult::Failure),
        _ => None,
    }
}

/// What the request was, kept before it is handed on. Only cheap clones (shared buffers):
/// this runs for every request, and almost none is recorded.
struct Attempt {
    method: Method,
    /// The route template (`/v1/{prefix}/namespaces`); `None` when no route matched.
    route: Option<MatchedPath>,
    uri: Uri,
    request_id: Option<HeaderValue>,
    user_agent: Option<HeaderValue>,
    client: Option<SocketAddr>,
}

impl Attempt {
    fn of(request: &Request) -> Self {
        let extensions = request.extensions();
        Attempt {
            method: request.method().clone(),
            route: extensions.get::<MatchedPath>().cloned(),
            uri: request.uri().clone(),
            request_id: request.headers().get(&REQUEST_ID).cloned(),
            user_agent: request.headers().get(header::USER_AGENT).cloned(),
            client: extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| *addr),
        }
    }

    fn event(
        self,
        caller: Option<&Caller>,
        result: AuditResult,
        response: &Response,
    ) -> AuditEvent {
        let path = self.uri.path();
        let route = self.route.as_ref().map_or(path, MatchedPath::as_str);
        let text = |v: Option<HeaderValue>| v.and_then(|v| v.to_str().ok().map(str::to_owned));
        let mut event = AuditEvent::new(
            caller.and_then(|c| c.tenant),
            caller.map_or("anonymous", |c| &c.principal),
            format!("{} {route}", self.method),
            path,
            result,
        );
        event.request_id = text(self.request_id);
        event.client_addr = self.client.map(|a| a.ip().to_string());
        event.user_agent = text(self.user_agent);
        let error = response
            .extensions()
            .get::<ErrorType>()
            .map(|t| t.0.as_str());
        let reason = response
            .extensions()
            .get::<crate::error::DenialReason>()
            .map(|r| r.0.as_str());
        event.summary = json!({ "status": response.status().as_u16(), "error": error });
        if let Some(reason) = reason {
            event.summary["reason"] = reason.into();
        }
        event
    }
}

/// What the failure record of a request needs, taken before the request is handed on.
pub(crate) struct Watch {
    slot: CallerSlot,
    attempt: Attempt,
}

impl Watch {
    /// Puts the caller slot into `request` (the context extractor fills it) and notes what
    /// the request is.
    pub(crate) fn start(request: &mut Request) -> Self {
        let slot = CallerSlot::default();
        request.extensions_mut().insert(slot.clone());
        let attempt = Attempt::of(request);
        Watch { slot, attempt }
    }

    /// The event to record when `response` is a denial or a failed mutation.
    pub(crate) fn finish(self, response: &Response) -> Option<AuditEvent> {
        let Watch { slot, attempt } = self;
        let result = result_of(&attempt.method, response.status())?;
        // A mutation of nothing (no route matched) is no failure worth a record.
        if result == AuditResult::Failure && attempt.route.is_none() {
            return None;
        }
        Some(attempt.event(slot.0.get(), result, response))
    }
}

/// Writes a denial or failure to the audit log.
pub(crate) async fn save(state: &AppState, event: AuditEvent) {
    let result = event.result;
    if let Err(e) = state.store().append_audit(&[event]).await {
        // The client gets its answer regardless; the operator learns of the gap.
        tracing::error!(error = %e, "could not record a {} request in the audit log", result.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denials_always_and_failures_of_mutations_only_are_recorded() {
        let denied = Some(AuditResult::Denied);
        let failed = Some(AuditResult::Failure);
        assert_eq!(result_of(&Method::GET, StatusCode::UNAUTHORIZED), denied);
        assert_eq!(result_of(&Method::HEAD, StatusCode::FORBIDDEN), denied);
        assert_eq!(result_of(&Method::POST, StatusCode::FORBIDDEN), denied);
        assert_eq!(result_of(&Method::POST, StatusCode::CONFLICT), failed);
        assert_eq!(result_of(&Method::DELETE, StatusCode::NOT_FOUND), failed);
        assert_eq!(result_of(&Method::PUT, StatusCode::BAD_GATEWAY), failed);
        assert_eq!(result_of(&Method::PATCH, StatusCode::BAD_REQUEST), failed);
        assert_eq!(result_of(&Method::GET, StatusCode::NOT_FOUND), None);
        assert_eq!(
            result_of(&Method::GET, StatusCode::INTERNAL_SERVER_ERROR),
            None
        );
        assert_eq!(result_of(&Method::POST, StatusCode::OK), None);
        assert_eq!(result_of(&Method::DELETE, StatusCode::NO_CONTENT), None);
        assert_eq!(result_of(&Method::POST, StatusCode::NOT_MODIFIED), None);
    }
}
