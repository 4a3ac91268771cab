//! `AccessStore`: roles and role assignments here, grants in `grants.rs`.

use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Assignee, Grant, Grantee, Role, RoleAssignment};
use pangolin_core::{Error, GrantId, Kind, Page, PageRequest, Result, RoleId, TenantId};
use pangolin_store::identity_rules::check_assignee;
use pangolin_store::{AccessStore, GrantFilter};

use super::tenants::tenant_exists;
use super::{Access, SqlStore, forget, grants};
use crate::common::decode::all;
use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::{DbResultExt, Violation};
use crate::common::identity::{self, AssigneeColumns};
use crate::common::{after_key, row_limit};

/// Assignments of a tenant, optionally of one role and one assignee (a filter that is not
/// set is bound as NULL), ordered like `(RoleId, Assignee)`: by role, then users before
/// service users before groups, each by id or name.
const ASSIGNMENTS: &str = "SELECT * FROM role_assignments
     WHERE tenant_id = $1 AND ($2 IS NULL OR role_id = $2) AND ($3 IS NULL OR user_id = $3)
         AND ($4 IS NULL OR service_user_id = $4) AND ($5 IS NULL OR group_name = $5)
     ORDER BY role_id,
         CASE WHEN user_id IS NOT NULL THEN 0 WHEN service_user_id IS NOT NULL THEN 1 ELSE 2 END,
         user_id, service_user_id, group_name";

#[async_trait]
impl<DB: Dialect> AccessStore for SqlStore<DB> {
    async fn create_role(&self, r: &Role, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        if !tenant_exists::<DB>(&mut tx, r.tenant_id).await? {
            return Err(Error::not_found(Kind::Tenant, r.tenant_id));
        }
        DB::stmt(
            "INSERT INTO roles (id, tenant_id, name, description, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .id(r.id)
        .id(r.tenant_id)
        .text(r.name.as_str())
        .opt_text(r.description.as_deref())
        .ts(r.created_at)
        .ts(r.updated_at)
        .execute(&mut tx)
        .await
        .on_violation(|v| match v {
            Violation::Unique => Error::already_exists(Kind::Role, &r.name),
            Violation::ForeignKey => Error::not_found(Kind::Tenant, r.tenant_id),
        })?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn get_role(&self, tenant: TenantId, id: RoleId) -> Result<Role> {
        let row = DB::stmt("SELECT * FROM roles WHERE id = $1 AND tenant_id = $2")
            .id(id)
            .id(tenant)
            .fetch_optional(&mut *self.conn().await?)
            .await
            .db()?;
        identity::role(&row.ok_or_else(|| Error::not_found(Kind::Role, id))?)
    }

    async fn list_roles(&self, tenant: TenantId, page: &PageRequest) -> Result<Page<Role>> {
        let rows = DB::stmt(
            "SELECT * FROM roles WHERE tenant_id = $1 AND name > $2 ORDER BY name LIMIT $3",
        )
        .id(tenant)
        .text(&after_key(page))
        .int(row_limit(page))
        .fetch_all(&mut *self.conn().await?)
        .await
        .db()?;
        let roles = all(&rows, identity::role)?;
        Ok(Page::from_rows(roles, page, |r| r.name.to_string()))
    }

    async fn update_role(&self, r: &Role, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        let changed = DB::stmt(
            "UPDATE roles SET name = $3, description = $4, updated_at = $5
             WHERE id = $1 AND tenant_id = $2",
        )
        .id(r.id)
        .id(r.tenant_id)
        .text(r.name.as_str())
        .opt_text(r.description.as_deref())
        .ts(r.updated_at)
        .execute(&mut tx)
        .await
        .on_violation(|_| Error::already_exists(Kind::Role, &r.name))?;
        if changed == 0 {
            return Err(Error::not_found(Kind::Role, r.id));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn delete_role(&self, tenant: TenantId, id: RoleId, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        forget::role::<DB>(&mut tx, tenant, id).await?;
        let deleted = DB::stmt("DELETE FROM roles WHERE id = $1 AND tenant_id = $2")
            .id(id)
            .id(tenant)
            .execute(&mut tx)
            .await
            .db()?;
        // Nothing deleted: no such role, and the transaction rolls back.
        if deleted == 0 {
            return Err(Error::not_found(Kind::Role, id));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn assign_role(&self, a: &RoleAssignment, audit: &[AuditEvent]) -> Result<()> {
        check_assignee(&a.assignee)?;
        let mut tx = self.write().await?;
        let role = Grantee::Role(a.role_id);
        grants::check_grantee::<DB>(&mut tx, a.tenant_id, &role).await?;
        grants::check_assignee::<DB>(&mut tx, a.tenant_id, &a.assignee).await?;
        let who = AssigneeColumns::of(&a.assignee);
        // Assigning again is a no-op: every unique constraint is "this role, this assignee".
        DB::stmt(
            "INSERT INTO role_assignments
                 (tenant_id, role_id, user_id, service_user_id, group_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT DO NOTHING",
        )
        .id(a.tenant_id)
        .id(a.role_id)
        .opt_id(who.user)
        .opt_id(who.service_user)
        .opt_text(who.group)
        .ts(a.created_at)
        .execute(&mut tx)
        .await
        // Checked above: the role (or the account) was deleted since.
        .on_violation(|_| Error::not_found(Kind::Role, a.role_id))?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn unassign_role(
        &self,
        tenant: TenantId,
        role: RoleId,
        assignee: &Assignee,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let who = AssigneeColumns::of(assignee);
        // Exactly one of $3..$5 is set; the others match nothing (`= NULL`).
        let deleted = DB::stmt(
            "DELETE FROM role_assignments
             WHERE tenant_id = $1 AND role_id = $2
                 AND (user_id = $3 OR service_user_id = $4 OR group_name = $5)",
        )
        .id(tenant)
        .id(role)
        .opt_id(who.user)
        .opt_id(who.service_user)
        .opt_text(who.group)
        .execute(&mut tx)
        .await
        .db()?;
        // No such role in the tenant, or no such assignment of it.
        if deleted == 0 {
            return Err(Error::not_found(
                Kind::Role,
                format!("{role} assigned to {assignee:?}"),
            ));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn list_assignments(
        &self,
        tenant: TenantId,
        role: Option<RoleId>,
        assignee: Option<&Assignee>,
    ) -> Result<Vec<RoleAssignment>> {
        let who = assignee.map(AssigneeColumns::of).unwrap_or_default();
        let rows = DB::stmt(ASSIGNMENTS)
            .id(tenant)
            .opt_id(role)
            .opt_id(who.user)
            .opt_id(who.service_user)
            .opt_text(who.group)
            .fetch_all(&mut *self.conn().await?)
            .await
            .db()?;
        all(&rows, identity::assignment)
    }

    async fn create_grant(&self, g: &Grant, audit: &[AuditEvent]) -> Result<()> {
        let mut tx = self.write().await?;
        grants::check_grantee::<DB>(&mut tx, g.tenant_id, &g.grantee).await?;
        grants::check_scope::<DB>(&mut tx, g.tenant_id, &g.scope).await?;
        grants::insert::<DB>(&mut tx, g)
            .await?
            .on_violation(|v| match v {
                Violation::Unique => {
                    Error::already_exists(Kind::Grant, format!("{} on {}", g.action, g.scope.key()))
                }
                // Checked above: a grantee, warehouse or catalog was deleted since.
                Violation::ForeignKey => grantee_gone(&g.grantee),
            })?;
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn get_grant(&self, tenant: TenantId, id: GrantId) -> Result<Grant> {
        let row = DB::stmt("SELECT * FROM grants WHERE id = $1 AND tenant_id = $2")
            .id(id)
            .id(tenant)
            .fetch_optional(&mut *self.conn().await?)
            .await
            .db()?;
        identity::grant(&row.ok_or_else(|| Error::not_found(Kind::Grant, id))?)
    }

    async fn delete_grant(
        &self,
        tenant: TenantId,
        id: GrantId,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let deleted = DB::stmt("DELETE FROM grants WHERE id = $1 AND tenant_id = $2")
            .id(id)
            .id(tenant)
            .execute(&mut tx)
            .await
            .db()?;
        if deleted == 0 {
            return Err(Error::not_found(Kind::Grant, id));
        }
        DB::insert_audit(&mut tx, audit).await?;
        tx.commit().await.db()
    }

    async fn list_grants(
        &self,
        tenant: TenantId,
        filter: &GrantFilter,
        page: &PageRequest,
    ) -> Result<Page<Grant>> {
        grants::list::<DB>(&mut *self.conn().await?, tenant, filter, page).await
    }

    async fn effective_grants(
        &self,
        tenant: TenantId,
        principal: &Grantee,
        groups: &[String],
    ) -> Result<Vec<Grant>> {
        grants::effective::<DB>(&mut *self.conn().await?, tenant, principal, groups).await
    }
}

/// The error for a grant whose checked references vanished before it was written (the
/// grantee is the likeliest; a retry names the missing one exactly).
fn grantee_gone(grantee: &Grantee) -> Error {
    match grantee {
        Grantee::User(id) => Error::not_found(Kind::User, id),
        Grantee::ServiceUser(id) => Error::not_found(Kind::ServiceUser, id),
        Grantee::Role(id) => Error::not_found(Kind::Role, id),
    }
}
