//! Set-based versions of the dialect operations: each writes or reads many rows in one
//! statement by passing columns as arrays and `unnest`-ing them (or `= ANY`), so the cost in
//! round trips does not grow with the number of rows.

use std::collections::{HashMap, HashSet};

use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Commit, Content};
use pangolin_core::{AuditId, CatalogId, Error, Kind, NamespaceIdent, Result, TableIdent};
use sqlx::postgres::PgArguments;
use sqlx::{PgConnection, Postgres};
use uuid::Uuid;

use crate::common::AuditSeal;
use crate::common::decode::DbId;
use crate::common::error::DbResultExt;
use crate::common::{decode, micros, to_json};

/// The audit insert, its columns bound as `$1`..`$11` (see [`bind_audit`]): a macro so the
/// one-statement commit ([`super::pointers`]) can put it in a `WITH` clause.
macro_rules! insert_audit_sql {
    () => {
        "INSERT INTO audit_events (id, time, tenant_id, principal, action, resource, result,
             request_id, client_addr, user_agent, summary)
         SELECT u.id, u.time, u.tenant_id, u.principal, u.action, u.resource, u.result,
                u.request_id, u.client_addr, u.user_agent, u.summary::json
         FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::text[], $5::text[],
                     $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
             AS u(id, time, tenant_id, principal, action, resource, result, request_id,
                  client_addr, user_agent, summary)
         ON CONFLICT (id) DO UPDATE SET time = excluded.time, tenant_id = excluded.tenant_id,
             principal = excluded.principal, action = excluded.action,
             resource = excluded.resource, result = excluded.result,
             request_id = excluded.request_id, client_addr = excluded.client_addr,
             user_agent = excluded.user_agent, summary = excluded.summary
         WHERE audit_events.seq IS NULL"
    };
}
pub(super) use insert_audit_sql;

pub(super) async fn insert_audit(conn: &mut PgConnection, events: &[AuditEvent]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    bind_audit(sqlx::query(insert_audit_sql!()), events)?
        .execute(conn)
        .await
        .db()
        .map(drop)
}

/// Binds `events` as the first eleven parameters of [`insert_audit_sql`]; one row per id, the
/// last one winning (a statement may not upsert a row twice).
pub(super) fn bind_audit<'q>(
    query: sqlx::query::Query<'q, Postgres, PgArguments>,
    events: &[AuditEvent],
) -> Result<sqlx::query::Query<'q, Postgres, PgArguments>> {
    let last: HashMap<AuditId, usize> = events.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
    let events: Vec<&AuditEvent> = (0..events.len())
        .filter(|i| last.get(&events[*i].id) == Some(i))
        .map(|i| &events[i])
        .collect();
    let text = |f: fn(&AuditEvent) -> Option<&str>| {
        events
            .iter()
            .map(|e| f(e).map(str::to_owned))
            .collect::<Vec<_>>()
    };
    let summaries = events
        .iter()
        .map(|e| to_json(&e.summary))
        .collect::<Result<Vec<_>>>()?;
    Ok(query
        .bind(events.iter().map(|e| e.id.uuid()).collect::<Vec<_>>())
        .bind(events.iter().map(|e| micros(e.time)).collect::<Vec<_>>())
        .bind(
            events
                .iter()
                .map(|e| e.tenant_id.map(DbId::uuid))
                .collect::<Vec<_>>(),
        )
        .bind(text(|e| Some(&e.principal)))
        .bind(text(|e| Some(&e.action)))
        .bind(text(|e| Some(&e.resource)))
        .bind(text(|e| Some(e.result.as_str())))
        .bind(text(|e| e.request_id.as_deref()))
        .bind(text(|e| e.client_addr.as_deref()))
        .bind(text(|e| e.user_agent.as_deref()))
        .bind(summaries))
}

/// [`crate::common::dialect::Dialect::seal_audit`] in one statement.
pub(super) async fn seal_audit(
    conn: &mut PgConnection,
    chain_key: &str,
    seals: &[AuditSeal],
) -> Result<()> {
    let changed = sqlx::query(
        "UPDATE audit_events AS a
         SET chain_key = $1, seq = u.seq, prev_hash = u.prev_hash, hash = u.hash
         FROM unnest($2::uuid[], $3::bigint[], $4::text[], $5::text[])
             AS u(id, seq, prev_hash, hash)
         WHERE a.id = u.id AND a.seq IS NULL",
    )
    .bind(chain_key)
    .bind(seals.iter().map(|s| s.id.uuid()).collect::<Vec<_>>())
    .bind(seals.iter().map(|s| s.seq).collect::<Vec<_>>())
    .bind(
        seals
            .iter()
            .map(|s| s.prev_hash.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(seals.iter().map(|s| s.hash.as_str()).collect::<Vec<_>>())
    .execute(conn)
    .await
    .db()?
    .rows_affected();
    if changed != seals.len() as u64 {
        return Err(crate::store::portable::sealed_meanwhile());
    }
    Ok(())
}

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
            .bind(catalog.uuid())
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

/// Content pointers as columns.
#[derive(Default)]
pub(super) struct ContentColumns<'a> {
    pub(super) namespace: Vec<String>,
    pub(super) name: Vec<&'a str>,
    pub(super) content_id: Vec<Uuid>,
    pub(super) kind: Vec<&'static str>,
    pub(super) location: Vec<&'a str>,
    pub(super) metadata_location: Vec<&'a str>,
    pub(super) last_commit_id: Vec<Uuid>,
    pub(super) updated_at: Vec<pangolin_core::Timestamp>,
}

impl<'a> ContentColumns<'a> {
    pub(super) fn of(contents: &'a [Content]) -> Self {
        Self::of_all(contents)
    }

    pub(super) fn of_map(contents: &'a HashMap<TableIdent, Content>) -> Self {
        Self::of_all(contents.values())
    }

    fn of_all(contents: impl IntoIterator<Item = &'a Content>) -> Self {
        let mut cols = ContentColumns::default();
        for c in contents {
            cols.namespace.push(c.ident.namespace.encoded());
            cols.name.push(c.ident.name.as_str());
            cols.content_id.push(c.content_id.uuid());
            cols.kind.push(c.kind.as_str());
            cols.location.push(&c.location);
            cols.metadata_location.push(&c.metadata_location);
            cols.last_commit_id.push(c.last_commit_id.uuid());
            cols.updated_at.push(micros(c.updated_at));
        }
        cols
    }
}

pub(super) async fn copy_contents(
    conn: &mut PgConnection,
    catalog: CatalogId,
    ref_name: &str,
    contents: &[Content],
) -> Result<()> {
    let Some(first) = contents.first() else {
        return Ok(());
    };
    let cols = ContentColumns::of(contents);
    sqlx::query(
        "INSERT INTO contents (catalog_id, ref_name, namespace, name, content_id, kind,
                               metadata_location, last_commit_id, updated_at, location)
         SELECT $1, $2, u.namespace, u.name, u.content_id, u.kind, u.metadata_location,
                u.last_commit_id, u.updated_at, u.location
         FROM unnest($3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::uuid[],
                     $9::timestamptz[], $10::text[])
             AS u(namespace, name, content_id, kind, metadata_location, last_commit_id,
                  updated_at, location)",
    )
    .bind(catalog.uuid())
    .bind(ref_name)
    .bind(&cols.namespace)
    .bind(&cols.name)
    .bind(&cols.content_id)
    .bind(&cols.kind)
    .bind(&cols.metadata_location)
    .bind(&cols.last_commit_id)
    .bind(&cols.updated_at)
    .bind(&cols.location)
    .execute(conn)
    .await
    // The namespaces were checked; only one dropped since can be missing.
    .on_violation(|_| Error::not_found(Kind::Namespace, &first.ident.namespace))
    .map(drop)
}

pub(super) async fn load_operations(
    conn: &mut PgConnection,
    mut commits: Vec<Commit>,
) -> Result<Vec<Commit>> {
    if commits.is_empty() {
        return Ok(commits);
    }
    let ids: Vec<Uuid> = commits.iter().map(|c| c.id.uuid()).collect();
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
