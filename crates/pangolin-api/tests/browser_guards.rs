//! What browser login refuses, through the real router: tampered, replayed and foreign
//! states; reused or misused exchange codes; redirect URIs outside the allow-list; provider
//! refusals (back to the UI); rate limiting per client address.

mod browser_support;
mod common;

use axum::http::{Method, StatusCode};
use browser_support::*;
use common::idp::query;
use common::{TestApp, assert_error, backend_tests};
use serde_json::json;

backend_tests!(
    states_are_signed_single_use_and_per_provider,
    exchange_codes_work_once,
    redirects_must_be_allowed_exactly,
    provider_refusals_return_to_the_ui,
    failures_are_rate_limited_per_address,
);

async fn states_are_signed_single_use_and_per_provider(app: TestApp) {
    let (idp, app) = setup(app.backend).await;
    let at_provider = begin(&app, "corp").await;
    let back = idp.login(&at_provider, json!({"sub": "u-1"}));
    let q = query(&back);
    let callback = |state: &str, provider: &str| {
        let q = serde_urlencoded::to_string([("code", q["code"].as_str()), ("state", state)]);
        format!("/api/v1/auth/{provider}/callback?{}", q.unwrap())
    };

    // Tampered: one character of the payload changed.
    let state = &q["state"];
    let mut parts: Vec<String> = state.split('.').map(String::from).collect();
    let flipped = if parts[1].ends_with('A') { 'B' } else { 'A' };
    parts[1].pop();
    parts[1].push(flipped);
    for bad in [parts.join("."), "garbage".into(), String::new()] {
        let r = app.get(&callback(&bad, "corp"), None, &[]).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    // A state of one provider is no good at another's callback.
    let r = app.get(&callback(state, "github"), None, &[]).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "BadRequestException");
    // An access token is not a state.
    let token = app.root_token().await;
    let r = app.get(&callback(&token, "corp"), None, &[]).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "BadRequestException");

    // The genuine callback works once; its replay goes back to the UI with an error.
    let ui = location(&follow(&app, &back).await);
    assert!(query(&ui).contains_key("code"), "{ui}");
    let replay = location(&follow(&app, &back).await);
    let q = query(&replay);
    assert!(replay.starts_with(UI));
    assert_eq!(q["error"], "invalid_request", "{replay}");
    assert!(!q.contains_key("code"));
}

async fn exchange_codes_work_once(app: TestApp) {
    let (idp, app) = setup(app.backend).await;
    let ui = browser_login(&app, &idp, json!({"sub": "u-2"})).await;
    let token = token_of(&app, &ui).await;
    let r = exchange(&app, &ui).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    assert!(r.2["error"]["message"].as_str().unwrap().contains("used"));
    // Neither an access token nor a login state is an exchange code.
    let state = query(&begin(&app, "corp").await).remove("state").unwrap();
    for not_a_code in [token, state, "x.y.z".into()] {
        let body = json!({ "code": not_a_code });
        let r = app.post("/api/v1/auth/exchange", Some(body), &[]).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    }
    let r = app
        .post("/api/v1/auth/exchange", Some(json!({"token": "x"})), &[])
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "BadRequestException");
}

async fn redirects_must_be_allowed_exactly(app: TestApp) {
    let (_idp, app) = setup(app.backend).await;
    for bad in [
        "https://evil.example/login/done",
        "https://ui.example/login/done/",
        "https://ui.example/login/done?next=/x",
        "https://ui.example/login",
        "https://ui.example/other",
        "HTTPS://ui.example/login/done",
    ] {
        let r = app.get(&authorize_uri("corp", bad), None, &[]).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    // A redirect URI with its own query keeps it; the code is added.
    let other = "https://ui.example/other?x=1";
    let at_provider = location(&app.get(&authorize_uri("corp", other), None, &[]).await);
    assert!(at_provider.contains("state="));
    // Unknown providers and providers without browser login have no authorize route.
    for provider in ["nope", "api-only"] {
        let r = app.get(&authorize_uri(provider, UI), None, &[]).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    let r = app.get("/api/v1/auth/corp/authorize", None, &[]).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "BadRequestException");
}

async fn provider_refusals_return_to_the_ui(app: TestApp) {
    let (idp, app) = setup(app.backend).await;
    let callback = |state: &str, extra: &[(&str, &str)]| {
        let mut pairs = vec![("state", state)];
        pairs.extend_from_slice(extra);
        let q = serde_urlencoded::to_string(pairs).unwrap();
        format!("/api/v1/auth/corp/callback?{q}")
    };
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("error", "access_denied")], "access_denied"),
        (&[("error", "login_required")], "login_required"),
        (&[("error", "<script>")], "access_denied"),
        (
            &[("code", "not-a-code-the-provider-issued")],
            "access_denied",
        ),
    ];
    for (extra, expected) in cases {
        let state = query(&begin(&app, "corp").await).remove("state").unwrap();
        let ui = location(&app.get(&callback(&state, extra), None, &[]).await);
        assert!(ui.starts_with(&format!("{UI}?")), "{ui}");
        let q = query(&ui);
        assert_eq!(q["error"], expected, "{extra:?}: {ui}");
        assert!(q.contains_key("error_description") && !q.contains_key("code"));
    }
    let state = query(&begin(&app, "corp").await).remove("state").unwrap();
    let ui = location(&app.get(&callback(&state, &[]), None, &[]).await);
    assert_eq!(query(&ui)["error"], "invalid_request");
    let failures = audit(&app, "auth.browser-login").await;
    assert_eq!(failures.len(), 5, "every refusal is audited");
    assert!(failures.iter().all(|e| e.principal == "anonymous"));
    drop(idp);
}

async fn failures_are_rate_limited_per_address(app: TestApp) {
    let (_idp, app) = setup(app.backend).await;
    let attacker = "203.0.113.7:5000";
    let bad_code = || Some(json!({ "code": "forged" }));
    for _ in 0..4 {
        let r = app
            .send_from(attacker, Method::POST, "/api/v1/auth/exchange", bad_code())
            .await;
        assert_eq!(r.0, StatusCode::UNAUTHORIZED, "{}", r.2);
    }
    let r = app
        .send_from(attacker, Method::POST, "/api/v1/auth/exchange", bad_code())
        .await;
    assert_error(
        &r,
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequestsException",
    );
    assert!(r.1["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    // The callback is closed to that address too; other addresses are not affected.
    let callback = "/api/v1/auth/corp/callback?state=forged&code=x";
    let r = app.send_from(attacker, Method::GET, callback, None).await;
    assert_eq!(r.0, StatusCode::TOO_MANY_REQUESTS);
    let r = app
        .send_from("198.51.100.1:5000", Method::GET, callback, None)
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "BadRequestException");
    assert_eq!(
        audit(&app, "auth.token").await.len(),
        4,
        "failed exchanges are audited"
    );
}
