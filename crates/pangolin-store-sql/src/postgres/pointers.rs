//! A commit that only moves pointers of existing keys, in one statement: the audit rows and
//! a call of `pangolin_commit_pointers` (migration 0007), which locks the branch, checks that
//! the pointers the decision read are unchanged, and writes the commit on the current head.
//! In autocommit the branch stays locked for the function and the WAL flush only.

use std::collections::HashMap;

use pangolin_core::model::Content;
use pangolin_core::{CommitId, Error, Kind, Result, TableIdent};
use pangolin_store::{CommitRequest, rules};
use sqlx::{PgConnection, Row};

use super::batch::{ContentColumns, bind_audit, insert_audit_sql};
use super::commit::OpArrays;
use crate::common::decode::DbId;
use crate::common::dialect::PointerCommit;
use crate::common::error::{DbResultExt, Fault, Violation, classify, commit_error};
use crate::common::micros;
use crate::common::plan::Plan;

/// SQLSTATEs `pangolin_commit_pointers` raises.
const POINTER_MOVED: &str = "ZP001";
const NOT_A_BRANCH: &str = "ZP002";

/// The audit rows are read (counted) before the call, so they are written before the branch
/// is locked; an unread data-modifying `WITH` would run after the main query, under the lock.
const COMMIT_POINTERS: &str = concat!(
    "WITH audit AS (",
    insert_audit_sql!(),
    " RETURNING 1)
    SELECT pangolin_commit_pointers($12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
        $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36)
    FROM (SELECT count(*) FROM audit) AS written"
);

pub(super) async fn commit_pointers(
    conn: &mut PgConnection,
    req: &CommitRequest,
    seen: &HashMap<TableIdent, Content>,
    plan: &Plan,
) -> Result<PointerCommit> {
    let seen = ContentColumns::of_map(seen);
    let (blob_locations, blob_bodies): (Vec<&str>, Vec<&str>) =
        plan.blobs.iter().map(|(l, b)| (l.as_str(), &**b)).unzip();
    let puts = ContentColumns::of(&plan.puts);
    let c = &plan.commit;
    let ops = OpArrays::of(c);
    let outcome = bind_audit(sqlx::query(COMMIT_POINTERS), &req.audit)?
        .bind(req.catalog_id.uuid())
        .bind(req.branch.as_str())
        .bind(c.id.uuid())
        .bind(micros(c.created_at))
        .bind(&c.author)
        .bind(&c.message)
        .bind(&seen.namespace)
        .bind(&seen.name)
        .bind(&seen.content_id)
        .bind(&seen.metadata_location)
        .bind(&blob_locations)
        .bind(&blob_bodies)
        .bind(&puts.namespace)
        .bind(&puts.name)
        .bind(&puts.content_id)
        .bind(&puts.kind)
        .bind(&puts.metadata_location)
        .bind(&puts.location)
        .bind(&ops.op)
        .bind(&ops.namespace)
        .bind(&ops.name)
        .bind(&ops.content_id)
        .bind(&ops.kind)
        .bind(&ops.metadata_location)
        .bind(&ops.location)
        .fetch_one(conn)
        .await;
    match outcome {
        Ok(row) => Ok(PointerCommit::Landed {
            parent: CommitId::from_uuid(row.try_get(0).db()?),
        }),
        Err(e) => refused(req, plan, e),
    }
}

/// What a failed call means: a retry, the general path, or the error of the commit.
fn refused(req: &CommitRequest, plan: &Plan, e: sqlx::Error) -> Result<PointerCommit> {
    let code = match &e {
        sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
        _ => None,
    };
    match code.as_deref() {
        Some(POINTER_MOVED) => return Ok(PointerCommit::Moved),
        Some(NOT_A_BRANCH) => return Ok(PointerCommit::NotABranch),
        _ => {}
    }
    Err(match classify(&e) {
        Fault::Unique => violation(req, plan, Violation::Unique),
        Fault::ForeignKey => violation(req, plan, Violation::ForeignKey),
        // The statement is the whole transaction: a broken connection leaves its outcome
        // unknown.
        _ => commit_error(e),
    })
}

fn violation(req: &CommitRequest, plan: &Plan, v: Violation) -> Error {
    match v {
        // Only the commit id can collide: pointers and bodies are upserts.
        Violation::Unique => {
            Error::invalid(format!("commit id {} is already used", plan.commit.id))
        }
        Violation::ForeignKey => match rules::namespaces_deciding(req).into_iter().next() {
            Some(ns) => Error::not_found(Kind::Namespace, ns),
            None => Error::internal("a commit violated a foreign key"),
        },
    }
}
