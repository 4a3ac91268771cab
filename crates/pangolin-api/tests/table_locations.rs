//! Table locations through the router: no two tables share files (credentials are vended per
//! location), and dropping or expiring files never deletes what another reference still uses.

mod common;

use axum::http::StatusCode;
use common::{
    TestApp, assert_error, backend_tests, bodies, files_under, local_path, metadata_files,
    table_uri, tables_uri,
};
use pangolin_core::model::RefKind;
use serde_json::{Value, json};

backend_tests!(
    tables_cannot_share_or_nest_explicit_locations,
    sibling_prefixes_are_separate_locations,
    purge_waits_until_no_reference_holds_the_table_under_any_name,
    expired_metadata_another_branch_points_at_is_kept,
);

/// Creates `db.<name>` at `location` under the warehouse; returns the reply.
async fn create_at(app: &TestApp, name: &str, location: &str) -> common::Reply {
    let mut body = bodies::create_table(name);
    body["location"] = json!(format!("{}/{location}", app.warehouse_location()));
    app.post(&tables_uri(&["db"]), Some(body), &[]).await
}

fn table_location(table: &Value) -> String {
    table["metadata"]["location"].as_str().unwrap().to_owned()
}

async fn tables_cannot_share_or_nest_explicit_locations(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let (status, _, first) = create_at(&app, "first", "shared/orders").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let files_before = files_under(&table_location(&first));
    for (name, location) in [
        ("same", "shared/orders"),
        ("same_slash", "shared/orders/"),
        ("inside", "shared/orders/data"),
        ("around", "shared"),
    ] {
        let reply = create_at(&app, name, location).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
        let message = reply.2["error"]["message"].as_str().unwrap();
        assert!(message.contains("overlaps"), "{message}");
        assert!(
            !message.contains("first"),
            "names the other table: {message}"
        );
        let (status, _, _) = app.head(&table_uri(&["db"], name), None, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{name} was not created");
    }
    // A refused create leaves nothing behind in the other table's directory.
    assert_eq!(files_under(&table_location(&first)), files_before);
    let loaded = app.load_table(&["db"], "first").await;
    assert_eq!(loaded["metadata-location"], first["metadata-location"]);
}

async fn sibling_prefixes_are_separate_locations(app: TestApp) {
    app.create_namespace(&["db"]).await;
    for (name, location) in [("t", "lake/t"), ("t2", "lake/t2"), ("t_x", "lake/t_x")] {
        let (status, _, reply) = create_at(&app, name, location).await;
        assert_eq!(status, StatusCode::OK, "{name}: {reply}");
    }
    // Dropped without purge, a table's location is free again.
    let (status, _, _) = app.delete(&table_uri(&["db"], "t2"), None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, reply) = create_at(&app, "again", "lake/t2").await;
    assert_eq!(status, StatusCode::OK, "{reply}");
}

async fn purge_waits_until_no_reference_holds_the_table_under_any_name(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let created = app.create_table(&["db"], "t").await;
    let location = table_location(&created);
    app.create_ref("dev", RefKind::Branch).await;
    let rename = json!({
        "source": { "namespace": ["db"], "name": "t" },
        "destination": { "namespace": ["db"], "name": "t_on_dev" }
    });
    let (status, _, body) = app
        .post("/v1/default@dev/tables/rename", Some(rename), &[])
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let on_main = format!("{}?purgeRequested=true", table_uri(&["db"], "t"));
    assert_eq!(purge(&app, &on_main).await, StatusCode::NO_CONTENT);
    assert!(
        local_path(created["metadata-location"].as_str().unwrap()).is_file(),
        "dev still holds the table, renamed"
    );
    let on_dev = "/v1/default@dev/namespaces/db/tables/t_on_dev?purgeRequested=true";
    assert_eq!(purge(&app, on_dev).await, StatusCode::NO_CONTENT);
    assert!(
        files_under(&location).is_empty(),
        "no reference holds the table any more: {:?}",
        files_under(&location)
    );
}

async fn purge(app: &TestApp, uri: &str) -> StatusCode {
    app.delete(uri, None, &[]).await.0
}

async fn expired_metadata_another_branch_points_at_is_kept(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let created = app.create_table(&["db"], "t").await;
    let uuid = created["metadata"]["table-uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let props = [
        ("write.metadata.previous-versions-max", "1"),
        ("write.metadata.delete-after-commit.enabled", "true"),
    ];
    let (status, _, pinned) = app
        .commit(&["db"], "t", bodies::set_properties(&uuid, &props))
        .await;
    assert_eq!(status, StatusCode::OK, "{pinned}");
    let pinned_file = pinned["metadata-location"].as_str().unwrap().to_owned();
    app.create_ref("dev", RefKind::Branch).await;
    let mut last = Value::Null;
    for i in 0..3 {
        let round = i.to_string();
        let body = bodies::set_properties(&uuid, &[("round", &round)]);
        let (status, _, reply) = app.commit(&["db"], "t", body).await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        last = reply;
    }
    assert!(local_path(&pinned_file).is_file(), "dev points at it");
    assert!(
        !local_path(created["metadata-location"].as_str().unwrap()).exists(),
        "nothing points at the first file"
    );
    // The current file, the one in the log, and dev's.
    assert_eq!(
        metadata_files(&last).len(),
        3,
        "{:?}",
        metadata_files(&last)
    );
}
