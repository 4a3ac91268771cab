//! The PostgreSQL backend: a connection pool, READ COMMITTED transactions, and row locks
//! where a decision must not race (a branch's head in `commit`, a namespace's properties).

mod audit;
mod batch;
mod catalogs;
mod commit;
mod contents;
mod history;
mod namespaces;
mod refs;
mod row;
mod tenants;

use std::fmt;

use async_trait::async_trait;
use pangolin_core::{Error, Result};
use pangolin_store::StoreAdmin;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use crate::PostgresOptions;
use crate::common::error::{DbResultExt, migrate_error};
use crate::options::{check_schema, redact_url};

type Tx = Transaction<'static, Postgres>;

/// The production store. Cheap to clone (a pool handle). Debug and Display show the
/// connection string without its password.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    url: String,
    schema: Option<String>,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("url", &self.url)
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "postgres ({})", self.url)
    }
}

impl PostgresStore {
    /// Connects a pool to `url`. Does not migrate: call [`StoreAdmin::migrate`].
    pub async fn connect(url: &str, opts: PostgresOptions) -> Result<Self> {
        if let Some(schema) = &opts.schema {
            check_schema(schema)?;
        }
        let redacted = redact_url(url);
        let connect: PgConnectOptions = url.parse().map_err(|_| {
            Error::invalid(format!("invalid Postgres connection string {redacted}"))
        })?;
        let schema = opts.schema.clone();
        let pool = PgPoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .acquire_timeout(opts.acquire_timeout)
            .after_connect(move |conn, _meta| {
                let schema = schema.clone();
                Box::pin(async move {
                    // Every statement names its tables unqualified, so the search path alone
                    // decides which schema a store works in.
                    if let Some(schema) = schema {
                        sqlx::query("SELECT set_config('search_path', $1, false)")
                            .bind(schema)
                            .execute(conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(connect)
            .await
            .db()?;
        Ok(PostgresStore {
            pool,
            url: redacted,
            schema: opts.schema,
        })
    }

    /// Closes every pooled connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn begin(&self) -> Result<Tx> {
        self.pool.begin().await.db()
    }
}

#[async_trait]
impl StoreAdmin for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> Result<()> {
        let mut migrator = sqlx::migrate!("migrations/postgres");
        if let Some(schema) = &self.schema {
            // Validated by `connect` as a plain identifier, so it needs no quoting.
            migrator.create_schema(schema.clone());
        }
        migrator.run(&self.pool).await.map_err(migrate_error)
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .db()
            .map(drop)
    }
}
