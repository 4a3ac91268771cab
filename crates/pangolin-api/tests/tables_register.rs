//! Registering existing metadata files as tables, and metrics reports.

mod common;

use axum::http::StatusCode;
use common::{
    TestApp, assert_error, backend_tests, bodies, local_path, namespace_uri, table_uri, tables_uri,
};
use serde_json::{Value, json};

backend_tests!(
    register_a_dropped_tables_metadata,
    register_over_an_existing_name_is_409_unless_overwrite,
    register_outside_the_warehouse_is_400,
    register_a_missing_or_invalid_file_is_400,
    register_into_a_missing_namespace_is_404,
    metrics_reports_are_acknowledged,
    metrics_for_a_missing_table_are_404,
    metrics_without_report_type_are_400,
);

fn register_uri(levels: &[&str]) -> String {
    format!("{}/register", namespace_uri(levels))
}

/// `db.t` with one appended snapshot, then dropped without purge; returns its last load.
async fn dropped_table(app: &TestApp) -> Value {
    app.create_namespace(&["db"]).await;
    let created = app.create_table(&["db"], "t").await;
    let (status, _, _) = app
        .commit(&["db"], "t", bodies::append(&created["metadata"], 5))
        .await;
    assert_eq!(status, StatusCode::OK);
    let last = app.load_table(&["db"], "t").await;
    let (status, _, _) = app.delete(&table_uri(&["db"], "t"), None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    last
}

async fn register_a_dropped_tables_metadata(app: TestApp) {
    let last = dropped_table(&app).await;
    let body = json!({ "name": "revived", "metadata-location": last["metadata-location"] });
    let (status, headers, reply) = app.post(&register_uri(&["db"]), Some(body), &[]).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert!(headers.get("etag").is_some());
    assert_eq!(reply["metadata-location"], last["metadata-location"]);
    assert_eq!(reply["metadata"], last["metadata"]);
    assert!(reply["config"].is_object());
    let loaded = app.load_table(&["db"], "revived").await;
    assert_eq!(loaded["metadata"]["current-snapshot-id"], json!(5));
    let (_, _, list) = app.get(&tables_uri(&["db"]), None, &[]).await;
    assert_eq!(
        list["identifiers"],
        json!([{ "namespace": ["db"], "name": "revived" }])
    );
    // The registered table takes commits, continuing the file sequence.
    let uuid = loaded["metadata"]["table-uuid"].as_str().unwrap();
    let (status, _, committed) = app
        .commit(
            &["db"],
            "revived",
            bodies::set_properties(uuid, &[("k", "v")]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{committed}");
    let log = &committed["metadata"]["metadata-log"];
    assert_eq!(
        log.as_array().unwrap().last().unwrap()["metadata-file"],
        last["metadata-location"]
    );
}

async fn register_over_an_existing_name_is_409_unless_overwrite(app: TestApp) {
    let last = dropped_table(&app).await;
    let other = app.create_table(&["db"], "other").await;
    let body = json!({ "name": "other", "metadata-location": last["metadata-location"] });
    let reply = app.post(&register_uri(&["db"]), Some(body), &[]).await;
    assert_error(&reply, StatusCode::CONFLICT, "AlreadyExistsException");
    let loaded = app.load_table(&["db"], "other").await;
    assert_eq!(loaded["metadata-location"], other["metadata-location"]);
    let body = json!({
        "name": "other", "metadata-location": last["metadata-location"], "overwrite": true
    });
    let (status, _, reply) = app.post(&register_uri(&["db"]), Some(body), &[]).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let loaded = app.load_table(&["db"], "other").await;
    assert_eq!(loaded["metadata-location"], last["metadata-location"]);
}

async fn register_outside_the_warehouse_is_400(app: TestApp) {
    let last = dropped_table(&app).await;
    // A valid metadata file, copied outside the warehouse.
    let outside = app.dir.path().join("outside.metadata.json");
    std::fs::copy(
        local_path(last["metadata-location"].as_str().unwrap()),
        &outside,
    )
    .unwrap();
    for location in [
        format!("file://{}", outside.display()),
        "s3://elsewhere/m.json".into(),
    ] {
        let body = json!({ "name": "t", "metadata-location": location });
        let reply = app.post(&register_uri(&["db"]), Some(body), &[]).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    // Metadata inside the warehouse whose table location is outside it.
    let mut metadata = last["metadata"].clone();
    metadata["location"] = json!(format!(
        "file://{}",
        app.dir.path().join("elsewhere").display()
    ));
    let inside = app.warehouse_root().join("foreign.metadata.json");
    std::fs::write(&inside, serde_json::to_vec(&metadata).unwrap()).unwrap();
    let body = json!({ "name": "t", "metadata-location": format!("file://{}", inside.display()) });
    let reply = app.post(&register_uri(&["db"]), Some(body), &[]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    let (status, _, _) = app.head(&table_uri(&["db"], "t"), None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn register_a_missing_or_invalid_file_is_400(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let missing = format!("{}/nowhere/00000-x.metadata.json", app.warehouse_location());
    let garbage = app.warehouse_root().join("garbage.metadata.json");
    std::fs::write(&garbage, b"{\"format-version\": 2, \"nonsense\": true}").unwrap();
    let not_json = app.warehouse_root().join("text.metadata.json");
    std::fs::write(&not_json, b"hello").unwrap();
    for location in [
        missing,
        format!("file://{}", garbage.display()),
        format!("file://{}", not_json.display()),
    ] {
        let body = json!({ "name": "t", "metadata-location": location });
        let reply = app.post(&register_uri(&["db"]), Some(body), &[]).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    let reply = app
        .post(&register_uri(&["db"]), Some(json!({ "name": "t" })), &[])
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    let (_, _, list) = app.get(&tables_uri(&["db"]), None, &[]).await;
    assert_eq!(list["identifiers"], json!([]));
}

async fn register_into_a_missing_namespace_is_404(app: TestApp) {
    let last = dropped_table(&app).await;
    let body = json!({ "name": "t", "metadata-location": last["metadata-location"] });
    let reply = app.post(&register_uri(&["ghost"]), Some(body), &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchNamespaceException");
}

fn metrics_uri(name: &str) -> String {
    format!("{}/metrics", table_uri(&["db"], name))
}

async fn metrics_reports_are_acknowledged(app: TestApp) {
    app.create_namespace(&["db"]).await;
    app.create_table(&["db"], "t").await;
    let (status, _, body) = app
        .post(&metrics_uri("t"), Some(bodies::scan_report("db.t")), &[])
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let commit_report = json!({
        "report-type": "commit-report", "table-name": "db.t", "snapshot-id": 1,
        "sequence-number": 1, "operation": "append", "metrics": {}
    });
    let (status, _, body) = app.post(&metrics_uri("t"), Some(commit_report), &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

async fn metrics_for_a_missing_table_are_404(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let reply = app
        .post(
            &metrics_uri("ghost"),
            Some(bodies::scan_report("db.ghost")),
            &[],
        )
        .await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchTableException");
}

async fn metrics_without_report_type_are_400(app: TestApp) {
    app.create_namespace(&["db"]).await;
    app.create_table(&["db"], "t").await;
    let mut no_type = bodies::scan_report("db.t");
    no_type.as_object_mut().unwrap().remove("report-type");
    let mut bad_type = bodies::scan_report("db.t");
    bad_type["report-type"] = json!("vibe-report");
    for body in [no_type, bad_type, json!([])] {
        let reply = app.post(&metrics_uri("t"), Some(body.clone()), &[]).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    }
}
