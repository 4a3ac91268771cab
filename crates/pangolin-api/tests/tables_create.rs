//! Creating tables (immediate and staged) and listing them.

mod common;

use axum::http::{Method, StatusCode};
use common::{
    TestApp, assert_error, backend_tests, bodies, catalog_uri, local_path, metadata_files,
    table_uri, tables_uri,
};
use serde_json::{Value, json};

backend_tests!(
    create_returns_the_full_load_result,
    create_honours_partition_spec_sort_order_and_properties,
    format_version_is_taken_from_properties,
    explicit_location_inside_the_warehouse_is_used,
    location_outside_the_warehouse_is_400,
    create_in_a_missing_namespace_is_404,
    duplicate_create_is_409,
    malformed_create_requests_are_400,
    list_tables_all_and_paginated,
    listing_tables_of_a_missing_namespace_is_404,
    staged_create_commits_through_the_table_route,
    staged_create_commits_through_a_transaction,
    committing_a_create_twice_is_409,
);

async fn create_returns_the_full_load_result(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let (status, headers, body) = app
        .post(
            &tables_uri(&["db"]),
            Some(bodies::create_table("orders")),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let location = body["metadata-location"]
        .as_str()
        .expect("metadata-location");
    assert!(body.get("metadata_location").is_none(), "kebab-case only");
    assert!(location.ends_with(".metadata.json"), "{location}");
    assert!(
        location.starts_with(&format!("{}/", app.warehouse_location())),
        "{location}"
    );
    assert!(
        local_path(location).is_file(),
        "the metadata file is written"
    );
    let etag = headers.get("etag").expect("an ETag").to_str().unwrap();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert!(body["config"].is_object(), "{body}");
    let metadata = &body["metadata"];
    assert_eq!(metadata["format-version"], json!(2));
    assert!(metadata["table-uuid"].is_string());
    assert_eq!(metadata_files(&body).len(), 1);
    // A load returns the same table.
    let loaded = app.load_table(&["db"], "orders").await;
    assert_eq!(loaded["metadata-location"], body["metadata-location"]);
    assert_eq!(loaded["metadata"], body["metadata"]);
}

async fn create_honours_partition_spec_sort_order_and_properties(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let body = app.create_table(&["db"], "events").await;
    let m = &body["metadata"];
    let fields = m["schemas"][0]["fields"].as_array().unwrap();
    let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["id", "category", "ts", "amount", "tags"]);
    assert_eq!(fields[3]["type"], json!("decimal(10, 2)"));
    assert_eq!(m["last-column-id"], json!(6));
    let spec = m["partition-specs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["spec-id"] == m["default-spec-id"])
        .expect("the default spec");
    let transforms: Vec<(&str, &str)> = spec["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap(),
                f["transform"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        transforms,
        [
            ("category", "identity"),
            ("id_bucket", "bucket[16]"),
            ("ts_day", "day")
        ]
    );
    let order = m["sort-orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["order-id"] == m["default-sort-order-id"])
        .expect("the default sort order");
    assert_ne!(m["default-sort-order-id"], json!(0), "not unsorted");
    assert_eq!(order["fields"][0]["direction"], json!("desc"));
    assert_eq!(order["fields"][0]["null-order"], json!("nulls-last"));
    assert_eq!(m["properties"]["owner"], json!("router-tests"));
}

async fn format_version_is_taken_from_properties(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let mut body = bodies::create_table("v1");
    body["properties"]["format-version"] = json!("1");
    let created = app.create_table_with(&["db"], body).await;
    assert_eq!(created["metadata"]["format-version"], json!(1));
    assert!(
        created["metadata"]["properties"]
            .get("format-version")
            .is_none()
    );
    let mut body = bodies::create_table("v9");
    body["properties"]["format-version"] = json!("9");
    let reply = app.post(&tables_uri(&["db"]), Some(body), &[]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
}

async fn explicit_location_inside_the_warehouse_is_used(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let wanted = format!("{}/custom/place/orders", app.warehouse_location());
    let mut body = bodies::create_table("orders");
    body["location"] = json!(format!("{wanted}/"));
    let created = app.create_table_with(&["db"], body).await;
    assert_eq!(created["metadata"]["location"], json!(wanted));
    let metadata_location = created["metadata-location"].as_str().unwrap();
    assert!(
        metadata_location.starts_with(&format!("{wanted}/metadata/")),
        "{metadata_location}"
    );
    assert!(local_path(metadata_location).is_file());
}

async fn location_outside_the_warehouse_is_400(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let outside = app.dir.path().join("elsewhere");
    for location in [
        format!("file://{}", outside.display()),
        "s3://other-bucket/t".to_owned(),
        app.warehouse_location(),
        format!("{}/../escape", app.warehouse_location()),
    ] {
        let mut body = bodies::create_table("orders");
        body["location"] = json!(location);
        let reply = app.post(&tables_uri(&["db"]), Some(body), &[]).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    assert!(!outside.exists(), "nothing written outside the warehouse");
    let (status, _, _) = app.head(&table_uri(&["db"], "orders"), None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn create_in_a_missing_namespace_is_404(app: TestApp) {
    let reply = app
        .post(&tables_uri(&["nope"]), Some(bodies::create_table("t")), &[])
        .await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchNamespaceException");
}

async fn duplicate_create_is_409(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let first = app.create_table(&["db"], "t").await;
    let reply = app
        .post(&tables_uri(&["db"]), Some(bodies::create_table("t")), &[])
        .await;
    assert_error(&reply, StatusCode::CONFLICT, "AlreadyExistsException");
    let loaded = app.load_table(&["db"], "t").await;
    assert_eq!(loaded["metadata-location"], first["metadata-location"]);
    assert_eq!(metadata_files(&loaded).len(), 1);
}

async fn malformed_create_requests_are_400(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let mut no_schema = bodies::create_table("t");
    no_schema.as_object_mut().unwrap().remove("schema");
    let mut bad_type = bodies::create_table("t");
    bad_type["schema"]["fields"][0]["type"] = json!("no-such-type");
    let mut bad_spec = bodies::create_table("t");
    bad_spec["partition-spec"]["fields"][0]["source-id"] = json!(99);
    for body in [no_schema, bad_type, bad_spec, json!([])] {
        let reply = app
            .post(&tables_uri(&["db"]), Some(body.clone()), &[])
            .await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    let (status, _, _) = app
        .send_bytes(Method::POST, &tables_uri(&["db"]), "{\"name\": ", &[])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, _, list) = app.get(&tables_uri(&["db"]), None, &[]).await;
    assert_eq!(list["identifiers"], json!([]));
}

async fn list_tables_all_and_paginated(app: TestApp) {
    app.create_namespace(&["db"]).await;
    app.create_namespace(&["other"]).await;
    app.create_table(&["other"], "elsewhere").await;
    let mut expected = Vec::new();
    for i in 0..5 {
        let name = format!("t{i}");
        app.create_table(&["db"], &name).await;
        expected.push(json!({ "namespace": ["db"], "name": name }));
    }
    let (status, _, all) = app.get(&tables_uri(&["db"]), None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["identifiers"], Value::Array(expected.clone()));
    assert!(all.get("next-page-token").is_none(), "{all}");
    let mut seen = Vec::new();
    let mut token = String::new();
    for _ in 0..10 {
        let uri = format!("{}?pageToken={token}&pageSize=2", tables_uri(&["db"]));
        let (status, _, page) = app.get(&uri, None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page["identifiers"].as_array().unwrap().len() <= 2);
        seen.extend(page["identifiers"].as_array().unwrap().iter().cloned());
        match page.get("next-page-token") {
            None => break,
            Some(next) => token = next.as_str().expect("a string token").to_owned(),
        }
    }
    assert_eq!(seen, expected);
}

async fn listing_tables_of_a_missing_namespace_is_404(app: TestApp) {
    let reply = app.get(&tables_uri(&["nope"]), None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchNamespaceException");
}

/// Stage-creates `name` in `db` and checks nothing is visible yet; returns the staged metadata.
async fn stage(app: &TestApp, name: &str) -> Value {
    app.create_namespace(&["db"]).await;
    let (status, headers, staged) = app
        .post(
            &tables_uri(&["db"]),
            Some(bodies::stage_create_table(name)),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{staged}");
    assert!(
        staged.get("metadata-location").is_none(),
        "nothing committed: {staged}"
    );
    assert!(headers.get("etag").is_none());
    assert!(staged["metadata"]["table-uuid"].is_string());
    let (_, _, list) = app.get(&tables_uri(&["db"]), None, &[]).await;
    assert_eq!(
        list["identifiers"],
        json!([]),
        "a staged table is not listed"
    );
    let reply = app.get(&table_uri(&["db"], name), None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchTableException");
    let location = staged["metadata"]["location"].as_str().unwrap();
    assert!(
        !local_path(location).exists(),
        "no file written for a staged create"
    );
    staged["metadata"].clone()
}

/// Checks the committed table is the staged one plus the appended snapshot.
async fn assert_created_from(app: &TestApp, name: &str, staged: &Value, snapshot_id: i64) {
    let (_, _, list) = app.get(&tables_uri(&["db"]), None, &[]).await;
    assert_eq!(
        list["identifiers"],
        json!([{ "namespace": ["db"], "name": name }])
    );
    let loaded = app.load_table(&["db"], name).await;
    let m = &loaded["metadata"];
    assert_eq!(m["table-uuid"], staged["table-uuid"]);
    assert_eq!(m["location"], staged["location"]);
    assert_eq!(m["current-snapshot-id"], json!(snapshot_id));
    assert_eq!(m["properties"]["owner"], json!("router-tests"));
    // Spec and order ids are those of the staged metadata the client wrote files against.
    for key in [
        "schemas",
        "current-schema-id",
        "partition-specs",
        "default-spec-id",
        "sort-orders",
        "default-sort-order-id",
    ] {
        assert_eq!(m[key], staged[key], "{key}");
    }
    assert_eq!(metadata_files(&loaded).len(), 1);
}

async fn staged_create_commits_through_the_table_route(app: TestApp) {
    let staged = stage(&app, "staged").await;
    let append = bodies::snapshot(&staged, 101);
    let extra = [
        json!({ "action": "add-snapshot", "snapshot": append }),
        json!({ "action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": 101 }),
    ];
    let body = bodies::create_staged(&staged, &extra);
    let (status, _, committed) = app.commit(&["db"], "staged", body).await;
    assert_eq!(status, StatusCode::OK, "{committed}");
    assert!(committed["metadata-location"].is_string(), "{committed}");
    assert_created_from(&app, "staged", &staged, 101).await;
}

async fn staged_create_commits_through_a_transaction(app: TestApp) {
    let staged = stage(&app, "duck").await;
    let extra = [
        json!({ "action": "add-snapshot", "snapshot": bodies::snapshot(&staged, 7) }),
        json!({ "action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": 7 }),
    ];
    let change = bodies::with_identifier(&["db"], "duck", bodies::create_staged(&staged, &extra));
    let body = json!({ "table-changes": [change] });
    let (status, _, reply) = app
        .post(&catalog_uri("transactions/commit"), Some(body), &[])
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{reply}");
    assert_created_from(&app, "duck", &staged, 7).await;
}

async fn committing_a_create_twice_is_409(app: TestApp) {
    let staged = stage(&app, "once").await;
    let body = bodies::create_staged(&staged, &[]);
    let (status, _, first) = app.commit(&["db"], "once", body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let reply = app.commit(&["db"], "once", body).await;
    assert_error(&reply, StatusCode::CONFLICT, "CommitFailedException");
    let loaded = app.load_table(&["db"], "once").await;
    assert_eq!(loaded["metadata-location"], first["metadata-location"]);
}
