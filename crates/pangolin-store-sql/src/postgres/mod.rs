//! The PostgreSQL dialect: a connection pool, READ COMMITTED transactions, row locks where a
//! decision must not race (a branch's head, a namespace's properties), and set-based
//! statements for the operations that touch many rows.

mod batch;
mod commit;
mod files;
mod pointers;
mod types;

use std::collections::{HashMap, HashSet};

use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Commit, Content};
use pangolin_core::{CatalogId, ContentId, Error, NamespaceIdent, Result, TableIdent};
use pangolin_store::CommitRequest;
use pangolin_store::locations::Occupant;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgConnection, Pool, Postgres};

use crate::PostgresOptions;
use crate::common::AuditSeal;
use crate::common::dialect::{Dialect, PointerCommit};
use crate::common::error::{DbResultExt, migrate_error};
use crate::common::plan::Plan;
use crate::options::{check_schema, redact_url};
use crate::store::{SqlStore, Target};
use types::PgStmt;

/// The production store: a PostgreSQL connection pool.
pub type PostgresStore = SqlStore<Postgres>;

impl Dialect for Postgres {
    type Stmt = PgStmt;

    const BACKEND: &'static str = "postgres";
    const BEGIN_WRITE: &'static str = "BEGIN";
    const ROW_LOCKS: bool = true;
    const TEXT_ARRAYS: bool = true;
    const RELEASE_AFTER_COMMIT: bool = true;
    const POINTER_COMMITS: bool = true;

    fn stmt(sql: &'static str) -> PgStmt {
        PgStmt(sqlx::query(sql))
    }

    async fn migrate(pool: &Pool<Postgres>, schema: Option<&str>) -> Result<()> {
        let mut migrator = sqlx::migrate!("migrations/postgres");
        if let Some(schema) = schema {
            // Checked by `connect` to be a plain identifier, so it needs no quoting.
            migrator.create_schema(schema.to_owned());
        }
        migrator.run(pool).await.map_err(migrate_error)
    }

    async fn insert_audit(conn: &mut PgConnection, events: &[AuditEvent]) -> Result<()> {
        batch::insert_audit(conn, events).await
    }

    async fn seal_audit(
        conn: &mut PgConnection,
        chain_key: &str,
        seals: &[AuditSeal],
    ) -> Result<()> {
        batch::seal_audit(conn, chain_key, seals).await
    }

    async fn existing_namespaces(
        conn: &mut PgConnection,
        catalog: CatalogId,
        namespaces: &[NamespaceIdent],
    ) -> Result<HashSet<NamespaceIdent>> {
        batch::existing_namespaces(conn, catalog, namespaces).await
    }

    async fn current_contents(
        conn: &mut PgConnection,
        req: &CommitRequest,
    ) -> Result<HashMap<TableIdent, Content>> {
        commit::current_contents(conn, req).await
    }

    async fn lock_locations(conn: &mut PgConnection) -> Result<()> {
        files::lock_locations(conn).await
    }

    async fn occupants(
        conn: &mut PgConnection,
        checks: &[(&str, ContentId)],
    ) -> Result<Vec<Occupant>> {
        files::occupants(conn, checks).await
    }

    async fn release_metadata(
        conn: &mut PgConnection,
        catalog: CatalogId,
        released: &[String],
    ) -> Result<()> {
        files::release_metadata(conn, catalog, released).await
    }

    async fn apply_commit(conn: &mut PgConnection, req: &CommitRequest, plan: &Plan) -> Result<()> {
        commit::apply_commit(conn, req, plan).await
    }

    async fn commit_pointers(
        conn: &mut PgConnection,
        req: &CommitRequest,
        seen: &HashMap<TableIdent, Content>,
        plan: &Plan,
    ) -> Result<PointerCommit> {
        pointers::commit_pointers(conn, req, seen, plan).await
    }

    async fn insert_commit(conn: &mut PgConnection, commit: &Commit) -> Result<()> {
        commit::insert_commit(conn, commit).await
    }

    async fn copy_contents(
        conn: &mut PgConnection,
        catalog: CatalogId,
        ref_name: &str,
        contents: &[Content],
    ) -> Result<()> {
        batch::copy_contents(conn, catalog, ref_name, contents).await
    }

    async fn load_operations(conn: &mut PgConnection, commits: Vec<Commit>) -> Result<Vec<Commit>> {
        batch::load_operations(conn, commits).await
    }
}

impl SqlStore<Postgres> {
    /// Connects a pool to `url`. Does not migrate: call `StoreAdmin::migrate`.
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
                    // Statements name their tables unqualified, so the search path alone
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
        Ok(SqlStore {
            pool,
            target: Target::Server {
                url: redacted,
                schema: opts.schema,
            },
        })
    }
}
