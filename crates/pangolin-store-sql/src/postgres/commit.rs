//! The commit path's statements: reading a commit's keys, and writing an accepted commit
//! (with its operations) in one statement.

use std::collections::HashMap;

use pangolin_core::model::{Commit, Content};
use pangolin_core::{Error, Kind, Result, TableIdent};
use pangolin_store::CommitRequest;
use pangolin_store::rules;
use sqlx::PgConnection;
use uuid::Uuid;

use super::batch::ContentColumns;
use crate::common::decode::DbId;
use crate::common::error::{DbResultExt, Violation};
use crate::common::plan::Plan;
use crate::common::{decode, micros, operation_columns};

pub(super) async fn current_contents(
    conn: &mut PgConnection,
    req: &CommitRequest,
) -> Result<HashMap<TableIdent, Content>> {
    let (namespaces, names): (Vec<String>, Vec<&str>) = req
        .changes
        .iter()
        .map(|c| (c.ident().namespace.encoded(), c.ident().name.as_str()))
        .unzip();
    let rows = sqlx::query(
        "SELECT c.* FROM contents c
         JOIN unnest($3::text[], $4::text[]) AS k(namespace, name)
             ON c.namespace = k.namespace AND c.name = k.name
         WHERE c.catalog_id = $1 AND c.ref_name = $2",
    )
    .bind(req.catalog_id.uuid())
    .bind(req.branch.as_str())
    .bind(&namespaces)
    .bind(&names)
    .fetch_all(conn)
    .await
    .db()?;
    let contents = decode::all(&rows, decode::keyed_content)?;
    Ok(contents.into_iter().map(|c| (c.ident.clone(), c)).collect())
}

/// Operations as column arrays, in commit order.
#[derive(Default)]
pub(super) struct OpArrays<'a> {
    pub(super) op: Vec<&'static str>,
    pub(super) namespace: Vec<String>,
    pub(super) name: Vec<&'a str>,
    pub(super) content_id: Vec<Uuid>,
    pub(super) kind: Vec<&'static str>,
    pub(super) metadata_location: Vec<Option<&'a str>>,
    pub(super) location: Vec<&'a str>,
}

impl<'a> OpArrays<'a> {
    pub(super) fn of(commit: &'a Commit) -> Self {
        let mut arrays = OpArrays::default();
        for op in &commit.operations {
            let cols = operation_columns(op);
            arrays.op.push(cols.tag);
            arrays.namespace.push(op.ident().namespace.encoded());
            arrays.name.push(op.ident().name.as_str());
            arrays.content_id.push(op.content_id().uuid());
            arrays.kind.push(cols.kind.as_str());
            arrays.metadata_location.push(cols.metadata_location);
            arrays.location.push(cols.location);
        }
        arrays
    }
}

/// Everything an accepted commit writes, in one statement, so the branch stays locked for
/// one more round trip only. Keys are unique within a commit, so no two parts touch the same
/// row; the foreign keys are checked once the whole statement is done.
const APPLY_COMMIT: &str = "
    WITH blobs AS (
        INSERT INTO metadata_blobs (catalog_id, location, metadata)
        SELECT $1, b.location, b.metadata
        FROM unnest($5::text[], $6::text[]) AS b(location, metadata)
        ON CONFLICT (catalog_id, location) DO UPDATE SET metadata = excluded.metadata
    ), deleted AS (
        DELETE FROM contents c USING unnest($7::text[], $8::text[]) AS d(namespace, name)
        WHERE c.catalog_id = $1 AND c.ref_name = $2
            AND c.namespace = d.namespace AND c.name = d.name
    ), upserted AS (
        INSERT INTO contents (catalog_id, ref_name, namespace, name, content_id, kind,
                              metadata_location, last_commit_id, updated_at, location)
        SELECT $1, $2, u.namespace, u.name, u.content_id, u.kind, u.metadata_location, $3, $4,
               u.location
        FROM unnest($9::text[], $10::text[], $11::uuid[], $12::text[], $13::text[],
                    $24::text[])
            AS u(namespace, name, content_id, kind, metadata_location, location)
        ON CONFLICT (catalog_id, ref_name, namespace, name) DO UPDATE SET
            content_id = excluded.content_id, kind = excluded.kind,
            metadata_location = excluded.metadata_location,
            last_commit_id = excluded.last_commit_id, updated_at = excluded.updated_at,
            location = excluded.location
    ), new_commit AS (
        INSERT INTO commits (id, catalog_id, parent, merge_parent, author, message, created_at)
        VALUES ($3, $1, $14, $15, $16, $17, $4)
    ), ops AS (
        INSERT INTO commit_operations (commit_id, ordinal, op, namespace, name, content_id,
                                       kind, metadata_location, location)
        SELECT $3, o.ordinal - 1, o.op, o.namespace, o.name, o.content_id, o.kind,
               o.metadata_location, o.location
        FROM unnest($18::text[], $19::text[], $20::text[], $21::uuid[], $22::text[],
                    $23::text[], $25::text[])
            WITH ORDINALITY
            AS o(op, namespace, name, content_id, kind, metadata_location, location, ordinal)
    )
    UPDATE refs SET head = $3, updated_at = $4 WHERE catalog_id = $1 AND name = $2";

pub(super) async fn apply_commit(
    conn: &mut PgConnection,
    req: &CommitRequest,
    plan: &Plan,
) -> Result<()> {
    let (blob_locations, blob_bodies): (Vec<&str>, Vec<&str>) =
        plan.blobs.iter().map(|(l, b)| (l.as_str(), &**b)).unzip();
    let (del_namespaces, del_names): (Vec<String>, Vec<&str>) = plan
        .deletes
        .iter()
        .map(|i| (i.namespace.encoded(), i.name.as_str()))
        .unzip();
    let puts = ContentColumns::of(&plan.puts);
    let c = &plan.commit;
    let ops = OpArrays::of(c);
    sqlx::query(APPLY_COMMIT)
        .bind(req.catalog_id.uuid())
        .bind(req.branch.as_str())
        .bind(c.id.uuid())
        .bind(micros(c.created_at))
        .bind(&blob_locations)
        .bind(&blob_bodies)
        .bind(&del_namespaces)
        .bind(&del_names)
        .bind(&puts.namespace)
        .bind(&puts.name)
        .bind(&puts.content_id)
        .bind(&puts.kind)
        .bind(&puts.metadata_location)
        .bind(c.parents.first().map(|p| p.uuid()))
        .bind(c.parents.get(1).map(|p| p.uuid()))
        .bind(&c.author)
        .bind(&c.message)
        .bind(&ops.op)
        .bind(&ops.namespace)
        .bind(&ops.name)
        .bind(&ops.content_id)
        .bind(&ops.kind)
        .bind(&ops.metadata_location)
        .bind(&puts.location)
        .bind(&ops.location)
        .execute(conn)
        .await
        .on_violation(|v| match v {
            // Only a new key can miss its namespace: checked before the lock, dropped since.
            Violation::ForeignKey => match rules::namespaces_deciding(req).into_iter().next() {
                Some(ns) => Error::not_found(Kind::Namespace, ns),
                None => Error::internal("a commit violated a foreign key"),
            },
            // Pointers and bodies are upserts: only the commit id itself can collide.
            Violation::Unique => Error::invalid(format!("commit id {} is already used", c.id)),
        })
        .map(drop)
}

pub(super) async fn insert_commit(conn: &mut PgConnection, c: &Commit) -> Result<()> {
    let ops = OpArrays::of(c);
    sqlx::query(
        "WITH new_commit AS (
             INSERT INTO commits (id, catalog_id, parent, merge_parent, author, message,
                                  created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
         )
         INSERT INTO commit_operations (commit_id, ordinal, op, namespace, name, content_id,
                                        kind, metadata_location, location)
         SELECT $1, o.ordinal - 1, o.op, o.namespace, o.name, o.content_id, o.kind,
                o.metadata_location, o.location
         FROM unnest($8::text[], $9::text[], $10::text[], $11::uuid[], $12::text[], $13::text[],
                     $14::text[])
             WITH ORDINALITY
             AS o(op, namespace, name, content_id, kind, metadata_location, location, ordinal)",
    )
    .bind(c.id.uuid())
    .bind(c.catalog_id.uuid())
    .bind(c.parents.first().map(|p| p.uuid()))
    .bind(c.parents.get(1).map(|p| p.uuid()))
    .bind(&c.author)
    .bind(&c.message)
    .bind(micros(c.created_at))
    .bind(&ops.op)
    .bind(&ops.namespace)
    .bind(&ops.name)
    .bind(&ops.content_id)
    .bind(&ops.kind)
    .bind(&ops.metadata_location)
    .bind(&ops.location)
    .execute(conn)
    .await
    .on_violation(|_| Error::invalid(format!("commit id {} is already used", c.id)))
    .map(drop)
}
