//! Reading the commit DAG: commits, first-parent chains, and the catalog state at a commit.

use pangolin_core::model::{Commit, Content};
use pangolin_core::{CatalogId, CommitId, Error, Kind, Result, TableIdent};

use crate::common::decode;
use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::DbResultExt;

pub(super) async fn commit_exists<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    commit: CommitId,
) -> Result<bool> {
    DB::stmt("SELECT EXISTS (SELECT 1 FROM commits WHERE id = $1 AND catalog_id = $2)")
        .id(commit)
        .id(catalog)
        .exists(conn)
        .await
        .db()
}

/// One commit of the catalog, with its operations.
pub(super) async fn load_commit<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    commit: CommitId,
) -> Result<Commit> {
    let row = DB::stmt("SELECT * FROM commits WHERE id = $1 AND catalog_id = $2")
        .id(commit)
        .id(catalog)
        .fetch_optional(&mut *conn)
        .await
        .db()?;
    let row = row.ok_or_else(|| Error::not_found(Kind::Commit, commit))?;
    let header = decode::commit_header(&row)?;
    let mut loaded = DB::load_operations(conn, vec![header]).await?;
    loaded
        .pop()
        .ok_or_else(|| Error::internal("a loaded commit went missing"))
}

/// Up to `limit` commits of the first-parent chain from `start`, newest first.
pub(super) async fn first_parent_chain<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    start: CommitId,
    limit: i64,
) -> Result<Vec<Commit>> {
    let rows = DB::stmt(
        "WITH RECURSIVE chain AS (
             SELECT c.*, 1 AS depth FROM commits c WHERE c.id = $2 AND c.catalog_id = $1
             UNION ALL
             SELECT c.*, chain.depth + 1 FROM commits c JOIN chain ON c.id = chain.parent
             WHERE chain.depth < $3
         )
         SELECT * FROM chain ORDER BY depth",
    )
    .id(catalog)
    .id(start)
    .int(limit)
    .fetch_all(&mut *conn)
    .await
    .db()?;
    let headers = decode::all(&rows, decode::commit_header)?;
    DB::load_operations(conn, headers).await
}

/// The first-parent chain from commit `$2` of catalog `$1`, and every operation on it with
/// the chain depth of its commit: the source of "state at a commit", where the newest
/// operation per key wins (see `memory::refs::state_at`).
macro_rules! chain_operations {
    () => {
        "WITH RECURSIVE chain (id, parent, created_at, depth) AS (
             SELECT id, parent, created_at, 0 FROM commits WHERE id = $2 AND catalog_id = $1
             UNION ALL
             SELECT c.id, c.parent, c.created_at, chain.depth + 1
             FROM commits c JOIN chain ON c.id = chain.parent
         ),
         ops AS (
             SELECT o.op, o.namespace, o.name, o.content_id, o.kind, o.location,
                    o.metadata_location, o.commit_id AS last_commit_id, chain.created_at AS updated_at, chain.depth
             FROM chain JOIN commit_operations o ON o.commit_id = chain.id
         )"
    };
}

/// The catalog's contents as of commit `at` (which must exist).
pub(super) async fn state_at<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    at: CommitId,
) -> Result<Vec<Content>> {
    let rows = DB::stmt(concat!(
        chain_operations!(),
        "SELECT * FROM (
             SELECT ops.*, ROW_NUMBER() OVER (PARTITION BY namespace, name ORDER BY depth) AS rn
             FROM ops
         ) newest
         WHERE rn = 1 AND op = 'put'
         ORDER BY namespace, name"
    ))
    .id(catalog)
    .id(at)
    .fetch_all(conn)
    .await
    .db()?;
    decode::all(&rows, decode::keyed_content)
}

/// The catalog state at `from` (which must exist), ordered by namespace, then name. A
/// whole-catalog reference whose head is `from` already holds exactly that state, so its rows
/// are read instead of folding the history; one statement reads the reference and its
/// contents, so a concurrent commit cannot split them. (A partial branch's rows are only its
/// scope, so it never stands in for the fold.)
pub(super) async fn contents_at<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    from: CommitId,
) -> Result<Vec<Content>> {
    let rows = DB::stmt(
        "SELECT r.name AS source, c.namespace, c.name, c.content_id, c.kind, c.location,
                c.metadata_location, c.last_commit_id, c.updated_at
         FROM (SELECT name FROM refs WHERE catalog_id = $1 AND head = $2 AND scope IS NULL
               ORDER BY name LIMIT 1) r
         LEFT JOIN contents c ON c.catalog_id = $1 AND c.ref_name = r.name
         ORDER BY c.namespace, c.name",
    )
    .id(catalog)
    .id(from)
    .fetch_all(&mut *conn)
    .await
    .db()?;
    if rows.is_empty() {
        return state_at::<DB>(conn, catalog, from).await;
    }
    decode::outer_joined_contents(&rows)
}

/// The content at `ident` as of commit `at`: `Ok(None)` when absent there, and
/// `NotFound(Commit)` when `at` is not a commit of the catalog.
pub(super) async fn content_at<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    at: CommitId,
    ident: &TableIdent,
) -> Result<Option<Content>> {
    let row = DB::stmt(concat!(
        chain_operations!(),
        "SELECT * FROM ops WHERE namespace = $3 AND name = $4 ORDER BY depth LIMIT 1"
    ))
    .id(catalog)
    .id(at)
    .text(&ident.namespace.encoded())
    .text(ident.name.as_str())
    .fetch_optional(&mut *conn)
    .await
    .db()?;
    match row {
        Some(row) => decode::put_content(&row, ident),
        // No operation on the key: an empty history, or no such commit.
        None if commit_exists::<DB>(conn, catalog, at).await? => Ok(None),
        None => Err(Error::not_found(Kind::Commit, at)),
    }
}
