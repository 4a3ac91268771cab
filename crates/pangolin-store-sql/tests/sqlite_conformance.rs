//! The store conformance suite and SQLite-specific checks against [`SqliteStore`].

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use pangolin_core::audit::{AuditEvent, AuditResult};
use pangolin_core::model::Tenant;
use pangolin_core::{Name, PageRequest};
use pangolin_store::{AuditFilter, AuditStore, DynStore, StoreAdmin, TenantStore};
use pangolin_store_sql::{SqliteOptions, SqliteStore};

async fn open(path: &Path) -> SqliteStore {
    let store = SqliteStore::open(path, SqliteOptions::default())
        .await
        .expect("open the database");
    store.migrate().await.expect("migrate");
    store
}

fn tenant(name: &str) -> Tenant {
    let mut t = Tenant::new(Name::new(name).unwrap());
    // A sub-millisecond part, so lost microseconds would show.
    t.created_at += std::time::Duration::from_micros(7);
    t.updated_at = t.created_at;
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_store_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    pangolin_store::conformance::run(|| {
        // One new file per case, all inside `dir`, which outlives the run.
        let path = dir
            .path()
            .join(format!("case-{}.db", next.fetch_add(1, Ordering::Relaxed)));
        async move { Arc::new(open(&path).await) as DynStore }
    })
    .await;
}

#[tokio::test]
async fn migrating_twice_is_a_no_op_that_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("p.db")).await;
    let t = tenant("acme");
    store.create_tenant(&t, &[]).await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.get_tenant(t.id).await.unwrap(), t);
    let all = store.list_tenants(&PageRequest::all()).await.unwrap();
    assert_eq!(all.items.len(), 1);
}

#[tokio::test]
async fn timestamps_round_trip_to_the_microsecond() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("p.db")).await;
    let t = tenant("acme");
    let mut event = AuditEvent::new(
        Some(t.id),
        "alice",
        "tenant.create",
        "tenant/acme",
        AuditResult::Success,
    );
    event.time = t.created_at;
    store
        .create_tenant(&t, std::slice::from_ref(&event))
        .await
        .unwrap();
    let read = store.get_tenant(t.id).await.unwrap();
    assert_eq!(
        (read.created_at, read.updated_at),
        (t.created_at, t.updated_at)
    );
    let events = store
        .list_audit(&AuditFilter::default(), &PageRequest::all())
        .await
        .unwrap();
    assert_eq!(events.items, vec![event]);
}

#[tokio::test]
async fn the_file_persists_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    // A missing directory is created.
    let path = dir.path().join("nested/dir/pangolin.db");
    let t = tenant("acme");
    {
        let store = open(&path).await;
        store.create_tenant(&t, &[]).await.unwrap();
        store.close().await;
    }
    let again = SqliteStore::open(&path, SqliteOptions::default())
        .await
        .unwrap();
    assert_eq!(again.get_tenant(t.id).await.unwrap(), t);
    assert_eq!(again.backend(), "sqlite");
    again.ping().await.unwrap();
}

#[tokio::test]
async fn opening_does_not_migrate() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("p.db"), SqliteOptions::default())
        .await
        .unwrap();
    assert!(store.get_tenant(tenant("x").id).await.is_err());
    store.migrate().await.unwrap();
    assert!(
        store
            .list_tenants(&PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}
