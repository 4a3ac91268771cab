//! Concurrent writers through the router: lost pointer races are re-based, requirement
//! conflicts are decided exactly once.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::{
    Reply, TestApp, assert_error, backend_tests, bodies, metadata_files, namespaces_uri, tables_uri,
};
use futures::future::join_all;
use serde_json::{Value, json};

backend_tests!(
    concurrent_property_commits_all_land,
    concurrent_appends_on_one_snapshot_have_one_winner,
    concurrent_creates_of_one_table_have_one_winner,
    concurrent_creates_of_one_namespace_have_one_winner,
    commits_to_different_tables_do_not_conflict,
);

const WRITERS: usize = 16;

/// Runs `WRITERS` requests built by `request(i)` at once, each on its own task.
async fn race<F, Fut>(app: &Arc<TestApp>, request: F) -> Vec<Reply>
where
    F: Fn(Arc<TestApp>, usize) -> Fut,
    Fut: Future<Output = Reply> + Send + 'static,
{
    let tasks = (0..WRITERS).map(|i| tokio::spawn(request(app.clone(), i)));
    join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("the request task"))
        .collect()
}

fn count(replies: &[Reply], status: StatusCode) -> usize {
    replies.iter().filter(|(s, _, _)| *s == status).count()
}

async fn concurrent_property_commits_all_land(app: TestApp) {
    let app = Arc::new(app);
    app.create_namespace(&["db"]).await;
    let created = app.create_table(&["db"], "t").await;
    let uuid = created["metadata"]["table-uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let replies = race(&app, |app, i| {
        let body = bodies::set_properties(&uuid, &[(&format!("writer-{i}"), "done")]);
        async move { app.commit(&["db"], "t", body).await }
    })
    .await;
    for (status, _, body) in &replies {
        assert_eq!(*status, StatusCode::OK, "{body}");
    }
    let loaded = app.load_table(&["db"], "t").await;
    let properties = loaded["metadata"]["properties"].as_object().unwrap();
    for i in 0..WRITERS {
        assert_eq!(
            properties.get(&format!("writer-{i}")),
            Some(&json!("done")),
            "{i}"
        );
    }
    // One file per commit; files of lost attempts are cleaned up.
    assert_eq!(metadata_files(&loaded).len(), 1 + WRITERS);
    let log = loaded["metadata"]["metadata-log"].as_array().unwrap();
    assert_eq!(log.len(), WRITERS);
}

async fn concurrent_appends_on_one_snapshot_have_one_winner(app: TestApp) {
    let app = Arc::new(app);
    app.create_namespace(&["db"]).await;
    let created = app.create_table(&["db"], "t").await;
    let (status, _, base) = app
        .commit(&["db"], "t", bodies::append(&created["metadata"], 1))
        .await;
    assert_eq!(status, StatusCode::OK, "{base}");
    let metadata = base["metadata"].clone();
    let replies = race(&app, |app, i| {
        let body = bodies::append(&metadata, 100 + i as i64);
        async move { app.commit(&["db"], "t", body).await }
    })
    .await;
    assert_eq!(count(&replies, StatusCode::OK), 1, "exactly one winner");
    for reply in replies.iter().filter(|(s, _, _)| *s != StatusCode::OK) {
        assert_error(reply, StatusCode::CONFLICT, "CommitFailedException");
    }
    let winner = replies
        .iter()
        .find(|(s, _, _)| *s == StatusCode::OK)
        .map(|(_, _, body)| body["metadata"]["current-snapshot-id"].clone())
        .unwrap();
    let loaded = app.load_table(&["db"], "t").await;
    assert_eq!(loaded["metadata"]["current-snapshot-id"], winner);
    assert_eq!(loaded["metadata"]["snapshots"].as_array().unwrap().len(), 2);
    // create + base + the winner; the losers left no files behind.
    assert_eq!(metadata_files(&loaded).len(), 3);
}

async fn concurrent_creates_of_one_table_have_one_winner(app: TestApp) {
    let app = Arc::new(app);
    app.create_namespace(&["db"]).await;
    let replies = race(&app, |app, _| async move {
        let body = bodies::create_table("contested");
        app.post(&tables_uri(&["db"]), Some(body), &[]).await
    })
    .await;
    assert_eq!(count(&replies, StatusCode::OK), 1);
    for reply in replies.iter().filter(|(s, _, _)| *s != StatusCode::OK) {
        assert_error(reply, StatusCode::CONFLICT, "AlreadyExistsException");
    }
    let winner: &Value = replies
        .iter()
        .find(|(s, _, _)| *s == StatusCode::OK)
        .map(|(_, _, body)| body)
        .unwrap();
    let loaded = app.load_table(&["db"], "contested").await;
    assert_eq!(loaded["metadata-location"], winner["metadata-location"]);
    let (_, _, list) = app.get(&tables_uri(&["db"]), None, &[]).await;
    assert_eq!(list["identifiers"].as_array().unwrap().len(), 1);
}

async fn concurrent_creates_of_one_namespace_have_one_winner(app: TestApp) {
    let app = Arc::new(app);
    let replies = race(&app, |app, i| async move {
        let body = json!({ "namespace": ["contested"], "properties": { "writer": i.to_string() } });
        app.post(&namespaces_uri(), Some(body), &[]).await
    })
    .await;
    assert_eq!(count(&replies, StatusCode::OK), 1);
    for reply in replies.iter().filter(|(s, _, _)| *s != StatusCode::OK) {
        assert_error(reply, StatusCode::CONFLICT, "AlreadyExistsException");
    }
    let (_, _, list) = app.get(&namespaces_uri(), None, &[]).await;
    assert_eq!(list["namespaces"], json!([["contested"]]));
}

async fn commits_to_different_tables_do_not_conflict(app: TestApp) {
    let app = Arc::new(app);
    app.create_namespace(&["db"]).await;
    let mut metadata = Vec::new();
    for i in 0..WRITERS {
        let created = app.create_table(&["db"], &format!("t{i}")).await;
        metadata.push(created["metadata"].clone());
    }
    let metadata = Arc::new(metadata);
    let replies = race(&app, |app, i| {
        let body = bodies::append(&metadata[i], 1);
        async move { app.commit(&["db"], &format!("t{i}"), body).await }
    })
    .await;
    for (status, _, body) in &replies {
        assert_eq!(*status, StatusCode::OK, "{body}");
    }
    for i in 0..WRITERS {
        let loaded = app.load_table(&["db"], &format!("t{i}")).await;
        assert_eq!(loaded["metadata"]["current-snapshot-id"], json!(1));
    }
}
