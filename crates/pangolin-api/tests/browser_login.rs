//! Browser login through the real router against an in-process identity provider
//! (`common::idp`): authorize → provider login → callback → exchange → a working token, for
//! OpenID Connect and GitHub; first-use provisioning; groups bound to roles.

mod browser_support;
mod common;

use axum::http::{Method, StatusCode};
use browser_support::*;
use common::idp::{CLIENT_ID, query};
use common::{TestApp, assert_error, backend_tests};
use pangolin_core::model::{Action, Assignee, Grant, Grantee, Role, RoleAssignment, Scope};
use pangolin_core::{GrantId, Name};
use serde_json::json;

backend_tests!(
    oidc_login_end_to_end,
    github_login_end_to_end,
    groups_from_the_provider_bind_roles,
);

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
