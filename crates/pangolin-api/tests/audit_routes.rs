//! Every mutating route leaves a success record, written with the mutation, and the records
//! chain: namespaces, tables, views, transactions, renames, registers, branches, tags,
//! merges (open, resolve, complete, abort) and rebase. The Iceberg routes are taken from what
//! `/v1/config` advertises, so a new mutating route fails this test until it is covered.

mod audit_log;
mod branching;
mod common;
mod view_support;

use std::collections::BTreeSet;

use audit_log::*;
use axum::http::Method;
use branching::{api, load, set_prop, table_ref};
use common::{TestApp, backend_tests, bodies, catalog_uri, namespace_uri, table_uri, tables_uri};
use pangolin_core::audit::AuditResult;
use serde_json::{Value, json};
use view_support::{create_view_body, replace_body, uuid_of, view_uri, views_uri};

backend_tests!(every_mutating_route_leaves_a_chained_success_record);

/// POST endpoints that change nothing the catalog keeps: a metrics report is acknowledged,
/// not stored; a signing request hands out delegated access (recorded as a vend, see
/// tests/delegation.rs), it changes no catalog state.
const NOT_MUTATIONS: &[&str] = &[
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/sign",
];

/// The requests made, by route template, with their request ids.
struct Steps<'a> {
    app: &'a TestApp,
    done: Vec<(String, String)>,
}

impl Steps<'_> {
    async fn run(&mut self, route: &str, method: Method, uri: &str, body: Option<Value>) -> Value {
        let (status, headers, reply) = self.app.send(method, uri, body, &[]).await;
        assert!(status.is_success(), "{route} ({uri}): {status} {reply}");
        self.done.push((route.to_owned(), request_id(&headers)));
        reply
    }
}

fn rename(from: &str, to: &str) -> Value {
    json!({
        "source": { "namespace": ["db"], "name": from },
        "destination": { "namespace": ["db"], "name": to }
    })
}

/// `dev` and `main` both change `t1`: a merge of dev into main conflicts.
async fn conflict(s: &mut Steps<'_>, value: &str) -> String {
    let app = s.app;
    set_prop(app, "default@dev", "t1", "side", &format!("dev-{value}")).await;
    set_prop(app, "default", "t1", "side", &format!("main-{value}")).await;
    let body = json!({ "source": "dev", "target": "main" });
    let reply = s
        .run(
            "POST /api/v1/catalogs/{catalog}/merges",
            Method::POST,
            &api("merges"),
            Some(body),
        )
        .await;
    assert_eq!(reply["status"], "conflicts", "{reply}");
    reply["merge"]["id"].as_str().unwrap().to_owned()
}

async fn iceberg_steps(s: &mut Steps<'_>) {
    let ns = "/v1/{prefix}/namespaces/{namespace}";
    let table = "/v1/{prefix}/namespaces/{namespace}/tables/{table}";
    let view = "/v1/{prefix}/namespaces/{namespace}/views/{view}";
    let db = &["db"][..];
    s.run(
        "POST /v1/{prefix}/namespaces",
        Method::POST,
        &common::namespaces_uri(),
        Some(json!({ "namespace": ["db"] })),
    )
    .await;
    let props = json!({ "updates": { "owner": "ana" }, "removals": [] });
    s.run(
        &format!("POST {ns}/properties"),
        Method::POST,
        &format!("{}/properties", namespace_uri(db)),
        Some(props),
    )
    .await;
    let created = s
        .run(
            &format!("POST {ns}/tables"),
            Method::POST,
            &tables_uri(db),
            Some(bodies::create_table("t")),
        )
        .await;
    let uuid = created["metadata"]["table-uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = bodies::set_properties(&uuid, &[("k", "v")]);
    s.run(
        &format!("POST {table}"),
        Method::POST,
        &table_uri(db, "t"),
        Some(body),
    )
    .await;
    s.run(
        "POST /v1/{prefix}/tables/rename",
        Method::POST,
        &catalog_uri("tables/rename"),
        Some(rename("t", "t2")),
    )
    .await;
    let change = bodies::with_identifier(db, "t2", bodies::set_properties(&uuid, &[("k", "w")]));
    let body = json!({ "table-changes": [change] });
    s.run(
        "POST /v1/{prefix}/transactions/commit",
        Method::POST,
        &catalog_uri("transactions/commit"),
        Some(body),
    )
    .await;
    let last = s.app.load_table(db, "t2").await;
    s.run(
        &format!("DELETE {table}"),
        Method::DELETE,
        &table_uri(db, "t2"),
        None,
    )
    .await;
    let body = json!({ "name": "t1", "metadata-location": last["metadata-location"] });
    s.run(
        &format!("POST {ns}/register"),
        Method::POST,
        &format!("{}/register", namespace_uri(db)),
        Some(body),
    )
    .await;

    let created = s
        .run(
            &format!("POST {ns}/views"),
            Method::POST,
            &views_uri(db),
            Some(create_view_body("v")),
        )
        .await;
    let body = replace_body(&uuid_of(&created), "SELECT 2");
    let replaced = s
        .run(
            &format!("POST {view}"),
            Method::POST,
            &view_uri(db, "v"),
            Some(body),
        )
        .await;
    s.run(
        "POST /v1/{prefix}/views/rename",
        Method::POST,
        &catalog_uri("views/rename"),
        Some(rename("v", "v2")),
    )
    .await;
    s.run(
        &format!("DELETE {view}"),
        Method::DELETE,
        &view_uri(db, "v2"),
        None,
    )
    .await;
    let body = json!({ "name": "v3", "metadata-location": replaced["metadata-location"] });
    s.run(
        &format!("POST {ns}/register-view"),
        Method::POST,
        &format!("{}/register-view", namespace_uri(db)),
        Some(body),
    )
    .await;
}

async fn management_steps(s: &mut Steps<'_>) {
    let c = "/api/v1/catalogs/{catalog}";
    s.app.create_table(&["db"], "t2").await;
    s.run(
        &format!("POST {c}/branches"),
        Method::POST,
        &api("branches"),
        Some(json!({ "name": "dev" })),
    )
    .await;
    s.run(
        &format!("POST {c}/tags"),
        Method::POST,
        &api("tags"),
        Some(json!({ "name": "v1" })),
    )
    .await;
    let id = conflict(s, "1").await;
    let resolve = json!({ "table": table_ref("t1"), "resolution": "take-source" });
    s.run(
        &format!("POST {c}/merges/{{id}}/resolve"),
        Method::POST,
        &api(&format!("merges/{id}/resolve")),
        Some(resolve),
    )
    .await;
    s.run(
        &format!("POST {c}/merges/{{id}}/complete"),
        Method::POST,
        &api(&format!("merges/{id}/complete")),
        None,
    )
    .await;
    let id = conflict(s, "2").await;
    s.run(
        &format!("POST {c}/merges/{{id}}/abort"),
        Method::POST,
        &api(&format!("merges/{id}/abort")),
        None,
    )
    .await;
    set_prop(s.app, "default", "t2", "k", "main").await;
    let body = json!({ "strategy": "take-target" });
    let rebased = s
        .run(
            &format!("POST {c}/branches/{{name}}/rebase"),
            Method::POST,
            &api("branches/dev/rebase"),
            Some(body),
        )
        .await;
    assert_eq!(rebased["status"], "merged", "{rebased}");
    load(s.app, "default@dev", "t2").await;
    s.run(
        &format!("DELETE {c}/tags/{{name}}"),
        Method::DELETE,
        &api("tags/v1"),
        None,
    )
    .await;
    s.run(
        &format!("DELETE {c}/branches/{{name}}"),
        Method::DELETE,
        &api("branches/dev"),
        None,
    )
    .await;
}

/// Drops what is left, so the drops of every kind are covered too.
async fn cleanup_steps(s: &mut Steps<'_>) {
    let db = &["db"][..];
    for (name, kind) in [("t1", "tables"), ("t2", "tables"), ("v3", "views")] {
        let route = format!(
            "DELETE /v1/{{prefix}}/namespaces/{{namespace}}/{kind}/{{{}}}",
            &kind[..kind.len() - 1]
        );
        let uri = format!("{}/{kind}/{name}", namespace_uri(db));
        s.run(&route, Method::DELETE, &uri, None).await;
    }
    s.run(
        "DELETE /v1/{prefix}/namespaces/{namespace}",
        Method::DELETE,
        &namespace_uri(db),
        None,
    )
    .await;
}

async fn every_mutating_route_leaves_a_chained_success_record(app: TestApp) {
    let mut steps = Steps {
        app: &app,
        done: Vec::new(),
    };
    iceberg_steps(&mut steps).await;
    management_steps(&mut steps).await;
    cleanup_steps(&mut steps).await;

    // Every mutating Iceberg endpoint advertised is covered.
    let (_, _, config) = app.get("/v1/config", None, &[]).await;
    let covered: BTreeSet<&str> = steps.done.iter().map(|(route, _)| route.as_str()).collect();
    let endpoints = config["endpoints"].as_array().unwrap();
    assert!(endpoints.len() > 20, "{config}");
    for endpoint in endpoints {
        let endpoint = endpoint.as_str().unwrap();
        let mutating = endpoint.starts_with("POST ") || endpoint.starts_with("DELETE ");
        if mutating && !NOT_MUTATIONS.contains(&endpoint) {
            assert!(covered.contains(endpoint), "{endpoint} is not covered");
        }
    }

    let mut recorded = Vec::new();
    for (route, id) in &steps.done {
        let events = assert_recorded(&app, id, AuditResult::Success, route).await;
        recorded.extend(events.into_iter().map(|e| e.id));
    }
    let failures = all_events(&app).await;
    assert!(
        failures.iter().all(|e| e.result == AuditResult::Success),
        "{failures:?}"
    );
    let chained = verify_ok(&app).await;
    for id in recorded {
        assert!(chained.contains(&id), "{id} is not in the chain");
    }
}
