//! The store contract implemented once for every [`Dialect`]: the statements here are
//! portable SQL (positional `$n` parameters, `ON CONFLICT`, `RETURNING`, recursive CTEs),
//! bound through the dialect's [`Stmt`](crate::common::dialect::Stmt).

mod access;
mod audit;
mod audit_chain;
mod catalogs;
mod commit;
mod contents;
mod dag;
mod forget;
mod grants;
mod history;
mod idempotency;
mod keys;
mod merges;
mod namespaces;
mod pointers;
pub(crate) mod portable;
pub(crate) mod portable_files;
mod refs;
mod service_users;
mod tenants;
mod users;

use std::fmt;
use std::future::Future;
use std::path::PathBuf;

use async_trait::async_trait;
use pangolin_core::Result;
use pangolin_store::StoreAdmin;
use sqlx::pool::PoolConnection;
use sqlx::{Pool, Transaction};

use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::DbResultExt;

/// A store on a SQL database: [`crate::SqliteStore`] or [`crate::PostgresStore`]. Cheap to
/// clone (a pool handle). Debug and Display never show a password.
pub struct SqlStore<DB: sqlx::Database> {
    pub(crate) pool: Pool<DB>,
    pub(crate) target: Target,
}

/// Where the data lives, for display and for migrations.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    File(PathBuf),
    /// `url` is already redacted.
    Server {
        url: String,
        schema: Option<String>,
    },
}

impl<DB: sqlx::Database> Clone for SqlStore<DB> {
    fn clone(&self) -> Self {
        SqlStore {
            pool: self.pool.clone(),
            target: self.target.clone(),
        }
    }
}

impl<DB: sqlx::Database> fmt::Debug for SqlStore<DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlStore")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl<DB: sqlx::Database> fmt::Display for SqlStore<DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Target::File(path) => write!(f, "sqlite ({})", path.display()),
            Target::Server { url, schema: None } => write!(f, "postgres ({url})"),
            Target::Server {
                url,
                schema: Some(s),
            } => write!(f, "postgres ({url}, schema {s})"),
        }
    }
}

/// Transactions and connections for the store implementations. (A crate-private trait rather
/// than inherent methods, which would put the crate-private `Dialect` in `SqlStore`'s
/// public interface.)
trait Access<DB: Dialect> {
    /// A write transaction (on SQLite it holds the database's write lock from the start, so
    /// writers queue on the busy timeout instead of failing to upgrade a read lock).
    fn write(&self) -> impl Future<Output = Result<Transaction<'static, DB>>> + Send;
    /// A pooled connection: for reads, and for writes that are one statement (atomic alone).
    fn conn(&self) -> impl Future<Output = Result<PoolConnection<DB>>> + Send;
}

impl<DB: Dialect> Access<DB> for SqlStore<DB> {
    async fn write(&self) -> Result<Transaction<'static, DB>> {
        self.pool.begin_with(DB::BEGIN_WRITE).await.db()
    }

    async fn conn(&self) -> Result<PoolConnection<DB>> {
        self.pool.acquire().await.db()
    }
}

impl<DB: sqlx::Database> SqlStore<DB> {
    /// Closes every pooled connection (e.g. before reopening a SQLite file).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl<DB: Dialect> StoreAdmin for SqlStore<DB> {
    fn backend(&self) -> &'static str {
        DB::BACKEND
    }

    async fn migrate(&self) -> Result<()> {
        let schema = match &self.target {
            Target::Server { schema, .. } => schema.as_deref(),
            Target::File(_) => None,
        };
        DB::migrate(&self.pool, schema).await
    }

    async fn ping(&self) -> Result<()> {
        let mut conn = self.conn().await?;
        DB::stmt("SELECT EXISTS (SELECT 1)")
            .exists(&mut conn)
            .await
            .db()
            .map(drop)
    }
}
