//! OAuth2 token exchange at `/v1/oauth/tokens` through the real router: only this server's
//! valid tokens are exchanged, and refusals are audited and rate-limited per client address.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, backend_tests};
use pangolin_core::model::Tier;

backend_tests!(refused_subject_tokens_are_limited_per_address);

const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

async fn exchange(app: &TestApp, addr: &str, subject: &str) -> (StatusCode, serde_json::Value) {
    let form =
        serde_urlencoded::to_string([("grant_type", TOKEN_EXCHANGE), ("subject_token", subject)])
            .unwrap();
    let mut request = axum::http::Request::post("/v1/oauth/tokens")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(form))
        .unwrap();
    let addr: std::net::SocketAddr = addr.parse().unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    let response = tower::ServiceExt::oneshot(app.router.clone(), request)
        .await
        .unwrap();
    let status = response.status();
    let retry_after = response.headers().get("retry-after").cloned();
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let mut body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    if let Some(retry) = retry_after {
        body["retry-after"] = retry.to_str().unwrap().into();
    }
    (status, body)
}

async fn refused_subject_tokens_are_limited_per_address(app: TestApp) {
    let token = app.user_token("erin", Tier::TenantAdmin).await;
    let attacker = "203.0.113.9:1000";
    // Subject tokens that are no tokens of this server: each refused and counted.
    for _ in 0..10 {
        let (status, body) = exchange(&app, attacker, "not.a.token").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    let (status, body) = exchange(&app, attacker, &token).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(
        body["retry-after"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    // Another address exchanges the same valid token.
    let (status, body) = exchange(&app, "198.51.100.2:1000", &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let fresh = body["access_token"].as_str().unwrap();
    let (status, _, _) = app
        .as_bearer(fresh, Method::GET, "/api/v1/users/me", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let events = app
        .store
        .list_audit(&Default::default(), &pangolin_core::PageRequest::all())
        .await
        .unwrap();
    let refused = events
        .items
        .iter()
        .filter(|e| e.action == "auth.token" && e.resource == "token/exchange")
        .filter(|e| e.result == pangolin_core::audit::AuditResult::Failure)
        .count();
    assert_eq!(refused, 10);
}
