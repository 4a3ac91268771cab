//! Upgrading SQLite databases written under older migrations: from 0001, 0002 adds table
//! locations and keeps only the stored metadata some pointer still names, and the data stays
//! usable; from 0004, 0005 leaves the audit log as it was, unsealed, for the sealer to chain.

use std::path::Path;
use std::sync::Arc;

use pangolin_core::PageRequest;
use pangolin_core::audit::{AuditEvent, AuditResult, GENESIS_HASH, chain_hash};
use pangolin_core::model::{
    Catalog, CatalogKind, ContentKind, FileProfile, MAIN_BRANCH, Namespace, StorageProfile, Tenant,
    Warehouse,
};
use pangolin_core::{
    CatalogId, CommitId, ContentId, Error, Name, NamespaceIdent, Properties, TableIdent, TenantId,
    WarehouseId,
};
use pangolin_store::{
    AuditFilter, AuditStore, CatalogStore, Change, CommitRequest, ContentStore, Expected,
    NamespaceStore, RefStore, StoreAdmin, TenantStore, WarehouseStore,
};
use pangolin_store_sql::{SqliteOptions, SqliteStore};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};

const LEGACY: &str = "file:///lake/db/t/metadata/00001.metadata.json";
const ORPHAN: &str = "file:///lake/db/t/metadata/00000.metadata.json";

/// Applies the migrations up to and including `last` (e.g. `0001`), as a database written
/// by an older binary has them.
async fn migrate_up_to(path: &Path, last: &str) {
    let dir = tempfile::tempdir().unwrap();
    // Read at run time: `cargo test` sets it, and a test binary reused from a build in
    // another checkout (a shared CARGO_TARGET_DIR) would carry that checkout's path.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo test");
    let all = Path::new(&manifest_dir).join("migrations/sqlite");
    for file in std::fs::read_dir(all).unwrap() {
        let file = file.unwrap();
        let name = file.file_name().to_string_lossy().into_owned();
        if name[..4] <= *last {
            std::fs::copy(file.path(), dir.path().join(name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(dir.path()).await.unwrap();
    let mut conn = connect(path).await;
    migrator.run(&mut conn).await.unwrap();
}

async fn connect(path: &Path) -> SqliteConnection {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .foreign_keys(true);
    SqliteConnection::connect_with(&opts).await.unwrap()
}

/// A tenant, warehouse, catalog and namespace `db`, written through the store (0002 does not
/// change their tables).
async fn catalog_with_namespace(store: &SqliteStore) -> CatalogId {
    let tenant = Tenant::new(Name::new("acme").unwrap());
    store.create_tenant(&tenant, &[]).await.unwrap();
    let now = pangolin_core::now();
    let warehouse = Warehouse {
        id: WarehouseId::generate(),
        tenant_id: tenant.id,
        name: Name::new("lake").unwrap(),
        storage: StorageProfile::File(FileProfile {
            root: "/lake".into(),
        }),
        secret: None,
        properties: Properties::new(),
        created_at: now,
        updated_at: now,
    };
    store.create_warehouse(&warehouse, &[]).await.unwrap();
    let catalog = Catalog {
        id: CatalogId::generate(),
        tenant_id: tenant.id,
        name: Name::new("sales").unwrap(),
        kind: CatalogKind::Local {
            warehouse_id: warehouse.id,
        },
        properties: Properties::new(),
        created_at: now,
        updated_at: now,
    };
    store.create_catalog(&catalog, &[]).await.unwrap();
    let ns = Namespace::new(catalog.id, db(), Properties::new());
    store.create_namespace(&ns, &[]).await.unwrap();
    catalog.id
}

fn db() -> NamespaceIdent {
    NamespaceIdent::from_strs(&["db"]).unwrap()
}

/// A table pointer and two bodies as 0001 kept them: the current one and an orphan.
async fn write_legacy_rows(path: &Path, catalog: CatalogId, head: CommitId) {
    let mut conn = connect(path).await;
    let cid = catalog.as_uuid().to_string();
    sqlx::query(
        "INSERT INTO contents (catalog_id, ref_name, namespace, name, content_id, kind,
             metadata_location, last_commit_id, updated_at)
         VALUES ($1, 'main', 'db', 't', $2, 'table', $3, $4, 0)",
    )
    .bind(&cid)
    .bind(ContentId::generate().as_uuid().to_string())
    .bind(LEGACY)
    .bind(head.as_uuid().to_string())
    .execute(&mut conn)
    .await
    .unwrap();
    for location in [LEGACY, ORPHAN] {
        sqlx::query(
            "INSERT INTO metadata_blobs (catalog_id, location, metadata) VALUES ($1, $2, '{}')",
        )
        .bind(&cid)
        .bind(location)
        .execute(&mut conn)
        .await
        .unwrap();
    }
}

fn move_table(catalog: CatalogId, content_id: ContentId, location: &str) -> CommitRequest {
    CommitRequest {
        catalog_id: catalog,
        branch: Name::new(MAIN_BRANCH).unwrap(),
        commit_id: CommitId::generate(),
        expected_head: None,
        merge_parent: None,
        completes_merge: None,
        author: "alice".into(),
        message: "first commit after the upgrade".into(),
        created_at: pangolin_core::now(),
        changes: vec![Change::Put {
            ident: TableIdent::new(db(), Name::new("t").unwrap()),
            kind: ContentKind::Table,
            content_id,
            expected: Expected::At(LEGACY.into()),
            location: location.into(),
            metadata_location: format!("{location}/metadata/00002.metadata.json"),
            metadata: Some(Arc::from("{}")),
        }],
        audit: vec![],
    }
}

#[tokio::test]
async fn upgrading_from_0001_keeps_referenced_metadata_and_records_locations_later() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("legacy.db");
    migrate_up_to(&path, "0001").await;
    let store = SqliteStore::open(&path, SqliteOptions::default())
        .await
        .unwrap();
    let catalog = catalog_with_namespace(&store).await;
    let main = Name::new(MAIN_BRANCH).unwrap();
    let head = store.get_ref(catalog, &main).await.unwrap().head;
    write_legacy_rows(&path, catalog, head).await;
    store.close().await;

    // The upgrade: a new binary opens the file and migrates before serving anything. (A
    // connection that read the old schema would keep decoding `SELECT *` with old columns.)
    let store = SqliteStore::open(&path, SqliteOptions::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let t = TableIdent::new(db(), Name::new("t").unwrap());
    let legacy = store
        .load_content(catalog, &main, &t, ContentKind::Table)
        .await
        .unwrap();
    assert_eq!(
        (legacy.location.as_str(), legacy.metadata_location.as_str()),
        ("", LEGACY)
    );
    assert_eq!(&*store.load_metadata(catalog, LEGACY).await.unwrap(), "{}");
    assert!(matches!(
        store.load_metadata(catalog, ORPHAN).await,
        Err(Error::NotFound { .. })
    ));

    // Its next commit records the location (and so checks it).
    let moved = move_table(catalog, legacy.content_id, "file:///lake/db/t");
    store.commit(&moved).await.unwrap();
    let now = store
        .load_content(catalog, &main, &t, ContentKind::Table)
        .await;
    assert_eq!(now.unwrap().location, "file:///lake/db/t");
    assert!(!store.metadata_in_use(catalog, LEGACY).await.unwrap());
}

#[tokio::test]
async fn upgrading_from_0004_keeps_the_audit_log_and_seals_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("legacy.db");
    migrate_up_to(&path, "0004").await;
    let tenant = TenantId::generate();
    let mut created = AuditEvent::new(
        Some(tenant),
        "root",
        "tenant.create",
        "tenant/acme",
        AuditResult::Success,
    );
    created.summary = serde_json::json!({ "name": "acme" });
    // As the old binary wrote it (SQLite keeps times as microseconds since the epoch).
    sqlx::query(
        "INSERT INTO audit_events (id, time, tenant_id, principal, action, resource, result,
             summary) VALUES ($1, $2, $3, 'root', 'tenant.create', 'tenant/acme', 'success',
             '{\"name\":\"acme\"}')",
    )
    .bind(created.id.to_string())
    .bind(created.time.timestamp_micros())
    .bind(tenant.to_string())
    .execute(&mut connect(&path).await)
    .await
    .unwrap();

    let store = SqliteStore::open(&path, SqliteOptions::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let listed = store
        .list_audit(&AuditFilter::default(), &PageRequest::all())
        .await
        .unwrap();
    assert_eq!(listed.items, vec![created.clone()]);
    assert_eq!(store.seal_audit(10).await.unwrap(), 1);
    let chain = store.audit_chain(Some(tenant), None, 10).await.unwrap();
    assert_eq!(chain.len(), 1);
    assert_eq!(chain[0].event, created);
    assert_eq!(chain[0].hash, chain_hash(GENESIS_HASH, &created));
}
