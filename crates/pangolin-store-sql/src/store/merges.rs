//! `MergeStore`: merge operations with their conflicts (a JSON document), and the two steps
//! of the commit path that complete one.

use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{MergeOperation, MergeStatus};
use pangolin_core::{CatalogId, Error, Kind, MergeId, Page, PageRequest, Result};
use pangolin_store::{CommitRequest, MergeStore, rules};

use super::namespaces::catalog_exists;
use super::{Access, SqlStore};
use crate::common::decode;
use crate::common::dialect::{Dialect, Stmt, for_update};
use crate::common::error::{DbResultExt, Violation};
use crate::common::{row_limit, to_json};

/// The status of operation `id` of the catalog, row-locked until the transaction ends (so
/// its writers serialize); `None` when the catalog has no such operation.
pub(super) async fn lock_merge<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    id: MergeId,
) -> Result<Option<MergeStatus>> {
    let row = DB::stmt(for_update!(
        DB,
        "SELECT status FROM merge_operations WHERE id = $1 AND catalog_id = $2"
    ))
    .id(id)
    .id(catalog)
    .fetch_optional(conn)
    .await
    .db()?;
    row.as_ref().map(decode::merge_status).transpose()
}

/// Marks operation `id` completed by the commit of `req` (checked open, and locked, before).
pub(super) async fn complete_merge<DB: Dialect>(
    conn: &mut DB::Connection,
    req: &CommitRequest,
    id: MergeId,
) -> Result<()> {
    DB::stmt(
        "UPDATE merge_operations SET status = $3, result_commit = $4, updated_at = $5
         WHERE id = $1 AND catalog_id = $2",
    )
    .id(id)
    .id(req.catalog_id)
    .text(MergeStatus::Completed.as_str())
    .id(req.commit_id)
    .ts(req.created_at)
    .execute(conn)
    .await
    .db()
    .map(drop)
}

/// The list query with the page cursor condition spliced in (`$4` is the cursor). A status
/// filter that is not set is bound as NULL and matches everything.
macro_rules! merges_query {
    ($cursor:literal) => {
        concat!(
            "SELECT * FROM merge_operations
             WHERE catalog_id = $1 AND ($2 IS NULL OR status = $2) ",
            $cursor,
            " ORDER BY id DESC LIMIT $3"
        )
    };
}

#[async_trait]
impl<DB: Dialect> MergeStore for SqlStore<DB> {
    async fn create_merge(&self, op: &MergeOperation, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        if !catalog_exists::<DB>(&mut tx, op.catalog_id).await? {
            return Err(Error::not_found(Kind::Catalog, op.catalog_id));
        }
        DB::stmt(
            "INSERT INTO merge_operations (id, catalog_id, source_ref, target_ref, source_head,
                 target_head, base, status, conflicts, author, message, result_commit,
                 created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .id(op.id)
        .id(op.catalog_id)
        .text(op.source.as_str())
        .text(op.target.as_str())
        .id(op.source_head)
        .id(op.target_head)
        .opt_id(op.base)
        .text(op.status.as_str())
        .json(&to_json(&op.conflicts)?)
        .text(&op.author)
        .text(&op.message)
        .opt_id(op.result_commit)
        .ts(op.created_at)
        .ts(op.updated_at)
        .execute(&mut tx)
        .await
        .on_violation(|v| match v {
            Violation::Unique => Error::already_exists(Kind::Merge, op.id),
            // The catalog was checked: it was deleted since.
            Violation::ForeignKey => Error::not_found(Kind::Catalog, op.catalog_id),
        })?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn get_merge(&self, catalog: CatalogId, id: MergeId) -> Result<MergeOperation> {
        let row = DB::stmt("SELECT * FROM merge_operations WHERE id = $1 AND catalog_id = $2")
            .id(id)
            .id(catalog)
            .fetch_optional(&mut *self.conn().await?)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::Merge, id))?;
        decode::merge_operation(&row)
    }

    async fn list_merges(
        &self,
        catalog: CatalogId,
        status: Option<MergeStatus>,
        page: &PageRequest,
    ) -> Result<Page<MergeOperation>> {
        // Ids are UUIDv7 and compare like their string forms in both dialects.
        let before = rules::merges_before(page)?;
        let stmt = DB::stmt(match before {
            None => merges_query!(""),
            Some(_) => merges_query!("AND id < $4"),
        })
        .id(catalog)
        .opt_text(status.map(MergeStatus::as_str))
        .int(row_limit(page));
        let stmt = match before {
            Some(before) => stmt.id(before),
            None => stmt,
        };
        let rows = stmt.fetch_all(&mut *self.conn().await?).await.db()?;
        let ops = decode::all(&rows, decode::merge_operation)?;
        Ok(Page::from_rows(ops, page, |op| op.id.to_string()))
    }

    async fn update_merge(&self, op: &MergeOperation, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        let status = lock_merge::<DB>(&mut tx, op.catalog_id, op.id).await?;
        rules::check_open(op.id, status)?;
        DB::stmt(
            "UPDATE merge_operations SET conflicts = $3, status = $4, result_commit = $5,
                 updated_at = $6
             WHERE id = $1 AND catalog_id = $2",
        )
        .id(op.id)
        .id(op.catalog_id)
        .json(&to_json(&op.conflicts)?)
        .text(op.status.as_str())
        .opt_id(op.result_commit)
        .ts(op.updated_at)
        .execute(&mut tx)
        .await
        .db()?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }
}
