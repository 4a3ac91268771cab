//! Dropping (and purging) and renaming tables.

mod common;

use axum::http::StatusCode;
use common::{
    TestApp, assert_error, backend_tests, catalog_uri, files_under, local_path, metadata_files,
    namespace_uri, table_uri, tables_uri,
};
use pangolin_core::model::RefKind;
use serde_json::{Value, json};

backend_tests!(
    drop_then_the_table_is_gone,
    drop_keeps_files_without_purge,
    purge_removes_only_the_dropped_tables_files,
    purge_keeps_files_another_branch_still_uses,
    a_bad_purge_flag_is_400,
    dropping_a_missing_table_is_404,
    rename_within_a_namespace,
    rename_across_namespaces,
    rename_onto_an_existing_table_is_409,
    rename_of_a_missing_table_is_404,
    rename_into_a_missing_namespace_is_404,
    malformed_rename_requests_are_400,
);

fn location(table: &Value) -> String {
    table["metadata"]["location"].as_str().unwrap().to_owned()
}

async fn drop_then_the_table_is_gone(app: TestApp) {
    app.create_namespace(&["db"]).await;
    app.create_table(&["db"], "t").await;
    let (status, _, body) = app.delete(&table_uri(&["db"], "t"), None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let reply = app.get(&table_uri(&["db"], "t"), None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchTableException");
    let (status, _, _) = app.head(&table_uri(&["db"], "t"), None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, list) = app.get(&tables_uri(&["db"]), None, &[]).await;
    assert_eq!(list["identifiers"], json!([]));
    // The name is free again, and the namespace can be dropped once empty.
    app.create_table(&["db"], "t").await;
    app.delete(&table_uri(&["db"], "t"), None, &[]).await;
    let (status, _, _) = app.delete(&namespace_uri(&["db"]), None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

async fn drop_keeps_files_without_purge(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let created = app.create_table(&["db"], "t").await;
    for query in ["", "?purgeRequested=false"] {
        let uri = format!("{}{query}", table_uri(&["db"], "t"));
        let (status, _, _) = app.delete(&uri, None, &[]).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{query}");
        assert_eq!(metadata_files(&created).len(), 1, "{query}: files kept");
        app.create_table(&["db"], "t").await;
    }
}

async fn purge_removes_only_the_dropped_tables_files(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let doomed = app.create_table(&["db"], "doomed").await;
    let sibling = app.create_table(&["db"], "sibling").await;
    let sibling_files = files_under(&location(&sibling));
    assert!(!sibling_files.is_empty());
    assert!(local_path(&location(&doomed)).is_dir());
    let uri = format!("{}?purgeRequested=true", table_uri(&["db"], "doomed"));
    let (status, _, body) = app.delete(&uri, None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(
        !local_path(&location(&doomed)).exists(),
        "the dropped table's directory is gone: {:?}",
        files_under(&location(&doomed))
    );
    assert_eq!(files_under(&location(&sibling)), sibling_files);
    let loaded = app.load_table(&["db"], "sibling").await;
    assert_eq!(loaded["metadata-location"], sibling["metadata-location"]);
}

async fn purge_keeps_files_another_branch_still_uses(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let created = app.create_table(&["db"], "t").await;
    app.create_ref("dev", RefKind::Branch).await;
    let uri = format!("{}?purgeRequested=true", table_uri(&["db"], "t"));
    let (status, _, _) = app.delete(&uri, None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        metadata_files(&created).len(),
        1,
        "dev still holds the table"
    );
    let (status, _, on_dev) = app
        .get("/v1/default@dev/namespaces/db/tables/t", None, &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{on_dev}");
    assert!(local_path(on_dev["metadata-location"].as_str().unwrap()).is_file());
}

async fn a_bad_purge_flag_is_400(app: TestApp) {
    app.create_namespace(&["db"]).await;
    app.create_table(&["db"], "t").await;
    let uri = format!("{}?purgeRequested=maybe", table_uri(&["db"], "t"));
    let reply = app.delete(&uri, None, &[]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    app.load_table(&["db"], "t").await;
}

async fn dropping_a_missing_table_is_404(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let reply = app.delete(&table_uri(&["db"], "missing"), None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchTableException");
    let reply = app
        .delete(&table_uri(&["no_ns"], "missing"), None, &[])
        .await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchTableException");
}

fn rename(from: (&[&str], &str), to: (&[&str], &str)) -> Value {
    json!({
        "source": { "namespace": from.0, "name": from.1 },
        "destination": { "namespace": to.0, "name": to.1 }
    })
}

async fn post_rename(app: &TestApp, body: Value) -> common::Reply {
    app.post(&catalog_uri("tables/rename"), Some(body), &[])
        .await
}

async fn rename_within_a_namespace(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let created = app.create_table(&["db"], "old").await;
    let (status, _, body) = post_rename(&app, rename((&["db"], "old"), (&["db"], "new"))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let reply = app.get(&table_uri(&["db"], "old"), None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchTableException");
    let renamed = app.load_table(&["db"], "new").await;
    assert_eq!(renamed["metadata-location"], created["metadata-location"]);
    assert_eq!(renamed["metadata"], created["metadata"]);
    let (_, _, list) = app.get(&tables_uri(&["db"]), None, &[]).await;
    assert_eq!(
        list["identifiers"],
        json!([{ "namespace": ["db"], "name": "new" }])
    );
}

async fn rename_across_namespaces(app: TestApp) {
    app.create_namespace(&["a"]).await;
    app.create_namespace(&["b"]).await;
    app.create_namespace(&["b", "c"]).await;
    let created = app.create_table(&["a"], "t").await;
    let (status, _, body) = post_rename(&app, rename((&["a"], "t"), (&["b", "c"], "moved"))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let moved = app.load_table(&["b", "c"], "moved").await;
    assert_eq!(
        moved["metadata"]["table-uuid"],
        created["metadata"]["table-uuid"]
    );
    let (_, _, list) = app.get(&tables_uri(&["a"]), None, &[]).await;
    assert_eq!(list["identifiers"], json!([]));
    // The renamed table still takes commits.
    let uuid = created["metadata"]["table-uuid"].as_str().unwrap();
    let (status, _, reply) = app
        .commit(
            &["b", "c"],
            "moved",
            common::bodies::set_properties(uuid, &[("k", "v")]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
}

async fn rename_onto_an_existing_table_is_409(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let a = app.create_table(&["db"], "a").await;
    let b = app.create_table(&["db"], "b").await;
    let reply = post_rename(&app, rename((&["db"], "a"), (&["db"], "b"))).await;
    assert_error(&reply, StatusCode::CONFLICT, "AlreadyExistsException");
    let loaded_a = app.load_table(&["db"], "a").await;
    let loaded_b = app.load_table(&["db"], "b").await;
    assert_eq!(loaded_a["metadata-location"], a["metadata-location"]);
    assert_eq!(loaded_b["metadata-location"], b["metadata-location"]);
}

async fn rename_of_a_missing_table_is_404(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let reply = post_rename(&app, rename((&["db"], "ghost"), (&["db"], "new"))).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchTableException");
    let (status, _, _) = app.head(&table_uri(&["db"], "new"), None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn rename_into_a_missing_namespace_is_404(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let created = app.create_table(&["db"], "t").await;
    let reply = post_rename(&app, rename((&["db"], "t"), (&["nowhere"], "t"))).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchNamespaceException");
    let loaded = app.load_table(&["db"], "t").await;
    assert_eq!(loaded["metadata-location"], created["metadata-location"]);
}

async fn malformed_rename_requests_are_400(app: TestApp) {
    app.create_namespace(&["db"]).await;
    app.create_table(&["db"], "t").await;
    let bodies = [
        json!({ "source": { "namespace": ["db"], "name": "t" } }),
        json!({ "source": { "namespace": ["db"], "name": "t" }, "destination": { "namespace": [], "name": "x" } }),
        json!({ "source": { "namespace": ["db"], "name": "t" }, "destination": { "namespace": ["db"], "name": "" } }),
        rename((&["db"], "t"), (&["db"], "t")),
    ];
    for body in bodies {
        let reply = post_rename(&app, body.clone()).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    app.load_table(&["db"], "t").await;
}
