//! `ServiceUserStore`: service users and their API keys.

use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{ApiKey, ServiceUser};
use pangolin_core::{Error, Kind, Page, PageRequest, Result, ServiceUserId, TenantId, Timestamp};
use pangolin_store::ServiceUserStore;
use pangolin_store::identity_rules::check_service_user_tier;

use super::tenants::tenant_exists;
use super::{Access, SqlStore, forget};
use crate::common::decode::all;
use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::{DbResultExt, Violation};
use crate::common::identity::{self, api_key_columns};
use crate::common::{after_key, row_limit};

async fn service_user_exists<DB: Dialect>(
    conn: &mut DB::Connection,
    tenant: TenantId,
    id: ServiceUserId,
) -> Result<bool> {
    DB::stmt("SELECT EXISTS (SELECT 1 FROM service_users WHERE id = $1 AND tenant_id = $2)")
        .id(id)
        .id(tenant)
        .exists(conn)
        .await
        .db()
}

#[async_trait]
impl<DB: Dialect> ServiceUserStore for SqlStore<DB> {
    async fn create_service_user(&self, u: &ServiceUser, audit: &[AuditEvent]) -> Result<()> {
        check_service_user_tier(u.tier)?;
        let mut tx = self.write().await?;
        if !tenant_exists::<DB>(&mut tx, u.tenant_id).await? {
            return Err(Error::not_found(Kind::Tenant, u.tenant_id));
        }
        DB::stmt(
            "INSERT INTO service_users
                 (id, tenant_id, name, description, tier, disabled, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .id(u.id)
        .id(u.tenant_id)
        .text(u.name.as_str())
        .opt_text(u.description.as_deref())
        .text(u.tier.as_str())
        .bool(u.disabled)
        .ts(u.created_at)
        .ts(u.updated_at)
        .execute(&mut tx)
        .await
        .on_violation(|v| match v {
            Violation::Unique => Error::already_exists(Kind::ServiceUser, &u.name),
            // The tenant was checked: only one deleted since can be missing.
            Violation::ForeignKey => Error::not_found(Kind::Tenant, u.tenant_id),
        })?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn get_service_user(&self, tenant: TenantId, id: ServiceUserId) -> Result<ServiceUser> {
        let row = DB::stmt("SELECT * FROM service_users WHERE id = $1 AND tenant_id = $2")
            .id(id)
            .id(tenant)
            .fetch_optional(&mut *self.conn().await?)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::ServiceUser, id))?;
        identity::service_user(&row)
    }

    async fn list_service_users(
        &self,
        tenant: TenantId,
        page: &PageRequest,
    ) -> Result<Page<ServiceUser>> {
        let rows = DB::stmt(
            "SELECT * FROM service_users WHERE tenant_id = $1 AND name > $2
             ORDER BY name LIMIT $3",
        )
        .id(tenant)
        .text(&after_key(page))
        .int(row_limit(page))
        .fetch_all(&mut *self.conn().await?)
        .await
        .db()?;
        let users = all(&rows, identity::service_user)?;
        Ok(Page::from_rows(users, page, |u| u.name.to_string()))
    }

    async fn update_service_user(&self, u: &ServiceUser, audit: &[AuditEvent]) -> Result<()> {
        check_service_user_tier(u.tier)?;
        let mut tx = self.write().await?;
        let changed = DB::stmt(
            "UPDATE service_users SET name = $3, description = $4, tier = $5, disabled = $6,
                 updated_at = $7
             WHERE id = $1 AND tenant_id = $2",
        )
        .id(u.id)
        .id(u.tenant_id)
        .text(u.name.as_str())
        .opt_text(u.description.as_deref())
        .text(u.tier.as_str())
        .bool(u.disabled)
        .ts(u.updated_at)
        .execute(&mut tx)
        .await
        .on_violation(|_| Error::already_exists(Kind::ServiceUser, &u.name))?;
        if changed == 0 {
            return Err(Error::not_found(Kind::ServiceUser, u.id));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn delete_service_user(
        &self,
        tenant: TenantId,
        id: ServiceUserId,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut tx = self.write().await?;
        forget::service_user::<DB>(&mut tx, tenant, id).await?;
        let deleted = DB::stmt("DELETE FROM service_users WHERE id = $1 AND tenant_id = $2")
            .id(id)
            .id(tenant)
            .execute(&mut tx)
            .await
            .db()?;
        // Nothing deleted: no such service user, and the transaction rolls back.
        if deleted == 0 {
            return Err(Error::not_found(Kind::ServiceUser, id));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn create_api_key(&self, k: &ApiKey, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        if !service_user_exists::<DB>(&mut tx, k.tenant_id, k.service_user_id).await? {
            return Err(Error::not_found(Kind::ServiceUser, k.service_user_id));
        }
        DB::stmt(
            "INSERT INTO api_keys (key_id, tenant_id, service_user_id, name, secret_sha256,
                 created_at, expires_at, revoked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .text(&k.key_id)
        .id(k.tenant_id)
        .id(k.service_user_id)
        .opt_text(k.name.as_deref())
        .text(&k.secret_sha256)
        .ts(k.created_at)
        .opt_ts(k.expires_at)
        .opt_ts(k.revoked_at)
        .execute(&mut tx)
        .await
        .on_violation(|v| match v {
            Violation::Unique => Error::already_exists(Kind::ApiKey, &k.key_id),
            // The service user was checked: it was deleted since.
            Violation::ForeignKey => Error::not_found(Kind::ServiceUser, k.service_user_id),
        })?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn get_api_key(&self, key_id: &str) -> Result<(ApiKey, ServiceUser)> {
        // One primary-key probe and one join on the service user's primary key.
        let row = DB::stmt(concat!(
            "SELECT s.*, ",
            api_key_columns!("k."),
            " FROM api_keys k JOIN service_users s ON s.id = k.service_user_id
              WHERE k.key_id = $1"
        ))
        .text(key_id)
        .fetch_optional(&mut *self.conn().await?)
        .await
        .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::ApiKey, key_id))?;
        Ok((identity::api_key(&row)?, identity::service_user(&row)?))
    }

    async fn list_api_keys(
        &self,
        tenant: TenantId,
        service_user: ServiceUserId,
        page: &PageRequest,
    ) -> Result<Page<ApiKey>> {
        let mut conn = self.conn().await?;
        if !service_user_exists::<DB>(&mut *conn, tenant, service_user).await? {
            return Err(Error::not_found(Kind::ServiceUser, service_user));
        }
        let rows = DB::stmt(concat!(
            "SELECT tenant_id, ",
            api_key_columns!(""),
            " FROM api_keys WHERE tenant_id = $1 AND service_user_id = $2 AND key_id > $3
              ORDER BY key_id LIMIT $4"
        ))
        .id(tenant)
        .id(service_user)
        .text(&after_key(page))
        .int(row_limit(page))
        .fetch_all(&mut *conn)
        .await
        .db()?;
        let keys = all(&rows, identity::api_key)?;
        Ok(Page::from_rows(keys, page, |k| k.key_id.clone()))
    }

    async fn revoke_api_key(
        &self,
        tenant: TenantId,
        key_id: &str,
        at: Timestamp,
        audit: &[AuditEvent],
    ) -> Result<ApiKey> {
        let mut tx = self.write().await?;
        // One statement: a key revoked before keeps its first time.
        let row = DB::stmt(concat!(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3)
             WHERE key_id = $1 AND tenant_id = $2
             RETURNING tenant_id, ",
            api_key_columns!("")
        ))
        .text(key_id)
        .id(tenant)
        .ts(at)
        .fetch_optional(&mut tx)
        .await
        .db()?;
        let key = identity::api_key(&row.ok_or_else(|| Error::not_found(Kind::ApiKey, key_id))?)?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()?;
        Ok(key)
    }
}
