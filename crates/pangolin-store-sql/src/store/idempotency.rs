//! Remembered responses for `Idempotency-Key`s.

use async_trait::async_trait;
use pangolin_core::{Result, Timestamp};
use pangolin_store::{IdempotencyRecord, IdempotencyStore};

use super::{Access, SqlStore};
use crate::common::decode;
use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::DbResultExt;

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
