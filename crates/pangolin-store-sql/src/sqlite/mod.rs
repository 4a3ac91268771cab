//! The SQLite dialect: one database file, WAL journal, writers serialized by
//! `BEGIN IMMEDIATE`. Statements are in-process calls, so the portable one-row-per-statement
//! operations are used as they are.

mod types;

use std::path::Path;

use pangolin_core::{Error, Result};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite};

use crate::SqliteOptions;
use crate::common::dialect::Dialect;
use crate::common::error::{DbResultExt, migrate_error};
use crate::store::{SqlStore, Target};
use types::SqliteStmt;

/// The embedded store: one SQLite database file.
pub type SqliteStore = SqlStore<Sqlite>;

impl Dialect for Sqlite {
    type Stmt = SqliteStmt;

    const BACKEND: &'static str = "sqlite";
    // The write lock from the first statement: a deferred transaction that reads first
    // would fail with SQLITE_BUSY when upgrading instead of waiting on the busy timeout.
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    const ROW_LOCKS: bool = false;
    const TEXT_ARRAYS: bool = false;
    const RELEASE_AFTER_COMMIT: bool = false;
    const POINTER_COMMITS: bool = false;

    fn stmt(sql: &'static str) -> SqliteStmt {
        SqliteStmt(sqlx::query(sql))
    }

    async fn migrate(pool: &Pool<Sqlite>, _schema: Option<&str>) -> Result<()> {
        sqlx::migrate!("migrations/sqlite")
            .run(pool)
            .await
            .map_err(migrate_error)
    }
}

impl SqlStore<Sqlite> {
    /// Opens the database at `path`, creating the file and its directories if missing.
    /// Does not migrate: call `StoreAdmin::migrate`.
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
        Ok(SqlStore {
            pool,
            target: Target::File(path.to_owned()),
        })
    }
}
