//! `ContentStore::commit` on SQLite: one `BEGIN IMMEDIATE` transaction, so the reads that
//! decide the commit and its writes see no other writer in between.

use std::collections::{HashMap, HashSet};

use pangolin_core::model::{Commit, Content};
use pangolin_core::{CatalogId, Error, Kind, Result};
use pangolin_store::CommitRequest;
use sqlx::SqliteConnection;

use super::SqliteStore;
use super::audit::insert_audit;
use super::history::{commit_exists, insert_commit};
use super::namespaces::namespace_exists;
use super::row::{id, ts};
use crate::common::decode;
use crate::common::error::{DbResultExt, commit_error};
use crate::common::plan::{self, Found, Plan, namespaces_to_check};

pub(super) async fn commit(store: &SqliteStore, req: &CommitRequest) -> Result<Commit> {
    let mut tx = store.write().await?;
    let found = read(&mut tx, req).await?;
    let plan = plan::plan(req, &found)?;
    write(&mut tx, req, &plan).await?;
    insert_audit(&mut tx, &req.audit).await?;
    tx.commit().await.map_err(commit_error)?;
    Ok(plan.commit)
}

/// Reads everything that decides the commit.
async fn read(conn: &mut SqliteConnection, req: &CommitRequest) -> Result<Found> {
    let cid = req.catalog_id;
    let branch = sqlx::query("SELECT kind, head FROM refs WHERE catalog_id = $1 AND name = $2")
        .bind(id(cid))
        .bind(req.branch.as_str())
        .fetch_optional(&mut *conn)
        .await
        .db()?;
    let branch = branch.as_ref().map(decode::branch).transpose()?;
    let merge_parent_exists = match req.merge_parent {
        Some(p) => commit_exists(conn, cid, p).await?,
        None => false,
    };
    let mut existing = HashMap::new();
    for change in &req.changes {
        let ident = change.ident();
        let row = sqlx::query(
            "SELECT * FROM contents
             WHERE catalog_id = $1 AND ref_name = $2 AND namespace = $3 AND name = $4",
        )
        .bind(id(cid))
        .bind(req.branch.as_str())
        .bind(ident.namespace.encoded())
        .bind(ident.name.as_str())
        .fetch_optional(&mut *conn)
        .await
        .db()?;
        if let Some(row) = row {
            existing.insert(ident.clone(), decode::content(&row, ident.clone())?);
        }
    }
    let mut namespaces = HashSet::new();
    for ns in namespaces_to_check(req) {
        if namespace_exists(conn, cid, &ns).await? {
            namespaces.insert(ns);
        }
    }
    Ok(Found {
        branch,
        merge_parent_exists,
        existing,
        namespaces,
    })
}

/// Applies a checked plan: metadata bodies, content pointers, the commit, the head.
async fn write(conn: &mut SqliteConnection, req: &CommitRequest, plan: &Plan) -> Result<()> {
    let cid = req.catalog_id;
    for (location, body) in &plan.blobs {
        sqlx::query(
            "INSERT INTO metadata_blobs (catalog_id, location, metadata) VALUES ($1, $2, $3)
             ON CONFLICT (catalog_id, location) DO UPDATE SET metadata = excluded.metadata",
        )
        .bind(id(cid))
        .bind(location)
        .bind(&**body)
        .execute(&mut *conn)
        .await
        .db()?;
    }
    for content in &plan.puts {
        upsert_content(conn, cid, req.branch.as_str(), content).await?;
    }
    for ident in &plan.deletes {
        sqlx::query(
            "DELETE FROM contents
             WHERE catalog_id = $1 AND ref_name = $2 AND namespace = $3 AND name = $4",
        )
        .bind(id(cid))
        .bind(req.branch.as_str())
        .bind(ident.namespace.encoded())
        .bind(ident.name.as_str())
        .execute(&mut *conn)
        .await
        .db()?;
    }
    insert_commit(conn, &plan.commit).await?;
    sqlx::query("UPDATE refs SET head = $3, updated_at = $4 WHERE catalog_id = $1 AND name = $2")
        .bind(id(cid))
        .bind(req.branch.as_str())
        .bind(id(plan.commit.id))
        .bind(ts(req.created_at))
        .execute(&mut *conn)
        .await
        .db()
        .map(drop)
}

/// Points `content.ident` on reference `ref_name` at the content.
pub(super) async fn upsert_content(
    conn: &mut SqliteConnection,
    catalog: CatalogId,
    ref_name: &str,
    c: &Content,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO contents (catalog_id, ref_name, namespace, name, content_id, kind,
             metadata_location, last_commit_id, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (catalog_id, ref_name, namespace, name) DO UPDATE SET
             content_id = excluded.content_id, kind = excluded.kind,
             metadata_location = excluded.metadata_location,
             last_commit_id = excluded.last_commit_id, updated_at = excluded.updated_at",
    )
    .bind(id(catalog))
    .bind(ref_name)
    .bind(c.ident.namespace.encoded())
    .bind(c.ident.name.as_str())
    .bind(id(c.content_id))
    .bind(c.kind.as_str())
    .bind(&c.metadata_location)
    .bind(id(c.last_commit_id))
    .bind(ts(c.updated_at))
    .execute(conn)
    .await
    // The namespace was checked; only a namespace dropped since can make this fail.
    .on_violation(|_| Error::not_found(Kind::Namespace, &c.ident.namespace))
    .map(drop)
}
