//! The portable implementations of the [`Dialect`] operations: one statement per row. SQLite
//! uses them as they are (its statements are in-process calls); Postgres overrides them with
//! set-based statements.

use std::collections::{HashMap, HashSet};

use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Commit, Content};
use pangolin_core::{CatalogId, Error, Kind, NamespaceIdent, Result, TableIdent};
use pangolin_store::CommitRequest;
use pangolin_store::rules;

use crate::common::AuditSeal;
use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::DbResultExt;
use crate::common::plan::Plan;
use crate::common::{decode, operation_columns, to_json};

pub(crate) async fn insert_audit<DB: Dialect>(
    conn: &mut DB::Connection,
    events: &[AuditEvent],
) -> Result<()> {
    for e in events {
        DB::stmt(
            "INSERT INTO audit_events (id, time, tenant_id, principal, action, resource, result,
                 request_id, client_addr, user_agent, summary)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (id) DO UPDATE SET time = excluded.time, tenant_id = excluded.tenant_id,
                 principal = excluded.principal, action = excluded.action,
                 resource = excluded.resource, result = excluded.result,
                 request_id = excluded.request_id, client_addr = excluded.client_addr,
                 user_agent = excluded.user_agent, summary = excluded.summary
             WHERE audit_events.seq IS NULL",
        )
        .id(e.id)
        .ts(e.time)
        .opt_id(e.tenant_id)
        .text(&e.principal)
        .text(&e.action)
        .text(&e.resource)
        .text(e.result.as_str())
        .opt_text(e.request_id.as_deref())
        .opt_text(e.client_addr.as_deref())
        .opt_text(e.user_agent.as_deref())
        .json(&to_json(&e.summary)?)
        .execute(&mut *conn)
        .await
        .db()?;
    }
    Ok(())
}

pub(crate) async fn seal_audit<DB: Dialect>(
    conn: &mut DB::Connection,
    chain_key: &str,
    seals: &[AuditSeal],
) -> Result<()> {
    for seal in seals {
        let changed = DB::stmt(
            "UPDATE audit_events SET chain_key = $1, seq = $2, prev_hash = $3, hash = $4
             WHERE id = $5 AND seq IS NULL",
        )
        .text(chain_key)
        .int(seal.seq)
        .text(&seal.prev_hash)
        .text(&seal.hash)
        .id(seal.id)
        .execute(&mut *conn)
        .await
        .db()?;
        if changed != 1 {
            return Err(sealed_meanwhile());
        }
    }
    Ok(())
}

/// An event the sealer read as unsealed was sealed by someone else.
pub(crate) fn sealed_meanwhile() -> Error {
    Error::conflict(
        "an audit event was sealed by another sealer meanwhile",
        None,
    )
}

pub(crate) async fn existing_namespaces<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    namespaces: &[NamespaceIdent],
) -> Result<HashSet<NamespaceIdent>> {
    let mut found = HashSet::new();
    for ns in namespaces {
        let exists = DB::stmt(
            "SELECT EXISTS (SELECT 1 FROM namespaces WHERE catalog_id = $1 AND path = $2)",
        )
        .id(catalog)
        .text(&ns.encoded())
        .exists(&mut *conn)
        .await
        .db()?;
        if exists {
            found.insert(ns.clone());
        }
    }
    Ok(found)
}

pub(crate) async fn current_contents<DB: Dialect>(
    conn: &mut DB::Connection,
    req: &CommitRequest,
) -> Result<HashMap<TableIdent, Content>> {
    let mut existing = HashMap::new();
    for change in &req.changes {
        let ident = change.ident();
        let row = DB::stmt(
            "SELECT * FROM contents
             WHERE catalog_id = $1 AND ref_name = $2 AND namespace = $3 AND name = $4",
        )
        .id(req.catalog_id)
        .text(req.branch.as_str())
        .text(&ident.namespace.encoded())
        .text(ident.name.as_str())
        .fetch_optional(&mut *conn)
        .await
        .db()?;
        if let Some(row) = row {
            existing.insert(ident.clone(), decode::content(&row, ident.clone())?);
        }
    }
    Ok(existing)
}

pub(crate) async fn apply_commit<DB: Dialect>(
    conn: &mut DB::Connection,
    req: &CommitRequest,
    plan: &Plan,
) -> Result<()> {
    let cid = req.catalog_id;
    for (location, body) in &plan.blobs {
        DB::stmt(
            "INSERT INTO metadata_blobs (catalog_id, location, metadata) VALUES ($1, $2, $3)
             ON CONFLICT (catalog_id, location) DO UPDATE SET metadata = excluded.metadata",
        )
        .id(cid)
        .text(location)
        .text(body)
        .execute(&mut *conn)
        .await
        .db()?;
    }
    for ident in &plan.deletes {
        DB::stmt(
            "DELETE FROM contents
             WHERE catalog_id = $1 AND ref_name = $2 AND namespace = $3 AND name = $4",
        )
        .id(cid)
        .text(req.branch.as_str())
        .text(&ident.namespace.encoded())
        .text(ident.name.as_str())
        .execute(&mut *conn)
        .await
        .db()?;
    }
    for content in &plan.puts {
        upsert_content::<DB>(conn, cid, req.branch.as_str(), content)
            .await
            // Only a new key can miss its namespace: one dropped since the check.
            .on_violation(
                |_| match rules::namespaces_deciding(req).into_iter().next() {
                    Some(ns) => Error::not_found(Kind::Namespace, ns),
                    None => Error::not_found(Kind::Namespace, &content.ident.namespace),
                },
            )?;
    }
    insert_commit::<DB>(conn, &plan.commit).await?;
    DB::stmt("UPDATE refs SET head = $3, updated_at = $4 WHERE catalog_id = $1 AND name = $2")
        .id(cid)
        .text(req.branch.as_str())
        .id(plan.commit.id)
        .ts(req.created_at)
        .execute(conn)
        .await
        .db()
        .map(drop)
}

async fn upsert_content<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    ref_name: &str,
    c: &Content,
) -> sqlx::Result<u64> {
    DB::stmt(
        "INSERT INTO contents (catalog_id, ref_name, namespace, name, content_id, kind,
             metadata_location, last_commit_id, updated_at, location)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (catalog_id, ref_name, namespace, name) DO UPDATE SET
             content_id = excluded.content_id, kind = excluded.kind,
             metadata_location = excluded.metadata_location,
             last_commit_id = excluded.last_commit_id, updated_at = excluded.updated_at,
             location = excluded.location",
    )
    .id(catalog)
    .text(ref_name)
    .text(&c.ident.namespace.encoded())
    .text(c.ident.name.as_str())
    .id(c.content_id)
    .text(c.kind.as_str())
    .text(&c.metadata_location)
    .id(c.last_commit_id)
    .ts(c.updated_at)
    .text(&c.location)
    .execute(conn)
    .await
}

pub(crate) async fn insert_commit<DB: Dialect>(
    conn: &mut DB::Connection,
    c: &Commit,
) -> Result<()> {
    DB::stmt(
        "INSERT INTO commits (id, catalog_id, parent, merge_parent, author, message, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .id(c.id)
    .id(c.catalog_id)
    .opt_id(c.parents.first().copied())
    .opt_id(c.parents.get(1).copied())
    .text(&c.author)
    .text(&c.message)
    .ts(c.created_at)
    .execute(&mut *conn)
    .await
    .on_violation(|_| Error::invalid(format!("commit id {} is already used", c.id)))?;
    for (ordinal, op) in (0_i64..).zip(&c.operations) {
        let cols = operation_columns(op);
        DB::stmt(
            "INSERT INTO commit_operations (commit_id, ordinal, op, namespace, name, content_id,
                 kind, metadata_location, location)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .id(c.id)
        .int(ordinal)
        .text(cols.tag)
        .text(&op.ident().namespace.encoded())
        .text(op.ident().name.as_str())
        .id(op.content_id())
        .text(cols.kind.as_str())
        .opt_text(cols.metadata_location)
        .text(cols.location)
        .execute(&mut *conn)
        .await
        .db()?;
    }
    Ok(())
}

pub(crate) async fn copy_contents<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    ref_name: &str,
    contents: &[Content],
) -> Result<()> {
    for content in contents {
        upsert_content::<DB>(conn, catalog, ref_name, content)
            .await
            .on_violation(|_| Error::not_found(Kind::Namespace, &content.ident.namespace))?;
    }
    Ok(())
}

pub(crate) async fn load_operations<DB: Dialect>(
    conn: &mut DB::Connection,
    mut commits: Vec<Commit>,
) -> Result<Vec<Commit>> {
    for i in 0..commits.len() {
        let rows =
            DB::stmt("SELECT * FROM commit_operations WHERE commit_id = $1 ORDER BY ordinal")
                .id(commits[i].id)
                .fetch_all(&mut *conn)
                .await
                .db()?;
        decode::attach_operations(&mut commits[i..=i], &rows)?;
    }
    Ok(commits)
}
