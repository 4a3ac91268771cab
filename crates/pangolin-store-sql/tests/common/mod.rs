//! The one place that decides whether the Postgres tests run.

use std::io::Write;

/// The env var naming the test database.
pub(crate) const URL_VAR: &str = "PANGOLIN_TEST_POSTGRES_URL";

/// The test database URL. When it is unset the test is skipped (with a visible note) —
/// except in CI (`CI=true`), where a silently skipped backend would hide failures.
pub(crate) fn postgres_url() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("Postgres tests must run in CI: set {URL_VAR}")
        }
        _ => {
            // Straight to the stream, not `eprintln!`, which the test harness captures and
            // would hide for a passing test.
            let _ = writeln!(std::io::stderr(), "SKIPPED: {URL_VAR} is not set");
            None
        }
    }
}
