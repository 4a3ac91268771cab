//! Replacing Iceberg views through the real router: new versions, requirements, malformed
//! requests, and replaces racing on one view.

mod common;
mod view_support;

use axum::http::StatusCode;
use common::{TestApp, assert_error, backend_tests, local_path};
use futures::future::join_all;
use serde_json::{Value, json};
use view_support::*;

backend_tests!(
    replace_adds_a_version_and_makes_it_current,
    replace_with_a_wrong_uuid_is_409_and_changes_nothing,
    bad_bodies_are_400_in_the_envelope,
    concurrent_replaces_all_land_and_leave_no_stray_files,
);

async fn replace_adds_a_version_and_makes_it_current(app: TestApp) {
    app.create_namespace(&["sales"]).await;
    let created = create_view(&app, &["sales"], "totals").await;
    let body = replace_body(&uuid_of(&created), SQL_V2);
    let (status, _, replaced) = app
        .post(&view_uri(&["sales"], "totals"), Some(body), &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    let location = replaced["metadata-location"].as_str().unwrap();
    assert!(location.contains("/metadata/00001-"), "{location}");

    let (_, _, loaded) = load_view(&app, &["sales"], "totals").await;
    assert_eq!(loaded["metadata-location"], json!(location));
    let metadata = &loaded["metadata"];
    assert_eq!(metadata["current-version-id"], json!(2));
    assert_eq!(current_sql(metadata), SQL_V2);
    let ids: Vec<i64> = metadata["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version-id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&1) && ids.contains(&2), "{ids:?}");
    assert_eq!(metadata["version-log"].as_array().unwrap().len(), 2);
    assert_eq!(metadata["schemas"].as_array().unwrap().len(), 2);
    assert_eq!(
        metadata["properties"]["comment"],
        json!("with order counts")
    );
    assert_eq!(metadata["view-uuid"], created["metadata"]["view-uuid"]);
    let first_file = local_path(created["metadata-location"].as_str().unwrap());
    assert!(first_file.exists(), "earlier versions stay on disk");
}

async fn replace_with_a_wrong_uuid_is_409_and_changes_nothing(app: TestApp) {
    app.create_namespace(&["sales"]).await;
    let created = create_view(&app, &["sales"], "totals").await;
    let before = metadata_files_of(&app);
    let body = replace_body("00000000-0000-0000-0000-000000000001", SQL_V2);
    let reply = app
        .post(&view_uri(&["sales"], "totals"), Some(body), &[])
        .await;
    assert_error(&reply, StatusCode::CONFLICT, "CommitFailedException");
    assert_eq!(
        metadata_files_of(&app),
        before,
        "no file for a refused replace"
    );
    let (_, _, loaded) = load_view(&app, &["sales"], "totals").await;
    assert_eq!(loaded["metadata-location"], created["metadata-location"]);

    let body = replace_body(&uuid_of(&created), SQL_V2);
    let reply = app
        .post(&view_uri(&["sales"], "nope"), Some(body), &[])
        .await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchViewException");
}

async fn bad_bodies_are_400_in_the_envelope(app: TestApp) {
    app.create_namespace(&["sales"]).await;
    let created = create_view(&app, &["sales"], "totals").await;
    let view = view_uri(&["sales"], "totals");
    let mut no_version = create_view_body("v2");
    no_version.as_object_mut().unwrap().remove("view-version");
    let mut outside = create_view_body("v3");
    outside["location"] = json!("file:///somewhere/else/v3");
    let uuid = uuid_of(&created);
    let outside_location = json!({ "action": "set-location", "location": "file:///outside" });
    let bad_requests = [
        (views_uri(&["sales"]), json!("not an object")),
        (views_uri(&["sales"]), no_version),
        (views_uri(&["sales"]), outside),
        (
            view.clone(),
            json!({ "updates": [{ "action": "add-snapshot", "snapshot": {} }] }),
        ),
        (
            view.clone(),
            json!({ "requirements": [{ "type": "assert-create" }], "updates": [] }),
        ),
        (
            view.clone(),
            json!({ "updates": [{ "action": "set-current-view-version", "view-version-id": 7 }] }),
        ),
        (
            view.clone(),
            json!({ "updates": [{ "action": "assign-uuid", "uuid": "00000000-0000-0000-0000-000000000002" }] }),
        ),
        (
            view.clone(),
            json!({ "identifier": { "namespace": ["sales"], "name": "other" }, "updates": [] }),
        ),
        (
            view.clone(),
            with_update(replace_body(&uuid, SQL_V2), outside_location),
        ),
    ];
    for (uri, body) in bad_requests {
        let reply = app.post(&uri, Some(body.clone()), &[]).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    let (status, _, raw) = app
        .send_bytes(axum::http::Method::POST, &view, "{not json", &[])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{raw:?}");
    let (_, _, loaded) = load_view(&app, &["sales"], "totals").await;
    assert_eq!(loaded["metadata-location"], created["metadata-location"]);
}

/// Replaces racing on one view all land (losers re-read and retry); every lost attempt's file
/// is deleted, so the files on disk are exactly the versions in the log.
async fn concurrent_replaces_all_land_and_leave_no_stray_files(app: TestApp) {
    app.create_namespace(&["sales"]).await;
    let created = create_view(&app, &["sales"], "totals").await;
    let uuid = uuid_of(&created);
    let uri = view_uri(&["sales"], "totals");
    let bodies: Vec<Value> = (0..5)
        .map(|i| replace_body(&uuid, &format!("{SQL_V2} LIMIT {i}")))
        .collect();
    let replies = join_all(bodies.into_iter().map(|b| app.post(&uri, Some(b), &[]))).await;
    for (status, _, body) in &replies {
        assert_eq!(*status, StatusCode::OK, "{body}");
    }
    let (_, _, loaded) = load_view(&app, &["sales"], "totals").await;
    assert_eq!(loaded["metadata"]["versions"].as_array().unwrap().len(), 6);
    assert_eq!(
        metadata_files_of(&app).len(),
        6,
        "one file per version, no strays"
    );
}
