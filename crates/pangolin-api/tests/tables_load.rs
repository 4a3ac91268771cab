//! Loading tables: ETags, conditional loads, `snapshots=all|refs`, existence checks.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, assert_error, backend_tests, bodies, table_uri};
use serde_json::{Value, json};

backend_tests!(
    etags_are_stable_and_differ_per_snapshots_mode,
    if_none_match_with_the_current_etag_is_304,
    if_none_match_with_a_stale_etag_is_200,
    snapshots_refs_returns_only_referenced_snapshots,
    an_unknown_snapshots_mode_is_400,
    loading_a_missing_table_is_404,
    head_tells_whether_a_table_exists,
    delegation_requests_are_tolerated_on_file_warehouses,
);

/// A table `db.t` with two appended snapshots (1, then 2 on `main`); returns its latest load.
async fn table_with_two_snapshots(app: &TestApp) -> Value {
    app.create_namespace(&["db"]).await;
    let created = app.create_table(&["db"], "t").await;
    let mut metadata = created["metadata"].clone();
    for id in [1, 2] {
        let (status, _, reply) = app
            .commit(&["db"], "t", bodies::append(&metadata, id))
            .await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        metadata = reply["metadata"].clone();
    }
    app.load_table(&["db"], "t").await
}

fn etag(headers: &axum::http::HeaderMap) -> String {
    headers
        .get("etag")
        .expect("an ETag")
        .to_str()
        .unwrap()
        .to_owned()
}

async fn etags_are_stable_and_differ_per_snapshots_mode(app: TestApp) {
    app.create_namespace(&["db"]).await;
    app.create_table(&["db"], "t").await;
    let uri = table_uri(&["db"], "t");
    let (_, h_default, _) = app.get(&uri, None, &[]).await;
    let (_, h_all, _) = app.get(&format!("{uri}?snapshots=all"), None, &[]).await;
    let (_, h_refs, _) = app.get(&format!("{uri}?snapshots=refs"), None, &[]).await;
    let (_, h_again, _) = app.get(&uri, None, &[]).await;
    assert_eq!(etag(&h_default), etag(&h_all), "all is the default");
    assert_eq!(etag(&h_default), etag(&h_again), "stable across loads");
    assert_ne!(etag(&h_all), etag(&h_refs));
    // Every commit changes it.
    let loaded = app.load_table(&["db"], "t").await;
    let uuid = loaded["metadata"]["table-uuid"].as_str().unwrap();
    let (status, _, _) = app
        .commit(&["db"], "t", bodies::set_properties(uuid, &[("k", "v")]))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, h_after, _) = app.get(&uri, None, &[]).await;
    assert_ne!(etag(&h_after), etag(&h_all));
}

async fn if_none_match_with_the_current_etag_is_304(app: TestApp) {
    app.create_namespace(&["db"]).await;
    app.create_table(&["db"], "t").await;
    let uri = table_uri(&["db"], "t");
    for mode in ["all", "refs"] {
        let uri = format!("{uri}?snapshots={mode}");
        let (status, headers, _) = app.get(&uri, None, &[]).await;
        assert_eq!(status, StatusCode::OK);
        let tag = etag(&headers);
        let (status, headers, body) = app
            .send_bytes(Method::GET, &uri, "", &[("if-none-match", &tag)])
            .await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{mode}");
        assert!(body.is_empty(), "304 has no body: {body:?}");
        assert_eq!(etag(&headers), tag);
        // A list of tags containing the current one matches too.
        let list = format!("\"other\", {tag}");
        let (status, _, _) = app
            .send_bytes(Method::GET, &uri, "", &[("if-none-match", &list)])
            .await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{mode}: {list}");
    }
}

async fn if_none_match_with_a_stale_etag_is_200(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let created = app.create_table(&["db"], "t").await;
    let uri = table_uri(&["db"], "t");
    let (_, headers, _) = app.get(&uri, None, &[]).await;
    let stale = etag(&headers);
    let uuid = created["metadata"]["table-uuid"].as_str().unwrap();
    let (_, _, committed) = app
        .commit(&["db"], "t", bodies::set_properties(uuid, &[("k", "v")]))
        .await;
    let (status, headers, body) = app.get(&uri, None, &[("if-none-match", &stale)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(etag(&headers), stale);
    assert_eq!(body["metadata-location"], committed["metadata-location"]);
    assert_eq!(body["metadata"]["properties"]["k"], json!("v"));
    // The tag of the other mode does not match either.
    let (_, refs_headers, _) = app.get(&format!("{uri}?snapshots=refs"), None, &[]).await;
    let refs_tag = etag(&refs_headers);
    let (status, _, _) = app.get(&uri, None, &[("if-none-match", &refs_tag)]).await;
    assert_eq!(status, StatusCode::OK);
}

fn snapshot_ids(metadata: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = metadata["snapshots"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|s| s["snapshot-id"].as_i64().unwrap())
                .collect()
        })
        .unwrap_or_default();
    ids.sort_unstable();
    ids
}

async fn snapshots_refs_returns_only_referenced_snapshots(app: TestApp) {
    let loaded = table_with_two_snapshots(&app).await;
    assert_eq!(snapshot_ids(&loaded["metadata"]), [1, 2]);
    let uri = table_uri(&["db"], "t");
    let (status, _, refs) = app.get(&format!("{uri}?snapshots=refs"), None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(snapshot_ids(&refs["metadata"]), [2], "only main's snapshot");
    assert_eq!(refs["metadata"]["current-snapshot-id"], json!(2));
    assert_eq!(refs["metadata-location"], loaded["metadata-location"]);
    // Everything else is unchanged.
    let mut without_snapshots = refs["metadata"].clone();
    let mut full = loaded["metadata"].clone();
    without_snapshots
        .as_object_mut()
        .unwrap()
        .remove("snapshots");
    full.as_object_mut().unwrap().remove("snapshots");
    assert_eq!(without_snapshots, full);
}

async fn an_unknown_snapshots_mode_is_400(app: TestApp) {
    app.create_namespace(&["db"]).await;
    app.create_table(&["db"], "t").await;
    let uri = format!("{}?snapshots=some", table_uri(&["db"], "t"));
    let reply = app.get(&uri, None, &[]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
}

async fn loading_a_missing_table_is_404(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let reply = app.get(&table_uri(&["db"], "missing"), None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchTableException");
    let reply = app.get(&table_uri(&["no_ns"], "missing"), None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchTableException");
}

async fn head_tells_whether_a_table_exists(app: TestApp) {
    app.create_namespace(&["db"]).await;
    app.create_table(&["db"], "t").await;
    for (name, expected) in [("t", StatusCode::NO_CONTENT), ("u", StatusCode::NOT_FOUND)] {
        let (status, _, body) = app
            .send_bytes(Method::HEAD, &table_uri(&["db"], name), "", &[])
            .await;
        assert_eq!(status, expected, "{name}");
        assert!(body.is_empty());
    }
    let (status, _, _) = app.head(&table_uri(&["other"], "t"), None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn delegation_requests_are_tolerated_on_file_warehouses(app: TestApp) {
    app.create_namespace(&["db"]).await;
    app.create_table(&["db"], "t").await;
    for mode in [
        "vended-credentials",
        "remote-signing",
        "vended-credentials,remote-signing",
    ] {
        let (status, _, body) = app
            .get(
                &table_uri(&["db"], "t"),
                None,
                &[("x-iceberg-access-delegation", mode)],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{mode}: {body}");
        assert!(body.get("storage-credentials").is_none(), "{body}");
        assert_eq!(body["config"], json!({}));
    }
}
