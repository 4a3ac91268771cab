//! Rows as column arrays: Postgres writes many rows in one statement with `unnest`.

use pangolin_core::model::{Content, Operation};
use pangolin_core::{CatalogId, Timestamp};
use sqlx::PgConnection;
use uuid::Uuid;

use super::row::{id, ts};
use crate::common::operation_columns;

/// The operation columns of a commit, as arrays for `unnest`.
#[derive(Default)]
pub(super) struct OpColumns {
    pub(super) op: Vec<&'static str>,
    pub(super) namespace: Vec<String>,
    pub(super) name: Vec<String>,
    pub(super) content_id: Vec<Uuid>,
    pub(super) kind: Vec<&'static str>,
    pub(super) location: Vec<Option<String>>,
}

impl OpColumns {
    pub(super) fn of(ops: &[Operation]) -> Self {
        let mut cols = OpColumns::default();
        for op in ops {
            let (tag, kind, location) = operation_columns(op);
            cols.op.push(tag);
            cols.namespace.push(op.ident().namespace.encoded());
            cols.name.push(op.ident().name.to_string());
            cols.content_id.push(id(op.content_id()));
            cols.kind.push(kind.as_str());
            cols.location.push(location.map(str::to_owned));
        }
        cols
    }
}

/// The content pointers of one branch, as unnest-able columns.
#[derive(Default)]
pub(super) struct ContentColumns {
    pub(super) namespace: Vec<String>,
    pub(super) name: Vec<String>,
    pub(super) content_id: Vec<Uuid>,
    pub(super) kind: Vec<&'static str>,
    pub(super) location: Vec<String>,
    pub(super) last_commit_id: Vec<Uuid>,
    pub(super) updated_at: Vec<Timestamp>,
}

impl ContentColumns {
    pub(super) fn of(contents: &[Content]) -> Self {
        let mut cols = ContentColumns::default();
        for c in contents {
            cols.namespace.push(c.ident.namespace.encoded());
            cols.name.push(c.ident.name.to_string());
            cols.content_id.push(id(c.content_id));
            cols.kind.push(c.kind.as_str());
            cols.location.push(c.metadata_location.clone());
            cols.last_commit_id.push(id(c.last_commit_id));
            cols.updated_at.push(ts(c.updated_at));
        }
        cols
    }
}

/// Upserts `contents` onto reference `ref_name` in one statement (`$1` catalog, `$2` ref).
const UPSERT_CONTENTS: &str = "
    INSERT INTO contents (catalog_id, ref_name, namespace, name, content_id, kind,
                          metadata_location, last_commit_id, updated_at)
    SELECT $1, $2, u.namespace, u.name, u.content_id, u.kind, u.location, u.last_commit_id,
           u.updated_at
    FROM unnest($3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::uuid[],
                $9::timestamptz[])
        AS u(namespace, name, content_id, kind, location, last_commit_id, updated_at)
    ON CONFLICT (catalog_id, ref_name, namespace, name) DO UPDATE SET
        content_id = excluded.content_id, kind = excluded.kind,
        metadata_location = excluded.metadata_location,
        last_commit_id = excluded.last_commit_id, updated_at = excluded.updated_at";

pub(super) async fn upsert_contents(
    conn: &mut PgConnection,
    catalog: CatalogId,
    ref_name: &str,
    contents: &[Content],
) -> std::result::Result<(), sqlx::Error> {
    let cols = ContentColumns::of(contents);
    sqlx::query(UPSERT_CONTENTS)
        .bind(id(catalog))
        .bind(ref_name)
        .bind(&cols.namespace)
        .bind(&cols.name)
        .bind(&cols.content_id)
        .bind(&cols.kind)
        .bind(&cols.location)
        .bind(&cols.last_commit_id)
        .bind(&cols.updated_at)
        .execute(conn)
        .await
        .map(drop)
}
