//! View requests and helpers shared by the view router tests (`views.rs`, `view_commits.rs`).

#![allow(dead_code, unreachable_pub)]

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::{Reply, TestApp, files_under, namespace_uri};

pub const SQL_V1: &str =
    "SELECT category, SUM(amount) AS total FROM sales.orders GROUP BY category";
pub const SQL_V2: &str =
    "SELECT category, SUM(amount) AS total, COUNT(*) AS orders FROM sales.orders GROUP BY category";

pub fn views_uri(levels: &[&str]) -> String {
    format!("{}/views", namespace_uri(levels))
}

pub fn view_uri(levels: &[&str], name: &str) -> String {
    format!("{}/views/{name}", namespace_uri(levels))
}

pub fn view_version(schema_id: i64, sql: &str) -> Value {
    json!({
        "version-id": 1, "schema-id": schema_id,
        "timestamp-ms": crate::common::bodies::now_ms(),
        "summary": { "engine-name": "spark", "engine-version": "3.5.1" },
        "representations": [{ "type": "sql", "sql": sql, "dialect": "spark" }],
        "default-catalog": "default", "default-namespace": ["sales"]
    })
}

pub fn totals_schema(with_orders: bool) -> Value {
    let mut fields = vec![
        json!({ "id": 1, "name": "category", "required": false, "type": "string" }),
        json!({ "id": 2, "name": "total", "required": false, "type": "decimal(20, 2)" }),
    ];
    if with_orders {
        fields.push(json!({ "id": 3, "name": "orders", "required": true, "type": "long" }));
    }
    json!({ "type": "struct", "schema-id": 0, "fields": fields })
}

/// A `CreateViewRequest` as Spark/PyIceberg send it.
pub fn create_view_body(name: &str) -> Value {
    json!({
        "name": name,
        "schema": totals_schema(false),
        "view-version": view_version(0, SQL_V1),
        "properties": { "comment": "totals per category" }
    })
}

/// A `CommitViewRequest` adding a version with a new schema and making it current.
pub fn replace_body(uuid: &str, sql: &str) -> Value {
    json!({
        "requirements": [{ "type": "assert-view-uuid", "uuid": uuid }],
        "updates": [
            { "action": "add-schema", "schema": totals_schema(true), "last-column-id": 3 },
            { "action": "add-view-version", "view-version": view_version(-1, sql) },
            { "action": "set-current-view-version", "view-version-id": -1 },
            { "action": "set-properties", "updates": { "comment": "with order counts" } }
        ]
    })
}

pub async fn create_view(app: &TestApp, levels: &[&str], name: &str) -> Value {
    let (status, _, body) = app
        .post(&views_uri(levels), Some(create_view_body(name)), &[])
        .await;
    assert_eq!(status, StatusCode::OK, "create view {name}: {body}");
    body
}

pub async fn load_view(app: &TestApp, levels: &[&str], name: &str) -> Reply {
    app.get(&view_uri(levels, name), None, &[]).await
}

pub fn uuid_of(view: &Value) -> String {
    view["metadata"]["view-uuid"].as_str().unwrap().to_owned()
}

pub fn current_sql(metadata: &Value) -> &str {
    let current = &metadata["current-version-id"];
    let versions = metadata["versions"].as_array().unwrap();
    let version = versions
        .iter()
        .find(|v| v["version-id"] == *current)
        .expect("the current version is listed");
    version["representations"][0]["sql"].as_str().unwrap()
}

/// The metadata files (recursively) under the namespace's directory in the warehouse.
pub fn metadata_files_of(app: &TestApp) -> Vec<std::path::PathBuf> {
    files_under(&app.warehouse_location())
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".metadata.json"))
        .collect()
}

/// `request` (a `CommitViewRequest`) with `update` appended.
pub fn with_update(mut request: Value, update: Value) -> Value {
    request["updates"].as_array_mut().unwrap().push(update);
    request
}
