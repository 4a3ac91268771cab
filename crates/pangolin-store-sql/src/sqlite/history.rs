//! The commit DAG: writing commits, reading them back, and the catalog state at a commit.

use pangolin_core::model::{Commit, Content};
use pangolin_core::{CatalogId, CommitId, Error, Kind, Result, TableIdent};
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;

use super::row::{id, opt_id, ts};
use crate::common::error::DbResultExt;
use crate::common::{decode, operation_columns};

/// Records a commit with its operations.
pub(super) async fn insert_commit(conn: &mut SqliteConnection, c: &Commit) -> Result<()> {
    sqlx::query(
        "INSERT INTO commits (id, catalog_id, parent, merge_parent, author, message, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id(c.id))
    .bind(id(c.catalog_id))
    .bind(opt_id(c.parents.first().copied()))
    .bind(opt_id(c.parents.get(1).copied()))
    .bind(&c.author)
    .bind(&c.message)
    .bind(ts(c.created_at))
    .execute(&mut *conn)
    .await
    .on_violation(|_| Error::invalid(format!("commit id {} is already used", c.id)))?;
    for (ordinal, op) in c.operations.iter().enumerate() {
        let (tag, kind, location) = operation_columns(op);
        sqlx::query(
            "INSERT INTO commit_operations
                 (commit_id, ordinal, op, namespace, name, content_id, kind, metadata_location)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id(c.id))
        .bind(i64::try_from(ordinal).unwrap_or(i64::MAX))
        .bind(tag)
        .bind(op.ident().namespace.encoded())
        .bind(op.ident().name.as_str())
        .bind(id(op.content_id()))
        .bind(kind.as_str())
        .bind(location)
        .execute(&mut *conn)
        .await
        .db()?;
    }
    Ok(())
}

pub(super) async fn commit_exists(
    conn: &mut SqliteConnection,
    catalog: CatalogId,
    commit: CommitId,
) -> Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM commits WHERE id = $1 AND catalog_id = $2)")
        .bind(id(commit))
        .bind(id(catalog))
        .fetch_one(conn)
        .await
        .db()
}

/// Fills in the operations of commits read without them.
pub(super) async fn with_operations(
    conn: &mut SqliteConnection,
    mut commits: Vec<Commit>,
) -> Result<Vec<Commit>> {
    for i in 0..commits.len() {
        let rows =
            sqlx::query("SELECT * FROM commit_operations WHERE commit_id = $1 ORDER BY ordinal")
                .bind(id(commits[i].id))
                .fetch_all(&mut *conn)
                .await
                .db()?;
        decode::attach_operations(&mut commits[i..=i], &rows)?;
    }
    Ok(commits)
}

/// One commit of the catalog, with its operations.
pub(super) async fn load_commit(
    conn: &mut SqliteConnection,
    catalog: CatalogId,
    commit: CommitId,
) -> Result<Commit> {
    let row = sqlx::query("SELECT * FROM commits WHERE id = $1 AND catalog_id = $2")
        .bind(id(commit))
        .bind(id(catalog))
        .fetch_optional(&mut *conn)
        .await
        .db()?;
    let row = row.ok_or_else(|| Error::not_found(Kind::Commit, commit))?;
    let header = decode::commit_header(&row)?;
    Ok(with_operations(conn, vec![header]).await?.remove(0))
}

/// Up to `limit` commits of the first-parent chain starting at `start`, newest first.
pub(super) async fn first_parent_chain(
    conn: &mut SqliteConnection,
    catalog: CatalogId,
    start: CommitId,
    limit: i64,
) -> Result<Vec<Commit>> {
    let rows = sqlx::query(
        "WITH RECURSIVE chain AS (
             SELECT c.*, 1 AS depth FROM commits c WHERE c.id = $2 AND c.catalog_id = $1
             UNION ALL
             SELECT c.*, chain.depth + 1 FROM commits c JOIN chain ON c.id = chain.parent
             WHERE $3 < 0 OR chain.depth < $3
         )
         SELECT * FROM chain ORDER BY depth",
    )
    .bind(id(catalog))
    .bind(id(start))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
    .db()?;
    let headers = decode::all(&rows, decode::commit_header)?;
    with_operations(conn, headers).await
}

/// The first-parent chain from `$2` (commit) in catalog `$1`, and every operation on it with
/// the chain depth of its commit: the source of "state at a commit" (the newest operation
/// per key wins, see `memory::refs::state_at`).
macro_rules! chain_operations {
    () => {
        "WITH RECURSIVE chain (id, parent, created_at, depth) AS (
             SELECT id, parent, created_at, 0 FROM commits WHERE id = $2 AND catalog_id = $1
             UNION ALL
             SELECT c.id, c.parent, c.created_at, chain.depth + 1
             FROM commits c JOIN chain ON c.id = chain.parent
         ),
         ops AS (
             SELECT o.op, o.namespace, o.name, o.content_id, o.kind, o.metadata_location,
                    o.commit_id AS last_commit_id, chain.created_at AS updated_at, chain.depth
             FROM chain JOIN commit_operations o ON o.commit_id = chain.id
         )"
    };
}

/// The catalog's contents as of commit `at` (which must exist).
pub(super) async fn state_at(
    conn: &mut SqliteConnection,
    catalog: CatalogId,
    at: CommitId,
) -> Result<Vec<Content>> {
    let rows = sqlx::query(concat!(
        chain_operations!(),
        "SELECT * FROM (
             SELECT ops.*, ROW_NUMBER() OVER (PARTITION BY namespace, name ORDER BY depth) AS rn
             FROM ops
         ) WHERE rn = 1 AND op = 'put' ORDER BY namespace, name"
    ))
    .bind(id(catalog))
    .bind(id(at))
    .fetch_all(conn)
    .await
    .db()?;
    decode::all(&rows, decode::keyed_content)
}

/// The newest operation on `ident` along the chain from `at`, if any.
pub(super) async fn last_operation_on(
    conn: &mut SqliteConnection,
    catalog: CatalogId,
    at: CommitId,
    ident: &TableIdent,
) -> Result<Option<SqliteRow>> {
    sqlx::query(concat!(
        chain_operations!(),
        "SELECT * FROM ops WHERE namespace = $3 AND name = $4 ORDER BY depth LIMIT 1"
    ))
    .bind(id(catalog))
    .bind(id(at))
    .bind(ident.namespace.encoded())
    .bind(ident.name.as_str())
    .fetch_optional(conn)
    .await
    .db()
}
