use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::{AuditId, Error, Page, PageRequest, Result, Timestamp};
use pangolin_store::{AuditFilter, AuditStore, IdempotencyRecord, IdempotencyStore};

use super::{Access, SqlStore};
use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::DbResultExt;
use crate::common::{decode, row_limit};

/// The audit query with the page cursor condition spliced in (`$9` is the cursor). A filter
/// that is not set is bound as NULL and matches everything.
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
impl<DB: Dialect> AuditStore for SqlStore<DB> {
    async fn append_audit(&self, events: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        DB::insert_audit(&mut tx, events).await?;
        tx.commit().await.db()
    }

    async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>> {
        // Newest first: the cursor is the id of the last event returned. Ids are UUIDv7 and
        // compare like their string forms in both dialects.
        let before = page
            .after_key()
            .map(|k| k.parse::<AuditId>())
            .transpose()
            .map_err(|_| Error::invalid("invalid page token for the audit log"))?;
        let stmt = DB::stmt(match before {
            None => audit_query!(""),
            Some(_) => audit_query!("id < $9 AND"),
        })
        .opt_id(filter.tenant)
        .opt_text(filter.principal.as_deref())
        .opt_text(filter.action.as_deref())
        .opt_text(filter.resource.as_deref())
        .opt_text(filter.result.map(|r| r.as_str()))
        .opt_ts(filter.since)
        .opt_ts(filter.until)
        .int(row_limit(page));
        let stmt = match before {
            Some(before) => stmt.id(before),
            None => stmt,
        };
        let rows = stmt.fetch_all(&mut *self.conn().await?).await.db()?;
        let events = decode::all(&rows, decode::audit_event)?;
        Ok(Page::from_rows(events, page, |e| e.id.to_string()))
    }
}

#[async_trait]
impl<DB: Dialect> IdempotencyStore for SqlStore<DB> {
    async fn get_idempotency(
        &self,
        scope: &str,
        key: &str,
        now: Timestamp,
    ) -> Result<Option<IdempotencyRecord>> {
        let row =
            DB::stmt("SELECT * FROM idempotency WHERE scope = $1 AND key = $2 AND expires_at > $3")
                .text(scope)
                .text(key)
                .ts(now)
                .fetch_optional(&mut *self.conn().await?)
                .await
                .db()?;
        row.as_ref().map(decode::idempotency).transpose()
    }

    async fn put_idempotency(&self, r: &IdempotencyRecord) -> Result<bool> {
        // One statement: an expired record is replaced, an unexpired one wins.
        let stored = DB::stmt(
            "INSERT INTO idempotency (scope, key, fingerprint, status, body, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint,
                 status = excluded.status, body = excluded.body,
                 created_at = excluded.created_at, expires_at = excluded.expires_at
             WHERE idempotency.expires_at <= excluded.created_at",
        )
        .text(&r.scope)
        .text(&r.key)
        .text(&r.fingerprint)
        .int(i64::from(r.status))
        .text(&r.body)
        .ts(r.created_at)
        .ts(r.expires_at)
        .execute(&mut *self.conn().await?)
        .await
        .db()?;
        Ok(stored > 0)
    }

    async fn purge_idempotency(&self, now: Timestamp) -> Result<u64> {
        DB::stmt("DELETE FROM idempotency WHERE expires_at <= $1")
            .ts(now)
            .execute(&mut *self.conn().await?)
            .await
            .db()
    }
}
