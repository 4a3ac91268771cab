//! Branches, tags, the commit log, diffs and version addressing through the real router.

mod branching;
mod common;

use axum::http::StatusCode;
use branching::*;
use common::{TestApp, assert_error, backend_tests};
use serde_json::json;

backend_tests!(
    branch_writes_stay_off_main,
    tags_are_read_only_snapshots,
    main_cannot_be_deleted_and_refs_delete_cleanly,
    the_log_is_newest_first_and_filters_by_table,
    diff_names_what_changed_between_refs,
    commits_and_times_address_old_versions_read_only,
    namespace_segments_address_branches,
    partial_branches_carry_only_their_tables,
    bad_reference_requests_are_clear_errors,
    commits_carry_the_callers_message,
);

async fn branch_writes_stay_off_main(app: TestApp) {
    seeded(&app).await;
    let main_before = location(&load(&app, "default", "t1").await).to_owned();
    let dev = create_branch(&app, json!({ "name": "dev", "kind": "ingest" })).await;
    assert_eq!(dev["type"], "branch");
    assert_eq!(dev["branch-kind"], "ingest");
    assert_eq!(dev["base"], "main");
    let on_dev = set_prop(&app, "default@dev", "t1", "k", "dev").await;
    assert_eq!(
        location(&load(&app, "default", "t1").await),
        main_before,
        "main unchanged"
    );
    assert_eq!(location(&load(&app, "default@dev", "t1").await), on_dev);
    let (_, _, branches) = app.get(&api("branches"), None, &[]).await;
    let names: Vec<&str> = branches["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["dev", "main"]);
    let (_, _, got) = app.get(&api("branches/dev"), None, &[]).await;
    let (_, _, log) = app.get(&api("refs/dev/commits"), None, &[]).await;
    assert_eq!(
        got["head"], log["commits"][0]["id"],
        "the branch head is its newest commit"
    );
}

async fn tags_are_read_only_snapshots(app: TestApp) {
    seeded(&app).await;
    let before = location(&load(&app, "default", "t1").await).to_owned();
    let tag = create_tag(&app, "v1").await;
    assert_eq!(tag["type"], "tag");
    set_prop(&app, "default", "t1", "k", "later").await;
    assert_eq!(
        location(&load(&app, "default@v1", "t1").await),
        before,
        "the tag keeps the old version"
    );
    let uuid = load(&app, "default@v1", "t1").await["metadata"]["table-uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = common::bodies::set_properties(&uuid, &[("x", "y")]);
    let reply = app
        .post(&table_at("default@v1", "t1"), Some(body), &[])
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    let reply = app
        .post(&api("tags"), Some(json!({ "name": "v1" })), &[])
        .await;
    assert_error(&reply, StatusCode::CONFLICT, "AlreadyExistsException");
    let (status, _, _) = app.get(&api("branches/v1"), None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a tag is not a branch");
}

async fn main_cannot_be_deleted_and_refs_delete_cleanly(app: TestApp) {
    seeded(&app).await;
    let reply = app.delete(&api("branches/main"), None, &[]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    create_branch(&app, json!({ "name": "tmp" })).await;
    create_tag(&app, "t").await;
    let (status, _, _) = app.delete(&api("tags/tmp"), None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "tmp is a branch, not a tag");
    assert_eq!(
        app.delete(&api("branches/tmp"), None, &[]).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&api("tags/t"), None, &[]).await.0,
        StatusCode::NO_CONTENT
    );
    let reply = app.get(&table_at("default@tmp", "t1"), None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchReferenceException");
}

async fn the_log_is_newest_first_and_filters_by_table(app: TestApp) {
    seeded(&app).await;
    set_prop(&app, "default", "t1", "a", "1").await;
    set_prop(&app, "default", "t2", "b", "2").await;
    set_prop(&app, "default", "t1", "c", "3").await;
    let (_, _, all) = app.get(&api("refs/main/commits"), None, &[]).await;
    let messages: Vec<&str> = all["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages.len(),
        6,
        "root, 2 creates, 3 commits: {messages:?}"
    );
    assert_eq!(messages[0], "commit db.t1");
    assert_eq!(messages[5], "create catalog");
    let (_, _, t1) = app
        .get(
            &api("refs/main/commits?namespace=db&table=t1&pageToken=&pageSize=1"),
            None,
            &[],
        )
        .await;
    assert_eq!(t1["commits"].as_array().unwrap().len(), 1);
    let token = t1["next-page-token"].as_str().expect("more t1 commits");
    let uri = api(&format!(
        "refs/main/commits?namespace=db&table=t1&pageToken={token}&pageSize=5"
    ));
    let (_, _, rest) = app.get(&uri, None, &[]).await;
    assert_eq!(
        rest["commits"].as_array().unwrap().len(),
        2,
        "the other commit and the create: {rest}"
    );
    assert!(rest.get("next-page-token").is_none());
    let commit_id = all["commits"][0]["id"].as_str().unwrap();
    let (status, _, commit) = app
        .get(&api(&format!("commits/{commit_id}")), None, &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(commit["operations"][0]["ident"]["name"], "t1");
}

async fn diff_names_what_changed_between_refs(app: TestApp) {
    seeded(&app).await;
    create_branch(&app, json!({ "name": "dev" })).await;
    let new_location = set_prop(&app, "default@dev", "t1", "k", "v").await;
    let (status, _, diff) = app.get(&api("diff?from=main&to=dev"), None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{diff}");
    let tables = diff["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 1, "{diff}");
    assert_eq!(tables[0]["change"], "changed");
    assert_eq!(tables[0]["to"]["metadata-location"], new_location.as_str());
    let (_, _, same) = app.get(&api("diff?from=main&to=main"), None, &[]).await;
    assert_eq!(same["tables"], json!([]));
}

async fn commits_and_times_address_old_versions_read_only(app: TestApp) {
    seeded(&app).await;
    let first = location(&load(&app, "default", "t1").await).to_owned();
    let (_, _, log) = app.get(&api("refs/main/commits"), None, &[]).await;
    let old_commit = log["commits"][0]["id"].as_str().unwrap().to_owned();
    let old_time = log["commits"][0]["created-at"].as_str().unwrap().to_owned();
    set_prop(&app, "default", "t1", "k", "v").await;
    let at_commit = load(&app, "default", &format!("t1%23{old_commit}")).await;
    assert_eq!(location(&at_commit), first);
    let at_time = load(
        &app,
        "default",
        &format!("t1%23{}", old_time.replace('+', "%2B")),
    )
    .await;
    assert_eq!(location(&at_time), first);
    let uuid = at_commit["metadata"]["table-uuid"].as_str().unwrap();
    let body = common::bodies::set_properties(uuid, &[("x", "y")]);
    let reply = app
        .post(
            &table_at("default", &format!("t1%23{old_commit}")),
            Some(body),
            &[],
        )
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    let reply = app
        .get(&table_at("default", "t1%231999-01-01T00:00:00Z"), None, &[])
        .await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchCommitException");
}

async fn namespace_segments_address_branches(app: TestApp) {
    seeded(&app).await;
    create_branch(&app, json!({ "name": "dev" })).await;
    let (status, _, _) = app.delete(&table_at("default@dev", "t2"), None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, on_dev) = app
        .get("/v1/default/namespaces/db@dev/tables", None, &[])
        .await;
    assert_eq!(
        on_dev["identifiers"].as_array().unwrap().len(),
        1,
        "{on_dev}"
    );
    let (_, _, on_main) = app.get("/v1/default/namespaces/db/tables", None, &[]).await;
    assert_eq!(on_main["identifiers"].as_array().unwrap().len(), 2);
    let reply = app
        .get("/v1/default@dev/namespaces/db@main/tables", None, &[])
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
}

async fn partial_branches_carry_only_their_tables(app: TestApp) {
    seeded(&app).await;
    let body = json!({ "name": "only-t1", "tables": [table_ref("t1")] });
    let branch = create_branch(&app, body).await;
    assert_eq!(branch["tables"], json!([table_ref("t1")]));
    load(&app, "default@only-t1", "t1").await;
    let reply = app.get(&table_at("default@only-t1", "t2"), None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchTableException");
    let missing = json!({ "name": "bad", "tables": [table_ref("nope")] });
    let reply = app.post(&api("branches"), Some(missing), &[]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
}

async fn bad_reference_requests_are_clear_errors(app: TestApp) {
    seeded(&app).await;
    let reply = app
        .post(
            &api("branches"),
            Some(json!({ "name": "x", "from-ref": "nope" })),
            &[],
        )
        .await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchReferenceException");
    create_branch(&app, json!({ "name": "x" })).await;
    let reply = app
        .post(&api("branches"), Some(json!({ "name": "x" })), &[])
        .await;
    assert_error(&reply, StatusCode::CONFLICT, "AlreadyExistsException");
    let reply = app
        .post(&api("branches"), Some(json!({ "name": "a@b" })), &[])
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    let reply = app
        .post(
            &api("branches"),
            Some(json!({ "name": "y", "from-ref": "main", "from-commit": "x" })),
            &[],
        )
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    let reply = app.get("/api/v1/catalogs/nope/branches", None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchWarehouseException");
    let reply = app.get(&api("diff?from=main"), None, &[]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
}

async fn commits_carry_the_callers_message(app: TestApp) {
    seeded(&app).await;
    let uuid = load(&app, "default", "t1").await["metadata"]["table-uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = common::bodies::set_properties(&uuid, &[("k", "v")]);
    let headers = [("pangolin-commit-message", "nightly compaction of t1")];
    let (status, _, _) = app
        .post(&table_at("default", "t1"), Some(body), &headers)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, log) = app
        .get(&api("refs/main/commits?pageToken=&pageSize=1"), None, &[])
        .await;
    let newest = &log["commits"][0];
    assert_eq!(newest["message"], "nightly compaction of t1");
    assert_eq!(newest["author"], "anonymous");
    assert_eq!(newest["operations"][0]["op"], "put");
    assert!(newest["created-at"].as_str().is_some());
}
