//! Opens the configured store backend. This is the only place that names a backend type; the
//! rest of the server sees `Arc<dyn Store>`.

use std::sync::Arc;

use anyhow::Context;
use pangolin_store::DynStore;
use pangolin_store::memory::MemoryStore;
use pangolin_store_sql::{PostgresOptions, PostgresStore, SqliteOptions, SqliteStore};

use crate::config::{Backend, Config};

/// An open store, plus the backend handle needed to close it cleanly.
pub(crate) struct OpenStore {
    pub(crate) store: DynStore,
    backend: Handle,
}

enum Handle {
    Memory,
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl OpenStore {
    /// Closes the connections. For SQLite this also folds the write-ahead log back into the
    /// database file, so a stopped server leaves one self-contained file to back up.
    pub(crate) async fn close(self) {
        match self.backend {
            Handle::Memory => {}
            Handle::Sqlite(s) => s.close().await,
            Handle::Postgres(p) => p.close().await,
        }
    }
}

/// Connects to (or creates) the store. Does not migrate.
async fn open(config: &Config) -> anyhow::Result<OpenStore> {
    let store = &config.store;
    let backend = match store.backend {
        Backend::Memory => Handle::Memory,
        Backend::Sqlite => {
            let path = config.sqlite_path();
            let mut opts = SqliteOptions::default();
            if let Some(n) = store.max_connections {
                opts.max_connections = n;
            }
            let sqlite = SqliteStore::open(&path, opts)
                .await
                .with_context(|| format!("opening SQLite database {}", path.display()))?;
            Handle::Sqlite(sqlite)
        }
        Backend::Postgres => {
            // Validation guarantees a URL for the postgres backend.
            let url = store.url.as_ref().context("store.url is not set")?;
            let mut opts = PostgresOptions {
                schema: store.schema.clone(),
                ..PostgresOptions::default()
            };
            if let Some(n) = store.max_connections {
                opts.max_connections = n;
            }
            let pg = PostgresStore::connect(url.expose(), opts)
                .await
                .with_context(|| format!("connecting to PostgreSQL at {url}"))?;
            Handle::Postgres(pg)
        }
    };
    let store: DynStore = match &backend {
        Handle::Memory => MemoryStore::shared(),
        Handle::Sqlite(s) => Arc::new(s.clone()),
        Handle::Postgres(p) => Arc::new(p.clone()),
    };
    Ok(OpenStore { store, backend })
}

/// Opens the store and brings its schema up to date.
pub(crate) async fn open_migrated(config: &Config) -> anyhow::Result<OpenStore> {
    let opened = open(config).await?;
    let store = &opened.store;
    store
        .migrate()
        .await
        .with_context(|| format!("migrating the {} store", store.backend()))?;
    Ok(opened)
}
