//! Namespace routes: create, load, exists, list (nested, paginated), properties, drop.

mod common;

use axum::http::StatusCode;
use common::{TestApp, assert_error, backend_tests, namespace_uri, namespaces_uri, tables_uri};
use serde_json::{Value, json};

backend_tests!(
    create_and_load_with_properties,
    nested_namespaces_use_the_unit_separator,
    creating_under_a_missing_parent_is_404,
    duplicate_create_is_409,
    malformed_create_bodies_are_400,
    head_tells_whether_a_namespace_exists,
    loading_a_missing_namespace_is_404,
    listing_without_page_token_returns_everything,
    paginated_listing_walks_every_page_once,
    listing_children_of_a_missing_parent_is_404,
    bad_page_parameters_are_400,
    update_properties_reports_updated_removed_missing,
    a_key_both_updated_and_removed_is_422,
    updating_a_missing_namespace_is_404,
    location_property_must_be_inside_the_warehouse,
    dropping_an_empty_namespace_is_204,
    dropping_a_namespace_with_a_child_is_409,
    dropping_a_namespace_with_a_table_is_409,
    dropping_a_missing_namespace_is_404,
);

async fn create_and_load_with_properties(app: TestApp) {
    let body = json!({ "namespace": ["sales"], "properties": { "owner": "ana", "tier": "gold" } });
    let (status, _, created) = app.post(&namespaces_uri(), Some(body), &[]).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["namespace"], json!(["sales"]));
    assert_eq!(
        created["properties"],
        json!({ "owner": "ana", "tier": "gold" })
    );
    let (status, _, loaded) = app.get(&namespace_uri(&["sales"]), None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(loaded, created);
    // Properties are optional.
    let (status, _, bare) = app
        .post(
            &namespaces_uri(),
            Some(json!({ "namespace": ["bare"] })),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bare["properties"], json!({}));
}

async fn nested_namespaces_use_the_unit_separator(app: TestApp) {
    app.create_namespace(&["a"]).await;
    app.create_namespace(&["a", "b"]).await;
    app.create_namespace(&["a", "b", "c"]).await;
    app.create_namespace(&["a", "x"]).await;
    app.create_namespace(&["z"]).await;
    let (status, _, loaded) = app.get("/v1/default/namespaces/a%1Fb%1Fc", None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{loaded}");
    assert_eq!(loaded["namespace"], json!(["a", "b", "c"]));
    let list = |query: &'static str| {
        let app = &app;
        async move {
            let (status, _, body) = app
                .get(&format!("{}{query}", namespaces_uri()), None, &[])
                .await;
            assert_eq!(status, StatusCode::OK, "{query}: {body}");
            assert!(body.get("next-page-token").is_none(), "{body}");
            body["namespaces"].clone()
        }
    };
    assert_eq!(list("").await, json!([["a"], ["z"]]));
    assert_eq!(list("?parent=a").await, json!([["a", "b"], ["a", "x"]]));
    assert_eq!(list("?parent=a%1Fb").await, json!([["a", "b", "c"]]));
    assert_eq!(list("?parent=a%1Fb%1Fc").await, json!([]));
}

async fn creating_under_a_missing_parent_is_404(app: TestApp) {
    let body = json!({ "namespace": ["ghost", "child"] });
    let reply = app.post(&namespaces_uri(), Some(body), &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchNamespaceException");
    let (status, _, _) = app
        .head(&namespace_uri(&["ghost", "child"]), None, &[])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn duplicate_create_is_409(app: TestApp) {
    app.create_namespace(&["dup"]).await;
    let body = json!({ "namespace": ["dup"], "properties": { "k": "v" } });
    let reply = app.post(&namespaces_uri(), Some(body), &[]).await;
    assert_error(&reply, StatusCode::CONFLICT, "AlreadyExistsException");
    // The original is untouched.
    let (_, _, loaded) = app.get(&namespace_uri(&["dup"]), None, &[]).await;
    assert_eq!(loaded["properties"], json!({}));
}

async fn malformed_create_bodies_are_400(app: TestApp) {
    let bodies = [
        json!({}),
        json!({ "namespace": [] }),
        json!({ "namespace": "flat-string" }),
        json!({ "namespace": ["a"], "properties": { "k": 1 } }),
    ];
    for body in bodies {
        let reply = app.post(&namespaces_uri(), Some(body.clone()), &[]).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    let (status, _, _) = app
        .send_bytes(
            axum::http::Method::POST,
            &namespaces_uri(),
            "{not json",
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, _, list) = app.get(&namespaces_uri(), None, &[]).await;
    assert_eq!(list["namespaces"], json!([]));
}

async fn head_tells_whether_a_namespace_exists(app: TestApp) {
    app.create_namespace(&["here"]).await;
    app.create_namespace(&["here", "deep"]).await;
    for (levels, expected) in [
        (&["here"][..], StatusCode::NO_CONTENT),
        (&["here", "deep"][..], StatusCode::NO_CONTENT),
        (&["gone"][..], StatusCode::NOT_FOUND),
        (&["here", "gone"][..], StatusCode::NOT_FOUND),
    ] {
        let (status, _, body) = app.head(&namespace_uri(levels), None, &[]).await;
        assert_eq!(status, expected, "{levels:?}");
        assert_eq!(body, Value::Null, "HEAD has no body");
    }
}

async fn loading_a_missing_namespace_is_404(app: TestApp) {
    let reply = app.get(&namespace_uri(&["missing"]), None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchNamespaceException");
}

async fn create_many(app: &TestApp, n: usize) -> Vec<Value> {
    let mut names = Vec::new();
    for i in 0..n {
        let name = format!("ns_{i:02}");
        app.create_namespace(&[&name]).await;
        names.push(json!([name]));
    }
    names
}

async fn listing_without_page_token_returns_everything(app: TestApp) {
    let expected = create_many(&app, 7).await;
    // pageSize alone does not paginate: only a pageToken does.
    for query in ["", "?pageSize=2"] {
        let (status, _, body) = app
            .get(&format!("{}{query}", namespaces_uri()), None, &[])
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body["namespaces"],
            Value::Array(expected.clone()),
            "{query}"
        );
        assert!(body.get("next-page-token").is_none(), "{query}: {body}");
    }
}

async fn paginated_listing_walks_every_page_once(app: TestApp) {
    let expected = create_many(&app, 7).await;
    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let uri = format!("{}?pageToken={token}&pageSize=2", namespaces_uri());
        let (status, _, body) = app.get(&uri, None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let items = body["namespaces"].as_array().unwrap().clone();
        assert!(items.len() <= 2, "page of {}: {body}", items.len());
        seen.extend(items);
        pages += 1;
        match body.get("next-page-token") {
            None => break,
            Some(Value::String(next)) => token = next.clone(),
            Some(other) => panic!("next-page-token must be a string or absent, not {other}"),
        }
        assert!(pages < 10, "pagination does not end");
    }
    assert_eq!(seen, expected, "every namespace exactly once, in order");
    assert!(
        (4..=5).contains(&pages),
        "7 items in pages of 2 took {pages} pages"
    );
}

async fn listing_children_of_a_missing_parent_is_404(app: TestApp) {
    let reply = app
        .get(&format!("{}?parent=nope", namespaces_uri()), None, &[])
        .await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchNamespaceException");
}

async fn bad_page_parameters_are_400(app: TestApp) {
    create_many(&app, 2).await;
    for query in [
        "?pageToken=&pageSize=0",
        "?pageToken=&pageSize=x",
        "?pageToken=%21%21",
    ] {
        let reply = app
            .get(&format!("{}{query}", namespaces_uri()), None, &[])
            .await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    let reply = app
        .get(&format!("{}?parent=a%1F", namespaces_uri()), None, &[])
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
}

async fn update_properties_reports_updated_removed_missing(app: TestApp) {
    let body = json!({ "namespace": ["p"], "properties": { "a": "1", "b": "2" } });
    app.post(&namespaces_uri(), Some(body), &[]).await;
    let uri = format!("{}/properties", namespace_uri(&["p"]));
    let update = json!({ "removals": ["a", "never-set"], "updates": { "b": "3", "c": "4" } });
    let (status, _, body) = app.post(&uri, Some(update), &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let sorted = |v: &Value| {
        let mut items: Vec<String> = serde_json::from_value(v.clone()).unwrap_or_default();
        items.sort();
        items
    };
    assert_eq!(sorted(&body["updated"]), ["b", "c"]);
    assert_eq!(sorted(&body["removed"]), ["a"]);
    assert_eq!(sorted(&body["missing"]), ["never-set"]);
    let (_, _, loaded) = app.get(&namespace_uri(&["p"]), None, &[]).await;
    assert_eq!(loaded["properties"], json!({ "b": "3", "c": "4" }));
}

async fn a_key_both_updated_and_removed_is_422(app: TestApp) {
    let body = json!({ "namespace": ["p"], "properties": { "a": "1" } });
    app.post(&namespaces_uri(), Some(body), &[]).await;
    let uri = format!("{}/properties", namespace_uri(&["p"]));
    let update = json!({ "removals": ["a"], "updates": { "a": "2", "b": "x" } });
    let reply = app.post(&uri, Some(update), &[]).await;
    assert_error(
        &reply,
        StatusCode::UNPROCESSABLE_ENTITY,
        "UnprocessableEntityException",
    );
    let (_, _, loaded) = app.get(&namespace_uri(&["p"]), None, &[]).await;
    assert_eq!(loaded["properties"], json!({ "a": "1" }));
}

async fn updating_a_missing_namespace_is_404(app: TestApp) {
    let uri = format!("{}/properties", namespace_uri(&["nope"]));
    let reply = app
        .post(&uri, Some(json!({ "updates": { "a": "1" } })), &[])
        .await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchNamespaceException");
}

async fn location_property_must_be_inside_the_warehouse(app: TestApp) {
    let inside = format!("{}/custom/ns", app.warehouse_location());
    let body = json!({ "namespace": ["in"], "properties": { "location": inside } });
    let (status, _, created) = app.post(&namespaces_uri(), Some(body), &[]).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    // Tables of the namespace live under its location.
    let table = app.create_table(&["in"], "t").await;
    let location = table["metadata"]["location"].as_str().unwrap();
    assert!(location.starts_with(&format!("{inside}/")), "{location}");

    let body =
        json!({ "namespace": ["out"], "properties": { "location": "file:///etc/elsewhere" } });
    let reply = app.post(&namespaces_uri(), Some(body), &[]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    let uri = format!("{}/properties", namespace_uri(&["in"]));
    let update = json!({ "updates": { "location": "file:///etc/elsewhere" } });
    let reply = app.post(&uri, Some(update), &[]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    let (status, _, _) = app.head(&namespace_uri(&["out"]), None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn dropping_an_empty_namespace_is_204(app: TestApp) {
    app.create_namespace(&["tmp"]).await;
    let (status, _, body) = app.delete(&namespace_uri(&["tmp"]), None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let reply = app.get(&namespace_uri(&["tmp"]), None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchNamespaceException");
    let (_, _, list) = app.get(&namespaces_uri(), None, &[]).await;
    assert_eq!(list["namespaces"], json!([]));
}

async fn dropping_a_namespace_with_a_child_is_409(app: TestApp) {
    app.create_namespace(&["parent"]).await;
    app.create_namespace(&["parent", "child"]).await;
    let reply = app.delete(&namespace_uri(&["parent"]), None, &[]).await;
    assert_error(&reply, StatusCode::CONFLICT, "NamespaceNotEmptyException");
    let (status, _, _) = app.head(&namespace_uri(&["parent"]), None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Children first, then the parent.
    let (status, _, _) = app
        .delete(&namespace_uri(&["parent", "child"]), None, &[])
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = app.delete(&namespace_uri(&["parent"]), None, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

async fn dropping_a_namespace_with_a_table_is_409(app: TestApp) {
    app.create_namespace(&["full"]).await;
    app.create_table(&["full"], "t").await;
    let reply = app.delete(&namespace_uri(&["full"]), None, &[]).await;
    assert_error(&reply, StatusCode::CONFLICT, "NamespaceNotEmptyException");
    let (_, _, tables) = app.get(&tables_uri(&["full"]), None, &[]).await;
    assert_eq!(
        tables["identifiers"],
        json!([{ "namespace": ["full"], "name": "t" }])
    );
}

async fn dropping_a_missing_namespace_is_404(app: TestApp) {
    let reply = app.delete(&namespace_uri(&["missing"]), None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchNamespaceException");
}
