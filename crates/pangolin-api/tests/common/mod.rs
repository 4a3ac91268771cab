//! The harness of the router tests: [`TestApp`] builds the real router over a chosen store
//! backend, with one tenant, a `File` warehouse in a temporary directory and a Local catalog
//! `default`; requests go through `tower::ServiceExt::oneshot`.
//!
//! Write a test as `async fn name(app: TestApp)` and list it in [`backend_tests!`], which runs
//! it once per backend (`memory::name`, `sqlite::name`).

#![allow(dead_code, unreachable_pub, unused_imports, unused_macros)]

pub mod auth;
pub mod bodies;
mod disk;
pub mod idp;

pub use disk::{files_under, local_path, metadata_files};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode};
use http_body_util::BodyExt;
use pangolin_api::{ApiConfig, AppState};
use pangolin_catalog::{Services, Settings};
use pangolin_core::model::{
    Catalog, CatalogKind, FileProfile, MAIN_BRANCH, RefKind, Reference, StorageProfile, Tenant,
    Warehouse,
};
use pangolin_core::secret::SecretBox;
use pangolin_core::{CatalogId, Name, Properties, WarehouseId};
use pangolin_storage::StorageRegistry;
use pangolin_store::memory::MemoryStore;
use pangolin_store::{DynStore, NewRef, StoreAdmin};
use pangolin_store_sql::{SqliteOptions, SqliteStore};
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;

/// The catalog (and so the Iceberg `{prefix}`) every [`TestApp`] has.
pub const CATALOG: &str = "default";

/// Runs each listed `async fn name(app: TestApp)` on every backend, as `memory::name` and
/// `sqlite::name`.
macro_rules! backend_tests {
    ($($name:ident),+ $(,)?) => {
        $crate::common::backend_tests!(@backend memory, Memory, $($name),+);
        $crate::common::backend_tests!(@backend sqlite, Sqlite, $($name),+);
    };
    (@backend $module:ident, $backend:ident, $($name:ident),+) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let app = $crate::common::TestApp::new(
                        $crate::common::Backend::$backend,
                    )
                    .await;
                    super::$name(app).await;
                }
            )+
        }
    };
}
pub(crate) use backend_tests;

/// The store behind a [`TestApp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Memory,
    /// A SQLite file in the app's temporary directory, migrated.
    Sqlite,
}

/// A response: status, headers and the body parsed as JSON (`Null` when empty).
pub type Reply = (StatusCode, HeaderMap, Value);

/// The real router over a fresh store, tenant, warehouse and catalog.
pub struct TestApp {
    pub backend: Backend,
    pub router: Router,
    pub state: AppState,
    pub store: DynStore,
    pub tenant: Tenant,
    pub warehouse: Warehouse,
    pub catalog: Catalog,
    /// The server key (seals secrets; opens the signing keys).
    pub secrets: SecretBox,
    /// Holds the warehouse (and any database file); deleted when the app is dropped.
    pub dir: TempDir,
    /// The encryption key the app's storage registry opens warehouse secrets with.
    pub encryption_key: String,
}

impl TestApp {
    /// An app whose requests without credentials act as an admin of the tenant (as a
    /// server with authentication off does on loopback).
    pub async fn new(backend: Backend) -> TestApp {
        Self::build(backend, false).await
    }

    /// An app that requires authentication on every request (`auth.enabled`).
    pub async fn secured(backend: Backend) -> TestApp {
        Self::build(backend, true).await
    }

    async fn build(backend: Backend, secured: bool) -> TestApp {
        Self::build_with(backend, secured, |_, _| {}).await
    }

    /// An app whose service settings and API configuration `configure` adjusts (the tenant
    /// is `acme`).
    pub async fn build_with(
        backend: Backend,
        secured: bool,
        configure: impl FnOnce(&mut Settings, &mut ApiConfig),
    ) -> TestApp {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = open_store(backend, dir.path()).await;
        let tenant = Tenant::new(Name::new("acme").unwrap());
        store.create_tenant(&tenant, &[]).await.expect("tenant");
        let root = dir.path().join("warehouse");
        std::fs::create_dir_all(&root).expect("warehouse root");
        let warehouse = file_warehouse(&tenant, &root);
        store
            .create_warehouse(&warehouse, &[])
            .await
            .expect("warehouse");
        let catalog = local_catalog(&tenant, warehouse.id, CATALOG);
        store.create_catalog(&catalog, &[]).await.expect("catalog");
        let encryption_key = SecretBox::generate_encoded();
        let key = SecretBox::from_encoded(&encryption_key).unwrap();
        let mut settings = Settings {
            file_warehouse_roots: vec![dir.path().to_owned()],
            ..Settings::default()
        };
        let mut config = ApiConfig {
            anonymous_tenant: (!secured).then_some(tenant.id),
            ..Default::default()
        };
        configure(&mut settings, &mut config);
        let services = Services::new(
            store.clone(),
            Arc::new(StorageRegistry::new(key.clone())),
            settings,
        )
        .expect("services");
        services.start_identity().await.expect("signing keys");
        let state = AppState::with_services(services, config);
        TestApp {
            backend,
            router: pangolin_api::router(state.clone()),
            state,
            store,
            tenant,
            warehouse,
            catalog,
            secrets: key,
            dir,
            encryption_key,
        }
    }

    pub async fn memory() -> TestApp {
        TestApp::new(Backend::Memory).await
    }

    /// The warehouse root directory on disk.
    pub fn warehouse_root(&self) -> PathBuf {
        self.dir.path().join("warehouse")
    }

    /// The warehouse root as a location (`file:///...`).
    pub fn warehouse_location(&self) -> String {
        format!("file://{}", self.warehouse_root().display())
    }

    /// Sends a request; `body` is sent as JSON.
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let bytes = match body {
            Some(v) => Bytes::from(serde_json::to_vec(&v).unwrap()),
            None => Bytes::new(),
        };
        let (status, headers, raw) = self.send_bytes(method, uri, bytes, headers).await;
        let value = if raw.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&raw).unwrap_or_else(|e| {
                panic!(
                    "{uri}: the {status} body is not JSON ({e}): {}",
                    String::from_utf8_lossy(&raw)
                )
            })
        };
        (status, headers, value)
    }

    /// Sends raw bytes (e.g. malformed JSON) and returns the raw response body.
    pub async fn send_bytes(
        &self,
        method: Method,
        uri: &str,
        body: impl Into<Bytes>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, Bytes) {
        self.send_bytes_from(None, method, uri, body, headers).await
    }

    /// Like [`send`](Self::send), as a client at `addr` (the connection info the server
    /// records and rate-limits by).
    pub async fn send_from(
        &self,
        addr: &str,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> Reply {
        let bytes = body.map_or_else(Bytes::new, |v| Bytes::from(v.to_string()));
        let addr: std::net::SocketAddr = addr.parse().expect("a socket address");
        let (status, headers, raw) = self
            .send_bytes_from(Some(addr), method, uri, bytes, &[])
            .await;
        let value = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        (status, headers, value)
    }

    async fn send_bytes_from(
        &self,
        client: Option<std::net::SocketAddr>,
        method: Method,
        uri: &str,
        body: impl Into<Bytes>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, Bytes) {
        let body: Bytes = body.into();
        let mut request = Request::builder().method(method).uri(uri);
        if !body.is_empty() {
            request = request.header("content-type", "application/json");
        }
        for (name, value) in headers {
            request = request.header(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        let mut request = request.body(Body::from(body)).expect("a valid request");
        if let Some(addr) = client {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(addr));
        }
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let (parts, body) = response.into_parts();
        let raw = body.collect().await.expect("a readable body").to_bytes();
        (parts.status, parts.headers, raw)
    }

    pub async fn get(&self, uri: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Reply {
        self.send(Method::GET, uri, body, headers).await
    }

    pub async fn post(&self, uri: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Reply {
        self.send(Method::POST, uri, body, headers).await
    }

    pub async fn delete(&self, uri: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Reply {
        self.send(Method::DELETE, uri, body, headers).await
    }

    pub async fn head(&self, uri: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Reply {
        self.send(Method::HEAD, uri, body, headers).await
    }

    /// Creates a namespace (with no properties) and asserts success.
    pub async fn create_namespace(&self, levels: &[&str]) -> Value {
        let body = serde_json::json!({ "namespace": levels });
        let (status, _, reply) = self.post(&namespaces_uri(), Some(body), &[]).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "create namespace {levels:?}: {reply}"
        );
        reply
    }

    /// Creates a table from [`bodies::create_table`] and returns its `LoadTableResult`.
    pub async fn create_table(&self, levels: &[&str], name: &str) -> Value {
        self.create_table_with(levels, bodies::create_table(name))
            .await
    }

    /// Creates a table from `body` and returns its `LoadTableResult`.
    pub async fn create_table_with(&self, levels: &[&str], body: Value) -> Value {
        let (status, _, reply) = self.post(&tables_uri(levels), Some(body), &[]).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "create table in {levels:?}: {reply}"
        );
        reply
    }

    /// Loads a table and asserts success.
    pub async fn load_table(&self, levels: &[&str], name: &str) -> Value {
        let (status, _, reply) = self.get(&table_uri(levels, name), None, &[]).await;
        assert_eq!(status, StatusCode::OK, "load {levels:?}.{name}: {reply}");
        reply
    }

    /// Adds another Local catalog on the same warehouse.
    pub async fn add_catalog(&self, name: &str) -> Catalog {
        let catalog = local_catalog(&self.tenant, self.warehouse.id, name);
        self.store
            .create_catalog(&catalog, &[])
            .await
            .expect("catalog");
        catalog
    }

    /// Creates a branch or tag of the `default` catalog at `main`'s current head, through the
    /// store (the management API is not part of these routes).
    pub async fn create_ref(&self, name: &str, kind: RefKind) -> Reference {
        let main = Name::new(MAIN_BRANCH).unwrap();
        let head = self
            .store
            .get_ref(self.catalog.id, &main)
            .await
            .unwrap()
            .head;
        let new = NewRef {
            catalog_id: self.catalog.id,
            name: Name::new(name).unwrap(),
            kind,
            from: head,
            scope: None,
            properties: Properties::new(),
            created_at: pangolin_core::now(),
        };
        self.store.create_ref(&new, &[]).await.expect("create ref")
    }

    /// Commits `body` (a `CommitTableRequest`) to a table.
    pub async fn commit(&self, levels: &[&str], name: &str, body: Value) -> Reply {
        self.post(&table_uri(levels, name), Some(body), &[]).await
    }
}

async fn open_store(backend: Backend, dir: &Path) -> DynStore {
    match backend {
        Backend::Memory => MemoryStore::shared(),
        Backend::Sqlite => {
            let path = dir.join("pangolin.db");
            let store = SqliteStore::open(&path, SqliteOptions::default())
                .await
                .expect("open the SQLite store");
            store.migrate().await.expect("migrate the SQLite store");
            Arc::new(store)
        }
    }
}

fn file_warehouse(tenant: &Tenant, root: &Path) -> Warehouse {
    let now = pangolin_core::now();
    Warehouse {
        id: WarehouseId::generate(),
        tenant_id: tenant.id,
        name: Name::new("local").unwrap(),
        storage: StorageProfile::File(FileProfile {
            root: root.display().to_string(),
        }),
        secret: None,
        properties: Properties::new(),
        created_at: now,
        updated_at: now,
    }
}

fn local_catalog(tenant: &Tenant, warehouse_id: WarehouseId, name: &str) -> Catalog {
    let now = pangolin_core::now();
    Catalog {
        id: CatalogId::generate(),
        tenant_id: tenant.id,
        name: Name::new(name).unwrap(),
        kind: CatalogKind::Local { warehouse_id },
        properties: Properties::new(),
        created_at: now,
        updated_at: now,
    }
}

/// A namespace path segment: levels joined by the unit separator, percent-encoded.
pub fn ns_path(levels: &[&str]) -> String {
    levels.join("%1F")
}

/// `/v1/default/namespaces`.
pub fn namespaces_uri() -> String {
    format!("/v1/{CATALOG}/namespaces")
}

pub fn namespace_uri(levels: &[&str]) -> String {
    format!("/v1/{CATALOG}/namespaces/{}", ns_path(levels))
}

pub fn tables_uri(levels: &[&str]) -> String {
    format!("{}/tables", namespace_uri(levels))
}

pub fn table_uri(levels: &[&str], name: &str) -> String {
    format!("{}/tables/{name}", namespace_uri(levels))
}

/// `/v1/default/{path}`.
pub fn catalog_uri(path: &str) -> String {
    format!("/v1/{CATALOG}/{path}")
}

/// Asserts an error reply: the status, and the envelope `{"error": {message, type, code}}`.
pub fn assert_error(reply: &Reply, status: StatusCode, kind: &str) {
    let (actual, _, body) = reply;
    assert_eq!(*actual, status, "expected {status} {kind}, got: {body}");
    let error = body
        .get("error")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("no error envelope: {body}"));
    assert_eq!(error.get("type"), Some(&Value::from(kind)), "{body}");
    assert_eq!(
        error.get("code"),
        Some(&Value::from(status.as_u16())),
        "{body}"
    );
    let message = error.get("message").and_then(Value::as_str);
    assert!(
        message.is_some_and(|m| !m.is_empty()),
        "an error needs a message: {body}"
    );
    assert_eq!(error.len(), 3, "only message, type and code: {body}");
}
