//! Helpers of the branching tests: management calls and table changes on a given version.

#![allow(dead_code, unreachable_pub)]

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::{CATALOG, TestApp, bodies, ns_path};

pub const NS: &[&str] = &["db"];

pub fn api(path: &str) -> String {
    format!("/api/v1/catalogs/{CATALOG}/{path}")
}

/// `/v1/{prefix}/namespaces/db/tables/{table}` on a given prefix (e.g. `default@dev`).
pub fn table_at(prefix: &str, table: &str) -> String {
    format!("/v1/{prefix}/namespaces/{}/tables/{table}", ns_path(NS))
}

pub async fn create_branch(app: &TestApp, body: Value) -> Value {
    let (status, _, reply) = app.post(&api("branches"), Some(body), &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    reply
}

pub async fn create_tag(app: &TestApp, name: &str) -> Value {
    let (status, _, reply) = app
        .post(&api("tags"), Some(json!({ "name": name })), &[])
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    reply
}

/// Loads `table` through `prefix` and returns its `LoadTableResult`.
pub async fn load(app: &TestApp, prefix: &str, table: &str) -> Value {
    let (status, _, reply) = app.get(&table_at(prefix, table), None, &[]).await;
    assert_eq!(status, StatusCode::OK, "load {table} at {prefix}: {reply}");
    reply
}

/// Sets one property of `table` through `prefix`; returns the new metadata location.
pub async fn set_prop(app: &TestApp, prefix: &str, table: &str, key: &str, value: &str) -> String {
    let uuid = load(app, prefix, table).await["metadata"]["table-uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = bodies::set_properties(&uuid, &[(key, value)]);
    let (status, _, reply) = app.post(&table_at(prefix, table), Some(body), &[]).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "commit {table} at {prefix}: {reply}"
    );
    reply["metadata-location"].as_str().unwrap().to_owned()
}

pub fn location(reply: &Value) -> &str {
    reply["metadata-location"].as_str().unwrap()
}

pub fn prop<'a>(reply: &'a Value, key: &str) -> Option<&'a str> {
    reply["metadata"]["properties"][key].as_str()
}

/// A catalog with namespace `db` and tables `t1`, `t2`.
pub async fn seeded(app: &TestApp) {
    app.create_namespace(NS).await;
    app.create_table(NS, "t1").await;
    app.create_table(NS, "t2").await;
}

pub async fn merge(app: &TestApp, body: Value) -> Value {
    let (status, _, reply) = app.post(&api("merges"), Some(body), &[]).await;
    assert_eq!(status, StatusCode::OK, "merge: {reply}");
    reply
}

pub fn table_ref(name: &str) -> Value {
    json!({ "namespace": NS, "name": name })
}
