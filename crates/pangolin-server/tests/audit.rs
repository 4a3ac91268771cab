//! The audit log on the real binary: `serve` seals events in the background (and at
//! shutdown), and `pangolin audit verify` passes on an untouched SQLite store, fails with
//! exit code 1 naming the problem once a row is edited or deleted, and exits 2 for bad
//! configuration or an unknown tenant.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::{Server, data_dir, pangolin, run, stderr, workdir};
use sqlx::{Connection, SqliteConnection};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn sql(dir: &Path) -> SqliteConnection {
    let path = data_dir(dir).join("pangolin.db");
    SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap()
}

/// (events, unsealed events) in the store.
async fn counts(dir: &Path) -> (i64, i64) {
    let mut conn = sql(dir).await;
    let all: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let unsealed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE seq IS NULL")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    (all, unsealed)
}

#[tokio::test]
async fn serve_seals_the_audit_log_in_the_background() {
    let dir = workdir();
    let server = Server::start(dir.path(), &[]);
    // Bootstrap recorded the default tenant, warehouse and catalog; the sealer chains them
    // within about a second.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (all, unsealed) = counts(dir.path()).await;
        if all >= 3 && unsealed == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{unsealed} of {all} events unsealed"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, log) = server.stop("TERM");
    assert!(status.success(), "{log}");
}

#[tokio::test]
async fn audit_verify_passes_untouched_and_catches_tampering() {
    let dir = workdir();
    let out = run(pangolin(dir.path()).arg("bootstrap"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        counts(dir.path()).await,
        (3, 3),
        "bootstrap writes unsealed events"
    );

    let out = run(pangolin(dir.path()).args(["audit", "verify"]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(text.contains("sealed 3 pending event(s)"), "{text}");
    assert!(text.contains("chain tenant default ("), "{text}");
    assert!(
        text.contains(": ok, 3 record(s) checked, head 3 "),
        "{text}"
    );
    assert_eq!(counts(dir.path()).await, (3, 0));

    let mut conn = sql(dir.path()).await;
    sqlx::query("UPDATE audit_events SET principal = 'mallory' WHERE seq = 2")
        .execute(&mut conn)
        .await
        .unwrap();
    for args in [
        &["audit", "verify"][..],
        &["audit", "verify", "--tenant", "default"],
    ] {
        let out = run(pangolin(dir.path()).args(args));
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stdout(&out));
        let text = stdout(&out);
        assert!(text.contains("TAMPERED (1 problem(s))"), "{text}");
        assert!(text.contains("  seq 2 event "), "{text}");
        assert!(text.contains(": content-changed: "), "{text}");
        assert!(
            stderr(&out).contains("audit verification failed"),
            "{}",
            stderr(&out)
        );
    }

    sqlx::query("DELETE FROM audit_events WHERE seq = 3")
        .execute(&mut conn)
        .await
        .unwrap();
    let out = run(pangolin(dir.path()).args(["audit", "verify"]));
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("TAMPERED (2 problem(s))"), "{text}");
    assert!(text.contains("tail-missing"), "{text}");
}

#[test]
fn audit_verify_exits_2_for_bad_configuration_or_an_unknown_tenant() {
    let dir = workdir();
    let out = run(pangolin(dir.path())
        .args(["audit", "verify"])
        .env("PANGOLIN_STORE__BACKEND", "mysql"));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("store.backend"), "{}", stderr(&out));

    let out = run(pangolin(dir.path()).args(["audit", "verify", "--tenant", "nobody"]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no tenant is named \"nobody\""),
        "{}",
        stderr(&out)
    );
    let out = run(pangolin(dir.path()).args(["audit", "verify", "--tenant", "a/b"]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
