//! Prefixes with a reference: `default@tag` is read-only, `default@branch` is writable and
//! isolated from `main`.

mod common;

use axum::http::StatusCode;
use common::{TestApp, assert_error, backend_tests, bodies, table_uri};
use pangolin_core::model::RefKind;
use serde_json::{Value, json};

backend_tests!(
    reads_through_a_tag_see_the_tagged_state,
    writes_through_a_tag_are_400,
    a_branch_takes_writes_without_touching_main,
    an_unknown_reference_is_404,
);

const TAG: &str = "/v1/default@sometag";

/// `db.t` with one commit, tagged `sometag`; `main` then moves on. Returns the tagged load.
async fn tagged_table(app: &TestApp) -> Value {
    app.create_namespace(&["db"]).await;
    let created = app.create_table(&["db"], "t").await;
    let (status, _, _) = app
        .commit(&["db"], "t", bodies::append(&created["metadata"], 1))
        .await;
    assert_eq!(status, StatusCode::OK);
    let tagged = app.load_table(&["db"], "t").await;
    app.create_ref("sometag", RefKind::Tag).await;
    let (status, _, _) = app
        .commit(&["db"], "t", bodies::append(&tagged["metadata"], 2))
        .await;
    assert_eq!(status, StatusCode::OK);
    tagged
}

async fn reads_through_a_tag_see_the_tagged_state(app: TestApp) {
    let tagged = tagged_table(&app).await;
    let (status, _, config) = app
        .get("/v1/config?warehouse=default@sometag", None, &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{config}");
    assert_eq!(config["overrides"]["prefix"], json!("default@sometag"));
    let (status, _, loaded) = app
        .get(&format!("{TAG}/namespaces/db/tables/t"), None, &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{loaded}");
    assert_eq!(loaded["metadata-location"], tagged["metadata-location"]);
    assert_eq!(loaded["metadata"]["current-snapshot-id"], json!(1));
    let on_main = app.load_table(&["db"], "t").await;
    assert_eq!(on_main["metadata"]["current-snapshot-id"], json!(2));
    let (status, _, _) = app
        .head(&format!("{TAG}/namespaces/db/tables/t"), None, &[])
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, namespaces) = app.get(&format!("{TAG}/namespaces"), None, &[]).await;
    assert_eq!(namespaces["namespaces"], json!([["db"]]));
    let (_, _, namespace) = app.get(&format!("{TAG}/namespaces/db"), None, &[]).await;
    assert_eq!(namespace["namespace"], json!(["db"]));
    let (_, _, tables) = app
        .get(&format!("{TAG}/namespaces/db/tables"), None, &[])
        .await;
    assert_eq!(
        tables["identifiers"],
        json!([{ "namespace": ["db"], "name": "t" }])
    );
}

async fn writes_through_a_tag_are_400(app: TestApp) {
    let tagged = tagged_table(&app).await;
    let uuid = tagged["metadata"]["table-uuid"].as_str().unwrap();
    let table = format!("{TAG}/namespaces/db/tables/t");
    let commit = bodies::set_properties(uuid, &[("k", "v")]);
    let writes: Vec<(&str, String, Option<Value>)> = vec![
        (
            "POST",
            format!("{TAG}/namespaces"),
            Some(json!({ "namespace": ["new"] })),
        ),
        (
            "POST",
            format!("{TAG}/namespaces/db/properties"),
            Some(json!({ "updates": { "k": "v" } })),
        ),
        ("DELETE", format!("{TAG}/namespaces/db"), None),
        (
            "POST",
            format!("{TAG}/namespaces/db/tables"),
            Some(bodies::create_table("u")),
        ),
        (
            "POST",
            format!("{TAG}/namespaces/db/tables"),
            Some(bodies::stage_create_table("u")),
        ),
        ("POST", table.clone(), Some(commit.clone())),
        ("DELETE", table.clone(), None),
        ("DELETE", format!("{table}?purgeRequested=true"), None),
        (
            "POST",
            format!("{TAG}/tables/rename"),
            Some(json!({
                "source": { "namespace": ["db"], "name": "t" },
                "destination": { "namespace": ["db"], "name": "u" }
            })),
        ),
        (
            "POST",
            format!("{TAG}/transactions/commit"),
            Some(json!({ "table-changes": [bodies::with_identifier(&["db"], "t", commit)] })),
        ),
        (
            "POST",
            format!("{TAG}/namespaces/db/register"),
            Some(json!({ "name": "u", "metadata-location": tagged["metadata-location"] })),
        ),
    ];
    for (method, uri, body) in writes {
        let method = axum::http::Method::from_bytes(method.as_bytes()).unwrap();
        let reply = app.send(method.clone(), &uri, body, &[]).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
        let message = reply.2["error"]["message"].as_str().unwrap();
        assert!(message.contains("read-only"), "{method} {uri}: {message}");
    }
    // Nothing changed, through the tag or on main.
    let (_, _, loaded) = app.get(&table, None, &[]).await;
    assert_eq!(loaded["metadata-location"], tagged["metadata-location"]);
    let (status, _, _) = app.head(&table_uri(&["db"], "u"), None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let on_main = app.load_table(&["db"], "t").await;
    assert!(on_main["metadata"]["properties"].get("k").is_none());
}

async fn a_branch_takes_writes_without_touching_main(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let created = app.create_table(&["db"], "t").await;
    app.create_ref("dev", RefKind::Branch).await;
    let on_dev = "/v1/default@dev/namespaces/db/tables/t";
    let (status, _, reply) = app
        .post(on_dev, Some(bodies::append(&created["metadata"], 9)), &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let (_, _, dev) = app.get(on_dev, None, &[]).await;
    assert_eq!(dev["metadata"]["current-snapshot-id"], json!(9));
    let main = app.load_table(&["db"], "t").await;
    assert_eq!(main["metadata-location"], created["metadata-location"]);
    // A table created on the branch does not exist on main.
    let (status, _, _) = app
        .post(
            "/v1/default@dev/namespaces/db/tables",
            Some(bodies::create_table("only_dev")),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = app.head(&table_uri(&["db"], "only_dev"), None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn an_unknown_reference_is_404(app: TestApp) {
    app.create_namespace(&["db"]).await;
    for uri in [
        "/v1/config?warehouse=default@nope",
        "/v1/default@nope/namespaces/db/tables",
        "/v1/default@nope/namespaces/db/tables/t",
    ] {
        let reply = app.get(uri, None, &[]).await;
        assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchReferenceException");
    }
}
