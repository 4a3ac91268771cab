//! `serve` against PostgreSQL, when `PANGOLIN_TEST_POSTGRES_URL` points at a server
//! (`scripts/postgres.sh` provides one). Skips visibly without it, and fails in CI.

mod common;

use std::io::Write;

use common::{Server, get, pangolin, run, stderr, workdir};
use sqlx::Connection;

/// The test database URL, or `None` (after saying so) when the test must skip.
fn postgres_url() -> Option<String> {
    match std::env::var("PANGOLIN_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but PANGOLIN_TEST_POSTGRES_URL is not set: run scripts/postgres.sh")
        }
        _ => {
            // Straight to stderr: the test harness captures `eprintln!` of passing tests.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED serve_migrate_and_bootstrap_on_postgres: PANGOLIN_TEST_POSTGRES_URL is not set (see scripts/postgres.sh)"
            );
            None
        }
    }
}

/// A schema of its own per run, so runs and other suites never see each other's rows.
fn unique_schema() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("pangolin_server_{}_{nanos}", std::process::id())
}

async fn drop_schema(url: &str, schema: &str) {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    // The schema name is generated above from digits and underscores only.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
}

#[tokio::test]
async fn serve_migrate_and_bootstrap_on_postgres() {
    let Some(url) = postgres_url() else {
        return;
    };
    let schema = unique_schema();
    let dir = workdir();
    let env = [
        ("PANGOLIN_STORE__BACKEND", "postgres"),
        ("PANGOLIN_STORE__URL", url.as_str()),
        ("PANGOLIN_STORE__SCHEMA", schema.as_str()),
    ];
    let result = std::panic::catch_unwind(|| {
        let mut migrate = pangolin(dir.path());
        migrate.arg("migrate").envs(env);
        for _ in 0..2 {
            let out = run(&mut migrate);
            assert!(out.status.success(), "{}", stderr(&out));
        }
        let first = Server::start(dir.path(), &env);
        let (status, body) = get(first.addr, "/health/ready");
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("postgres"), "{body}");
        let log = first.log();
        assert!(
            !log.contains("pangolin:pangolin@"),
            "DSN password in the log:\n{log}"
        );
        let (status, log) = first.stop("TERM");
        assert!(status.success(), "{log}");
        assert_eq!(log.matches("bootstrap created").count(), 3, "{log}");

        let second = Server::start(dir.path(), &env);
        let (status, log) = second.stop("TERM");
        assert!(status.success(), "{log}");
        assert!(!log.contains("bootstrap created"), "{log}");
    });
    drop_schema(&url, &schema).await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
