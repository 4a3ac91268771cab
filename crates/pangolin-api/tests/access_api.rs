//! Roles, assignments, grants and `/me/permissions` through the management API, and what
//! they do: filtered lists, grants on roles reaching their members, immediate effect.

mod authz;
mod common;

use authz::Level;
use authz::fixture::Needs;
use authz::world::{Who, World};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

authz::world_tests!(
    lists_show_only_what_the_caller_may_see,
    grants_show_ids_and_current_names,
    me_permissions_are_the_effective_actions,
    roles_carry_grants_to_their_members_and_groups,
    config_names_only_catalogs_the_caller_may_see,
    branch_kinds_decide_who_manages_them,
);

fn data() -> Needs {
    Needs {
        data: true,
        tables: true,
        views: true,
        ..Needs::default()
    }
}

fn names(list: &Value, field: &str) -> Vec<String> {
    list[field]
        .as_array()
        .unwrap_or_else(|| panic!("no {field}: {list}"))
        .iter()
        .map(|v| match v {
            Value::Array(levels) => levels
                .iter()
                .map(|l| l.as_str().unwrap())
                .collect::<Vec<_>>()
                .join("."),
            Value::Object(o) if o.contains_key("name") => o["name"].as_str().unwrap().to_owned(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

async fn lists_show_only_what_the_caller_may_see(w: World) {
    let fx = w.fixture(data()).await;
    let v1 = format!("/v1/{}", fx.catalog);
    w.grant(Who::Exact, "read", w.scope(&fx, Level::Table, false))
        .await;
    let w = &w;
    let get = |uri: String| async move { w.call(Who::Exact, Method::GET, &uri, None).await };
    // A grant on one table shows the catalog, the namespace leading to it and the table.
    let (status, catalogs) = get("/api/v1/catalogs".into()).await;
    assert_eq!(status, StatusCode::OK, "{catalogs}");
    assert_eq!(
        names(&catalogs, "catalogs"),
        std::slice::from_ref(&fx.catalog)
    );
    let (_, namespaces) = get(format!("{v1}/namespaces")).await;
    assert_eq!(names(&namespaces, "namespaces"), ["db"]);
    let (_, tables) = get(format!("{v1}/namespaces/db/tables")).await;
    assert_eq!(names(&tables, "identifiers"), ["t"]);
    let (_, views) = get(format!("{v1}/namespaces/db/views")).await;
    assert_eq!(names(&views, "identifiers"), Vec::<String>::new());
    let (status, _) = get(format!("{v1}/namespaces/sib/tables")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The grant follows the table through a rename: the list shows it in its new place.
    let body = json!({ "source": { "namespace": ["db"], "name": "t" },
                       "destination": { "namespace": ["sib"], "name": "moved" } });
    w.admin(Method::POST, &format!("{v1}/tables/rename"), Some(body))
        .await;
    let (_, namespaces) = get(format!("{v1}/namespaces")).await;
    assert_eq!(names(&namespaces, "namespaces"), ["sib"]);
    let (_, tables) = get(format!("{v1}/namespaces/sib/tables")).await;
    assert_eq!(names(&tables, "identifiers"), ["moved"]);
    // A grant on a namespace shows everything in it, nested namespaces included.
    w.grant(Who::Sibling, "list", w.scope(&fx, Level::Namespace, false))
        .await;
    let (_, namespaces) = w
        .call(
            Who::Sibling,
            Method::GET,
            &format!("{v1}/namespaces?parent=db"),
            None,
        )
        .await;
    assert_eq!(names(&namespaces, "namespaces"), ["db.e"]);
    let (_, tables) = w
        .call(
            Who::Sibling,
            Method::GET,
            &format!("{v1}/namespaces/db/tables"),
            None,
        )
        .await;
    assert_eq!(names(&tables, "identifiers"), ["s"]);
    let (_, views) = w
        .call(
            Who::Sibling,
            Method::GET,
            &format!("{v1}/namespaces/db/views"),
            None,
        )
        .await;
    assert_eq!(names(&views, "identifiers"), ["v", "w"]);
}

async fn grants_show_ids_and_current_names(w: World) {
    let fx = w.fixture(data()).await;
    w.grant(Who::Exact, "write", w.scope(&fx, Level::Table, false))
        .await;
    let uri = format!("/api/v1/grants?user={}", w.ids[&Who::Exact]);
    let list = w.admin(Method::GET, &uri, None).await;
    let grant = &list["grants"][0];
    assert_eq!(grant["action"], "write");
    assert_eq!(grant["grantee"]["type"], "user");
    assert_eq!(grant["grantee"]["name"], "exact");
    let scope = &grant["scope"];
    assert_eq!(scope["type"], "table");
    assert_eq!(
        (&scope["catalog"], &scope["name"]),
        (&json!(fx.catalog), &json!("t"))
    );
    assert_eq!(scope["namespace"], json!(["db"]));
    assert_eq!(scope["warehouse"], "local");
    assert!(
        scope["content-id"].is_string() && scope["catalog-id"].is_string(),
        "{scope}"
    );
    // The scope filter finds it by name; other scopes do not.
    let by_scope = format!("/api/v1/grants?catalog={}&namespace=db&table=t", fx.catalog);
    assert_eq!(
        w.admin(Method::GET, &by_scope, None).await["grants"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let other = format!("/api/v1/grants?catalog={}&namespace=db&table=s", fx.catalog);
    assert_eq!(
        w.admin(Method::GET, &other, None).await["grants"],
        json!([])
    );
    // A user sees the grants given to it, not others'.
    w.grant(Who::Sibling, "read", w.scope(&fx, Level::Table, true))
        .await;
    let (_, mine) = w
        .call(Who::Exact, Method::GET, "/api/v1/grants", None)
        .await;
    assert_eq!(mine["grants"].as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(
        mine["grants"][0]["grantee"]["id"],
        json!(w.ids[&Who::Exact])
    );
    // Unknown names are 404, a bad body 400.
    let body = json!({ "grantee": { "type": "user", "id": w.ids[&Who::NoGrant] }, "action": "read",
                       "scope": { "type": "catalog", "catalog": "nope" } });
    let r = w
        .call(Who::TenantAdmin, Method::POST, "/api/v1/grants", Some(body))
        .await;
    assert_eq!(r.0, StatusCode::NOT_FOUND, "{}", r.1);
    let body = json!({ "grantee": { "type": "user", "id": w.ids[&Who::NoGrant] }, "action": "fly",
                       "scope": { "type": "tenant" } });
    let r = w
        .call(Who::TenantAdmin, Method::POST, "/api/v1/grants", Some(body))
        .await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST, "{}", r.1);
    let created = w.audit("grant.create").await;
    assert_eq!(created.len(), 2, "{created:?}");
}

async fn me_permissions_are_the_effective_actions(w: World) {
    let w = &w;
    let fx = w.fixture(data()).await;
    w.grant(Who::Exact, "write", w.scope(&fx, Level::Namespace, false))
        .await;
    w.grant(Who::Exact, "vend-read", w.scope(&fx, Level::Table, false))
        .await;
    let ask = |who: Who, query: String| async move {
        let uri = format!("/api/v1/me/permissions?{query}");
        let (status, body) = w.call(who, Method::GET, &uri, None).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        names(&body, "actions")
    };
    let t = format!("catalog={}&namespace=db&table=t", fx.catalog);
    assert_eq!(
        ask(Who::Exact, t.clone()).await,
        ["read", "write", "list", "vend-read"].map(str::to_owned)
    );
    // A missing table: what the namespace gives; nothing tells it does not exist.
    let missing = format!("catalog={}&namespace=db&table=nope", fx.catalog);
    assert_eq!(
        ask(Who::Exact, missing).await,
        ["read", "write", "list"].map(str::to_owned)
    );
    assert_eq!(
        ask(Who::Exact, format!("catalog={}", fx.catalog)).await,
        Vec::<String>::new()
    );
    assert_eq!(ask(Who::NoGrant, t.clone()).await, Vec::<String>::new());
    assert_eq!(ask(Who::TenantAdmin, t).await.len(), 12);
    let r = w
        .call(
            Who::Exact,
            Method::GET,
            "/api/v1/me/permissions?namespace=db",
            None,
        )
        .await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST, "{}", r.1);
}

async fn roles_carry_grants_to_their_members_and_groups(w: World) {
    let fx = w.fixture(data()).await;
    let role = w
        .admin(
            Method::POST,
            "/api/v1/roles",
            Some(json!({ "name": "readers" })),
        )
        .await;
    let id = role["id"].as_str().unwrap();
    let body = json!({ "grantee": { "type": "role", "id": id }, "action": "read",
                       "scope": w.scope(&fx, Level::Namespace, false) });
    w.admin(Method::POST, "/api/v1/grants", Some(body)).await;
    let table = format!("/v1/{}/namespaces/db/tables/t", fx.catalog);
    let load = || w.call(Who::NoGrant, Method::GET, &table, None);
    assert_eq!(load().await.0, StatusCode::FORBIDDEN);
    let assignments = format!("/api/v1/roles/{id}/assignments");
    let member = json!({ "type": "user", "id": w.ids[&Who::NoGrant] });
    w.admin(Method::POST, &assignments, Some(member)).await;
    assert_eq!(load().await.0, StatusCode::OK);
    let listed = w.admin(Method::GET, &assignments, None).await;
    assert_eq!(
        listed["assignments"][0]["assignee"]["id"],
        json!(w.ids[&Who::NoGrant])
    );
    // Groups are assignees too (members hold the role while their token says so).
    let group = json!({ "type": "group", "id": "analysts" });
    let r = w
        .call(Who::TenantAdmin, Method::POST, &assignments, Some(group))
        .await;
    assert_eq!(r.0, StatusCode::CREATED, "{}", r.1);
    let uri = format!("{assignments}/user/{}", w.ids[&Who::NoGrant]);
    w.admin(Method::DELETE, &uri, None).await;
    assert_eq!(
        load().await.0,
        StatusCode::FORBIDDEN,
        "unassigning applies at once"
    );
    w.admin(
        Method::POST,
        &assignments,
        Some(json!({ "type": "user", "id": w.ids[&Who::NoGrant] })),
    )
    .await;
    w.admin(Method::DELETE, &format!("/api/v1/roles/{id}"), None)
        .await;
    assert_eq!(
        load().await.0,
        StatusCode::FORBIDDEN,
        "deleting the role takes its grants"
    );
    for action in ["role.create", "role.assign", "role.unassign", "role.delete"] {
        assert!(!w.audit(action).await.is_empty(), "{action} is audited");
    }
    // Only tenant admins make roles; grant managers may read them.
    let r = w
        .call(
            Who::Exact,
            Method::POST,
            "/api/v1/roles",
            Some(json!({ "name": "mine" })),
        )
        .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN);
    assert_eq!(
        w.call(Who::Exact, Method::GET, "/api/v1/roles", None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    w.grant(
        Who::Exact,
        "manage-grants",
        w.scope(&fx, Level::Namespace, false),
    )
    .await;
    assert_eq!(
        w.call(Who::Exact, Method::GET, "/api/v1/roles", None)
            .await
            .0,
        StatusCode::OK
    );
}

async fn config_names_only_catalogs_the_caller_may_see(w: World) {
    let w = &w;
    let overrides = |who: Who, query: &'static str| async move {
        let (status, body) = w
            .call(who, Method::GET, &format!("/v1/config{query}"), None)
            .await;
        (status, body["overrides"].clone())
    };
    assert_eq!(
        overrides(Who::TenantAdmin, "").await.1,
        json!({ "prefix": "default" })
    );
    assert_eq!(
        overrides(Who::NoGrant, "").await,
        (StatusCode::OK, json!({}))
    );
    assert_eq!(
        overrides(Who::NoGrant, "?warehouse=default").await.0,
        StatusCode::FORBIDDEN
    );
    w.grant(
        Who::Exact,
        "list",
        json!({ "type": "catalog", "catalog": "default" }),
    )
    .await;
    assert_eq!(
        overrides(Who::Exact, "").await.1,
        json!({ "prefix": "default" })
    );
    let (status, o) = overrides(Who::Exact, "?warehouse=default").await;
    assert_eq!(
        (status, o),
        (StatusCode::OK, json!({ "prefix": "default" }))
    );
    // Without credentials discovery still answers, and reveals nothing.
    let (status, _) = overrides(Who::Anonymous, "?warehouse=anything").await;
    assert_eq!(status, StatusCode::OK);
}

async fn branch_kinds_decide_who_manages_them(w: World) {
    let fx = w.fixture(data()).await;
    let api = format!("/api/v1/catalogs/{}", fx.catalog);
    let catalog = w.scope(&fx, Level::Catalog, false);
    w.grant(Who::Exact, "manage-ingest-branches", catalog.clone())
        .await;
    let create = |name: &str, kind: &str| json!({ "name": name, "kind": kind });
    let branches = format!("{api}/branches");
    let r = w
        .call(
            Who::Exact,
            Method::POST,
            &branches,
            Some(create("exp", "experimental")),
        )
        .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    let r = w
        .call(
            Who::Exact,
            Method::POST,
            &branches,
            Some(create("load", "ingest")),
        )
        .await;
    assert_eq!(r.0, StatusCode::CREATED, "{}", r.1);
    let r = w
        .call(
            Who::Exact,
            Method::POST,
            &format!("{api}/tags"),
            Some(json!({ "name": "v1" })),
        )
        .await;
    assert_eq!(
        r.0,
        StatusCode::FORBIDDEN,
        "tags are managed like experimental branches"
    );
    // Writing on the branch needs write on the table, as on main.
    let on_branch = format!("/v1/{}@load/namespaces/db/tables/t", fx.catalog);
    let commit = authz::fixture::set_properties("k");
    let r = w
        .call(Who::Exact, Method::POST, &on_branch, Some(commit.clone()))
        .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    w.grant(Who::Exact, "write", w.scope(&fx, Level::Table, false))
        .await;
    let r = w
        .call(Who::Exact, Method::POST, &on_branch, Some(commit))
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    // Merging the ingest branch into main: its kind's action and write on the table.
    let merge = json!({ "source": "load", "target": "main" });
    let r = w
        .call(
            Who::Exact,
            Method::POST,
            &format!("{api}/merges"),
            Some(merge),
        )
        .await;
    assert_eq!(
        (r.0, &r.1["status"]),
        (StatusCode::OK, &json!("merged")),
        "{}",
        r.1
    );
    let r = w
        .call(
            Who::Exact,
            Method::DELETE,
            &format!("{branches}/load"),
            None,
        )
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    // History reads need read on the catalog.
    let r = w
        .call(
            Who::Exact,
            Method::GET,
            &format!("{api}/refs/main/commits"),
            None,
        )
        .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
}
