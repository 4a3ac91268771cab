//! The SQLite backend: one database file, WAL journal, writers serialized by `BEGIN IMMEDIATE`
//! (so a writer waits for the lock up front, on the busy timeout, instead of failing with
//! `SQLITE_BUSY` when a read transaction tries to upgrade).

mod audit;
mod catalogs;
mod commit;
mod contents;
mod history;
mod namespaces;
mod refs;
mod row;
mod tenants;

use std::fmt;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use pangolin_core::{Error, PageRequest, Result};
use pangolin_store::StoreAdmin;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::SqliteOptions;
use crate::common::error::{DbResultExt, migrate_error};

type Tx = Transaction<'static, Sqlite>;

/// The embedded store. Cheap to clone (a pool handle).
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sqlite ({})", self.path.display())
    }
}

impl SqliteStore {
    /// Opens (creating the file and its directories if missing) the database at `path`.
    /// Does not migrate: call [`StoreAdmin::migrate`].
    pub async fn open(path: &Path, opts: SqliteOptions) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir).await.map_err(|e| {
                Error::Unavailable(format!("cannot create directory {}: {e}", dir.display()))
            })?;
        }
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(opts.busy_timeout);
        let pool = SqlitePoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .acquire_timeout(opts.busy_timeout)
            .connect_with(connect)
            .await
            .db()?;
        Ok(SqliteStore {
            pool,
            path: path.to_owned(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes every pooled connection (e.g. before reopening the file).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A write transaction holding the database's write lock from its first statement.
    async fn write(&self) -> Result<Tx> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.db()
    }
}

/// `fetch_limit` as SQLite's LIMIT, where a negative value means no limit.
fn limit(page: &PageRequest) -> i64 {
    crate::common::fetch_limit(page).unwrap_or(-1)
}

#[async_trait]
impl StoreAdmin for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> Result<()> {
        sqlx::migrate!("migrations/sqlite")
            .run(&self.pool)
            .await
            .map_err(migrate_error)
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .db()
            .map(drop)
    }
}
