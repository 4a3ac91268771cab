//! `ContentStore::commit` on Postgres: one READ COMMITTED transaction that locks the branch
//! row (`FOR UPDATE`), so commits to one branch apply one after the other while readers and
//! other branches go on. Work that does not depend on the head happens before the lock.

use std::collections::{HashMap, HashSet};

use pangolin_core::model::{Commit, Content};
use pangolin_core::{CatalogId, Error, Kind, NamespaceIdent, Result, TableIdent};
use pangolin_store::CommitRequest;
use sqlx::PgConnection;

use super::audit::insert_audit;
use super::batch::{ContentColumns, OpColumns};
use super::history::commit_exists;
use super::row::{id, opt_id, ts};
use super::{PostgresStore, Tx};
use crate::common::decode;
use crate::common::error::{DbResultExt, Violation, commit_error};
use crate::common::plan::{self, Found, Plan, namespaces_to_check};

pub(super) async fn commit(store: &PostgresStore, req: &CommitRequest) -> Result<Commit> {
    let mut tx = store.begin().await?;
    let namespaces =
        existing_namespaces(&mut tx, req.catalog_id, &namespaces_to_check(req)).await?;
    let merge_parent_exists = match req.merge_parent {
        Some(p) => commit_exists(&mut tx, req.catalog_id, p).await?,
        None => false,
    };
    // Invisible to others until the commit, discarded with a rollback.
    insert_audit(&mut tx, &req.audit).await?;

    let branch =
        sqlx::query("SELECT kind, head FROM refs WHERE catalog_id = $1 AND name = $2 FOR UPDATE")
            .bind(id(req.catalog_id))
            .bind(req.branch.as_str())
            .fetch_optional(&mut *tx)
            .await
            .db()?;
    let branch = branch.as_ref().map(decode::branch).transpose()?;
    let existing = match branch {
        Some(_) => current_contents(&mut tx, req).await?,
        None => HashMap::new(),
    };
    let found = Found {
        branch,
        merge_parent_exists,
        existing,
        namespaces,
    };
    let plan = match plan::plan(req, &found) {
        Ok(plan) => plan,
        Err(e) => return Err(release(tx, e).await),
    };
    write(&mut tx, req, &plan).await?;
    tx.commit().await.map_err(commit_error)?;
    Ok(plan.commit)
}

/// Rolls back at once, so a refused commit frees the branch before its caller retries.
async fn release(tx: Tx, e: Error) -> Error {
    // A failed rollback leaves nothing behind either: the server discards the transaction
    // when the connection goes.
    let _ = tx.rollback().await;
    e
}

/// Which of `namespaces` exist in the catalog.
pub(super) async fn existing_namespaces(
    conn: &mut PgConnection,
    catalog: CatalogId,
    namespaces: &[NamespaceIdent],
) -> Result<HashSet<NamespaceIdent>> {
    if namespaces.is_empty() {
        return Ok(HashSet::new());
    }
    let encoded: Vec<String> = namespaces.iter().map(NamespaceIdent::encoded).collect();
    let found: Vec<String> =
        sqlx::query_scalar("SELECT path FROM namespaces WHERE catalog_id = $1 AND path = ANY($2)")
            .bind(id(catalog))
            .bind(&encoded)
            .fetch_all(conn)
            .await
            .db()?;
    let found: HashSet<String> = found.into_iter().collect();
    Ok(namespaces
        .iter()
        .filter(|ns| found.contains(&ns.encoded()))
        .cloned()
        .collect())
}

/// The branch's current content at the commit's keys, in one query.
async fn current_contents(
    conn: &mut PgConnection,
    req: &CommitRequest,
) -> Result<HashMap<TableIdent, Content>> {
    let (namespaces, names): (Vec<String>, Vec<String>) = req
        .changes
        .iter()
        .map(|c| (c.ident().namespace.encoded(), c.ident().name.to_string()))
        .unzip();
    let rows = sqlx::query(
        "SELECT c.* FROM contents c
         JOIN unnest($3::text[], $4::text[]) AS k(namespace, name)
             ON c.namespace = k.namespace AND c.name = k.name
         WHERE c.catalog_id = $1 AND c.ref_name = $2",
    )
    .bind(id(req.catalog_id))
    .bind(req.branch.as_str())
    .bind(&namespaces)
    .bind(&names)
    .fetch_all(conn)
    .await
    .db()?;
    let contents = decode::all(&rows, decode::keyed_content)?;
    Ok(contents.into_iter().map(|c| (c.ident.clone(), c)).collect())
}

/// Applies a checked plan in one statement, so the branch stays locked for one more round
/// trip only: metadata bodies, removed and upserted content pointers, the commit with its
/// operations, and the moved head. Keys are unique within a commit, so no two parts touch
/// the same row; the foreign keys are checked when the whole statement is done.
const APPLY: &str = "
    WITH blobs AS (
        INSERT INTO metadata_blobs (catalog_id, location, metadata)
        SELECT $1, b.location, b.metadata FROM unnest($5::text[], $6::text[]) AS b(location, metadata)
        ON CONFLICT (catalog_id, location) DO UPDATE SET metadata = excluded.metadata
    ), deleted AS (
        DELETE FROM contents c USING unnest($7::text[], $8::text[]) AS d(namespace, name)
        WHERE c.catalog_id = $1 AND c.ref_name = $2
            AND c.namespace = d.namespace AND c.name = d.name
    ), upserted AS (
        INSERT INTO contents (catalog_id, ref_name, namespace, name, content_id, kind,
                              metadata_location, last_commit_id, updated_at)
        SELECT $1, $2, u.namespace, u.name, u.content_id, u.kind, u.location, $3, $4
        FROM unnest($9::text[], $10::text[], $11::uuid[], $12::text[], $13::text[])
            AS u(namespace, name, content_id, kind, location)
        ON CONFLICT (catalog_id, ref_name, namespace, name) DO UPDATE SET
            content_id = excluded.content_id, kind = excluded.kind,
            metadata_location = excluded.metadata_location,
            last_commit_id = excluded.last_commit_id, updated_at = excluded.updated_at
    ), new_commit AS (
        INSERT INTO commits (id, catalog_id, parent, merge_parent, author, message, created_at)
        VALUES ($3, $1, $14, $15, $16, $17, $4)
    ), ops AS (
        INSERT INTO commit_operations
            (commit_id, ordinal, op, namespace, name, content_id, kind, metadata_location)
        SELECT $3, o.ordinal - 1, o.op, o.namespace, o.name, o.content_id, o.kind, o.location
        FROM unnest($18::text[], $19::text[], $20::text[], $21::uuid[], $22::text[], $23::text[])
            WITH ORDINALITY AS o(op, namespace, name, content_id, kind, location, ordinal)
    )
    UPDATE refs SET head = $3, updated_at = $4 WHERE catalog_id = $1 AND name = $2";

async fn write(conn: &mut PgConnection, req: &CommitRequest, plan: &Plan) -> Result<()> {
    let (blob_locations, blob_bodies): (Vec<&str>, Vec<&str>) =
        plan.blobs.iter().map(|(l, b)| (l.as_str(), &**b)).unzip();
    let (del_namespaces, del_names): (Vec<String>, Vec<String>) = plan
        .deletes
        .iter()
        .map(|i| (i.namespace.encoded(), i.name.to_string()))
        .unzip();
    let puts = ContentColumns::of(&plan.puts);
    let ops = OpColumns::of(&plan.commit.operations);
    let c = &plan.commit;
    sqlx::query(APPLY)
        .bind(id(req.catalog_id))
        .bind(req.branch.as_str())
        .bind(id(c.id))
        .bind(ts(c.created_at))
        .bind(&blob_locations)
        .bind(&blob_bodies)
        .bind(&del_namespaces)
        .bind(&del_names)
        .bind(&puts.namespace)
        .bind(&puts.name)
        .bind(&puts.content_id)
        .bind(&puts.kind)
        .bind(&puts.location)
        .bind(opt_id(c.parents.first().copied()))
        .bind(opt_id(c.parents.get(1).copied()))
        .bind(&c.author)
        .bind(&c.message)
        .bind(&ops.op)
        .bind(&ops.namespace)
        .bind(&ops.name)
        .bind(&ops.content_id)
        .bind(&ops.kind)
        .bind(&ops.location)
        .execute(conn)
        .await
        .on_violation(|v| match v {
            // Only a new key can miss its namespace: checked before the lock, dropped since.
            Violation::ForeignKey => match namespaces_to_check(req).into_iter().next() {
                Some(ns) => Error::not_found(Kind::Namespace, ns),
                None => Error::internal("a commit violated a foreign key"),
            },
            // Pointers and bodies are upserts: only the commit id itself can collide.
            Violation::Unique => Error::invalid(format!("commit id {} is already used", c.id)),
        })
        .map(drop)
}
