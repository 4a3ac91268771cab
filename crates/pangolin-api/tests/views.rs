//! Iceberg views through the real router: create, load, list, exists, drop, rename, register,
//! and how views share their names with tables. Replaces are in `view_commits.rs`.

mod common;
mod view_support;

use axum::http::StatusCode;
use common::{Reply, TestApp, assert_error, backend_tests, catalog_uri, local_path, namespace_uri};
use futures::future::join_all;
use serde_json::{Value, json};
use view_support::*;

backend_tests!(
    create_writes_the_metadata_file_and_answers_a_load_view_result,
    load_returns_what_create_wrote,
    list_returns_only_views_and_paginates,
    exists_answers_204_or_404,
    drop_removes_the_view,
    rename_moves_a_view_across_namespaces,
    register_adopts_an_existing_metadata_file,
    views_and_tables_share_one_name_space,
    missing_namespaces_are_404,
    concurrent_creates_leave_one_view_and_no_stray_files,
);

async fn create_writes_the_metadata_file_and_answers_a_load_view_result(app: TestApp) {
    app.create_namespace(&["sales"]).await;
    let view = create_view(&app, &["sales"], "totals").await;
    let location = view["metadata-location"].as_str().unwrap();
    assert!(location.contains("/metadata/00000-"), "{location}");
    assert!(
        location.starts_with(&app.warehouse_location()),
        "{location}"
    );
    assert!(view["config"].is_object(), "{view}");
    let metadata = &view["metadata"];
    assert_eq!(metadata["format-version"], json!(1));
    assert_eq!(metadata["current-version-id"], json!(1));
    assert_eq!(current_sql(metadata), SQL_V1);
    assert_eq!(
        metadata["properties"]["comment"],
        json!("totals per category")
    );
    assert_eq!(metadata["schemas"][0]["fields"][1]["name"], json!("total"));
    let view_location = metadata["location"].as_str().unwrap();
    assert!(location.starts_with(&format!("{view_location}/metadata/")));
    let on_disk = std::fs::read(local_path(location)).expect("the metadata file exists");
    let on_disk: Value = serde_json::from_slice(&on_disk).unwrap();
    assert_eq!(on_disk, *metadata, "the answer is the file's content");
}

async fn load_returns_what_create_wrote(app: TestApp) {
    app.create_namespace(&["sales"]).await;
    let created = create_view(&app, &["sales"], "totals").await;
    let (status, _, loaded) = load_view(&app, &["sales"], "totals").await;
    assert_eq!(status, StatusCode::OK, "{loaded}");
    assert_eq!(loaded["metadata-location"], created["metadata-location"]);
    assert_eq!(loaded["metadata"], created["metadata"]);
    assert_eq!(
        loaded["metadata"]["versions"][0]["default-namespace"],
        json!(["sales"])
    );
}

async fn list_returns_only_views_and_paginates(app: TestApp) {
    app.create_namespace(&["sales"]).await;
    for name in ["c_view", "a_view", "b_view"] {
        create_view(&app, &["sales"], name).await;
    }
    app.create_table(&["sales"], "orders").await;
    let (status, _, all) = app.get(&views_uri(&["sales"]), None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let names: Vec<&str> = all["identifiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a_view", "b_view", "c_view"]);
    assert!(all.get("next-page-token").is_none(), "{all}");
    assert_eq!(all["identifiers"][0]["namespace"], json!(["sales"]));

    let first_uri = format!("{}?pageToken=&pageSize=2", views_uri(&["sales"]));
    let (_, _, first) = app.get(&first_uri, None, &[]).await;
    assert_eq!(first["identifiers"].as_array().unwrap().len(), 2, "{first}");
    let token = first["next-page-token"].as_str().expect("a next page");
    let next_uri = format!("{}?pageToken={token}&pageSize=2", views_uri(&["sales"]));
    let (_, _, second) = app.get(&next_uri, None, &[]).await;
    assert_eq!(
        second["identifiers"][0]["name"],
        json!("c_view"),
        "{second}"
    );
    assert_eq!(second["identifiers"].as_array().unwrap().len(), 1);

    let (_, _, tables) = app.get(&common::tables_uri(&["sales"]), None, &[]).await;
    assert_eq!(
        tables["identifiers"].as_array().unwrap().len(),
        1,
        "{tables}"
    );
}

async fn exists_answers_204_or_404(app: TestApp) {
    app.create_namespace(&["sales"]).await;
    create_view(&app, &["sales"], "totals").await;
    app.create_table(&["sales"], "orders").await;
    let (status, _, _) = app.head(&view_uri(&["sales"], "totals"), None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for missing in ["nope", "orders"] {
        let (status, _, _) = app.head(&view_uri(&["sales"], missing), None, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    }
}

async fn drop_removes_the_view(app: TestApp) {
    app.create_namespace(&["sales"]).await;
    create_view(&app, &["sales"], "totals").await;
    let (status, _, _) = app.delete(&view_uri(&["sales"], "totals"), None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let reply = load_view(&app, &["sales"], "totals").await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchViewException");
    let reply = app.delete(&view_uri(&["sales"], "totals"), None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchViewException");
    // The namespace is empty again, so it can be dropped.
    let (status, _, body) = app.delete(&namespace_uri(&["sales"]), None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

async fn rename_moves_a_view_across_namespaces(app: TestApp) {
    app.create_namespace(&["sales"]).await;
    app.create_namespace(&["reports"]).await;
    let created = create_view(&app, &["sales"], "totals").await;
    app.create_table(&["reports"], "orders").await;
    let rename = |from: (&str, &str), to: (&str, &str)| {
        json!({ "source": { "namespace": [from.0], "name": from.1 },
                "destination": { "namespace": [to.0], "name": to.1 } })
    };
    let uri = catalog_uri("views/rename");
    let body = rename(("sales", "totals"), ("reports", "daily"));
    let (status, _, reply) = app.post(&uri, Some(body), &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{reply}");
    let reply = load_view(&app, &["sales"], "totals").await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchViewException");
    let (status, _, moved) = load_view(&app, &["reports"], "daily").await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["metadata-location"], created["metadata-location"]);

    let onto_table = rename(("reports", "daily"), ("reports", "orders"));
    let reply = app.post(&uri, Some(onto_table), &[]).await;
    assert_error(&reply, StatusCode::CONFLICT, "AlreadyExistsException");
    let missing = rename(("sales", "totals"), ("reports", "other"));
    let reply = app.post(&uri, Some(missing), &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchViewException");
}

async fn register_adopts_an_existing_metadata_file(app: TestApp) {
    app.create_namespace(&["sales"]).await;
    let created = create_view(&app, &["sales"], "totals").await;
    let location = created["metadata-location"].as_str().unwrap();
    app.delete(&view_uri(&["sales"], "totals"), None, &[]).await;
    let uri = format!("{}/register-view", namespace_uri(&["sales"]));
    let body = json!({ "name": "restored", "metadata-location": location });
    let (status, _, registered) = app.post(&uri, Some(body.clone()), &[]).await;
    assert_eq!(status, StatusCode::OK, "{registered}");
    assert_eq!(registered["metadata-location"], json!(location));
    assert_eq!(registered["metadata"], created["metadata"]);
    let (status, _, loaded) = load_view(&app, &["sales"], "restored").await;
    assert_eq!(status, StatusCode::OK, "{loaded}");
    assert_eq!(uuid_of(&loaded), uuid_of(&created));

    let reply = app.post(&uri, Some(body), &[]).await;
    assert_error(&reply, StatusCode::CONFLICT, "AlreadyExistsException");
    let gone = format!(
        "{}/metadata/00009-nope.metadata.json",
        app.warehouse_location()
    );
    let body = json!({ "name": "ghost", "metadata-location": gone });
    let reply = app.post(&uri, Some(body), &[]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
}

async fn views_and_tables_share_one_name_space(app: TestApp) {
    app.create_namespace(&["sales"]).await;
    app.create_table(&["sales"], "orders").await;
    let before = metadata_files_of(&app);
    let reply = app
        .post(
            &views_uri(&["sales"]),
            Some(create_view_body("orders")),
            &[],
        )
        .await;
    assert_error(&reply, StatusCode::CONFLICT, "AlreadyExistsException");
    assert_eq!(
        metadata_files_of(&app),
        before,
        "nothing written for a refused create"
    );
    let reply = load_view(&app, &["sales"], "orders").await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchViewException");

    create_view(&app, &["sales"], "totals").await;
    let reply = app
        .get(&common::table_uri(&["sales"], "totals"), None, &[])
        .await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchTableException");
    let reply = app
        .post(
            &views_uri(&["sales"]),
            Some(create_view_body("totals")),
            &[],
        )
        .await;
    assert_error(&reply, StatusCode::CONFLICT, "AlreadyExistsException");
}

async fn missing_namespaces_are_404(app: TestApp) {
    let reply = app
        .post(&views_uri(&["nope"]), Some(create_view_body("v")), &[])
        .await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchNamespaceException");
    let reply = app.get(&views_uri(&["nope"]), None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchNamespaceException");
    let reply = load_view(&app, &["nope"], "v").await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchViewException");
}

/// Every create passes the existence check before any commits, so all but one write a file
/// and then lose the store's create-only put: their files must be gone again.
async fn concurrent_creates_leave_one_view_and_no_stray_files(app: TestApp) {
    app.create_namespace(&["sales"]).await;
    let uri = views_uri(&["sales"]);
    let replies =
        join_all((0..6).map(|_| app.post(&uri, Some(create_view_body("totals")), &[]))).await;
    let created: Vec<&Reply> = replies.iter().filter(|r| r.0 == StatusCode::OK).collect();
    assert_eq!(created.len(), 1, "exactly one create wins");
    for reply in replies.iter().filter(|r| r.0 != StatusCode::OK) {
        assert_error(reply, StatusCode::CONFLICT, "AlreadyExistsException");
    }
    let files = metadata_files_of(&app);
    assert_eq!(files.len(), 1, "{files:?}");
    let winner = created[0].2["metadata-location"].as_str().unwrap();
    assert_eq!(files[0], local_path(winner));
}
