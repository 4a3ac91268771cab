//! The request each route of the authorization table is called with, on a fixture. A route
//! without a case here fails the matrix: a new route cannot go untested.

use axum::http::Method;
use pangolin_api::authz_table::Route;
use serde_json::json;

use super::fixture::{Fixture, set_properties};
use super::world::{Req, Who, World};
use crate::common::auth::{PASSWORD, ROOT_PASSWORD};
use crate::common::bodies;

pub fn request(w: &World, route: &Route, fx: &Fixture, who: Who) -> Req {
    if let Some(req) = iceberg(route, fx) {
        return req;
    }
    if let Some(req) = catalogs(route, fx) {
        return req;
    }
    if let Some(req) = access(route, fx, who) {
        return req;
    }
    if let Some(req) = accounts(w, route, fx, who) {
        return req;
    }
    if let Some(req) = later(route, fx) {
        return req;
    }
    panic!(
        "no matrix case for {} {}: add one to tests/authz/cases.rs",
        route.method, route.path
    )
}

fn get(uri: impl Into<String>) -> Req {
    Req::new(Method::GET, uri)
}

fn post(uri: impl Into<String>) -> Req {
    Req::new(Method::POST, uri)
}

fn delete(uri: impl Into<String>) -> Req {
    Req::new(Method::DELETE, uri)
}

fn patch(uri: impl Into<String>) -> Req {
    Req::new(Method::PATCH, uri)
}

fn head(uri: impl Into<String>) -> Req {
    Req::new(Method::HEAD, uri)
}

fn iceberg(route: &Route, fx: &Fixture) -> Option<Req> {
    let v1 = format!("/v1/{}", fx.catalog);
    let db = format!("{v1}/namespaces/db");
    let t = format!("{db}/tables/t");
    let v = format!("{db}/views/v");
    let ident = |name: &str| json!({ "namespace": ["db"], "name": name });
    Some(match (route.method, route.path) {
        ("GET", "/v1/config") => get("/v1/config"),
        ("GET", "/v1/{prefix}/namespaces") => get(format!("{v1}/namespaces")),
        ("POST", "/v1/{prefix}/namespaces") => {
            post(format!("{v1}/namespaces")).json(json!({ "namespace": ["fresh"] }))
        }
        ("GET", "/v1/{prefix}/namespaces/{namespace}") => get(&db),
        ("HEAD", "/v1/{prefix}/namespaces/{namespace}") => head(&db),
        ("DELETE", "/v1/{prefix}/namespaces/{namespace}") => delete(format!("{db}%1Fe")),
        ("POST", "/v1/{prefix}/namespaces/{namespace}/properties") => {
            post(format!("{db}/properties"))
                .json(json!({ "updates": { "k": "v" }, "removals": [] }))
        }
        ("GET", "/v1/{prefix}/namespaces/{namespace}/tables") => get(format!("{db}/tables")),
        ("POST", "/v1/{prefix}/namespaces/{namespace}/tables") => {
            post(format!("{db}/tables")).json(bodies::create_table("fresh"))
        }
        ("POST", "/v1/{prefix}/namespaces/{namespace}/register") => post(format!("{db}/register"))
            .json(json!({ "name": "back", "metadata-location": fx.gone_table })),
        ("GET", "/v1/{prefix}/namespaces/{namespace}/tables/{table}") => get(&t),
        ("HEAD", "/v1/{prefix}/namespaces/{namespace}/tables/{table}") => head(&t),
        ("POST", "/v1/{prefix}/namespaces/{namespace}/tables/{table}") => {
            post(&t).json(set_properties("k"))
        }
        ("DELETE", "/v1/{prefix}/namespaces/{namespace}/tables/{table}") => delete(&t),
        ("POST", "/v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics") => {
            post(format!("{t}/metrics"))
                .json(json!({ "report-type": "scan-report", "table-name": "db.t" }))
        }
        ("GET", "/v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials") => {
            get(format!("{t}/credentials"))
        }
        ("POST", "/v1/{prefix}/namespaces/{namespace}/tables/{table}/sign") => {
            let file = format!("{t}/data/x.parquet");
            post(format!("{t}/sign")).json(json!({
                "region": "us-east-1", "method": "GET", "uri": file, "headers": {}
            }))
        }
        ("POST", "/v1/{prefix}/tables/rename") => post(format!("{v1}/tables/rename"))
            .json(json!({ "source": ident("t"), "destination": ident("t2") })),
        ("POST", "/v1/{prefix}/transactions/commit") => post(format!("{v1}/transactions/commit"))
            .json(json!({ "table-changes": [{
                "identifier": ident("t"), "requirements": [],
                "updates": [{ "action": "set-properties", "updates": { "k": "v" } }]
            }] })),
        ("GET", "/v1/{prefix}/namespaces/{namespace}/views") => get(format!("{db}/views")),
        ("POST", "/v1/{prefix}/namespaces/{namespace}/views") => {
            post(format!("{db}/views")).json(super::view_body("fresh"))
        }
        ("POST", "/v1/{prefix}/namespaces/{namespace}/register-view") => {
            post(format!("{db}/register-view"))
                .json(json!({ "name": "back", "metadata-location": fx.gone_view }))
        }
        ("GET", "/v1/{prefix}/namespaces/{namespace}/views/{view}") => get(&v),
        ("HEAD", "/v1/{prefix}/namespaces/{namespace}/views/{view}") => head(&v),
        ("POST", "/v1/{prefix}/namespaces/{namespace}/views/{view}") => post(&v).json(json!({
            "requirements": [],
            "updates": [{ "action": "set-properties", "updates": { "k": "v" } }]
        })),
        ("DELETE", "/v1/{prefix}/namespaces/{namespace}/views/{view}") => delete(&v),
        ("POST", "/v1/{prefix}/views/rename") => post(format!("{v1}/views/rename"))
            .json(json!({ "source": ident("v"), "destination": ident("v2") })),
        _ => return None,
    })
}

fn catalogs(route: &Route, fx: &Fixture) -> Option<Req> {
    let c = format!("/api/v1/catalogs/{}", fx.catalog);
    let merge = format!("{c}/merges/{}", fx.merge);
    Some(match (route.method, route.path) {
        ("GET", "/api/v1/catalogs") => get("/api/v1/catalogs"),
        ("POST", "/api/v1/catalogs") => post("/api/v1/catalogs")
            .json(json!({ "name": format!("new{}", fx.n), "type": "local", "warehouse": "local" })),
        ("GET", "/api/v1/catalogs/{catalog}") => get(&c),
        ("PATCH", "/api/v1/catalogs/{catalog}") => {
            patch(&c).json(json!({ "properties": { "owner": "x" } }))
        }
        ("DELETE", "/api/v1/catalogs/{catalog}") => delete(format!("{c}?cascade=true")),
        ("GET", "/api/v1/catalogs/{catalog}/branches") => get(format!("{c}/branches")),
        ("POST", "/api/v1/catalogs/{catalog}/branches") => {
            post(format!("{c}/branches")).json(json!({ "name": "fresh" }))
        }
        ("GET", "/api/v1/catalogs/{catalog}/branches/{name}") => get(format!("{c}/branches/dev")),
        ("DELETE", "/api/v1/catalogs/{catalog}/branches/{name}") => {
            delete(format!("{c}/branches/dev"))
        }
        ("POST", "/api/v1/catalogs/{catalog}/branches/{name}/rebase") => {
            post(format!("{c}/branches/dev/rebase"))
        }
        ("GET", "/api/v1/catalogs/{catalog}/tags") => get(format!("{c}/tags")),
        ("POST", "/api/v1/catalogs/{catalog}/tags") => {
            post(format!("{c}/tags")).json(json!({ "name": "fresh" }))
        }
        ("GET", "/api/v1/catalogs/{catalog}/tags/{name}") => get(format!("{c}/tags/v1")),
        ("DELETE", "/api/v1/catalogs/{catalog}/tags/{name}") => delete(format!("{c}/tags/v1")),
        ("GET", "/api/v1/catalogs/{catalog}/refs/{name}/commits") => {
            get(format!("{c}/refs/main/commits"))
        }
        ("GET", "/api/v1/catalogs/{catalog}/commits/{id}") => {
            get(format!("{c}/commits/{}", fx.commit))
        }
        ("GET", "/api/v1/catalogs/{catalog}/diff") => get(format!("{c}/diff?from=main&to=dev")),
        ("GET", "/api/v1/catalogs/{catalog}/merges") => get(format!("{c}/merges")),
        ("POST", "/api/v1/catalogs/{catalog}/merges") => {
            post(format!("{c}/merges")).json(json!({ "source": "dev", "target": "main" }))
        }
        ("GET", "/api/v1/catalogs/{catalog}/merges/{id}") => get(&merge),
        ("POST", "/api/v1/catalogs/{catalog}/merges/{id}/resolve") => post(format!(
            "{merge}/resolve"
        ))
        .json(
            json!({ "table": { "namespace": ["db"], "name": "t" }, "resolution": "take-target" }),
        ),
        ("POST", "/api/v1/catalogs/{catalog}/merges/{id}/complete") => {
            post(format!("{merge}/complete"))
        }
        ("POST", "/api/v1/catalogs/{catalog}/merges/{id}/abort") => post(format!("{merge}/abort")),
        _ => return None,
    })
}

fn access(route: &Route, fx: &Fixture, who: Who) -> Option<Req> {
    let role = format!("/api/v1/roles/{}", fx.role);
    let read_db = json!({ "type": "namespace", "catalog": fx.catalog, "namespace": ["db"] });
    Some(match (route.method, route.path) {
        ("GET", "/api/v1/roles") => get("/api/v1/roles"),
        ("POST", "/api/v1/roles") => {
            post("/api/v1/roles").json(json!({ "name": format!("new{}{}", fx.n, who.tag()) }))
        }
        ("GET", "/api/v1/roles/{id}") => get(&role),
        ("PATCH", "/api/v1/roles/{id}") => patch(&role).json(json!({ "description": "x" })),
        ("DELETE", "/api/v1/roles/{id}") => delete(&role),
        ("GET", "/api/v1/roles/{id}/assignments") => get(format!("{role}/assignments")),
        ("POST", "/api/v1/roles/{id}/assignments") => post(format!("{role}/assignments"))
            .json(json!({ "type": "service-user", "id": fx.svc2 })),
        ("DELETE", "/api/v1/roles/{id}/assignments/{kind}/{assignee}") => {
            delete(format!("{role}/assignments/service-user/{}", fx.svc))
        }
        ("GET", "/api/v1/grants") => get("/api/v1/grants"),
        ("POST", "/api/v1/grants") => post("/api/v1/grants").json(json!({
            "grantee": { "type": "service-user", "id": fx.svc2 },
            "action": "read",
            "scope": read_db,
        })),
        ("DELETE", "/api/v1/grants/{id}") => delete(format!("/api/v1/grants/{}", fx.grant)),
        ("GET", "/api/v1/me/permissions") => get(format!(
            "/api/v1/me/permissions?catalog={}&namespace=db&table=t",
            fx.catalog
        )),
        _ => return None,
    })
}

fn accounts(w: &World, route: &Route, fx: &Fixture, who: Who) -> Option<Req> {
    let n = fx.n;
    let tag = who.tag();
    let user = format!("/api/v1/users/{}", fx.victim);
    let svc = format!("/api/v1/service-users/{}", fx.svc);
    let key = format!("{svc}/api-keys/{}", fx.svc_key_id);
    Some(match (route.method, route.path) {
        ("GET", "/health/live" | "/health/ready" | "/.well-known/jwks.json") => get(route.path),
        ("POST", "/api/v1/users/login") => post(route.path).json(json!({
            "tenant": "acme", "username": Who::NoGrant.tag(), "password": PASSWORD
        })),
        ("POST", "/api/v1/users/logout") => post(route.path),
        ("POST", "/api/v1/tokens/revoke") => {
            post(route.path).json(json!({ "token": fx.victim_token }))
        }
        ("POST", "/api/v1/keys/rotate") => post(route.path),
        ("POST", "/v1/oauth/tokens" | "/api/v1/oauth/tokens") => {
            post(route.path).form(client_credentials(w))
        }
        ("POST", "/v1/{prefix}/oauth/tokens") => {
            post("/v1/default/oauth/tokens").form(client_credentials(w))
        }
        ("GET", "/api/v1/users") => get(route.path),
        ("POST", "/api/v1/users") => {
            let tier = if who == Who::Root {
                "root"
            } else {
                "tenant-user"
            };
            post(route.path).json(json!({ "name": format!("u{n}{tag}"), "tier": tier }))
        }
        ("GET", "/api/v1/users/me") => get(route.path),
        ("PUT", "/api/v1/users/me/password") => {
            let password = if who == Who::Root {
                ROOT_PASSWORD
            } else {
                PASSWORD
            };
            Req::new(Method::PUT, route.path)
                .json(json!({ "current-password": password, "new-password": password }))
        }
        ("GET", "/api/v1/users/{id}") => get(&user),
        ("PATCH", "/api/v1/users/{id}") => patch(&user).json(json!({ "display-name": "x" })),
        ("DELETE", "/api/v1/users/{id}") => delete(&user),
        ("GET", "/api/v1/service-users") => get(route.path),
        ("POST", "/api/v1/service-users") => {
            post(route.path).json(json!({ "name": format!("s{n}{tag}") }))
        }
        ("GET", "/api/v1/service-users/{id}") => get(&svc),
        ("PATCH", "/api/v1/service-users/{id}") => patch(&svc).json(json!({ "description": "x" })),
        ("DELETE", "/api/v1/service-users/{id}") => delete(&svc),
        ("GET", "/api/v1/service-users/{id}/api-keys") => get(format!("{svc}/api-keys")),
        ("POST", "/api/v1/service-users/{id}/api-keys") => {
            post(format!("{svc}/api-keys")).json(json!({}))
        }
        ("DELETE", "/api/v1/service-users/{id}/api-keys/{key_id}") => delete(&key),
        ("POST", "/api/v1/service-users/{id}/api-keys/{key_id}/rotate") => {
            post(format!("{key}/rotate"))
        }
        ("GET", "/api/v1/tenants") => get(route.path),
        ("POST", "/api/v1/tenants") => {
            post(route.path).json(json!({ "name": format!("t{n}{tag}") }))
        }
        ("GET", "/api/v1/tenants/{tenant}") => get("/api/v1/tenants/acme"),
        ("PATCH", "/api/v1/tenants/{tenant}") => patch(format!("/api/v1/tenants/{}", fx.tenant))
            .json(json!({ "properties": { "k": "v" } })),
        ("DELETE", "/api/v1/tenants/{tenant}") => delete(format!("/api/v1/tenants/{}", fx.tenant)),
        ("GET", "/api/v1/warehouses") => get(route.path),
        ("POST", "/api/v1/warehouses") => {
            let name = format!("w{n}{tag}");
            let root = w.app.dir.path().join(&name);
            post(route.path)
                .json(json!({ "name": name, "storage": { "type": "file", "root": root } }))
        }
        ("GET", "/api/v1/warehouses/{warehouse}") => {
            get(format!("/api/v1/warehouses/{}", fx.warehouse))
        }
        ("PATCH", "/api/v1/warehouses/{warehouse}") => {
            patch(format!("/api/v1/warehouses/{}", fx.warehouse))
                .json(json!({ "properties": { "k": "v" } }))
        }
        ("DELETE", "/api/v1/warehouses/{warehouse}") => {
            delete(format!("/api/v1/warehouses/{}", fx.warehouse))
        }
        _ => return None,
    })
}

/// An OAuth2 client-credentials form for the world's service user.
/// Browser login, warehouse validation and the audit log.
fn later(route: &Route, fx: &Fixture) -> Option<Req> {
    Some(match (route.method, route.path) {
        ("GET", "/api/v1/auth/providers") => get(route.path),
        // The matrix server has no login providers: these answer 404 to everyone.
        ("GET", "/api/v1/auth/{provider}/authorize") => {
            get("/api/v1/auth/nobody/authorize?redirect_uri=http%3A%2F%2Flocalhost%2Fcb")
        }
        ("GET", "/api/v1/auth/{provider}/callback") => {
            get("/api/v1/auth/nobody/callback?code=c&state=s")
        }
        ("POST", "/api/v1/auth/exchange") => post(route.path).json(json!({ "code": "bogus" })),
        ("POST", "/api/v1/warehouses/{warehouse}/validate") => {
            post(format!("/api/v1/warehouses/{}/validate", fx.warehouse))
        }
        ("GET", "/api/v1/audit") => get("/api/v1/audit?pageSize=5"),
        ("GET", "/api/v1/audit/count") => get(route.path),
        ("POST", "/api/v1/audit/verify") => post(route.path),
        _ => return None,
    })
}

fn client_credentials(w: &World) -> String {
    let (key_id, _) = w
        .service_key
        .trim_start_matches("pgl_")
        .split_once('_')
        .unwrap();
    format!(
        "grant_type=client_credentials&client_id={key_id}&client_secret={}",
        w.service_key
    )
}
