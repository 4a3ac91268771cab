//! Browser login through the real router against an in-process identity provider
//! (`common::idp`): authorize → provider login → callback → exchange → a working token, for
//! OpenID Connect and GitHub; tampered, replayed and foreign states; reused exchange codes;
//! redirect URIs outside the allow-list; provider refusals; first-use provisioning, groups
//! bound to roles; rate limiting per client address.

mod common;

use axum::http::{Method, StatusCode};
use common::idp::{CLIENT_ID, CLIENT_SECRET, Idp, query};
use common::{Backend, TestApp, assert_error, backend_tests};
use pangolin_auth::Secret;
use pangolin_auth::oidc::{GithubConfig, OidcProviderConfig};
use pangolin_catalog::identity::{GithubSettings, OidcSettings};
use pangolin_core::model::{Action, Assignee, Grant, Grantee, Role, RoleAssignment, Scope, Tier};
use pangolin_core::{GrantId, Name};
use serde_json::{Value, json};

backend_tests!(
    oidc_login_end_to_end,
    github_login_end_to_end,
    states_are_signed_single_use_and_per_provider,
    exchange_codes_work_once,
    redirects_must_be_allowed_exactly,
    provider_refusals_return_to_the_ui,
    groups_from_the_provider_bind_roles,
    failures_are_rate_limited_per_address,
);

const UI: &str = "https://ui.example/login/done";
const PUBLIC: &str = "http://pangolin.test";

/// A secured app whose tenant `acme` takes the provider's users: `corp` (OIDC, browser login
/// and bearer tokens), `api-only` (bearer tokens only) and GitHub, all on `idp`.
async fn setup(backend: Backend) -> (Idp, TestApp) {
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

fn oidc(provider: OidcProviderConfig, tenant: &Name, browser_login: bool) -> OidcSettings {
    OidcSettings {
        provider,
        tenant: tenant.clone(),
        tier: Tier::TenantUser,
        browser_login,
    }
}

fn authorize_uri(provider: &str, redirect: &str) -> String {
    let q = serde_urlencoded::to_string([("redirect_uri", redirect)]).unwrap();
    format!("/api/v1/auth/{provider}/authorize?{q}")
}

/// `GET` a full URL of this server (the callback the provider redirects to) through the router.
async fn follow(app: &TestApp, url: &str) -> common::Reply {
    let path = url.strip_prefix(PUBLIC).expect("a URL of this server");
    app.get(path, None, &[]).await
}

fn location(reply: &common::Reply) -> String {
    assert_eq!(reply.0, StatusCode::FOUND, "{}", reply.2);
    reply.1["location"].to_str().unwrap().to_owned()
}

/// Starts a login at `provider` and returns the provider's authorization URL.
async fn begin(app: &TestApp, provider: &str) -> String {
    location(&app.get(&authorize_uri(provider, UI), None, &[]).await)
}

/// authorize → the user logs in as `claims` → callback; returns the UI URL with the code.
async fn browser_login(app: &TestApp, idp: &Idp, claims: Value) -> String {
    let at_provider = begin(app, "corp").await;
    location(&follow(app, &idp.login(&at_provider, claims)).await)
}

async fn exchange(app: &TestApp, ui_url: &str) -> common::Reply {
    let code = query(ui_url).remove("code").expect("a code");
    app.post("/api/v1/auth/exchange", Some(json!({ "code": code })), &[])
        .await
}

async fn token_of(app: &TestApp, ui_url: &str) -> String {
    let (status, _, body) = exchange(app, ui_url).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token-type"], "bearer");
    body["access-token"].as_str().unwrap().to_owned()
}

async fn me(app: &TestApp, token: &str) -> Value {
    let (status, _, me) = app
        .as_bearer(token, Method::GET, "/api/v1/users/me", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    me
}

async fn oidc_login_end_to_end(app: TestApp) {
    let (idp, app) = setup(app.backend).await;
    let (status, _, providers) = app.get("/api/v1/auth/providers", None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        providers,
        json!({"providers": [{"name": "corp", "kind": "oidc"}, {"name": "github", "kind": "github"}]}),
        "api-only offers no browser login"
    );

    let at_provider = begin(&app, "corp").await;
    assert!(at_provider.starts_with(&format!("{}/authorize?", idp.base)));
    let q = query(&at_provider);
    assert_eq!(
        q["redirect_uri"],
        format!("{PUBLIC}/api/v1/auth/corp/callback")
    );
    assert_eq!(q["scope"], "openid profile email");
    assert_eq!(q["code_challenge"].len(), 43);
    assert!(!q["state"].contains(&q["code_challenge"]));

    let back = idp.login(
        &at_provider,
        json!({"sub": "u-100", "preferred_username": "ann", "email": "ann@corp.example"}),
    );
    let reply = follow(&app, &back).await;
    assert_eq!(reply.1["cache-control"], "no-store");
    assert_eq!(reply.1["referrer-policy"], "no-referrer");
    let ui = location(&reply);
    assert!(ui.starts_with(&format!("{UI}?code=")), "{ui}");

    // First use provisioned the account in the provider's tenant.
    let token = token_of(&app, &ui).await;
    let ann = me(&app, &token).await;
    assert_eq!(ann["name"], "ann");
    assert_eq!(ann["tier"], "tenant-user");
    assert_eq!(ann["tenant-id"], app.tenant.id.to_string());
    assert_eq!(ann["external-issuer"], idp.base);
    assert_eq!(ann["has-password"], false);

    // The next login (and the provider's bearer tokens for the same subject) is the same
    // account.
    let again = browser_login(&app, &idp, json!({"sub": "u-100"})).await;
    assert_eq!(
        me(&app, &token_of(&app, &again).await).await["id"],
        ann["id"]
    );

    // Audited: the login and the exchange, by the account.
    let events = audit(&app, "auth.browser-login").await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(
        events
            .iter()
            .all(|e| e.principal == ann["id"].as_str().unwrap())
    );
}

async fn github_login_end_to_end(app: TestApp) {
    let (idp, app) = setup(app.backend).await;
    let at_github = begin(&app, "github").await;
    assert!(at_github.starts_with(&format!("{}/login/oauth/authorize?", idp.base)));
    let user = json!({"id": 583231, "login": "octocat", "email": "octo@example.com"});
    let ui = location(&follow(&app, &idp.github_login(&at_github, user)).await);
    let token = token_of(&app, &ui).await;
    let octo = me(&app, &token).await;
    assert_eq!(octo["name"], "octocat");
    assert_eq!(octo["email"], "octo@example.com");
    assert_eq!(octo["tier"], "tenant-admin", "GitHub's configured tier");
    assert_eq!(octo["external-issuer"], idp.base);

    // The account follows the numeric id, not the (renamable) login.
    let at_github = begin(&app, "github").await;
    let renamed = json!({"id": 583231, "login": "octocat-2", "email": "octo@example.com"});
    let ui = location(&follow(&app, &idp.github_login(&at_github, renamed)).await);
    assert_eq!(me(&app, &token_of(&app, &ui).await).await["id"], octo["id"]);
}

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

async fn groups_from_the_provider_bind_roles(app: TestApp) {
    let (idp, app) = setup(app.backend).await;
    // Role `analysts-read` reads the catalog and is assigned to the group `analysts`.
    let role = Role::new(app.tenant.id, Name::new("analysts-read").unwrap());
    app.store.create_role(&role, &[]).await.unwrap();
    let grant = Grant {
        id: GrantId::generate(),
        tenant_id: app.tenant.id,
        grantee: Grantee::Role(role.id),
        action: Action::Read,
        scope: Scope::Catalog {
            catalog: app.catalog.id,
        },
        granted_by: "test".into(),
        created_at: pangolin_core::now(),
    };
    app.store.create_grant(&grant, &[]).await.unwrap();
    let assignment = RoleAssignment {
        tenant_id: app.tenant.id,
        role_id: role.id,
        assignee: Assignee::Group("analysts".into()),
        created_at: pangolin_core::now(),
    };
    app.store.assign_role(&assignment, &[]).await.unwrap();

    let catalog = "/api/v1/catalogs/default";
    let member = json!({"sub": "u-3", "groups": ["staff", "analysts"]});
    let token = token_of(&app, &browser_login(&app, &idp, member).await).await;
    let (status, _, body) = app.as_bearer(&token, Method::GET, catalog, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let outsider = json!({"sub": "u-4", "groups": ["staff"]});
    let token = token_of(&app, &browser_login(&app, &idp, outsider).await).await;
    let r = app.as_bearer(&token, Method::GET, catalog, None).await;
    assert_error(&r, StatusCode::FORBIDDEN, "ForbiddenException");

    // The provider's bearer tokens carry groups the same way (a single string is one
    // group), and their first use provisions the account too. `corp` accepts its client id
    // as audience.
    let bearer = idp.token(json!({"aud": CLIENT_ID, "sub": "svc-9", "groups": "analysts"}));
    let (status, _, body) = app.as_bearer(&bearer, Method::GET, catalog, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let me = me(&app, &bearer).await;
    assert_eq!(
        me["name"], "svc-9",
        "provisioned on first use, named by its subject"
    );
    let foreign = idp.token(json!({"aud": "another-app", "sub": "svc-9"}));
    let r = app.as_bearer(&foreign, Method::GET, catalog, None).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
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

/// The audit events of `action` (newest first).
async fn audit(app: &TestApp, action: &str) -> Vec<pangolin_core::audit::AuditEvent> {
    let filter = pangolin_store::AuditFilter {
        action: Some(action.into()),
        ..Default::default()
    };
    let page = pangolin_core::PageRequest::all();
    app.store.list_audit(&filter, &page).await.unwrap().items
}
