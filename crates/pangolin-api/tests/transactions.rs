//! `POST /v1/{prefix}/transactions/commit`: several tables, all or nothing.

mod common;

use axum::http::{Method, StatusCode};
use common::{Reply, TestApp, assert_error, backend_tests, bodies, catalog_uri, metadata_files};
use serde_json::{Value, json};

backend_tests!(
    two_tables_commit_together,
    a_failing_requirement_changes_neither_table,
    a_missing_table_changes_neither_table,
    a_change_without_identifier_is_400,
    the_same_table_twice_is_400,
    an_empty_transaction_is_400,
    malformed_transactions_are_400,
);

/// `a.orders` and `b.events`, freshly created.
async fn two_tables(app: &TestApp) -> (Value, Value) {
    app.create_namespace(&["a"]).await;
    app.create_namespace(&["b"]).await;
    let orders = app.create_table(&["a"], "orders").await;
    let events = app.create_table(&["b"], "events").await;
    (orders, events)
}

async fn transact(app: &TestApp, changes: Vec<Value>) -> Reply {
    let body = json!({ "table-changes": changes });
    app.post(&catalog_uri("transactions/commit"), Some(body), &[])
        .await
}

fn uuid(table: &Value) -> &str {
    table["metadata"]["table-uuid"].as_str().unwrap()
}

async fn assert_unchanged(app: &TestApp, levels: &[&str], name: &str, before: &Value) {
    let now = app.load_table(levels, name).await;
    assert_eq!(
        now["metadata-location"], before["metadata-location"],
        "{name}"
    );
    assert_eq!(now["metadata"], before["metadata"], "{name}");
    assert_eq!(
        metadata_files(&now),
        metadata_files(before),
        "{name}: no new files"
    );
}

async fn two_tables_commit_together(app: TestApp) {
    let (orders, events) = two_tables(&app).await;
    let changes = vec![
        bodies::with_identifier(
            &["a"],
            "orders",
            bodies::set_properties(uuid(&orders), &[("etl", "run-7")]),
        ),
        bodies::with_identifier(&["b"], "events", bodies::append(&events["metadata"], 70)),
    ];
    let (status, _, body) = transact(&app, changes).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(body, Value::Null);
    let orders_now = app.load_table(&["a"], "orders").await;
    let events_now = app.load_table(&["b"], "events").await;
    assert_eq!(orders_now["metadata"]["properties"]["etl"], json!("run-7"));
    assert_eq!(events_now["metadata"]["current-snapshot-id"], json!(70));
    assert_eq!(metadata_files(&orders_now).len(), 2);
    assert_eq!(metadata_files(&events_now).len(), 2);
    let log = &orders_now["metadata"]["metadata-log"];
    assert_eq!(log[0]["metadata-file"], orders["metadata-location"]);
}

async fn a_failing_requirement_changes_neither_table(app: TestApp) {
    let (orders, events) = two_tables(&app).await;
    // `events` gets a snapshot, so an append built on its create-time metadata is stale.
    let (status, _, _) = app
        .commit(&["b"], "events", bodies::append(&events["metadata"], 1))
        .await;
    assert_eq!(status, StatusCode::OK);
    let stale = bodies::append(&events["metadata"], 2);
    let events = app.load_table(&["b"], "events").await;
    let changes = vec![
        bodies::with_identifier(
            &["a"],
            "orders",
            bodies::set_properties(uuid(&orders), &[("k", "v")]),
        ),
        bodies::with_identifier(&["b"], "events", stale),
    ];
    let reply = transact(&app, changes).await;
    assert_error(&reply, StatusCode::CONFLICT, "CommitFailedException");
    assert_unchanged(&app, &["a"], "orders", &orders).await;
    assert_unchanged(&app, &["b"], "events", &events).await;
    // A failing uuid requirement on the second table has the same effect.
    let changes = vec![
        bodies::with_identifier(
            &["a"],
            "orders",
            bodies::set_properties(uuid(&orders), &[("k", "v")]),
        ),
        bodies::with_identifier(
            &["b"],
            "events",
            bodies::set_properties(uuid(&orders), &[("k", "v")]),
        ),
    ];
    let reply = transact(&app, changes).await;
    assert_error(&reply, StatusCode::CONFLICT, "CommitFailedException");
    assert_unchanged(&app, &["a"], "orders", &orders).await;
    assert_unchanged(&app, &["b"], "events", &events).await;
}

async fn a_missing_table_changes_neither_table(app: TestApp) {
    let (orders, _) = two_tables(&app).await;
    let changes = vec![
        bodies::with_identifier(
            &["a"],
            "orders",
            bodies::set_properties(uuid(&orders), &[("k", "v")]),
        ),
        bodies::with_identifier(
            &["a"],
            "ghost",
            bodies::set_properties(uuid(&orders), &[("k", "v")]),
        ),
    ];
    let reply = transact(&app, changes).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchTableException");
    assert_unchanged(&app, &["a"], "orders", &orders).await;
}

async fn a_change_without_identifier_is_400(app: TestApp) {
    let (orders, events) = two_tables(&app).await;
    let changes = vec![
        bodies::with_identifier(
            &["a"],
            "orders",
            bodies::set_properties(uuid(&orders), &[("k", "v")]),
        ),
        bodies::set_properties(uuid(&events), &[("k", "v")]),
    ];
    let reply = transact(&app, changes).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    assert_unchanged(&app, &["a"], "orders", &orders).await;
    assert_unchanged(&app, &["b"], "events", &events).await;
}

async fn the_same_table_twice_is_400(app: TestApp) {
    let (orders, _) = two_tables(&app).await;
    let change = bodies::with_identifier(
        &["a"],
        "orders",
        bodies::set_properties(uuid(&orders), &[("k", "v")]),
    );
    let reply = transact(&app, vec![change.clone(), change]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    assert_unchanged(&app, &["a"], "orders", &orders).await;
}

async fn an_empty_transaction_is_400(app: TestApp) {
    let reply = transact(&app, vec![]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
}

async fn malformed_transactions_are_400(app: TestApp) {
    let (orders, _) = two_tables(&app).await;
    let uri = catalog_uri("transactions/commit");
    let bad_identifier = bodies::with_identifier(
        &[""],
        "orders",
        bodies::set_properties(uuid(&orders), &[("k", "v")]),
    );
    for body in [
        json!({}),
        json!({ "table-changes": {} }),
        json!({ "table-changes": [bad_identifier] }),
        json!({ "table-changes": [{ "identifier": { "namespace": ["a"], "name": "orders" }, "updates": [{ "action": "nope" }], "requirements": [] }] }),
    ] {
        let reply = app.post(&uri, Some(body.clone()), &[]).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    let (status, _, _) = app
        .send_bytes(Method::POST, &uri, "{\"table-changes\": [", &[])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_unchanged(&app, &["a"], "orders", &orders).await;
}
