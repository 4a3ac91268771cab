//! Helpers of the audit tests: reading the log through the API and by request id.

#![allow(dead_code, unreachable_pub)]

use axum::http::{HeaderMap, Method, StatusCode};
use pangolin_core::audit::{AuditEvent, AuditResult};
use pangolin_core::{AuditId, PageRequest};
use pangolin_store::AuditFilter;
use serde_json::Value;

use crate::common::TestApp;

/// The request id the server gave a request (echoed in `x-request-id`).
pub fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("every response carries its request id")
        .to_owned()
}

/// Every event the store holds, newest first.
pub async fn all_events(app: &TestApp) -> Vec<AuditEvent> {
    let mut events = app
        .store
        .list_audit(&AuditFilter::default(), &PageRequest::all())
        .await
        .unwrap()
        .items;
    // The app's own start (its first signing key) is not what these tests look at.
    events.retain(|e| e.action != STARTUP_EVENT);
    events
}

/// The event the app's start-up records (outside any tenant).
pub const STARTUP_EVENT: &str = "auth.signing-key.create";

/// The events of one request.
pub async fn events_of(app: &TestApp, request_id: &str) -> Vec<AuditEvent> {
    let mut events = all_events(app).await;
    events.retain(|e| e.request_id.as_deref() == Some(request_id));
    events
}

/// Sends a request, asserts a success, and returns its request id.
pub async fn succeed(app: &TestApp, method: Method, uri: &str, body: Option<Value>) -> String {
    let (status, headers, reply) = app.send(method.clone(), uri, body, &[]).await;
    assert!(status.is_success(), "{method} {uri}: {status} {reply}");
    request_id(&headers)
}

/// Asserts that request `id` left `n` events, all with `result`.
pub async fn assert_recorded(
    app: &TestApp,
    id: &str,
    result: AuditResult,
    what: &str,
) -> Vec<AuditEvent> {
    let events = events_of(app, id).await;
    assert!(!events.is_empty(), "{what}: no audit event");
    assert!(
        events.iter().all(|e| e.result == result),
        "{what}: expected only {result:?}: {events:?}"
    );
    events
}

/// `POST /api/v1/audit/verify` on the caller's tenant; asserts it verified, and returns the
/// ids of the chain's records.
pub async fn verify_ok(app: &TestApp) -> Vec<AuditId> {
    let (status, _, report) = app.post("/api/v1/audit/verify", None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["chains"][0]["problem-count"], 0, "{report}");
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let page = app
            .store
            .audit_chain(Some(app.tenant.id), after, 500)
            .await
            .unwrap();
        let Some(last) = page.last() else { return ids };
        after = Some(last.seq);
        ids.extend(page.iter().map(|r| r.event.id));
    }
}
