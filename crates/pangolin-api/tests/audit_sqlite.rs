//! The audit log of a SQLite-backed router, changed behind its back: verification reports
//! the tampering, and an unwritable log blocks mutations without changing other answers.

mod audit_log;
// Both tests need the SQLite file, so `backend_tests!` goes unused.
mod common;

use audit_log::*;
use axum::http::StatusCode;
use common::{Backend, TestApp, assert_error, namespaces_uri};
use serde_json::json;
use sqlx::{Connection, SqliteConnection};

async fn create_namespace(app: &TestApp, name: &str) -> common::Reply {
    let body = json!({ "namespace": [name] });
    app.post(&namespaces_uri(), Some(body), &[]).await
}

async fn sql(app: &TestApp) -> SqliteConnection {
    let path = app.dir.path().join("pangolin.db");
    SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap()
}

/// Tampering with the SQLite file shows in the verify report.
#[tokio::test]
async fn verification_reports_a_tampered_sqlite_row() {
    let app = TestApp::new(Backend::Sqlite).await;
    for name in ["a", "b", "c"] {
        assert_eq!(create_namespace(&app, name).await.0, StatusCode::OK);
    }
    assert_eq!(create_namespace(&app, "a").await.0, StatusCode::CONFLICT);
    verify_ok(&app).await;
    let mut conn = sql(&app).await;
    sqlx::query("UPDATE audit_events SET result = 'success' WHERE seq = 4")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_events WHERE seq = 2")
        .execute(&mut conn)
        .await
        .unwrap();
    let (status, _, report) = app.post("/api/v1/audit/verify", None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["ok"], false, "{report}");
    let problems: Vec<(u64, &str)> = report["chains"][0]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["seq"].as_u64().unwrap(), p["problem"].as_str().unwrap()))
        .collect();
    assert_eq!(
        problems,
        [
            (3, "records-missing"),
            (3, "broken-link"),
            (4, "content-changed")
        ]
    );
    assert_eq!(
        report["chains"][0]["problems"][2]["event-id"]
            .as_str()
            .map(str::len),
        Some(36)
    );
}

/// A denial or failure that cannot be recorded still gets its answer; a mutation whose
/// record cannot be written does not happen.
#[tokio::test]
async fn an_unwritable_log_keeps_answers_and_blocks_mutations() {
    let app = TestApp::new(Backend::Sqlite).await;
    assert_eq!(create_namespace(&app, "db").await.0, StatusCode::OK);
    let mut conn = sql(&app).await;
    sqlx::query(
        "CREATE TRIGGER audit_read_only BEFORE INSERT ON audit_events
         BEGIN SELECT RAISE(ABORT, 'the audit log is read-only'); END",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let reply = create_namespace(&app, "db").await;
    assert_error(&reply, StatusCode::CONFLICT, "AlreadyExistsException");
    let (status, _, _) = create_namespace(&app, "other").await;
    assert!(status.is_server_error(), "{status}");
    let reply = app.get(&common::namespace_uri(&["other"]), None, &[]).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "NoSuchNamespaceException");
    assert_eq!(all_events(&app).await.len(), 1);
}
