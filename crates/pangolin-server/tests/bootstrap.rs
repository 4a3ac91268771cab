//! What `serve` and `bootstrap` leave in the store, read back from the SQLite file after the
//! server has exited.

mod common;

use std::path::Path;

use common::{Server, data_dir, pangolin, run, stderr, workdir};
use pangolin_core::model::{CatalogKind, StorageProfile, WarehouseSecret};
use pangolin_core::secret::SecretBox;
use pangolin_core::{Name, PageRequest};
use pangolin_store::{AuditFilter, DynStore};
use pangolin_store_sql::{SqliteOptions, SqliteStore};

async fn open_sqlite(dir: &Path) -> DynStore {
    let path = data_dir(dir).join("pangolin.db");
    std::sync::Arc::new(
        SqliteStore::open(&path, SqliteOptions::default())
            .await
            .unwrap(),
    )
}

fn name(s: &str) -> Name {
    Name::new(s).unwrap()
}

#[tokio::test]
async fn serve_creates_the_defaults_once_with_audit_events() {
    let dir = workdir();
    let mut logs = Vec::new();
    for _ in 0..2 {
        let server = Server::start(dir.path(), &[]);
        let (status, log) = server.stop("TERM");
        assert!(status.success(), "{log}");
        logs.push(log);
    }
    // The generated root password is shown on the first start only.
    assert!(logs[0].contains("root account created"), "{}", logs[0]);
    assert!(!logs[1].contains("root account created"), "{}", logs[1]);
    let store = open_sqlite(dir.path()).await;
    let all = PageRequest::all();
    let tenants = store.list_tenants(&all).await.unwrap().items;
    assert_eq!(tenants.len(), 1, "{tenants:?}");
    let tenant = &tenants[0];
    assert_eq!(tenant.name, name("default"));

    let warehouses = store.list_warehouses(tenant.id, &all).await.unwrap().items;
    assert_eq!(warehouses.len(), 1, "{warehouses:?}");
    let root = data_dir(dir.path())
        .join("warehouse")
        .canonicalize()
        .unwrap();
    let StorageProfile::File(file) = &warehouses[0].storage else {
        panic!(
            "the default warehouse must be a file warehouse: {:?}",
            warehouses[0]
        );
    };
    assert_eq!(Path::new(&file.root), root);

    let catalogs = store.list_catalogs(tenant.id, &all).await.unwrap().items;
    assert_eq!(catalogs.len(), 1, "{catalogs:?}");
    assert_eq!(catalogs[0].name, name("default"));
    assert_eq!(
        catalogs[0].kind,
        CatalogKind::Local {
            warehouse_id: warehouses[0].id
        }
    );

    let filter = AuditFilter {
        principal: Some("system".into()),
        ..AuditFilter::default()
    };
    let events = store.list_audit(&filter, &all).await.unwrap().items;
    let mut actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "auth.signing-key.create",
            "bootstrap.create-catalog",
            "bootstrap.create-root",
            "bootstrap.create-tenant",
            "bootstrap.create-warehouse"
        ]
    );
    // The root account exists (with a generated password, shown once on the terminal).
    assert_eq!(store.count_root_users().await.unwrap(), 1);
}

#[tokio::test]
async fn bootstrap_command_honours_configured_names_and_root() {
    let dir = workdir();
    let out = run(pangolin(dir.path())
        .arg("bootstrap")
        .env("PANGOLIN_BOOTSTRAP__TENANT", "acme")
        .env("PANGOLIN_BOOTSTRAP__WAREHOUSE", "lake")
        .env("PANGOLIN_BOOTSTRAP__CATALOG", "sales")
        .env("PANGOLIN_BOOTSTRAP__WAREHOUSE_ROOT", "files/lake"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("files/lake").is_dir());

    let store = open_sqlite(dir.path()).await;
    let tenant = store.get_tenant_by_name(&name("acme")).await.unwrap();
    let lake = store
        .get_warehouse_by_name(tenant.id, &name("lake"))
        .await
        .unwrap();
    let sales = store
        .get_catalog_by_name(tenant.id, &name("sales"))
        .await
        .unwrap();
    assert_eq!(sales.kind.warehouse_id(), Some(lake.id));
    assert!(store.get_tenant_by_name(&name("default")).await.is_err());
}

#[tokio::test]
async fn serve_without_bootstrap_creates_nothing() {
    let dir = workdir();
    let server = Server::start(dir.path(), &[("PANGOLIN_BOOTSTRAP__ENABLED", "false")]);
    let (status, log) = server.stop("TERM");
    assert!(status.success(), "{log}");
    let store = open_sqlite(dir.path()).await;
    assert!(
        store
            .list_tenants(&PageRequest::all())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

const KEY_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

const S3_CONFIG: &str = r#"
[bootstrap]
storage = { type = "s3", bucket = "lake", key-prefix = "wh", region = "us-east-1", endpoint = "http://127.0.0.1:9", path-style-access = true }
storage_secret = { type = "s3-access-key", access-key-id = "AKIDEXAMPLE", secret-access-key = "wJalrXUtnFEMI" }
"#;

#[tokio::test]
async fn bootstrap_seals_the_configured_storage_secret() {
    let dir = workdir();
    std::fs::write(dir.path().join("s3.toml"), S3_CONFIG).unwrap();
    let out = run(pangolin(dir.path())
        .args(["--config", "s3.toml", "bootstrap"])
        .env("PANGOLIN_ENCRYPTION__KEY", KEY_HEX));
    let log = stderr(&out);
    assert!(out.status.success(), "{log}");
    assert!(!log.contains("wJalrXUtnFEMI"), "secret logged: {log}");

    let store = open_sqlite(dir.path()).await;
    let tenant = store.get_tenant_by_name(&name("default")).await.unwrap();
    let wh = store
        .get_warehouse_by_name(tenant.id, &name("default"))
        .await
        .unwrap();
    assert_eq!(wh.storage.base_location(), "s3://lake/wh");
    let sealed = wh.secret.expect("the warehouse keeps its credential");
    let key = SecretBox::from_encoded(KEY_HEX).unwrap();
    let WarehouseSecret::S3AccessKey {
        access_key_id,
        secret_access_key,
        ..
    } = WarehouseSecret::open(&key, wh.id, &sealed).unwrap()
    else {
        panic!("expected S3 keys");
    };
    assert_eq!(
        (access_key_id.as_str(), secret_access_key.as_str()),
        ("AKIDEXAMPLE", "wJalrXUtnFEMI")
    );
}

#[tokio::test]
async fn bootstrap_keeps_an_existing_warehouse_with_another_profile() {
    let dir = workdir();
    assert!(run(pangolin(dir.path()).arg("bootstrap")).status.success());
    std::fs::write(dir.path().join("s3.toml"), S3_CONFIG).unwrap();
    let out = run(pangolin(dir.path()).args(["--config", "s3.toml", "bootstrap"]));
    let log = stderr(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("another storage profile"), "{log}");

    let store = open_sqlite(dir.path()).await;
    let tenant = store.get_tenant_by_name(&name("default")).await.unwrap();
    let wh = store
        .get_warehouse_by_name(tenant.id, &name("default"))
        .await
        .unwrap();
    assert_eq!(wh.storage.kind(), "file", "bootstrap never overwrites");
    assert!(wh.secret.is_none());
}

#[test]
fn an_invalid_storage_profile_stops_serve_with_exit_code_2() {
    let dir = workdir();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[bootstrap]\nstorage = { type = \"s3\", bucket = \"b\", region = \" \" }\n",
    )
    .unwrap();
    let out = run(pangolin(dir.path()).args(["--config", "bad.toml", "serve"]));
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{log}");
    assert!(
        log.contains("bootstrap.storage") && log.contains("storage.region"),
        "{log}"
    );
}
