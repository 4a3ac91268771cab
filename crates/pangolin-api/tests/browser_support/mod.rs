//! The setup and browser steps shared by the browser-login router tests
//! (`browser_login.rs`: the flows; `browser_guards.rs`: what is refused).

#![allow(dead_code, unreachable_pub)]

use axum::http::{Method, StatusCode};
use pangolin_auth::Secret;
use pangolin_auth::oidc::{GithubConfig, OidcProviderConfig};
use pangolin_catalog::identity::{GithubSettings, OidcSettings};
use pangolin_core::Name;
use pangolin_core::model::Tier;
use serde_json::{Value, json};

use crate::common::idp::{CLIENT_ID, CLIENT_SECRET, Idp, query};
use crate::common::{Backend, Reply, TestApp};

pub const UI: &str = "https://ui.example/login/done";
pub const PUBLIC: &str = "http://pangolin.test";

/// A secured app whose tenant `acme` takes the provider's users: `corp` (OIDC, browser login
/// and bearer tokens), `api-only` (bearer tokens only) and GitHub, all on `idp`.
pub async fn setup(backend: Backend) -> (Idp, TestApp) {
    let idp = Idp::start().await;
    let acme = Name::new("acme").unwrap();
    let corp = OidcProviderConfig::with_client(
        "corp",
        idp.base.clone(),
        CLIENT_ID,
        Secret::new(CLIENT_SECRET),
    );
    // Never contacted: it only has to exist without browser login.
    let mut api_only = OidcProviderConfig::new("api-only", "https://api-only.example");
    api_only.audiences = vec!["pangolin".into()];
    let mut github = GithubConfig::new(CLIENT_ID, Secret::new(CLIENT_SECRET));
    github.web_url = idp.base.clone();
    github.api_url = idp.base.clone();
    let app = TestApp::build_with(backend, true, |settings, api| {
        let auth = &mut settings.auth;
        auth.oidc = vec![oidc(corp, &acme, true), oidc(api_only, &acme, false)];
        auth.github = Some(GithubSettings {
            config: github,
            tenant: acme.clone(),
            tier: Tier::TenantAdmin,
        });
        auth.browser.redirect_uris = vec![UI.into(), "https://ui.example/other?x=1".into()];
        auth.login_limit.max_failures = 4;
        api.public_url = Some(format!("{PUBLIC}/"));
    })
    .await;
    (idp, app)
}

pub fn oidc(provider: OidcProviderConfig, tenant: &Name, browser_login: bool) -> OidcSettings {
    OidcSettings {
        provider,
        tenant: tenant.clone(),
        tier: Tier::TenantUser,
        browser_login,
    }
}

pub fn authorize_uri(provider: &str, redirect: &str) -> String {
    let q = serde_urlencoded::to_string([("redirect_uri", redirect)]).unwrap();
    format!("/api/v1/auth/{provider}/authorize?{q}")
}

/// `GET` a full URL of this server (the callback the provider redirects to) through the router.
pub async fn follow(app: &TestApp, url: &str) -> Reply {
    let path = url.strip_prefix(PUBLIC).expect("a URL of this server");
    app.get(path, None, &[]).await
}

pub fn location(reply: &Reply) -> String {
    assert_eq!(reply.0, StatusCode::FOUND, "{}", reply.2);
    reply.1["location"].to_str().unwrap().to_owned()
}

/// Starts a login at `provider` and returns the provider's authorization URL.
pub async fn begin(app: &TestApp, provider: &str) -> String {
    location(&app.get(&authorize_uri(provider, UI), None, &[]).await)
}

/// authorize → the user logs in as `claims` → callback; returns the UI URL with the code.
pub async fn browser_login(app: &TestApp, idp: &Idp, claims: Value) -> String {
    let at_provider = begin(app, "corp").await;
    location(&follow(app, &idp.login(&at_provider, claims)).await)
}

pub async fn exchange(app: &TestApp, ui_url: &str) -> Reply {
    let code = query(ui_url).remove("code").expect("a code");
    app.post("/api/v1/auth/exchange", Some(json!({ "code": code })), &[])
        .await
}

pub async fn token_of(app: &TestApp, ui_url: &str) -> String {
    let (status, _, body) = exchange(app, ui_url).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token-type"], "bearer");
    body["access-token"].as_str().unwrap().to_owned()
}

pub async fn me(app: &TestApp, token: &str) -> Value {
    let (status, _, me) = app
        .as_bearer(token, Method::GET, "/api/v1/users/me", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    me
}

/// The audit events of `action` (newest first).
pub async fn audit(app: &TestApp, action: &str) -> Vec<pangolin_core::audit::AuditEvent> {
    let filter = pangolin_store::AuditFilter {
        action: Some(action.into()),
        ..Default::default()
    };
    let page = pangolin_core::PageRequest::all();
    app.store.list_audit(&filter, &page).await.unwrap().items
}
