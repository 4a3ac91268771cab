//! `ContentStore::commit`, the hot write path: one transaction that reads what decides the
//! commit, checks it with the rules the memory backend uses ([`plan::plan`]) and applies it.
//!
//! The branch row is the serialization point. Postgres locks it (`FOR UPDATE`) after the
//! work that does not depend on the head (namespace and merge-parent checks, the audit
//! rows), so the lock is held for two statements and the commit, and releases unpointed
//! metadata bodies after the commit, outside the lock; on SQLite the write
//! transaction already excludes other writers. Commits that create keys or move locations
//! also take the store-wide locations lock, so the overlap check cannot race across
//! branches or catalogs; commits that only move pointers (the hot path) never take it.
//! A commit completing a merge operation locks that operation's row before the branch (lock
//! order merge → branch → locations), so it serializes with every other writer of the
//! operation and a merge lands at most once.

use std::collections::HashMap;

use pangolin_core::model::{Commit, Content};
use pangolin_core::{Error, Result, TableIdent};
use pangolin_store::locations::Occupant;
use pangolin_store::{CommitRequest, rules};
use sqlx::Transaction;

use super::history::commit_exists;
use super::merges::{complete_merge, lock_merge};
use super::pointers::{self, may_move_pointers_only};
use super::{Access, SqlStore};
use crate::common::decode;
use crate::common::dialect::{Dialect, Stmt, for_update};
use crate::common::error::{DbResultExt, commit_error};
use crate::common::plan::{self, Found, locations_to_check};

pub(super) async fn commit<DB: Dialect>(
    store: &SqlStore<DB>,
    req: &CommitRequest,
) -> Result<Commit> {
    if DB::POINTER_COMMITS
        && may_move_pointers_only(req)
        && let Some(commit) = pointers::commit(store, req).await?
    {
        return Ok(commit);
    }
    locked_commit(store, req).await
}

/// The general path: decides and writes the commit in one transaction holding the branch lock.
async fn locked_commit<DB: Dialect>(store: &SqlStore<DB>, req: &CommitRequest) -> Result<Commit> {
    let mut tx = store.write().await?;
    let namespaces =
        DB::existing_namespaces(&mut tx, req.catalog_id, &rules::namespaces_deciding(req)).await?;
    let merge_parent_exists = match req.merge_parent {
        Some(p) => commit_exists::<DB>(&mut tx, req.catalog_id, p).await?,
        None => false,
    };
    let merge_status = match req.completes_merge {
        Some(id) => lock_merge::<DB>(&mut tx, req.catalog_id, id).await?,
        None => None,
    };
    // Invisible to others until the commit; discarded with a rollback.
    DB::insert_audit(&mut tx, &req.audit).await?;

    let branch = DB::stmt(for_update!(
        DB,
        "SELECT kind, head FROM refs WHERE catalog_id = $1 AND name = $2"
    ))
    .id(req.catalog_id)
    .text(req.branch.as_str())
    .fetch_optional(&mut tx)
    .await
    .db()?;
    let branch = branch.as_ref().map(decode::branch).transpose()?;
    let existing = match branch {
        Some(_) => DB::current_contents(&mut tx, req).await?,
        None => Default::default(),
    };
    let occupants = occupants::<DB>(&mut tx, req, &existing).await?;
    let found = Found {
        branch,
        merge_parent_exists,
        merge_status,
        existing,
        namespaces,
        occupants,
    };
    let plan = match plan::plan(req, &found) {
        Ok(plan) => plan,
        Err(e) => return Err(release(tx, e).await),
    };
    DB::apply_commit(&mut tx, req, &plan).await?;
    if let Some(id) = req.completes_merge {
        complete_merge::<DB>(&mut tx, req, id).await?;
    }
    if !DB::RELEASE_AFTER_COMMIT {
        DB::release_metadata(&mut tx, req.catalog_id, &plan.released).await?;
    }
    tx.commit().await.map_err(commit_error)?;
    if DB::RELEASE_AFTER_COMMIT {
        release_after_commit(store, req, &plan.released).await;
    }
    Ok(plan.commit)
}

/// Deletes the stored metadata the landed commit left without pointers, in its own
/// transaction (see [`Dialect::RELEASE_AFTER_COMMIT`]). The commit has landed whatever
/// happens here: a failure only leaves bodies nothing points at (logged), which loads never
/// read, never a pointer without what it needs (a missing body is read from storage).
pub(super) async fn release_after_commit<DB: Dialect>(
    store: &SqlStore<DB>,
    req: &CommitRequest,
    released: &[String],
) {
    if released.is_empty() {
        return;
    }
    let outcome = async {
        let mut tx = store.write().await?;
        DB::release_metadata(&mut tx, req.catalog_id, released).await?;
        tx.commit().await.db()
    };
    if let Err(e) = outcome.await {
        tracing::warn!(error = %e, catalog = %req.catalog_id, "stored metadata of a landed commit was not released");
    }
}

/// What overlaps the locations the commit must check, read under the locations lock (taken
/// only by commits that create keys or move locations, after their branch lock, so the lock
/// order is always branch → locations).
async fn occupants<DB: Dialect>(
    tx: &mut DB::Connection,
    req: &CommitRequest,
    existing: &HashMap<TableIdent, Content>,
) -> Result<Vec<Occupant>> {
    let checks = locations_to_check(req, existing);
    if checks.is_empty() {
        return Ok(Vec::new());
    }
    DB::lock_locations(tx).await?;
    DB::occupants(tx, &checks).await
}

/// Rolls back at once, so a refused commit frees the branch before its caller retries.
async fn release<DB: Dialect>(tx: Transaction<'static, DB>, e: Error) -> Error {
    // A failed rollback leaves nothing behind either: the database discards the transaction
    // when the connection goes.
    let _ = tx.rollback().await;
    e
}
