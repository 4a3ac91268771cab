//! What authorization costs in store reads: an authenticated `loadTable` with warm caches
//! reads nothing from the store (the grants come from the per-principal cache, the pointer
//! and metadata from theirs); after a grant change the next request reads the principal's
//! grants again, in one statement. Store statements are counted from SQLx's `sqlx::query`
//! events on the SQLite backend.

mod authz;
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use authz::Level;
use authz::fixture::Needs;
use authz::world::{Who, World};
use axum::http::{Method, StatusCode};
use common::Backend;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Counts the statements SQLx runs (in any thread: SQLite runs them on a worker).
static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

struct CountStatements;

impl Subscriber for CountStatements {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == "sqlx::query"
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        if event.metadata().target() == "sqlx::query" {
            STATEMENTS.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Runs `f` and returns how many store statements it caused.
async fn statements<F: std::future::Future<Output = (StatusCode, serde_json::Value)>>(
    f: F,
) -> usize {
    let before = STATEMENTS.load(Ordering::SeqCst);
    let (status, body) = f.await;
    assert_eq!(status, StatusCode::OK, "{body}");
    STATEMENTS.load(Ordering::SeqCst) - before
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authenticated_load_reads_nothing_once_caches_are_warm() {
    tracing::subscriber::set_global_default(CountStatements).expect("the only subscriber");
    let w = World::new(Backend::Sqlite).await;
    let needs = Needs {
        data: true,
        tables: true,
        ..Needs::default()
    };
    let fx = w.fixture(needs).await;
    w.grant(Who::Exact, "read", w.scope(&fx, Level::Table, false))
        .await;
    let uri = format!("/v1/{}/namespaces/db/tables/t", fx.catalog);
    for who in [Who::Exact, Who::TenantAdmin] {
        // The first load fills the caches (and a due revocation-list refresh happens here).
        w.call(who, Method::GET, &uri, None).await;
        let warm = statements(w.call(who, Method::GET, &uri, None)).await;
        assert_eq!(warm, 0, "a warm load as {who:?} reads the store");
    }
    // A grant change elsewhere in the tenant makes every cached grant set stale: the next
    // request reads the caller's grants again, in one statement, and only that.
    w.grant(Who::NoGrant, "list", w.scope(&fx, Level::Catalog, false))
        .await;
    let cold = statements(w.call(Who::Exact, Method::GET, &uri, None)).await;
    assert_eq!(cold, 1, "one read of the principal's effective grants");
    let warm = statements(w.call(Who::Exact, Method::GET, &uri, None)).await;
    assert_eq!(warm, 0);
}
