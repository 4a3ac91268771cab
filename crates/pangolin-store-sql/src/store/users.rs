//! `UserStore`. Root accounts have no tenant: their statements test `tenant_id IS NULL`
//! where tenant accounts' bind the tenant (see [`of_tenant`]).

use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{ExternalIdentity, User, Username};
use pangolin_core::{Error, Kind, Page, PageRequest, Result, TenantId, UserId};
use pangolin_store::UserStore;

use super::tenants::tenant_exists;
use super::{Access, SqlStore, forget};
use crate::common::decode::{RowExt, all, bad};
use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::{DbResultExt, Violation};
use crate::common::{after_key, identity, row_limit};

/// A statement on the accounts of one tenant, `$before tenant_id = $param $after`, or on the
/// root accounts, `$before tenant_id IS NULL $after`. Root statements bind no tenant, so
/// the tenant must be the statement's last parameter (bound by [`bind_tenant`]).
macro_rules! of_tenant {
    ($tenant:expr, $before:literal, $param:literal, $after:literal) => {
        match $tenant {
            Some(_) => concat!($before, "tenant_id = ", $param, $after),
            None => concat!($before, "tenant_id IS NULL", $after),
        }
    };
}

fn bind_tenant<S: Stmt>(stmt: S, tenant: Option<TenantId>) -> S {
    match tenant {
        Some(t) => stmt.id(t),
        None => stmt,
    }
}

/// What a unique or foreign-key violation on a user write means.
fn user_violation(user: &User, v: Violation) -> Error {
    match (v, user.tenant_id) {
        (Violation::ForeignKey, Some(tenant)) => Error::not_found(Kind::Tenant, tenant),
        // Name, external identity or id: every unique constraint of `users` is a clash.
        _ => Error::already_exists(Kind::User, &user.name),
    }
}

#[async_trait]
impl<DB: Dialect> UserStore for SqlStore<DB> {
    async fn create_user(&self, u: &User, audit: &[AuditEvent]) -> Result<()> {
        u.validate()?;
        let mut tx = self.write().await?;
        if let Some(tenant) = u.tenant_id
            && !tenant_exists::<DB>(&mut tx, tenant).await?
        {
            return Err(Error::not_found(Kind::Tenant, tenant));
        }
        let external = u.external.as_ref();
        DB::stmt(
            "INSERT INTO users (id, tenant_id, name, tier, email, display_name, password_hash,
                 external_issuer, external_subject, disabled, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .id(u.id)
        .opt_id(u.tenant_id)
        .text(u.name.as_str())
        .text(u.tier.as_str())
        .opt_text(u.email.as_deref())
        .opt_text(u.display_name.as_deref())
        .opt_text(u.password_hash.as_ref().map(|h| h.0.as_str()))
        .opt_text(external.map(|e| e.issuer.as_str()))
        .opt_text(external.map(|e| e.subject.as_str()))
        .bool(u.disabled)
        .ts(u.created_at)
        .ts(u.updated_at)
        .execute(&mut tx)
        .await
        .on_violation(|v| user_violation(u, v))?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn get_user(&self, tenant: Option<TenantId>, id: UserId) -> Result<User> {
        let sql = of_tenant!(tenant, "SELECT * FROM users WHERE id = $1 AND ", "$2", "");
        let stmt = DB::stmt(sql).id(id);
        let row = bind_tenant(stmt, tenant)
            .fetch_optional(&mut *self.conn().await?)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::User, id))?;
        identity::user(&row)
    }

    async fn get_user_by_name(&self, tenant: Option<TenantId>, name: &Username) -> Result<User> {
        let sql = of_tenant!(tenant, "SELECT * FROM users WHERE name = $1 AND ", "$2", "");
        let stmt = DB::stmt(sql).text(name.as_str());
        let row = bind_tenant(stmt, tenant)
            .fetch_optional(&mut *self.conn().await?)
            .await
            .db()?;
        let row = row.ok_or_else(|| Error::not_found(Kind::User, name))?;
        identity::user(&row)
    }

    async fn get_user_by_external(&self, ext: &ExternalIdentity) -> Result<User> {
        let row =
            DB::stmt("SELECT * FROM users WHERE external_issuer = $1 AND external_subject = $2")
                .text(&ext.issuer)
                .text(&ext.subject)
                .fetch_optional(&mut *self.conn().await?)
                .await
                .db()?;
        let missing = || Error::not_found(Kind::User, format!("{} at {}", ext.subject, ext.issuer));
        identity::user(&row.ok_or_else(missing)?)
    }

    async fn list_users(&self, tenant: Option<TenantId>, page: &PageRequest) -> Result<Page<User>> {
        let sql = of_tenant!(
            tenant,
            "SELECT * FROM users WHERE ",
            "$3",
            " AND name > $1 ORDER BY name LIMIT $2"
        );
        let stmt = DB::stmt(sql).text(&after_key(page)).int(row_limit(page));
        let rows = bind_tenant(stmt, tenant)
            .fetch_all(&mut *self.conn().await?)
            .await
            .db()?;
        let users = all(&rows, identity::user)?;
        Ok(Page::from_rows(users, page, |u| u.name.to_string()))
    }

    async fn update_user(&self, u: &User, audit: &[AuditEvent]) -> Result<()> {
        u.validate()?;
        let mut tx = self.write().await?;
        let sql = of_tenant!(
            u.tenant_id,
            "UPDATE users SET name = $2, tier = $3, email = $4, display_name = $5,
                 password_hash = $6, external_issuer = $7, external_subject = $8,
                 disabled = $9, updated_at = $10
             WHERE id = $1 AND ",
            "$11",
            ""
        );
        let external = u.external.as_ref();
        let stmt = DB::stmt(sql)
            .id(u.id)
            .text(u.name.as_str())
            .text(u.tier.as_str())
            .opt_text(u.email.as_deref())
            .opt_text(u.display_name.as_deref())
            .opt_text(u.password_hash.as_ref().map(|h| h.0.as_str()))
            .opt_text(external.map(|e| e.issuer.as_str()))
            .opt_text(external.map(|e| e.subject.as_str()))
            .bool(u.disabled)
            .ts(u.updated_at);
        let changed = bind_tenant(stmt, u.tenant_id)
            .execute(&mut tx)
            .await
            .on_violation(|v| user_violation(u, v))?;
        if changed == 0 {
            return Err(Error::not_found(Kind::User, u.id));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn delete_user(
        &self,
        tenant: Option<TenantId>,
        id: UserId,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut tx = self.write().await?;
        // Root accounts can hold no assignments or grants (those belong to a tenant).
        if let Some(tenant) = tenant {
            forget::user::<DB>(&mut tx, tenant, id).await?;
        }
        let sql = of_tenant!(tenant, "DELETE FROM users WHERE id = $1 AND ", "$2", "");
        let deleted = bind_tenant(DB::stmt(sql).id(id), tenant)
            .execute(&mut tx)
            .await
            .db()?;
        // Nothing deleted: no such account, and the transaction rolls back what it did.
        if deleted == 0 {
            return Err(Error::not_found(Kind::User, id));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn count_root_users(&self) -> Result<u64> {
        // CAST: a Postgres count is a bigint, which `RowExt::int` does not read.
        let sql = "SELECT CAST(COUNT(*) AS INTEGER) AS n FROM users WHERE tenant_id IS NULL";
        let row = DB::stmt(sql)
            .fetch_optional(&mut *self.conn().await?)
            .await
            .db()?;
        let n = row.map_or(Ok(0), |row| row.int("n"))?;
        u64::try_from(n).map_err(|e| bad("n", e))
    }
}
