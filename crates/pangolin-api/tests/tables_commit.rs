//! Committing to one table: new metadata files, requirements, bad updates, metadata-log upkeep.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, assert_error, backend_tests, bodies, local_path, metadata_files, table_uri};
use serde_json::{Value, json};

backend_tests!(
    set_properties_writes_one_new_metadata_file,
    append_adds_a_snapshot_and_moves_main,
    a_commit_without_changes_writes_nothing,
    failed_table_uuid_requirement_is_409_and_changes_nothing,
    failed_ref_snapshot_requirement_is_409_and_changes_nothing,
    unknown_update_actions_and_requirements_are_400,
    invalid_updates_are_400_and_write_nothing,
    malformed_json_is_400,
    a_mismatched_body_identifier_is_400,
    committing_to_a_missing_table_is_404,
    previous_versions_max_trims_the_metadata_log,
    delete_after_commit_removes_expired_metadata_files,
    delete_after_commit_keeps_files_another_branch_points_at,
);

/// `db.t`, freshly created; returns its `LoadTableResult`.
async fn table(app: &TestApp) -> Value {
    app.create_namespace(&["db"]).await;
    app.create_table(&["db"], "t").await
}

fn uuid(table: &Value) -> String {
    table["metadata"]["table-uuid"].as_str().unwrap().to_owned()
}

/// Commits `props` and returns the `CommitTableResponse`.
async fn set(app: &TestApp, uuid: &str, props: &[(&str, &str)]) -> Value {
    let (status, _, reply) = app
        .commit(&["db"], "t", bodies::set_properties(uuid, props))
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    reply
}

/// Asserts the table still is exactly `before` (same file, same metadata, same files on disk).
async fn assert_unchanged(app: &TestApp, before: &Value) {
    let now = app.load_table(&["db"], "t").await;
    assert_eq!(now["metadata-location"], before["metadata-location"]);
    assert_eq!(now["metadata"], before["metadata"]);
    assert_eq!(metadata_files(&now), metadata_files(before));
}

async fn set_properties_writes_one_new_metadata_file(app: TestApp) {
    let created = table(&app).await;
    let before = metadata_files(&created);
    let reply = set(&app, &uuid(&created), &[("owner", "bo"), ("comment", "hi")]).await;
    let location = reply["metadata-location"]
        .as_str()
        .expect("metadata-location");
    assert_ne!(Some(location), created["metadata-location"].as_str());
    assert!(local_path(location).is_file());
    assert_eq!(reply["metadata"]["properties"]["owner"], json!("bo"));
    let after = metadata_files(&reply);
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    assert!(after.contains(&local_path(location)));
    let log = reply["metadata"]["metadata-log"]
        .as_array()
        .expect("metadata-log");
    assert_eq!(
        log.last().unwrap()["metadata-file"],
        created["metadata-location"]
    );
    // The file on disk is the returned metadata, and loads see it.
    let on_disk: Value =
        serde_json::from_slice(&std::fs::read(local_path(location)).unwrap()).unwrap();
    assert_eq!(on_disk, reply["metadata"]);
    let loaded = app.load_table(&["db"], "t").await;
    assert_eq!(loaded["metadata-location"], reply["metadata-location"]);
    assert_eq!(loaded["metadata"], reply["metadata"]);
}

async fn append_adds_a_snapshot_and_moves_main(app: TestApp) {
    let created = table(&app).await;
    let (status, _, first) = app
        .commit(&["db"], "t", bodies::append(&created["metadata"], 11))
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, _, second) = app
        .commit(&["db"], "t", bodies::append(&first["metadata"], 12))
        .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let m = &app.load_table(&["db"], "t").await["metadata"];
    assert_eq!(m["current-snapshot-id"], json!(12));
    assert_eq!(m["refs"]["main"]["snapshot-id"], json!(12));
    assert_eq!(m["last-sequence-number"], json!(2));
    let mut snapshots = m["snapshots"].as_array().unwrap().clone();
    snapshots.sort_by_key(|s| s["snapshot-id"].as_i64());
    assert_eq!(snapshots.len(), 2);
    assert!(snapshots[0].get("parent-snapshot-id").is_none());
    assert_eq!(snapshots[1]["parent-snapshot-id"], json!(11));
    assert_eq!(snapshots[1]["sequence-number"], json!(2));
    assert_eq!(m["snapshot-log"].as_array().unwrap().len(), 2);
}

async fn a_commit_without_changes_writes_nothing(app: TestApp) {
    let created = table(&app).await;
    let body = json!({ "requirements": [], "updates": [] });
    let (status, _, reply) = app.commit(&["db"], "t", body).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["metadata-location"], created["metadata-location"]);
    assert_eq!(reply["metadata"], created["metadata"]);
    // Requirements alone change nothing either.
    let body = json!({
        "requirements": [{ "type": "assert-table-uuid", "uuid": uuid(&created) }],
        "updates": []
    });
    let (status, _, reply) = app.commit(&["db"], "t", body).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["metadata-location"], created["metadata-location"]);
    assert_unchanged(&app, &created).await;
}

async fn failed_table_uuid_requirement_is_409_and_changes_nothing(app: TestApp) {
    let created = table(&app).await;
    let other = "00000000-0000-7000-8000-000000000001";
    let reply = app
        .commit(&["db"], "t", bodies::set_properties(other, &[("k", "v")]))
        .await;
    assert_error(&reply, StatusCode::CONFLICT, "CommitFailedException");
    assert_unchanged(&app, &created).await;
}

async fn failed_ref_snapshot_requirement_is_409_and_changes_nothing(app: TestApp) {
    let created = table(&app).await;
    let (status, _, appended) = app
        .commit(&["db"], "t", bodies::append(&created["metadata"], 1))
        .await;
    assert_eq!(status, StatusCode::OK, "{appended}");
    let current = app.load_table(&["db"], "t").await;
    // A stale writer: built on the table before snapshot 1 (asserts main does not exist).
    let reply = app
        .commit(&["db"], "t", bodies::append(&created["metadata"], 2))
        .await;
    assert_error(&reply, StatusCode::CONFLICT, "CommitFailedException");
    // A writer asserting a snapshot that main never pointed at.
    let mut wrong = bodies::append(&current["metadata"], 3);
    wrong["requirements"][1]["snapshot-id"] = json!(999);
    let reply = app.commit(&["db"], "t", wrong).await;
    assert_error(&reply, StatusCode::CONFLICT, "CommitFailedException");
    assert_unchanged(&app, &current).await;
}

async fn unknown_update_actions_and_requirements_are_400(app: TestApp) {
    let created = table(&app).await;
    let bodies = [
        json!({ "requirements": [], "updates": [{ "action": "make-it-fast" }] }),
        json!({ "requirements": [{ "type": "assert-vibes" }], "updates": [] }),
        json!({ "updates": [{ "action": "set-properties" }] }),
        json!({ "requirements": [] }),
    ];
    for body in bodies {
        let reply = app.commit(&["db"], "t", body.clone()).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    assert_unchanged(&app, &created).await;
}

async fn invalid_updates_are_400_and_write_nothing(app: TestApp) {
    let created = table(&app).await;
    let uuid = uuid(&created);
    let invalid = [
        json!({ "action": "set-current-schema", "schema-id": 42 }),
        json!({ "action": "set-default-spec", "spec-id": 42 }),
        json!({ "action": "set-properties", "updates": { "format-version": "3" } }),
        json!({ "action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": 5 }),
        json!({ "action": "set-location", "location": "file:///elsewhere/t" }),
    ];
    for update in invalid {
        let body = json!({
            "requirements": [{ "type": "assert-table-uuid", "uuid": uuid }],
            "updates": [update]
        });
        let reply = app.commit(&["db"], "t", body).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    assert_unchanged(&app, &created).await;
}

async fn malformed_json_is_400(app: TestApp) {
    let created = table(&app).await;
    for raw in ["{\"updates\": [", "not json", ""] {
        let (status, _, body) = app
            .send_bytes(Method::POST, &table_uri(&["db"], "t"), raw, &[])
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{raw:?}");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["type"], json!("BadRequestException"));
    }
    assert_unchanged(&app, &created).await;
}

async fn a_mismatched_body_identifier_is_400(app: TestApp) {
    let created = table(&app).await;
    let body = bodies::with_identifier(
        &["db"],
        "other",
        bodies::set_properties(&uuid(&created), &[("k", "v")]),
    );
    let reply = app.commit(&["db"], "t", body).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    // A matching identifier is fine.
    let body = bodies::with_identifier(
        &["db"],
        "t",
        bodies::set_properties(&uuid(&created), &[("k", "v")]),
    );
    let (status, _, reply) = app.commit(&["db"], "t", body).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
}

async fn committing_to_a_missing_table_is_404(app: TestApp) {
    let created = table(&app).await;
    let body = bodies::set_properties(&uuid(&created), &[("k", "v")]);
    let reply = app.commit(&["db"], "missing", body.clone()).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchTableException");
    let reply = app.commit(&["nope"], "t", body).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchTableException");
}

async fn previous_versions_max_trims_the_metadata_log(app: TestApp) {
    let created = table(&app).await;
    let uuid = uuid(&created);
    set(
        &app,
        &uuid,
        &[("write.metadata.previous-versions-max", "2")],
    )
    .await;
    let mut last = Value::Null;
    for i in 0..4 {
        last = set(&app, &uuid, &[("round", &i.to_string())]).await;
    }
    let log = last["metadata"]["metadata-log"].as_array().unwrap();
    assert_eq!(log.len(), 2, "{log:?}");
    // Without delete-after-commit every file stays on disk: 1 create + 5 commits.
    assert_eq!(metadata_files(&last).len(), 6);
}

async fn delete_after_commit_removes_expired_metadata_files(app: TestApp) {
    let created = table(&app).await;
    let uuid = uuid(&created);
    let first = created["metadata-location"].as_str().unwrap().to_owned();
    set(
        &app,
        &uuid,
        &[
            ("write.metadata.previous-versions-max", "2"),
            ("write.metadata.delete-after-commit.enabled", "true"),
        ],
    )
    .await;
    let mut last = Value::Null;
    for i in 0..4 {
        last = set(&app, &uuid, &[("round", &i.to_string())]).await;
    }
    let log: Vec<String> = last["metadata"]["metadata-log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["metadata-file"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(log.len(), 2);
    let mut expected: Vec<_> = log.iter().map(|l| local_path(l)).collect();
    expected.push(local_path(last["metadata-location"].as_str().unwrap()));
    expected.sort();
    assert_eq!(
        metadata_files(&last),
        expected,
        "only the logged and current files remain"
    );
    assert!(
        !local_path(&first).exists(),
        "the first file left the log and was deleted"
    );
}

async fn delete_after_commit_keeps_files_another_branch_points_at(app: TestApp) {
    let created = table(&app).await;
    let uuid = uuid(&created);
    let props = [
        ("write.metadata.previous-versions-max", "1"),
        ("write.metadata.delete-after-commit.enabled", "true"),
    ];
    let pinned = set(&app, &uuid, &props).await;
    let pinned_location = pinned["metadata-location"].as_str().unwrap().to_owned();
    app.create_ref("pinned", pangolin_core::model::RefKind::Tag)
        .await;
    let mut last = Value::Null;
    for i in 0..3 {
        last = set(&app, &uuid, &[("round", &i.to_string())]).await;
    }
    let log = last["metadata"]["metadata-log"].as_array().unwrap();
    assert_eq!(log.len(), 1);
    assert!(
        local_path(&pinned_location).is_file(),
        "the tag still points at it"
    );
    assert!(
        !local_path(created["metadata-location"].as_str().unwrap()).exists(),
        "an expired file no reference holds is deleted"
    );
    // 1 logged + current + the tag's.
    assert_eq!(metadata_files(&last).len(), 3);
    let (status, _, on_tag) = app
        .get("/v1/default@pinned/namespaces/db/tables/t", None, &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(on_tag["metadata-location"], json!(pinned_location));
}
