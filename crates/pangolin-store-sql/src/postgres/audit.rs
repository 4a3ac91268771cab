use std::collections::HashMap;

use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::{AuditId, Error, Page, PageRequest, Result, Timestamp};
use pangolin_store::{AuditFilter, AuditStore, IdempotencyRecord, IdempotencyStore};
use sqlx::PgConnection;

use super::PostgresStore;
use super::row::{id, opt_id, ts};
use crate::common::error::DbResultExt;
use crate::common::{decode, fetch_limit, to_json};

/// Writes audit events inside the caller's transaction, in one statement. An id written
/// twice keeps the last version, as the memory backend does.
pub(super) async fn insert_audit(conn: &mut PgConnection, events: &[AuditEvent]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    // One row per id (the last wins): a statement may not upsert the same row twice.
    let last: HashMap<AuditId, usize> = events.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
    let events: Vec<&AuditEvent> = (0..events.len())
        .filter(|i| last.get(&events[*i].id) == Some(i))
        .map(|i| &events[i])
        .collect();
    let col =
        |f: fn(&AuditEvent) -> Option<String>| events.iter().map(|e| f(e)).collect::<Vec<_>>();
    sqlx::query(
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
             user_agent = excluded.user_agent, summary = excluded.summary",
    )
    .bind(events.iter().map(|e| id(e.id)).collect::<Vec<_>>())
    .bind(events.iter().map(|e| ts(e.time)).collect::<Vec<_>>())
    .bind(
        events
            .iter()
            .map(|e| opt_id(e.tenant_id))
            .collect::<Vec<_>>(),
    )
    .bind(col(|e| Some(e.principal.clone())))
    .bind(col(|e| Some(e.action.clone())))
    .bind(col(|e| Some(e.resource.clone())))
    .bind(col(|e| Some(e.result.as_str().to_owned())))
    .bind(col(|e| e.request_id.clone()))
    .bind(col(|e| e.client_addr.clone()))
    .bind(col(|e| e.user_agent.clone()))
    .bind(
        events
            .iter()
            .map(|e| to_json(&e.summary))
            .collect::<Result<Vec<_>>>()?,
    )
    .execute(conn)
    .await
    .db()
    .map(drop)
}

/// The audit query, with the page cursor condition spliced in (`$9` is the cursor).
macro_rules! audit_query {
    ($cursor:literal) => {
        concat!(
            "SELECT * FROM audit_events WHERE ",
            $cursor,
            " ($1::uuid IS NULL OR tenant_id = $1)
              AND ($2::text IS NULL OR principal = $2)
              AND ($3::text IS NULL OR action = $3)
              AND ($4::text IS NULL OR resource = $4)
              AND ($5::text IS NULL OR result = $5)
              AND ($6::timestamptz IS NULL OR time >= $6)
              AND ($7::timestamptz IS NULL OR time < $7)
            ORDER BY id DESC LIMIT $8"
        )
    };
}

#[async_trait]
impl AuditStore for PostgresStore {
    async fn append_audit(&self, events: &[AuditEvent]) -> Result<()> {
        let mut conn = self.pool.acquire().await.db()?;
        insert_audit(&mut conn, events).await
    }

    async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>> {
        // Ids are uuids here, which compare like their string forms (the memory backend's
        // order); a cursor that is not an id cannot come from this list.
        let before = page
            .after_key()
            .map(|k| k.parse::<AuditId>())
            .transpose()
            .map_err(|_| Error::invalid("invalid page token for the audit log"))?;
        let sql = match before {
            None => audit_query!(""),
            Some(_) => audit_query!("id < $9 AND"),
        };
        let mut q = sqlx::query(sql)
            .bind(opt_id(filter.tenant))
            .bind(&filter.principal)
            .bind(&filter.action)
            .bind(&filter.resource)
            .bind(filter.result.map(|r| r.as_str()))
            .bind(filter.since.map(ts))
            .bind(filter.until.map(ts))
            .bind(fetch_limit(page));
        if let Some(before) = before {
            q = q.bind(id(before));
        }
        let rows = q.fetch_all(&self.pool).await.db()?;
        let events = decode::all(&rows, decode::audit_event)?;
        Ok(Page::from_rows(events, page, |e| e.id.to_string()))
    }
}

#[async_trait]
impl IdempotencyStore for PostgresStore {
    async fn get_idempotency(
        &self,
        scope: &str,
        key: &str,
        now: Timestamp,
    ) -> Result<Option<IdempotencyRecord>> {
        let row = sqlx::query(
            "SELECT * FROM idempotency WHERE scope = $1 AND key = $2 AND expires_at > $3",
        )
        .bind(scope)
        .bind(key)
        .bind(ts(now))
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.as_ref().map(decode::idempotency).transpose()
    }

    async fn put_idempotency(&self, r: &IdempotencyRecord) -> Result<bool> {
        // One statement: an expired record is replaced, an unexpired one wins.
        let done = sqlx::query(
            "INSERT INTO idempotency (scope, key, fingerprint, status, body, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint,
                 status = excluded.status, body = excluded.body,
                 created_at = excluded.created_at, expires_at = excluded.expires_at
             WHERE idempotency.expires_at <= excluded.created_at",
        )
        .bind(&r.scope)
        .bind(&r.key)
        .bind(&r.fingerprint)
        .bind(i32::from(r.status))
        .bind(&r.body)
        .bind(ts(r.created_at))
        .bind(ts(r.expires_at))
        .execute(&self.pool)
        .await
        .db()?;
        Ok(done.rows_affected() > 0)
    }

    async fn purge_idempotency(&self, now: Timestamp) -> Result<u64> {
        let done = sqlx::query("DELETE FROM idempotency WHERE expires_at <= $1")
            .bind(ts(now))
            .execute(&self.pool)
            .await
            .db()?;
        Ok(done.rows_affected())
    }
}
