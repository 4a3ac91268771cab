//! Authorization regressions: each test fails if one specific way around authorization
//! becomes possible again.

mod authz;
mod common;

use authz::Level;
use authz::fixture::Needs;
use authz::world::{Who, World};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

authz::world_tests!(
    nobody_grants_itself_or_others_what_it_lacks,
    revoking_a_grant_needs_manage_grants_on_its_scope,
    warehouse_and_federated_secrets_are_never_shown,
    another_tenants_grants_accounts_and_merges_are_absent_by_id,
    credentials_are_never_vended_without_read,
    bulk_deletes_need_delete_on_every_item,
    federated_catalog_requests_are_authorized_and_audited,
    renaming_needs_create_in_the_destination_namespace,
);

fn data() -> Needs {
    Needs {
        data: true,
        tables: true,
        views: true,
        ..Needs::default()
    }
}

fn grant_body(grantee: Value, action: &str, scope: Value) -> Value {
    json!({ "grantee": grantee, "action": action, "scope": scope })
}

fn user(w: &World, who: Who) -> Value {
    json!({ "type": "user", "id": w.ids[&who] })
}

async fn nobody_grants_itself_or_others_what_it_lacks(w: World) {
    let fx = w.fixture(data()).await;
    let db = w.scope(&fx, Level::Namespace, false);
    // Exact may hand out `read` on `db`, nothing more.
    w.grant(Who::Exact, "manage-grants", db.clone()).await;
    w.grant(Who::Exact, "read", db.clone()).await;
    let give = |grantee: Value, action: &str, scope: &Value| {
        let body = grant_body(grantee, action, scope.clone());
        w.call(Who::Exact, Method::POST, "/api/v1/grants", Some(body))
    };
    let to_other = user(&w, Who::NoGrant);
    // An action it does not hold, on a scope it manages.
    let r = give(to_other.clone(), "write", &db).await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    // An action it holds, beyond the scope it holds it on.
    let catalog = w.scope(&fx, Level::Catalog, false);
    let r = give(to_other.clone(), "read", &catalog).await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    // To itself, even what it holds.
    let r = give(
        user(&w, Who::Exact),
        "read",
        &w.scope(&fx, Level::Table, false),
    )
    .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    // To a role it holds: that would be granting itself.
    let role = w
        .admin(
            Method::POST,
            "/api/v1/roles",
            Some(json!({ "name": "mine" })),
        )
        .await;
    let role_id = role["id"].as_str().unwrap();
    let uri = format!("/api/v1/roles/{role_id}/assignments");
    w.admin(Method::POST, &uri, Some(user(&w, Who::Exact)))
        .await;
    let r = give(json!({ "type": "role", "id": role_id }), "read", &db).await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    // Assigning itself a role, or assigning a role that holds more than it may grant.
    let admin_role = w
        .admin(
            Method::POST,
            "/api/v1/roles",
            Some(json!({ "name": "writers" })),
        )
        .await;
    let admin_role = admin_role["id"].as_str().unwrap();
    let body = grant_body(
        json!({ "type": "role", "id": admin_role }),
        "write",
        db.clone(),
    );
    w.admin(Method::POST, "/api/v1/grants", Some(body)).await;
    let uri = format!("/api/v1/roles/{admin_role}/assignments");
    let r = w
        .call(Who::Exact, Method::POST, &uri, Some(user(&w, Who::Exact)))
        .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    let r = w
        .call(Who::Exact, Method::POST, &uri, Some(user(&w, Who::NoGrant)))
        .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    // What it holds, to someone else, is fine; and nothing else came into being.
    let r = give(to_other, "read", &db).await;
    assert_eq!(r.0, StatusCode::CREATED, "{}", r.1);
    let uri = format!("/api/v1/grants?user={}", w.ids[&Who::NoGrant]);
    let list = w.admin(Method::GET, &uri, None).await;
    let actions: Vec<&str> = list["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["read"]);
    let uri = format!("/api/v1/grants?user={}", w.ids[&Who::Exact]);
    let list = w.admin(Method::GET, &uri, None).await;
    assert_eq!(list["grants"].as_array().unwrap().len(), 2, "{list}");
}

async fn revoking_a_grant_needs_manage_grants_on_its_scope(w: World) {
    let fx = w.fixture(data()).await;
    let db = w.scope(&fx, Level::Namespace, false);
    let sib = w.scope(&fx, Level::Namespace, true);
    let body = grant_body(user(&w, Who::NoGrant), "read", db.clone());
    let grant = w.admin(Method::POST, "/api/v1/grants", Some(body)).await;
    let uri = format!("/api/v1/grants/{}", grant["id"].as_str().unwrap());
    // Holding the action is not enough; managing grants elsewhere is not enough.
    w.grant(Who::Exact, "read", db.clone()).await;
    w.grant(Who::Sibling, "manage-grants", sib.clone()).await;
    w.grant(Who::Sibling, "read", sib).await;
    for who in [Who::NoGrant, Who::Exact, Who::Sibling] {
        let r = w.call(who, Method::DELETE, &uri, None).await;
        assert_eq!(r.0, StatusCode::FORBIDDEN, "{who:?}: {}", r.1);
    }
    let r = w
        .call(
            Who::NoGrant,
            Method::GET,
            &format!("{}/namespaces/db", v1(&fx.catalog)),
            None,
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "the grant still works: {}", r.1);
    // Manage-grants on its scope (and the action) is.
    w.grant(Who::Exact, "manage-grants", db).await;
    let r = w.call(Who::Exact, Method::DELETE, &uri, None).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    // Revocation applies at once (the grant cache is invalidated).
    let r = w
        .call(
            Who::NoGrant,
            Method::GET,
            &format!("{}/namespaces/db", v1(&fx.catalog)),
            None,
        )
        .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    let revoked = w.audit("grant.revoke").await;
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].principal, w.ids[&Who::Exact]);
}

fn v1(catalog: &str) -> String {
    format!("/v1/{catalog}")
}

async fn warehouse_and_federated_secrets_are_never_shown(w: World) {
    let body = json!({
        "name": "lake",
        "storage": { "type": "s3", "bucket": "b", "region": "us-east-1", "endpoint": "http://127.0.0.1:1", "path-style-access": true },
        "credential": { "type": "s3-access-key", "access-key-id": "AKIASECRETID", "secret-access-key": "warehouse-secret-value" }
    });
    // Nothing listens at the endpoint: created without the storage probe.
    w.admin(
        Method::POST,
        "/api/v1/warehouses?validate=false",
        Some(body),
    )
    .await;
    let body = json!({ "name": "remote", "type": "federated", "uri": "https://remote.example/catalog",
        "auth": { "type": "bearer" }, "secret": "federated-secret-value" });
    w.admin(Method::POST, "/api/v1/catalogs", Some(body)).await;
    let remote = json!({ "type": "catalog", "catalog": "remote" });
    for action in ["read", "write", "list", "manage-grants"] {
        w.grant(Who::Exact, action, remote.clone()).await;
    }
    w.grant(
        Who::Exact,
        "read",
        json!({ "type": "warehouse", "warehouse": "lake" }),
    )
    .await;
    let mut seen = Vec::new();
    for uri in [
        "/api/v1/catalogs",
        "/api/v1/catalogs/remote",
        "/api/v1/grants",
    ] {
        for who in [Who::TenantAdmin, Who::Exact] {
            let r = w.call(who, Method::GET, uri, None).await;
            assert_eq!(r.0, StatusCode::OK, "{uri} as {who:?}: {}", r.1);
            seen.push(r.1.to_string());
        }
    }
    for uri in ["/api/v1/warehouses", "/api/v1/warehouses/lake"] {
        seen.push(w.admin(Method::GET, uri, None).await.to_string());
        // Warehouses (and their credentials) are the tenant admin's alone.
        let r = w.call(Who::Exact, Method::GET, uri, None).await;
        assert_eq!(r.0, StatusCode::FORBIDDEN, "{uri}: {}", r.1);
    }
    let page = pangolin_core::PageRequest::all();
    let events = w
        .app
        .store
        .list_audit(&Default::default(), &page)
        .await
        .unwrap();
    seen.extend(events.items.iter().map(|e| e.summary.to_string()));
    for text in seen {
        for secret in [
            "AKIASECRETID",
            "warehouse-secret-value",
            "federated-secret-value",
        ] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }
}

async fn another_tenants_grants_accounts_and_merges_are_absent_by_id(w: World) {
    let needs = Needs {
        branching: true,
        identity: true,
        ..data()
    };
    let fx = w.fixture(needs).await;
    // The foreign tenant gets a catalog of the same name, so that only the id differs.
    let world = &w;
    let foreign = |method: Method, uri: String, body: Option<Value>| async move {
        world.call(Who::ForeignAdmin, method, &uri, body).await
    };
    let body = json!({ "name": fx.catalog, "type": "local", "warehouse": "wh" });
    let r = foreign(Method::POST, "/api/v1/catalogs".into(), Some(body)).await;
    assert_eq!(r.0, StatusCode::CREATED, "{}", r.1);
    let merge = format!("/api/v1/catalogs/{}/merges/{}", fx.catalog, fx.merge);
    let role = format!("/api/v1/roles/{}", fx.role);
    let attempts = [
        (Method::DELETE, format!("/api/v1/grants/{}", fx.grant), None),
        (Method::GET, role.clone(), None),
        (
            Method::PATCH,
            role.clone(),
            Some(json!({ "description": "x" })),
        ),
        (Method::DELETE, role.clone(), None),
        (Method::GET, format!("{role}/assignments"), None),
        (
            Method::POST,
            format!("{role}/assignments"),
            Some(json!({ "type": "group", "id": "g" })),
        ),
        (
            Method::DELETE,
            format!("{role}/assignments/service-user/{}", fx.svc),
            None,
        ),
        (Method::GET, format!("/api/v1/users/{}", fx.victim), None),
        (
            Method::PATCH,
            format!("/api/v1/users/{}", fx.victim),
            Some(json!({ "disabled": true })),
        ),
        (Method::DELETE, format!("/api/v1/users/{}", fx.victim), None),
        (
            Method::GET,
            format!("/api/v1/service-users/{}", fx.svc),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/v1/service-users/{}", fx.svc),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/service-users/{}/api-keys", fx.svc),
            Some(json!({})),
        ),
        (Method::GET, merge.clone(), None),
        (
            Method::POST,
            format!("{merge}/resolve"),
            Some(
                json!({ "table": { "namespace": ["db"], "name": "t" }, "resolution": "take-target" }),
            ),
        ),
        (Method::POST, format!("{merge}/complete"), None),
        (Method::POST, format!("{merge}/abort"), None),
    ];
    for (method, uri, body) in attempts {
        let r = foreign(method.clone(), uri.clone(), body).await;
        assert_eq!(r.0, StatusCode::NOT_FOUND, "{method} {uri}: {}", r.1);
    }
    // Everything is still there and unchanged.
    let grants = w
        .admin(Method::GET, "/api/v1/grants", None)
        .await
        .to_string();
    assert!(grants.contains(&fx.grant), "{grants}");
    let assignments = w
        .admin(Method::GET, &format!("{role}/assignments"), None)
        .await;
    assert_eq!(assignments["assignments"].as_array().unwrap().len(), 1);
    let victim = w
        .admin(Method::GET, &format!("/api/v1/users/{}", fx.victim), None)
        .await;
    assert_eq!(victim["disabled"], false);
    let op = w.admin(Method::GET, &merge, None).await;
    assert_eq!(op["status"], "open");
}

async fn credentials_are_never_vended_without_read(w: World) {
    let fx = w.fixture(data()).await;
    let table = w.scope(&fx, Level::Table, false);
    w.grant(Who::Exact, "vend-read", table.clone()).await;
    w.grant(Who::Exact, "vend-write", table.clone()).await;
    let uri = format!("{}/namespaces/db/tables/t", v1(&fx.catalog));
    let token = format!("Bearer {}", w.token(Who::Exact).unwrap());
    let headers = [
        ("authorization", token.as_str()),
        ("x-iceberg-access-delegation", "vended-credentials"),
    ];
    let (status, _, body) = w.app.get(&uri, None, &headers).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(!body.to_string().contains("storage-credentials"), "{body}");
    // The decision itself (`pangolin_catalog::vend::vend_mode`) is unit-tested in the catalog
    // crate: no read, no credentials, whatever vend grants are held.
    w.grant(Who::Exact, "read", table).await;
    let (status, _, body) = w.app.get(&uri, None, &headers).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn bulk_deletes_need_delete_on_every_item(w: World) {
    let fx = w.fixture(data()).await;
    let api = format!("/api/v1/catalogs/{}", fx.catalog);
    w.admin(
        Method::POST,
        &format!("{api}/branches"),
        Some(json!({ "name": "dev" })),
    )
    .await;
    for t in ["t", "s"] {
        let uri = format!("/v1/{}@dev/namespaces/db/tables/{t}", fx.catalog);
        w.admin(Method::DELETE, &uri, None).await;
    }
    let catalog = w.scope(&fx, Level::Catalog, false);
    w.grant(Who::Exact, "manage-experimental-branches", catalog.clone())
        .await;
    // Delete on one of the two tables the merge removes.
    w.grant(Who::Exact, "delete", w.scope(&fx, Level::Table, false))
        .await;
    let merge = json!({ "source": "dev", "target": "main" });
    let r = w
        .call(
            Who::Exact,
            Method::POST,
            &format!("{api}/merges"),
            Some(merge.clone()),
        )
        .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    let dry = json!({ "source": "dev", "target": "main", "dry-run": true });
    let r = w
        .call(
            Who::Exact,
            Method::POST,
            &format!("{api}/merges"),
            Some(dry),
        )
        .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    let tables = w
        .admin(
            Method::GET,
            &format!("{}/namespaces/db/tables", v1(&fx.catalog)),
            None,
        )
        .await;
    assert_eq!(tables["identifiers"].as_array().unwrap().len(), 2);
    // Delete on each namespace does not delete the catalog with everything in it.
    for ns in [false, true] {
        w.grant(Who::Exact, "delete", w.scope(&fx, Level::Namespace, ns))
            .await;
    }
    let r = w
        .call(
            Who::Exact,
            Method::DELETE,
            &format!("{api}?cascade=true"),
            None,
        )
        .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    // With delete on the second table too, the merge goes through.
    w.grant(Who::Exact, "delete", w.scope(&fx, Level::Table, true))
        .await;
    let r = w
        .call(
            Who::Exact,
            Method::POST,
            &format!("{api}/merges"),
            Some(merge),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(r.1["status"], "merged");
}

async fn federated_catalog_requests_are_authorized_and_audited(w: World) {
    let body =
        json!({ "name": "remote", "type": "federated", "uri": "https://remote.example/catalog" });
    w.admin(Method::POST, "/api/v1/catalogs", Some(body)).await;
    let uris = [
        "/v1/remote/namespaces",
        "/v1/remote/namespaces/db/tables/t",
        "/v1/config?warehouse=remote",
    ];
    for uri in uris {
        let r = w.call(Who::NoGrant, Method::GET, uri, None).await;
        assert_eq!(r.0, StatusCode::FORBIDDEN, "{uri}: {}", r.1);
    }
    let denied = w.denials().await;
    assert_eq!(denied.len(), uris.len(), "{denied:?}");
    assert!(
        denied
            .iter()
            .all(|e| e.principal == w.ids[&Who::NoGrant] && e.result.as_str() == "denied")
    );
    // Allowed callers get past authorization; serving federation is what is refused.
    w.grant(
        Who::Exact,
        "read",
        json!({ "type": "catalog", "catalog": "remote" }),
    )
    .await;
    let r = w
        .call(Who::Exact, Method::GET, "/v1/remote/namespaces", None)
        .await;
    assert_eq!(r.0, StatusCode::NOT_IMPLEMENTED, "{}", r.1);
    // Root reaches it only by impersonation, which is audited on every request.
    let r = w
        .call(Who::Root, Method::GET, "/v1/remote/namespaces", None)
        .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    let root = format!("Bearer {}", w.token(Who::Root).unwrap());
    let headers = [
        ("authorization", root.as_str()),
        ("x-pangolin-tenant", "acme"),
    ];
    let (status, _, _) = w.app.get("/v1/remote/namespaces", None, &headers).await;
    assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
    let impersonated = w.audit("auth.impersonate").await;
    assert!(
        impersonated
            .iter()
            .any(|e| e.resource.contains("/v1/remote/"))
    );
}

async fn renaming_needs_create_in_the_destination_namespace(w: World) {
    let fx = w.fixture(data()).await;
    let table = w.scope(&fx, Level::Table, false);
    for action in ["read", "write", "delete"] {
        w.grant(Who::Exact, action, table.clone()).await;
    }
    w.grant(Who::Exact, "create", w.scope(&fx, Level::Namespace, false))
        .await;
    let rename = |to: &str| {
        json!({ "source": { "namespace": ["db"], "name": "t" },
                "destination": { "namespace": [to], "name": "t" } })
    };
    let uri = format!("{}/tables/rename", v1(&fx.catalog));
    let r = w
        .call(Who::Exact, Method::POST, &uri, Some(rename("sib")))
        .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    w.admin(
        Method::GET,
        &format!("{}/namespaces/db/tables/t", v1(&fx.catalog)),
        None,
    )
    .await;
    // Views the same way.
    let view = w.scope(&fx, Level::View, false);
    w.grant(Who::Exact, "delete", view).await;
    let vuri = format!("{}/views/rename", v1(&fx.catalog));
    let body = json!({ "source": { "namespace": ["db"], "name": "v" },
                       "destination": { "namespace": ["sib"], "name": "v" } });
    let r = w.call(Who::Exact, Method::POST, &vuri, Some(body)).await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    // With create there, the table moves, and its grants (by content id) move with it.
    w.grant(Who::Exact, "create", w.scope(&fx, Level::Namespace, true))
        .await;
    let r = w
        .call(Who::Exact, Method::POST, &uri, Some(rename("sib")))
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    let moved = format!("{}/namespaces/sib/tables/t", v1(&fx.catalog));
    let r = w.call(Who::Exact, Method::GET, &moved, None).await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
}
