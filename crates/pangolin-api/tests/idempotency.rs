//! `Idempotency-Key` on mutating routes: a retry of the same request is replayed, a key reused
//! for a different request is refused with a status the spec documents for the route (found by
//! the schemathesis suite in tests/e2e, which reuses the spec's example key across operations:
//! the server answered 422, which no mutating route documents).

mod common;

use axum::http::StatusCode;
use common::{TestApp, assert_error, backend_tests, namespace_uri, namespaces_uri, table_uri};
use serde_json::json;

backend_tests!(
    a_retry_with_the_same_key_is_replayed,
    a_key_reused_for_another_request_is_400_and_changes_nothing,
    a_key_reused_on_another_route_is_400,
    a_key_that_is_not_a_uuid_is_400,
);

const KEY: &str = "017f22e2-79b0-7cc3-98c4-dc0c0c07398f";

async fn a_retry_with_the_same_key_is_replayed(app: TestApp) {
    let body = json!({ "namespace": ["once"], "properties": { "a": "1" } });
    let headers = [("Idempotency-Key", KEY)];
    let (status, first_headers, first) = app
        .post(&namespaces_uri(), Some(body.clone()), &headers)
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert!(first_headers.get("idempotency-replayed").is_none());
    let (status, again_headers, again) = app.post(&namespaces_uri(), Some(body), &headers).await;
    assert_eq!(status, StatusCode::OK, "a retry is not a 409: {again}");
    assert_eq!(again, first);
    assert_eq!(again_headers["idempotency-replayed"], "true");
}

async fn a_key_reused_for_another_request_is_400_and_changes_nothing(app: TestApp) {
    let headers = [("Idempotency-Key", KEY)];
    let first = json!({ "namespace": ["first"] });
    let (status, _, reply) = app.post(&namespaces_uri(), Some(first), &headers).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let other = json!({ "namespace": ["second"] });
    let reply = app.post(&namespaces_uri(), Some(other), &headers).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    let message = reply.2["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("Idempotency-Key"), "{message}");
    let (status, _, _) = app.get(&namespace_uri(&["second"]), None, &[]).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the second request never ran"
    );
}

async fn a_key_reused_on_another_route_is_400(app: TestApp) {
    let headers = [("Idempotency-Key", KEY)];
    app.create_namespace(&["ns"]).await;
    let (status, _, reply) = app
        .delete(&table_uri(&["ns"], "missing"), None, &headers)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{reply}");
    let reply = app.delete(&namespace_uri(&["ns"]), None, &headers).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    let (status, _, _) = app.get(&namespace_uri(&["ns"]), None, &[]).await;
    assert_eq!(status, StatusCode::OK, "the namespace was not dropped");
}

async fn a_key_that_is_not_a_uuid_is_400(app: TestApp) {
    let body = json!({ "namespace": ["k"] });
    let reply = app
        .post(
            &namespaces_uri(),
            Some(body),
            &[("Idempotency-Key", "nope")],
        )
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
}
