//! `KeyStore`: the server's signing keys and the token revocation list.

use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{RevokedToken, SigningKey};
use pangolin_core::{Error, Kind, Result, Timestamp};
use pangolin_store::KeyStore;

use super::{Access, SqlStore};
use crate::common::decode::all;
use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::DbResultExt;
use crate::common::identity;
use crate::common::to_json;

#[async_trait]
impl<DB: Dialect> KeyStore for SqlStore<DB> {
    async fn create_signing_key(&self, k: &SigningKey, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        DB::stmt(
            "INSERT INTO signing_keys (kid, algorithm, public_key, private_key, created_at,
                 retired_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .text(&k.kid)
        .text(&k.algorithm)
        .bytes(&k.public_key)
        .json(&to_json(&k.private_key)?)
        .ts(k.created_at)
        .opt_ts(k.retired_at)
        .opt_ts(k.expires_at)
        .execute(&mut tx)
        .await
        .on_violation(|_| Error::already_exists(Kind::SigningKey, &k.kid))?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn list_signing_keys(&self) -> Result<Vec<SigningKey>> {
        let rows = DB::stmt("SELECT * FROM signing_keys ORDER BY created_at, kid")
            .fetch_all(&mut *self.conn().await?)
            .await
            .db()?;
        all(&rows, identity::signing_key)
    }

    async fn update_signing_key(&self, k: &SigningKey, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        let changed =
            DB::stmt("UPDATE signing_keys SET retired_at = $2, expires_at = $3 WHERE kid = $1")
                .text(&k.kid)
                .opt_ts(k.retired_at)
                .opt_ts(k.expires_at)
                .execute(&mut tx)
                .await
                .db()?;
        if changed == 0 {
            return Err(Error::not_found(Kind::SigningKey, &k.kid));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn delete_signing_key(&self, kid: &str, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        let deleted = DB::stmt("DELETE FROM signing_keys WHERE kid = $1")
            .text(kid)
            .execute(&mut tx)
            .await
            .db()?;
        if deleted == 0 {
            return Err(Error::not_found(Kind::SigningKey, kid));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn revoke_token(&self, t: &RevokedToken, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        // The first revocation of a jti stays.
        DB::stmt(
            "INSERT INTO revoked_tokens (jti, expires_at, revoked_at) VALUES ($1, $2, $3)
             ON CONFLICT (jti) DO NOTHING",
        )
        .text(&t.jti)
        .ts(t.expires_at)
        .ts(t.revoked_at)
        .execute(&mut tx)
        .await
        .db()?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn list_revoked_tokens(
        &self,
        since: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<Vec<RevokedToken>> {
        let rows = DB::stmt(
            "SELECT * FROM revoked_tokens
             WHERE ($1 IS NULL OR revoked_at >= $1) AND expires_at > $2
             ORDER BY revoked_at, jti",
        )
        .opt_ts(since)
        .ts(now)
        .fetch_all(&mut *self.conn().await?)
        .await
        .db()?;
        all(&rows, identity::revoked_token)
    }

    async fn purge_revoked_tokens(&self, now: Timestamp) -> Result<u64> {
        DB::stmt("DELETE FROM revoked_tokens WHERE expires_at <= $1")
            .ts(now)
            .execute(&mut *self.conn().await?)
            .await
            .db()
    }
}
