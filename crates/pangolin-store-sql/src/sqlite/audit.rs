use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::{Page, PageRequest, Result, Timestamp};
use pangolin_store::{AuditFilter, AuditStore, IdempotencyRecord, IdempotencyStore};
use sqlx::SqliteConnection;

use super::row::{id, opt_id, ts};
use super::{SqliteStore, limit};
use crate::common::decode;
use crate::common::error::DbResultExt;
use crate::common::to_json;

/// Writes audit events inside the caller's transaction. An id written twice keeps the last
/// version, as the memory backend does.
pub(super) async fn insert_audit(conn: &mut SqliteConnection, events: &[AuditEvent]) -> Result<()> {
    for e in events {
        sqlx::query(
            "INSERT INTO audit_events (id, time, tenant_id, principal, action, resource, result,
                 request_id, client_addr, user_agent, summary)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (id) DO UPDATE SET time = excluded.time, tenant_id = excluded.tenant_id,
                 principal = excluded.principal, action = excluded.action,
                 resource = excluded.resource, result = excluded.result,
                 request_id = excluded.request_id, client_addr = excluded.client_addr,
                 user_agent = excluded.user_agent, summary = excluded.summary",
        )
        .bind(id(e.id))
        .bind(ts(e.time))
        .bind(opt_id(e.tenant_id))
        .bind(&e.principal)
        .bind(&e.action)
        .bind(&e.resource)
        .bind(e.result.as_str())
        .bind(&e.request_id)
        .bind(&e.client_addr)
        .bind(&e.user_agent)
        .bind(to_json(&e.summary)?)
        .execute(&mut *conn)
        .await
        .db()?;
    }
    Ok(())
}

/// The audit query, with the page cursor condition spliced in (`$9` is the cursor).
macro_rules! audit_query {
    ($cursor:literal) => {
        concat!(
            "SELECT * FROM audit_events WHERE ",
            $cursor,
            " ($1 IS NULL OR tenant_id = $1)
              AND ($2 IS NULL OR principal = $2)
              AND ($3 IS NULL OR action = $3)
              AND ($4 IS NULL OR resource = $4)
              AND ($5 IS NULL OR result = $5)
              AND ($6 IS NULL OR time >= $6)
              AND ($7 IS NULL OR time < $7)
            ORDER BY id DESC LIMIT $8"
        )
    };
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn append_audit(&self, events: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        insert_audit(&mut tx, events).await?;
        tx.commit().await.db()
    }

    async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>> {
        let before = page.after_key();
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
            .bind(limit(page));
        if let Some(key) = before {
            // Ids are stored as their string form, so this is the memory backend's comparison.
            q = q.bind(key);
        }
        let rows = q.fetch_all(&self.pool).await.db()?;
        let events = decode::all(&rows, decode::audit_event)?;
        Ok(Page::from_rows(events, page, |e| e.id.to_string()))
    }
}

#[async_trait]
impl IdempotencyStore for SqliteStore {
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
        .bind(i64::from(r.status))
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
