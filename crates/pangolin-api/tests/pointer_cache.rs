//! Loads are served from the pointer cache (no store read) until a change is known: changes
//! through this server at once, changes by other servers when the store's feed announces them.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::{TestApp, backend_tests, table_uri};
use pangolin_core::model::{ContentKind, MAIN_BRANCH};
use pangolin_core::{CommitId, Name, TableIdent};
use pangolin_store::{Change, CommitRequest, Expected, StoreChange};

backend_tests!(
    another_servers_commit_shows_once_announced,
    this_servers_writes_are_visible_at_once,
);

/// What another server sharing the store would do: move `db.t` to a new metadata file.
async fn commit_elsewhere(app: &TestApp, current: &str) -> String {
    let ident = TableIdent::from_strs(&["db"], "t").unwrap();
    let main = Name::new(MAIN_BRANCH).unwrap();
    let content = app
        .store
        .load_content(app.catalog.id, &main, &ident, ContentKind::Table)
        .await
        .unwrap();
    let json = app
        .store
        .load_metadata(app.catalog.id, current)
        .await
        .unwrap();
    let moved = current.replace("/00000-", "/00001-");
    let request = CommitRequest {
        catalog_id: app.catalog.id,
        branch: main,
        commit_id: CommitId::generate(),
        expected_head: None,
        merge_parent: None,
        completes_merge: None,
        author: "elsewhere".into(),
        message: "another server".into(),
        created_at: pangolin_core::now(),
        changes: vec![Change::Put {
            ident,
            kind: ContentKind::Table,
            content_id: content.content_id,
            expected: Expected::At(current.to_owned()),
            metadata_location: moved.clone(),
            location: content.location,
            metadata: Some(Arc::clone(&json)),
        }],
        audit: vec![],
    };
    app.store.commit(&request).await.unwrap();
    moved
}

async fn another_servers_commit_shows_once_announced(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let first = app.create_table(&["db"], "t").await["metadata-location"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, headers, _) = app.get(&table_uri(&["db"], "t"), None, &[]).await;
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let moved = commit_elsewhere(&app, &first).await;
    let cached = app.load_table(&["db"], "t").await;
    assert_eq!(
        cached["metadata-location"],
        first.as_str(),
        "served from the cache, no store read"
    );
    let (status, _, _) = app
        .get(&table_uri(&["db"], "t"), None, &[("if-none-match", &etag)])
        .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    app.state
        .services()
        .apply_store_change(StoreChange::Catalog(app.catalog.id));
    assert_eq!(
        app.load_table(&["db"], "t").await["metadata-location"],
        moved.as_str()
    );
    let (status, _, _) = app
        .get(&table_uri(&["db"], "t"), None, &[("if-none-match", &etag)])
        .await;
    assert_eq!(status, StatusCode::OK, "the old ETag no longer matches");
}

async fn this_servers_writes_are_visible_at_once(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let created = app.create_table(&["db"], "t").await;
    app.load_table(&["db"], "t").await;
    let uuid = created["metadata"]["table-uuid"].as_str().unwrap();
    let (status, _, committed) = app
        .commit(
            &["db"],
            "t",
            common::bodies::set_properties(uuid, &[("k", "v")]),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let loaded = app.load_table(&["db"], "t").await;
    assert_eq!(loaded["metadata-location"], committed["metadata-location"]);
    let (status, _, _) = app.delete(&table_uri(&["db"], "t"), None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = app.get(&table_uri(&["db"], "t"), None, &[]).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a dropped table is not served from the cache"
    );
}
