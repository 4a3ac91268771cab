//! Authentication through the real router: login, tokens (expired, tampered, foreign-key,
//! revoked), API keys (revoked, expired, disabled), the OAuth2 token endpoint, JWKS and
//! rotation, rate limiting, and what needs no credentials.

mod common;

use axum::http::{Method, StatusCode};
use common::auth::PASSWORD;
use common::{TestApp, assert_error, backend_tests};
use pangolin_auth::jwt::{Claims, Purpose, TokenSigner};
use pangolin_core::model::Tier;
use serde_json::json;

backend_tests!(
    secured_routes_need_credentials,
    login_me_logout,
    bad_passwords_are_refused_then_rate_limited,
    tampered_foreign_and_expired_tokens_are_refused,
    api_keys_authenticate_until_revoked_or_disabled,
    oauth_client_credentials,
    jwks_and_rotation,
);

async fn secured_routes_need_credentials(app: TestApp) {
    let app = TestApp::secured(app.backend).await;
    let r = app.get("/v1/default/namespaces", None, &[]).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    let r = app.get("/api/v1/catalogs", None, &[]).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    // Discovery, health and keys need none, and reveal nothing about catalogs.
    let (status, _, body) = app.get("/v1/config?warehouse=nope", None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["overrides"]["prefix"], "nope");
    assert_eq!(app.get("/health/live", None, &[]).await.0, StatusCode::OK);
    assert_eq!(
        app.get("/.well-known/jwks.json", None, &[]).await.0,
        StatusCode::OK
    );
    let r = app
        .get(
            "/v1/default/namespaces",
            None,
            &[("authorization", "Basic Zm9vOmJhcg==")],
        )
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    // PyIceberg without credentials sends `Bearer None`: anonymous, so refused here ...
    let none = [("authorization", "Bearer None")];
    let r = app.get("/v1/default/namespaces", None, &none).await;
    assert_eq!(r.2["error"]["message"], "authentication is required");
    // ... and served where anonymous requests are allowed.
    let open = TestApp::new(app.backend).await;
    assert_eq!(
        open.get("/v1/default/namespaces", None, &none).await.0,
        StatusCode::OK
    );
}

async fn login_me_logout(app: TestApp) {
    let app = TestApp::secured(app.backend).await;
    let token = app.user_token("alice@example.com", Tier::TenantAdmin).await;
    let (status, _, me) = app
        .as_bearer(&token, Method::GET, "/api/v1/users/me", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["name"], "alice@example.com");
    assert_eq!(me["tier"], "tenant-admin");
    assert!(me.get("password-hash").is_none() && me["has-password"] == true);
    let (status, _, _) = app
        .as_bearer(&token, Method::GET, "/v1/default/namespaces", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = app
        .as_bearer(&token, Method::POST, "/api/v1/users/logout", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let r = app
        .as_bearer(&token, Method::GET, "/v1/default/namespaces", None)
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    assert!(
        r.2["error"]["message"]
            .as_str()
            .unwrap()
            .contains("revoked")
    );
}

async fn bad_passwords_are_refused_then_rate_limited(app: TestApp) {
    app.create_user("bob", Tier::TenantUser).await;
    let attempt = |password: &'static str| {
        let body = json!({ "tenant": "acme", "username": "bob", "password": password });
        app.post("/api/v1/users/login", Some(body), &[])
    };
    let r = attempt("wrong-password").await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    let unknown = json!({ "tenant": "acme", "username": "nobody", "password": "whatever-1" });
    let r = app.post("/api/v1/users/login", Some(unknown), &[]).await;
    assert_eq!(r.2["error"]["message"], "invalid user name or password");
    for _ in 0..10 {
        attempt("wrong-password").await;
    }
    let r = attempt(PASSWORD).await;
    assert_error(
        &r,
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequestsException",
    );
    let retry: u64 = r.1["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1);
    // The failures are on the record, without the password.
    let events = app
        .store
        .list_audit(&Default::default(), &Default::default())
        .await
        .unwrap();
    let failures: Vec<_> = events
        .items
        .iter()
        .filter(|e| e.action == "auth.login")
        .collect();
    assert!(failures.len() >= 10);
    assert!(
        failures
            .iter()
            .all(|e| !e.summary.to_string().contains("wrong-password"))
    );
}

async fn tampered_foreign_and_expired_tokens_are_refused(app: TestApp) {
    let token = app.user_token("carol", Tier::TenantAdmin).await;
    let ok = app
        .as_bearer(&token, Method::GET, "/api/v1/users/me", None)
        .await;
    assert_eq!(ok.0, StatusCode::OK);
    // Tampered payload: flip a character of the claims.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = parts[1].replacen('e', "f", 1);
    let tampered = parts.join(".");
    let r = app
        .as_bearer(&tampered, Method::GET, "/api/v1/users/me", None)
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    // A token of another server (same issuer, other key).
    let other = TestApp::new(app.backend).await;
    let foreign = other.user_token("carol", Tier::TenantAdmin).await;
    let r = app
        .as_bearer(&foreign, Method::GET, "/api/v1/users/me", None)
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    // An expired token signed with this server's own key.
    let key = app.store.list_signing_keys().await.unwrap().pop().unwrap();
    let signer = TokenSigner::new(&key, &app.secrets).unwrap();
    let user = app
        .store
        .get_user_by_name(
            Some(app.tenant.id),
            &pangolin_core::model::Username::new("carol").unwrap(),
        )
        .await
        .unwrap();
    let past = pangolin_core::now() - chrono::Duration::hours(2);
    let claims = Claims::for_user(
        "pangolin",
        Purpose::Access,
        &user,
        past,
        std::time::Duration::from_secs(600),
    );
    let expired = signer.issue(&claims).unwrap();
    let r = app
        .as_bearer(&expired, Method::GET, "/api/v1/users/me", None)
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    assert!(
        r.2["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{}",
        r.2
    );
    // A token for another purpose is no access token.
    let state = Claims::for_user(
        "pangolin",
        Purpose::LoginState,
        &user,
        pangolin_core::now(),
        std::time::Duration::from_secs(600),
    );
    let state = signer.issue(&state).unwrap();
    let r = app
        .as_bearer(&state, Method::GET, "/api/v1/users/me", None)
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    // A disabled account's token stops working at once.
    let admin = app.user_token("dave", Tier::TenantAdmin).await;
    let uri = format!("/api/v1/users/{}", user.id);
    let (status, _, body) = app
        .as_bearer(
            &admin,
            Method::PATCH,
            &uri,
            Some(json!({ "disabled": true })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = app
        .as_bearer(&token, Method::GET, "/api/v1/users/me", None)
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
}

async fn api_keys_authenticate_until_revoked_or_disabled(app: TestApp) {
    let admin = app.user_token("erin", Tier::TenantAdmin).await;
    let (id, key) = app.service_user(&admin, "etl", "tenant-admin").await;
    assert!(key.starts_with("pgl_"));
    let r = app
        .get("/v1/default/namespaces", None, &[("x-api-key", &key)])
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.2);
    let r = app
        .as_bearer(&key, Method::GET, "/v1/default/namespaces", None)
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.2);
    // Listing keys never shows the key or its hash.
    let (_, _, keys) = app
        .as_bearer(
            &admin,
            Method::GET,
            &format!("/api/v1/service-users/{id}/api-keys"),
            None,
        )
        .await;
    let listed = keys.to_string();
    assert!(
        !listed.contains(&key[20..]) && !listed.contains("sha256"),
        "{listed}"
    );
    // A wrong secret with a real key id.
    let forged = format!("{}{}", &key[..key.len() - 4], "0000");
    let r = app
        .get("/v1/default/namespaces", None, &[("x-api-key", &forged)])
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    // Rotate: the old key stops, the new one works.
    let key_id = key.split('_').nth(1).unwrap();
    let uri = format!("/api/v1/service-users/{id}/api-keys/{key_id}/rotate");
    let (status, _, rotated) = app.as_bearer(&admin, Method::POST, &uri, None).await;
    assert_eq!(status, StatusCode::CREATED, "{rotated}");
    let new_key = rotated["key"].as_str().unwrap().to_owned();
    let r = app
        .get("/v1/default/namespaces", None, &[("x-api-key", &key)])
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    let r = app
        .get("/v1/default/namespaces", None, &[("x-api-key", &new_key)])
        .await;
    assert_eq!(r.0, StatusCode::OK);
    // Disabling the service user stops every key.
    let uri = format!("/api/v1/service-users/{id}");
    let (status, _, _) = app
        .as_bearer(
            &admin,
            Method::PATCH,
            &uri,
            Some(json!({ "disabled": true })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let r = app
        .get("/v1/default/namespaces", None, &[("x-api-key", &new_key)])
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
    // An expired key.
    // (An admin, so that a live key reaches the catalog: only expiry may refuse it.)
    let (sid, _) = app.service_user(&admin, "short", "tenant-admin").await;
    let soon = (pangolin_core::now() + chrono::Duration::milliseconds(1200)).to_rfc3339();
    let uri = format!("/api/v1/service-users/{sid}/api-keys");
    let (status, _, minted) = app
        .as_bearer(
            &admin,
            Method::POST,
            &uri,
            Some(json!({ "expires-at": soon })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{minted}");
    let short = minted["key"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get("/v1/default/namespaces", None, &[("x-api-key", &short)])
            .await
            .0,
        StatusCode::OK
    );
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    let r = app
        .get("/v1/default/namespaces", None, &[("x-api-key", &short)])
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
}

async fn oauth_client_credentials(app: TestApp) {
    let admin = app.user_token("frank", Tier::TenantAdmin).await;
    let (_, key) = app.service_user(&admin, "pyiceberg", "tenant-admin").await;
    let (key_id, secret) = key.trim_start_matches("pgl_").split_once('_').unwrap();
    let form = format!(
        "grant_type=client_credentials&client_id={key_id}&client_secret={secret}&scope=PRINCIPAL_ROLE%3AALL"
    );
    let (status, _, raw) = app
        .send_bytes(
            Method::POST,
            "/v1/oauth/tokens",
            form,
            &[("content-type", "application/x-www-form-urlencoded")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&raw));
    let body: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(body["token_type"], "bearer");
    let token = body["access_token"].as_str().unwrap().to_owned();
    let r = app
        .as_bearer(&token, Method::GET, "/v1/default/namespaces", None)
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.2);
    // Under a catalog prefix too, and the whole key as the secret.
    let form = format!("grant_type=client_credentials&client_id={key_id}&client_secret={key}");
    let (status, _, _) = app
        .send_bytes(
            Method::POST,
            "/v1/default/oauth/tokens",
            form,
            &[("content-type", "application/x-www-form-urlencoded")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let bad = format!("grant_type=client_credentials&client_id={key_id}&client_secret=nope");
    let (status, _, raw) = app
        .send_bytes(
            Method::POST,
            "/v1/oauth/tokens",
            bad,
            &[("content-type", "application/x-www-form-urlencoded")],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(body["error"], "invalid_client");
    let (status, _, raw) = app
        .send_bytes(
            Method::POST,
            "/v1/oauth/tokens",
            "grant_type=password",
            &[("content-type", "application/x-www-form-urlencoded")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(body["error"], "unsupported_grant_type");
    // Token exchange gives a fresh token for the same account.
    let form = format!(
        "grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token={token}&subject_token_type=urn:ietf:params:oauth:token-type:access_token"
    );
    let (status, _, raw) = app
        .send_bytes(
            Method::POST,
            "/v1/oauth/tokens",
            form,
            &[("content-type", "application/x-www-form-urlencoded")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&raw));
}

async fn jwks_and_rotation(app: TestApp) {
    let root = app.root_token().await;
    let admin = app.user_token("gina", Tier::TenantAdmin).await;
    let (_, _, jwks) = app.get("/.well-known/jwks.json", None, &[]).await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert_eq!(jwks["keys"][0]["alg"], "EdDSA");
    let r = app
        .as_bearer(&admin, Method::POST, "/api/v1/keys/rotate", None)
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "ForbiddenException");
    let (status, _, rotated) = app
        .as_bearer(&root, Method::POST, "/api/v1/keys/rotate", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let (_, _, jwks) = app.get("/.well-known/jwks.json", None, &[]).await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    // Tokens signed before the rotation still work; new ones use the new key.
    let r = app
        .as_bearer(&admin, Method::GET, "/api/v1/users/me", None)
        .await;
    assert_eq!(r.0, StatusCode::OK);
    let fresh = app.login(Some("acme"), "gina", PASSWORD).await;
    let header = fresh.split('.').next().unwrap();
    use base64::Engine;
    let header: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["kid"], rotated["kid"]);
}
