//! `GET /v1/config`, the advertised endpoints, authentication and unknown routes.

mod common;

use axum::http::{Method, StatusCode};
use common::{Reply, TestApp, assert_error, backend_tests};
use pangolin_api::{ApiConfig, AppState};
use serde_json::{Value, json};

backend_tests!(
    config_names_the_requested_warehouse,
    config_without_warehouse_uses_the_default_catalog,
    config_for_another_catalog_names_it,
    config_for_an_unknown_warehouse_is_404,
    config_for_an_invalid_warehouse_is_400,
    advertised_endpoints_are_exactly_the_routed_ones,
    unknown_routes_answer_in_the_envelope,
    requests_without_a_tenant_are_401,
);

async fn config_names_the_requested_warehouse(app: TestApp) {
    let (status, _, body) = app.get("/v1/config?warehouse=default", None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["overrides"], json!({ "prefix": "default" }));
    assert_eq!(body["defaults"], json!({}));
    assert_eq!(body["idempotency-key-lifetime"], json!("PT1800S"));
    assert!(body["endpoints"].is_array(), "{body}");
}

async fn config_without_warehouse_uses_the_default_catalog(app: TestApp) {
    for uri in ["/v1/config", "/v1/config?warehouse="] {
        let (status, _, body) = app.get(uri, None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        assert_eq!(body["overrides"]["prefix"], json!("default"), "{uri}");
    }
}

async fn config_for_another_catalog_names_it(app: TestApp) {
    app.add_catalog("sales").await;
    let (status, _, body) = app.get("/v1/config?warehouse=sales", None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["overrides"]["prefix"], json!("sales"));
    // The catalogs are separate: a namespace of one is not in the other.
    app.create_namespace(&["only_in_default"]).await;
    let (status, _, list) = app.get("/v1/sales/namespaces", None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["namespaces"], json!([]));
}

async fn config_for_an_unknown_warehouse_is_404(app: TestApp) {
    let reply = app.get("/v1/config?warehouse=nope", None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchWarehouseException");
    let reply = app.get("/v1/nope/namespaces", None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchWarehouseException");
}

async fn config_for_an_invalid_warehouse_is_400(app: TestApp) {
    for warehouse in ["a@b@c", "default@", "%01x"] {
        let reply = app
            .get(&format!("/v1/config?warehouse={warehouse}"), None, &[])
            .await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    }
}

/// Every endpoint of the spec, with the catalog-scoped ones `/v1/config` may advertise.
const SPEC_ENDPOINTS: &[&str] = &[
    "GET /v1/{prefix}/namespaces",
    "POST /v1/{prefix}/namespaces",
    "GET /v1/{prefix}/namespaces/{namespace}",
    "HEAD /v1/{prefix}/namespaces/{namespace}",
    "DELETE /v1/{prefix}/namespaces/{namespace}",
    "POST /v1/{prefix}/namespaces/{namespace}/properties",
    "GET /v1/{prefix}/namespaces/{namespace}/tables",
    "POST /v1/{prefix}/namespaces/{namespace}/tables",
    "GET /v1/{prefix}/namespaces/{namespace}/functions",
    "GET /v1/{prefix}/namespaces/{namespace}/functions/{function}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/tasks",
    "POST /v1/{prefix}/namespaces/{namespace}/register",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/unregister",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/sign",
    "POST /v1/{prefix}/tables/rename",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
    "POST /v1/{prefix}/transactions/commit",
    "GET /v1/{prefix}/namespaces/{namespace}/views",
    "POST /v1/{prefix}/namespaces/{namespace}/views",
    "GET /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "POST /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "POST /v1/{prefix}/views/rename",
    "POST /v1/{prefix}/namespaces/{namespace}/register-view",
];

/// The namespace and table endpoints this server must serve.
const REQUIRED: usize = 16;
const REQUIRED_ENDPOINTS: [&str; REQUIRED] = [
    "GET /v1/{prefix}/namespaces",
    "POST /v1/{prefix}/namespaces",
    "GET /v1/{prefix}/namespaces/{namespace}",
    "HEAD /v1/{prefix}/namespaces/{namespace}",
    "DELETE /v1/{prefix}/namespaces/{namespace}",
    "POST /v1/{prefix}/namespaces/{namespace}/properties",
    "GET /v1/{prefix}/namespaces/{namespace}/tables",
    "POST /v1/{prefix}/namespaces/{namespace}/tables",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/register",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
    "POST /v1/{prefix}/tables/rename",
    "POST /v1/{prefix}/transactions/commit",
];

/// Whether the router serves `method path` (an unrouted path reaches the fallback's
/// `NotFoundException`; an unrouted method on a routed path is 405).
async fn is_routed(app: &TestApp, method: &str, template: &str) -> bool {
    let path = template
        .replace("{prefix}", "default")
        .replace("{namespace}", "probe_ns")
        .replace("{table}", "probe_table")
        .replace("{view}", "probe_view")
        .replace("{function}", "probe_fn")
        .replace("{plan-id}", "probe_plan");
    let method = match method {
        // axum answers HEAD wherever GET is routed.
        "HEAD" => Method::GET,
        other => Method::from_bytes(other.as_bytes()).unwrap(),
    };
    let body = (method == Method::POST).then(|| json!({}));
    let (status, _, reply): Reply = app.send(method, &path, body, &[]).await;
    let fallback = status == StatusCode::NOT_FOUND && reply["error"]["type"] == "NotFoundException";
    !fallback && status != StatusCode::METHOD_NOT_ALLOWED
}

async fn advertised_endpoints_are_exactly_the_routed_ones(app: TestApp) {
    let (_, _, body) = app.get("/v1/config", None, &[]).await;
    let advertised: Vec<&str> = body["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .map(|e| e.as_str().expect("endpoint strings"))
        .collect();
    let mut unique = advertised.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        advertised.len(),
        "duplicates in {advertised:?}"
    );
    for endpoint in &advertised {
        assert!(
            SPEC_ENDPOINTS.contains(endpoint),
            "{endpoint} is not in the spec"
        );
    }
    for endpoint in REQUIRED_ENDPOINTS {
        assert!(
            advertised.contains(&endpoint),
            "{endpoint} is not advertised"
        );
    }
    for endpoint in SPEC_ENDPOINTS {
        let (method, path) = endpoint.split_once(' ').unwrap();
        let routed = is_routed(&app, method, path).await;
        assert_eq!(
            routed,
            advertised.contains(endpoint),
            "{endpoint}: routed={routed}, advertised list {advertised:?}"
        );
    }
}

async fn unknown_routes_answer_in_the_envelope(app: TestApp) {
    for uri in ["/v1/nothing/here/at/all", "/v2/config", "/"] {
        let reply = app.get(uri, None, &[]).await;
        assert_error(&reply, StatusCode::NOT_FOUND, "NotFoundException");
    }
    let reply = app
        .post("/v1/default/no-such-route", Some(json!({})), &[])
        .await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NotFoundException");
}

async fn requests_without_a_tenant_are_401(app: TestApp) {
    let state = AppState::with_services(app.state.services().clone(), ApiConfig::default());
    let anonymous = TestApp {
        router: pangolin_api::router(state),
        ..app
    };
    // Discovery is public but names no catalog it cannot check for this caller.
    let (status, _, body) = anonymous.get("/v1/config", None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["overrides"], json!({}));
    let reply = anonymous.get("/v1/default/namespaces", None, &[]).await;
    assert_error(&reply, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    let reply = anonymous
        .post(
            "/v1/default/namespaces",
            Some(json!({ "namespace": ["x"] })),
            &[],
        )
        .await;
    assert_error(&reply, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    let (_, _, list): (_, _, Value) = anonymous.get("/health/live", None, &[]).await;
    assert_eq!(list["status"], json!("ok"));
}
