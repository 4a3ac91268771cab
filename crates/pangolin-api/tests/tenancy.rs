//! Tenants, warehouses and catalogs through the management API, root impersonation, and
//! tenant isolation: another tenant's objects behave exactly like missing ones.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, assert_error, backend_tests};
use pangolin_core::model::Tier;
use serde_json::{Value, json};

backend_tests!(
    root_manages_tenants,
    warehouses_never_show_secrets,
    catalogs_local_and_federated,
    root_impersonation_is_audited,
    tenants_are_isolated,
);

/// Creates tenant `name` with a file warehouse and catalog `default` and an admin `admin`;
/// returns the admin's token.
async fn second_tenant(app: &TestApp, root: &str, name: &str) -> String {
    let r = app
        .as_bearer(
            root,
            Method::POST,
            "/api/v1/tenants",
            Some(json!({ "name": name })),
        )
        .await;
    assert_eq!(r.0, StatusCode::CREATED, "{}", r.2);
    let imp = |method, uri: &str, body: Option<Value>| {
        let auth = format!("Bearer {root}");
        let uri = uri.to_owned();
        async move {
            app.send(
                method,
                &uri,
                body,
                &[("authorization", &auth), ("x-pangolin-tenant", name)],
            )
            .await
        }
    };
    let root_dir = app.dir.path().join(name);
    let body =
        json!({ "name": "wh", "storage": { "type": "file", "root": root_dir.to_str().unwrap() } });
    let r = imp(Method::POST, "/api/v1/warehouses", Some(body)).await;
    assert_eq!(r.0, StatusCode::CREATED, "{}", r.2);
    let body = json!({ "name": "default", "type": "local", "warehouse": "wh" });
    let r = imp(Method::POST, "/api/v1/catalogs", Some(body)).await;
    assert_eq!(r.0, StatusCode::CREATED, "{}", r.2);
    let body =
        json!({ "name": "admin", "tier": "tenant-admin", "password": common::auth::PASSWORD });
    let r = imp(Method::POST, "/api/v1/users", Some(body)).await;
    assert_eq!(r.0, StatusCode::CREATED, "{}", r.2);
    app.login(Some(name), "admin", common::auth::PASSWORD).await
}

async fn root_manages_tenants(app: TestApp) {
    let root = app.root_token().await;
    let admin = app.user_token("ann", Tier::TenantAdmin).await;
    let r = app
        .as_bearer(
            &admin,
            Method::POST,
            "/api/v1/tenants",
            Some(json!({ "name": "x" })),
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "ForbiddenException");
    let r = app
        .as_bearer(
            &root,
            Method::POST,
            "/api/v1/tenants",
            Some(json!({ "name": "globex" })),
        )
        .await;
    assert_eq!(r.0, StatusCode::CREATED, "{}", r.2);
    let r = app
        .as_bearer(
            &root,
            Method::POST,
            "/api/v1/tenants",
            Some(json!({ "name": "globex" })),
        )
        .await;
    assert_error(&r, StatusCode::CONFLICT, "AlreadyExistsException");
    let r = app
        .as_bearer(
            &root,
            Method::POST,
            "/api/v1/tenants",
            Some(json!({ "name": "" })),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "BadRequestException");
    let (_, _, list) = app
        .as_bearer(&root, Method::GET, "/api/v1/tenants", None)
        .await;
    let names: Vec<&str> = list["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["acme", "globex"]);
    // A tenant admin sees its own tenant only.
    assert_eq!(
        app.as_bearer(&admin, Method::GET, "/api/v1/tenants/acme", None)
            .await
            .0,
        StatusCode::OK
    );
    let r = app
        .as_bearer(&admin, Method::GET, "/api/v1/tenants/globex", None)
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "NoSuchTenantException");
    // A tenant with catalogs is deleted only with cascade.
    let r = app
        .as_bearer(&root, Method::DELETE, "/api/v1/tenants/acme", None)
        .await;
    assert_eq!(r.0, StatusCode::CONFLICT, "{}", r.2);
    app.create_namespace(&["db"]).await;
    let r = app
        .as_bearer(
            &root,
            Method::DELETE,
            "/api/v1/tenants/acme?cascade=true",
            None,
        )
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.2);
    // Its accounts went with it.
    let r = app
        .as_bearer(&admin, Method::GET, "/api/v1/users/me", None)
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "NotAuthorizedException");
}

async fn warehouses_never_show_secrets(app: TestApp) {
    let admin = app.user_token("wendy", Tier::TenantAdmin).await;
    let body = json!({
        "name": "lake",
        "storage": { "type": "s3", "bucket": "b", "region": "us-east-1", "endpoint": "http://127.0.0.1:1", "path-style-access": true },
        "credential": { "type": "s3-access-key", "access-key-id": "AKIAEXAMPLE", "secret-access-key": "very-secret-value" }
    });
    // Nothing listens there: validation (the default) refuses it, naming the failed checks.
    let r = app
        .as_bearer(
            &admin,
            Method::POST,
            "/api/v1/warehouses",
            Some(body.clone()),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "BadRequestException");
    assert!(
        r.2["error"]["message"]
            .as_str()
            .unwrap()
            .contains("validation"),
        "{}",
        r.2
    );
    let (status, _, created) = app
        .as_bearer(
            &admin,
            Method::POST,
            "/api/v1/warehouses?validate=false",
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["credential"]["kind"], "s3-access-key");
    assert_eq!(created["location"], "s3://b");
    for r in [
        app.as_bearer(&admin, Method::GET, "/api/v1/warehouses/lake", None)
            .await,
        app.as_bearer(&admin, Method::GET, "/api/v1/warehouses", None)
            .await,
    ] {
        let text = r.2.to_string();
        assert!(
            !text.contains("very-secret-value") && !text.contains("AKIAEXAMPLE"),
            "{text}"
        );
    }
    let events = app
        .store
        .list_audit(&Default::default(), &Default::default())
        .await
        .unwrap();
    assert!(
        events
            .items
            .iter()
            .all(|e| !e.summary.to_string().contains("very-secret-value"))
    );
    let (status, _, report) = app
        .as_bearer(
            &admin,
            Method::POST,
            "/api/v1/warehouses/lake/validate",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["ok"], false);
    assert!(
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["ok"] == false)
    );
    assert!(!report.to_string().contains("very-secret-value"));
    let own = format!("/api/v1/warehouses/{}/validate", app.warehouse.name);
    let (status, _, report) = app.as_bearer(&admin, Method::POST, &own, None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["ok"], true, "{report}");
    let (status, _, report) = app
        .as_bearer(
            &admin,
            Method::POST,
            "/api/v1/warehouses/lake/validate",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["ok"], false);
    assert!(
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["ok"] == false)
    );
    assert!(!report.to_string().contains("very-secret-value"));
    let own = format!("/api/v1/warehouses/{}/validate", app.warehouse.name);
    let (status, _, report) = app.as_bearer(&admin, Method::POST, &own, None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["ok"], true, "{report}");
    // Removing the credential.
    let (status, _, updated) = app
        .as_bearer(
            &admin,
            Method::PATCH,
            "/api/v1/warehouses/lake",
            Some(json!({ "credential": null })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert!(updated["credential"].is_null());
    // File warehouses only inside the allowed roots.
    let body = json!({ "name": "etc", "storage": { "type": "file", "root": "/etc" } });
    let r = app
        .as_bearer(&admin, Method::POST, "/api/v1/warehouses", Some(body))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "BadRequestException");
    let body = json!({ "name": "ip", "storage": { "type": "s3", "bucket": "b", "region": "r", "endpoint": "http://10.1.2.3:9000" } });
    let r = app
        .as_bearer(
            &admin,
            Method::POST,
            "/api/v1/warehouses?validate=false",
            Some(body),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "BadRequestException");
    let body = json!({ "name": "bad", "storage": { "type": "gopher" } });
    let r = app
        .as_bearer(&admin, Method::POST, "/api/v1/warehouses", Some(body))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "BadRequestException");
    // In use by a catalog: not deletable.
    let r = app
        .as_bearer(
            &admin,
            Method::DELETE,
            &format!("/api/v1/warehouses/{}", app.warehouse.name),
            None,
        )
        .await;
    assert_eq!(r.0, StatusCode::CONFLICT);
    let user = app.user_token("ursula", Tier::TenantUser).await;
    let r = app
        .as_bearer(&user, Method::GET, "/api/v1/warehouses", None)
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "ForbiddenException");
}

async fn catalogs_local_and_federated(app: TestApp) {
    let admin = app.user_token("cat", Tier::TenantAdmin).await;
    let body =
        json!({ "name": "sales", "type": "local", "warehouse": app.warehouse.name.as_str() });
    let (status, _, sales) = app
        .as_bearer(&admin, Method::POST, "/api/v1/catalogs", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sales}");
    assert_eq!(sales["warehouse"], app.warehouse.name.as_str());
    let body = json!({ "name": "remote", "type": "federated", "uri": "https://remote.example/catalog",
        "auth": { "type": "bearer" }, "secret": "remote-token-123" });
    let (status, _, remote) = app
        .as_bearer(&admin, Method::POST, "/api/v1/catalogs", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{remote}");
    assert_eq!(remote["credential"]["kind"], "federated-credential");
    assert!(!remote.to_string().contains("remote-token-123"));
    let body = json!({ "name": "x", "type": "local", "warehouse": "missing" });
    let r = app
        .as_bearer(&admin, Method::POST, "/api/v1/catalogs", Some(body))
        .await;
    assert_eq!(r.0, StatusCode::NOT_FOUND);
    let (_, _, list) = app
        .as_bearer(&admin, Method::GET, "/api/v1/catalogs", None)
        .await;
    assert_eq!(list["catalogs"].as_array().unwrap().len(), 3);
    // The new catalog serves Iceberg requests at once; deleting a non-empty one needs cascade.
    let r = app
        .as_bearer(
            &admin,
            Method::POST,
            "/v1/sales/namespaces",
            Some(json!({ "namespace": ["db"] })),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.2);
    let r = app
        .as_bearer(&admin, Method::DELETE, "/api/v1/catalogs/sales", None)
        .await;
    assert_eq!(r.0, StatusCode::CONFLICT, "{}", r.2);
    let r = app
        .as_bearer(
            &admin,
            Method::DELETE,
            "/api/v1/catalogs/sales?cascade=true",
            None,
        )
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.2);
    let r = app
        .as_bearer(&admin, Method::GET, "/v1/sales/namespaces", None)
        .await;
    assert_eq!(r.0, StatusCode::NOT_FOUND);
    // A user without grants sees no catalogs and cannot create one.
    let user = app.user_token("norights", Tier::TenantUser).await;
    let (_, _, list) = app
        .as_bearer(&user, Method::GET, "/api/v1/catalogs", None)
        .await;
    assert_eq!(list["catalogs"], json!([]));
    let body = json!({ "name": "mine", "type": "local", "warehouse": app.warehouse.name.as_str() });
    let r = app
        .as_bearer(&user, Method::POST, "/api/v1/catalogs", Some(body))
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "ForbiddenException");
}

async fn root_impersonation_is_audited(app: TestApp) {
    let root = app.root_token().await;
    let r = app
        .as_bearer(&root, Method::GET, "/v1/default/namespaces", None)
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "ForbiddenException");
    let auth = format!("Bearer {root}");
    let headers = [
        ("authorization", auth.as_str()),
        ("x-pangolin-tenant", "acme"),
    ];
    let r = app.get("/v1/default/namespaces", None, &headers).await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.2);
    let events = app
        .store
        .list_audit(&Default::default(), &Default::default())
        .await
        .unwrap();
    let imp: Vec<_> = events
        .items
        .iter()
        .filter(|e| e.action == "auth.impersonate")
        .collect();
    assert_eq!(imp.len(), 1);
    assert_eq!(imp[0].tenant_id, Some(app.tenant.id));
    let headers = [
        ("authorization", auth.as_str()),
        ("x-pangolin-tenant", "nope"),
    ];
    assert_eq!(
        app.get("/v1/default/namespaces", None, &headers).await.0,
        StatusCode::NOT_FOUND
    );
    // A tenant admin cannot name another tenant.
    let admin = app.user_token("ivy", Tier::TenantAdmin).await;
    second_tenant(&app, &root, "globex").await;
    let auth = format!("Bearer {admin}");
    let headers = [
        ("authorization", auth.as_str()),
        ("x-pangolin-tenant", "globex"),
    ];
    let r = app.get("/v1/default/namespaces", None, &headers).await;
    assert_error(&r, StatusCode::FORBIDDEN, "ForbiddenException");
}

async fn tenants_are_isolated(app: TestApp) {
    let root = app.root_token().await;
    let acme = app.user_token("admin", Tier::TenantAdmin).await;
    let globex = second_tenant(&app, &root, "globex").await;
    // Same names on both sides, different contents.
    for (token, table) in [(&acme, "a_only"), (&globex, "g_only")] {
        let r = app
            .as_bearer(
                token,
                Method::POST,
                "/v1/default/namespaces",
                Some(json!({ "namespace": ["db"] })),
            )
            .await;
        assert_eq!(r.0, StatusCode::OK, "{}", r.2);
        let body = json!({ "name": table, "schema": { "type": "struct", "fields": [{ "id": 1, "name": "x", "required": false, "type": "long" }] } });
        let r = app
            .as_bearer(
                token,
                Method::POST,
                "/v1/default/namespaces/db/tables",
                Some(body),
            )
            .await;
        assert_eq!(r.0, StatusCode::OK, "{}", r.2);
    }
    let (_, _, tables) = app
        .as_bearer(
            &globex,
            Method::GET,
            "/v1/default/namespaces/db/tables",
            None,
        )
        .await;
    assert_eq!(tables["identifiers"].as_array().unwrap().len(), 1);
    assert_eq!(tables["identifiers"][0]["name"], "g_only");
    let r = app
        .as_bearer(
            &globex,
            Method::GET,
            "/v1/default/namespaces/db/tables/a_only",
            None,
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "NoSuchTableException");
    let r = app
        .as_bearer(
            &globex,
            Method::DELETE,
            "/v1/default/namespaces/db/tables/a_only",
            None,
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "NoSuchTableException");
    // Accounts and warehouses by id or name: another tenant's look absent.
    let (_, _, acme_me) = app
        .as_bearer(&acme, Method::GET, "/api/v1/users/me", None)
        .await;
    let uri = format!("/api/v1/users/{}", acme_me["id"].as_str().unwrap());
    for method in [Method::GET, Method::DELETE] {
        let r = app.as_bearer(&globex, method, &uri, None).await;
        assert_eq!(r.0, StatusCode::NOT_FOUND, "{}", r.2);
    }
    let r = app
        .as_bearer(
            &globex,
            Method::PATCH,
            &uri,
            Some(json!({ "disabled": true })),
        )
        .await;
    assert_eq!(r.0, StatusCode::NOT_FOUND);
    let (sid, _) = app.service_user(&acme, "etl", "tenant-user").await;
    let r = app
        .as_bearer(
            &globex,
            Method::GET,
            &format!("/api/v1/service-users/{sid}"),
            None,
        )
        .await;
    assert_eq!(r.0, StatusCode::NOT_FOUND);
    let r = app
        .as_bearer(
            &globex,
            Method::POST,
            &format!("/api/v1/service-users/{sid}/api-keys"),
            None,
        )
        .await;
    assert_eq!(r.0, StatusCode::NOT_FOUND, "{}", r.2);
    let r = app
        .as_bearer(
            &globex,
            Method::GET,
            &format!("/api/v1/warehouses/{}", app.warehouse.name),
            None,
        )
        .await;
    assert_eq!(r.0, StatusCode::NOT_FOUND);
    let (_, _, users) = app
        .as_bearer(&globex, Method::GET, "/api/v1/users", None)
        .await;
    assert_eq!(users["users"].as_array().unwrap().len(), 1);
}
