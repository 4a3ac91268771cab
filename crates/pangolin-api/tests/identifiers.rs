//! Identifier validation (nothing invalid is ever stored) and internal-error hygiene.

mod common;

use axum::http::StatusCode;
use common::{
    TestApp, assert_error, backend_tests, bodies, catalog_uri, namespace_uri, namespaces_uri,
    table_uri, tables_uri,
};
use serde_json::json;

backend_tests!(
    invalid_namespace_levels_are_400_and_not_stored,
    invalid_namespace_paths_are_400,
    invalid_table_names_are_400_and_not_stored,
    invalid_table_paths_are_400,
    unicode_and_punctuation_names_work,
    internal_errors_do_not_leak_details,
);

/// Levels no namespace or table may have.
fn invalid_names() -> Vec<String> {
    vec![
        String::new(),
        "tab\there".into(),
        "nul\u{0}".into(),
        "bell\u{7}".into(),
        "sep\u{1f}arated".into(),
        "at@sign".into(),
        "hash#tag".into(),
        "slash/ed".into(),
        "back\\slash".into(),
        ".".into(),
        "..".into(),
        "x".repeat(256),
    ]
}

async fn invalid_namespace_levels_are_400_and_not_stored(app: TestApp) {
    app.create_namespace(&["ok"]).await;
    for name in invalid_names() {
        for levels in [vec![name.clone()], vec!["ok".into(), name.clone()]] {
            let body = json!({ "namespace": levels });
            let reply = app.post(&namespaces_uri(), Some(body), &[]).await;
            assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
        }
    }
    let too_deep: Vec<String> = (0..17).map(|i| format!("l{i}")).collect();
    let reply = app
        .post(
            &namespaces_uri(),
            Some(json!({ "namespace": too_deep })),
            &[],
        )
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    let (_, _, top) = app.get(&namespaces_uri(), None, &[]).await;
    assert_eq!(top["namespaces"], json!([["ok"]]));
    let (_, _, children) = app
        .get(&format!("{}?parent=ok", namespaces_uri()), None, &[])
        .await;
    assert_eq!(children["namespaces"], json!([]));
}

async fn invalid_namespace_paths_are_400(app: TestApp) {
    app.create_namespace(&["a"]).await;
    app.create_namespace(&["a", "b"]).await;
    for segment in [
        "a%1F%1Fb",
        "%1Fa",
        "a%1F",
        "a%01",
        "a%40",
        "a%40b%40c",
        "a%23b",
        "a%2Fb",
        "..",
    ] {
        let uri = format!("{}/{segment}", namespaces_uri());
        let reply = app.get(&uri, None, &[]).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
        let reply = app.delete(&uri, None, &[]).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
        let reply = app.get(&format!("{uri}/tables"), None, &[]).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    // `@` and `#` address versions (`a@dev`, `a#<commit>`), never names.
    let reply = app
        .get(&format!("{}/a%40b", namespaces_uri()), None, &[])
        .await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchReferenceException");
    let long = "x".repeat(256);
    let reply = app.get(&namespace_uri(&[&long]), None, &[]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    // The valid ones are untouched.
    let (_, _, children) = app
        .get(&format!("{}?parent=a", namespaces_uri()), None, &[])
        .await;
    assert_eq!(children["namespaces"], json!([["a", "b"]]));
}

async fn invalid_table_names_are_400_and_not_stored(app: TestApp) {
    app.create_namespace(&["db"]).await;
    let before: Vec<_> = std::fs::read_dir(app.warehouse_root()).unwrap().collect();
    for name in invalid_names() {
        let reply = app
            .post(&tables_uri(&["db"]), Some(bodies::create_table(&name)), &[])
            .await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
        let reply = app
            .post(
                &tables_uri(&["db"]),
                Some(bodies::stage_create_table(&name)),
                &[],
            )
            .await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    let (_, _, list) = app.get(&tables_uri(&["db"]), None, &[]).await;
    assert_eq!(list["identifiers"], json!([]));
    let after: Vec<_> = std::fs::read_dir(app.warehouse_root()).unwrap().collect();
    assert_eq!(
        before.len(),
        after.len(),
        "no table directories were written"
    );
    // Renames and transactions validate their body identifiers the same way.
    app.create_table(&["db"], "t").await;
    let rename = json!({
        "source": { "namespace": ["db"], "name": "t" },
        "destination": { "namespace": ["db"], "name": "t@main" }
    });
    let reply = app
        .post(&catalog_uri("tables/rename"), Some(rename), &[])
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    let change = json!({
        "identifier": { "namespace": ["db"], "name": "bad\u{1}" },
        "requirements": [{ "type": "assert-create" }],
        "updates": []
    });
    let body = json!({ "table-changes": [change] });
    let reply = app
        .post(&catalog_uri("transactions/commit"), Some(body), &[])
        .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    let (_, _, list) = app.get(&tables_uri(&["db"]), None, &[]).await;
    assert_eq!(
        list["identifiers"],
        json!([{ "namespace": ["db"], "name": "t" }])
    );
}

async fn invalid_table_paths_are_400(app: TestApp) {
    app.create_namespace(&["db"]).await;
    app.create_table(&["db"], "t").await;
    let long = "t".repeat(256);
    for name in [
        "t%40",
        "t%40main%40x",
        "t%23x",
        "t%2Fx",
        "t%00",
        "%20%09",
        ".",
        long.as_str(),
    ] {
        let uri = table_uri(&["db"], name);
        let reply = app.get(&uri, None, &[]).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
        let reply = app
            .commit(&["db"], name, json!({ "requirements": [], "updates": [] }))
            .await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
        let reply = app.delete(&uri, None, &[]).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadRequestException");
    }
    app.load_table(&["db"], "t").await;
    // `t@main` is table `t` on branch `main`, not a table named "t@main".
    let (status, _, _) = app.get(&table_uri(&["db"], "t%40main"), None, &[]).await;
    assert_eq!(status, StatusCode::OK);
}

async fn unicode_and_punctuation_names_work(app: TestApp) {
    for name in [
        "Verkäufe",
        "表",
        "with space",
        "dash-and_underscore.dot",
        "emoji🦔",
    ] {
        let (status, _, body) = app
            .post(&namespaces_uri(), Some(json!({ "namespace": [name] })), &[])
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        let encoded = utf8_percent_encode(name);
        let created = app
            .create_table_with(&[&encoded], bodies::create_table(name))
            .await;
        let location = created["metadata"]["location"].as_str().unwrap();
        assert!(
            location.starts_with(&app.warehouse_location()),
            "{location}"
        );
        let (status, _, loaded) = app.get(&table_uri(&[&encoded], &encoded), None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{name}: {loaded}");
        let (_, _, list) = app.get(&tables_uri(&[&encoded]), None, &[]).await;
        assert_eq!(
            list["identifiers"],
            json!([{ "namespace": [name], "name": name }])
        );
    }
}

/// Percent-encodes every byte outside the unreserved set.
fn utf8_percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

async fn internal_errors_do_not_leak_details(app: TestApp) {
    app.create_namespace(&["db"]).await;
    // The warehouse root becomes a file: every metadata write fails inside the server.
    let root = app.warehouse_root();
    std::fs::remove_dir_all(&root).unwrap();
    std::fs::write(&root, b"not a directory").unwrap();
    let reply = app
        .post(&tables_uri(&["db"]), Some(bodies::create_table("t")), &[])
        .await;
    assert_error(
        &reply,
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalServerError",
    );
    let body = &reply.2;
    let error = &body["error"];
    let message = error["message"].as_str().unwrap();
    let root_text = root.display().to_string();
    assert!(!message.contains(&root_text), "the path leaked: {message}");
    assert!(
        !message.contains("os error"),
        "the OS error leaked: {message}"
    );
    assert!(message.contains("error id"), "{message}");
    assert!(
        body.get("stack").is_none() && error.get("stack").is_none(),
        "{body}"
    );
    let (_, _, list) = app.get(&tables_uri(&["db"]), None, &[]).await;
    assert_eq!(list["identifiers"], json!([]));
}
