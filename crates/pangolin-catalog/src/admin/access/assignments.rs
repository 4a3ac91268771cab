//! Role assignments: who holds a role (users, service users, external groups).
//!
//! Assigning a role gives the assignee every grant of the role, so it needs what giving each
//! of those grants needs (tenant admins may always); unassigning likewise takes them back.
//! Nobody assigns a role to themselves or to a group they are in.

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Assignee, Grantee, Role, RoleAssignment, check_group};
use pangolin_core::{Error, PageRequest, Result, RoleId, TenantId};
use pangolin_store::GrantFilter;
use serde_json::json;

use super::grants::require_can_grant;
use super::roles::resource;
use super::scopes::Placer;
use crate::{Services, guard};

impl Services {
    pub async fn list_assignments(
        &self,
        ctx: &RequestContext,
        role: RoleId,
    ) -> Result<Vec<RoleAssignment>> {
        let tenant = guard::require_grant_manager(ctx)?;
        self.store().get_role(tenant, role).await?;
        self.store()
            .list_assignments(tenant, Some(role), None)
            .await
    }

    pub async fn assign_role(
        &self,
        ctx: &RequestContext,
        role: RoleId,
        assignee: Assignee,
    ) -> Result<RoleAssignment> {
        let tenant = guard::require_grant_manager(ctx)?;
        if let Assignee::Group(group) = &assignee {
            check_group(group)?;
        }
        let role = self.store().get_role(tenant, role).await?;
        if super::is_caller(ctx, &assignee) {
            return Err(Error::Forbidden(
                "nobody can assign a role to themselves or to a group they are in".into(),
            ));
        }
        self.require_role_grantable(ctx, tenant, &role).await?;
        let assignment = RoleAssignment {
            tenant_id: tenant,
            role_id: role.id,
            assignee,
            created_at: pangolin_core::now(),
        };
        let audit = ctx
            .audit("role.assign", resource(&role), AuditResult::Success)
            .with_summary(json!({ "role-id": role.id, "assignee": assignment.assignee }));
        self.store().assign_role(&assignment, &[audit]).await?;
        self.access_changed(tenant);
        Ok(assignment)
    }

    pub async fn unassign_role(
        &self,
        ctx: &RequestContext,
        role: RoleId,
        assignee: &Assignee,
    ) -> Result<()> {
        let tenant = guard::require_grant_manager(ctx)?;
        let role = self.store().get_role(tenant, role).await?;
        self.require_role_grantable(ctx, tenant, &role).await?;
        let audit = ctx
            .audit("role.unassign", resource(&role), AuditResult::Success)
            .with_summary(json!({ "role-id": role.id, "assignee": assignee }));
        self.store()
            .unassign_role(tenant, role.id, assignee, &[audit])
            .await?;
        self.access_changed(tenant);
        Ok(())
    }

    /// Whether the caller could give every grant the role holds.
    async fn require_role_grantable(
        &self,
        ctx: &RequestContext,
        tenant: TenantId,
        role: &Role,
    ) -> Result<()> {
        if guard::is_tenant_admin(ctx) {
            return Ok(());
        }
        let filter = GrantFilter {
            grantee: Some(Grantee::Role(role.id)),
            scope: None,
        };
        let mut placer = Placer::new(self, tenant);
        let mut page = PageRequest::first(100);
        loop {
            let batch = self.store().list_grants(tenant, &filter, &page).await?;
            for grant in &batch.items {
                let placed = placer.place(&grant.scope).await?;
                require_can_grant(ctx, grant.action, &placed).map_err(|_| {
                    Error::Forbidden(format!(
                        "role '{}' holds {} on a scope you cannot grant it on",
                        role.name, grant.action
                    ))
                })?;
            }
            match batch.next {
                Some(token) => page = PageRequest::after(token, Some(100)),
                None => return Ok(()),
            }
        }
    }
}
