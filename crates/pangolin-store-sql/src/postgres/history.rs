//! The commit DAG: writing commits, reading them back, and the catalog state at a commit.

use pangolin_core::model::{Commit, Content};
use pangolin_core::{CatalogId, CommitId, Error, Kind, Result, TableIdent};
use sqlx::PgConnection;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use super::batch::OpColumns;
use super::row::{id, opt_id, ts};
use crate::common::decode;
use crate::common::error::DbResultExt;

/// Records a commit with its operations in one statement (`commit` has its own statement
/// that also moves the head).
pub(super) async fn insert_commit(conn: &mut PgConnection, c: &Commit) -> Result<()> {
    let ops = OpColumns::of(&c.operations);
    sqlx::query(
        "WITH new_commit AS (
             INSERT INTO commits (id, catalog_id, parent, merge_parent, author, message,
                                  created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
         )
         INSERT INTO commit_operations
             (commit_id, ordinal, op, namespace, name, content_id, kind, metadata_location)
         SELECT $1, u.ordinal - 1, u.op, u.namespace, u.name, u.content_id, u.kind, u.location
         FROM unnest($8::text[], $9::text[], $10::text[], $11::uuid[], $12::text[], $13::text[])
             WITH ORDINALITY AS u(op, namespace, name, content_id, kind, location, ordinal)",
    )
    .bind(id(c.id))
    .bind(id(c.catalog_id))
    .bind(opt_id(c.parents.first().copied()))
    .bind(opt_id(c.parents.get(1).copied()))
    .bind(&c.author)
    .bind(&c.message)
    .bind(ts(c.created_at))
    .bind(&ops.op)
    .bind(&ops.namespace)
    .bind(&ops.name)
    .bind(&ops.content_id)
    .bind(&ops.kind)
    .bind(&ops.location)
    .execute(conn)
    .await
    .on_violation(|_| Error::invalid(format!("commit id {} is already used", c.id)))
    .map(drop)
}

pub(super) async fn commit_exists(
    conn: &mut PgConnection,
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

/// Fills in the operations of commits read without them, in one query.
pub(super) async fn with_operations(
    conn: &mut PgConnection,
    mut commits: Vec<Commit>,
) -> Result<Vec<Commit>> {
    if commits.is_empty() {
        return Ok(commits);
    }
    let ids: Vec<Uuid> = commits.iter().map(|c| id(c.id)).collect();
    let rows = sqlx::query(
        "SELECT * FROM commit_operations WHERE commit_id = ANY($1) ORDER BY commit_id, ordinal",
    )
    .bind(&ids)
    .fetch_all(conn)
    .await
    .db()?;
    decode::attach_operations(&mut commits, &rows)?;
    Ok(commits)
}

/// One commit of the catalog, with its operations.
pub(super) async fn load_commit(
    conn: &mut PgConnection,
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

/// Up to `limit` commits (`None`: all) of the first-parent chain from `start`, newest first.
pub(super) async fn first_parent_chain(
    conn: &mut PgConnection,
    catalog: CatalogId,
    start: CommitId,
    limit: Option<i64>,
) -> Result<Vec<Commit>> {
    let rows = sqlx::query(
        "WITH RECURSIVE chain AS (
             SELECT c.*, 1 AS depth FROM commits c WHERE c.id = $2 AND c.catalog_id = $1
             UNION ALL
             SELECT c.*, chain.depth + 1 FROM commits c JOIN chain ON c.id = chain.parent
             WHERE $3::bigint IS NULL OR chain.depth < $3
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
    conn: &mut PgConnection,
    catalog: CatalogId,
    at: CommitId,
) -> Result<Vec<Content>> {
    let rows = sqlx::query(concat!(
        chain_operations!(),
        "SELECT * FROM (
             SELECT DISTINCT ON (namespace, name) * FROM ops ORDER BY namespace, name, depth
         ) newest WHERE op = 'put' ORDER BY namespace, name"
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
    conn: &mut PgConnection,
    catalog: CatalogId,
    at: CommitId,
    ident: &TableIdent,
) -> Result<Option<PgRow>> {
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
