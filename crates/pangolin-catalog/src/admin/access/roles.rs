//! Roles: named sets of grants. Tenant admins create, rename and delete them; whoever manages
//! grants somewhere (tenant admins, holders of `manage-grants`) may read them, to find the
//! role to grant to or assign.

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::Role;
use pangolin_core::{Name, Page, PageRequest, Result, RoleId};
use serde_json::json;

use crate::{Services, guard};

#[derive(Debug, Clone)]
pub struct NewRole {
    pub name: Name,
    pub description: Option<String>,
}

/// Fields to change; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct RoleUpdate {
    pub name: Option<Name>,
    pub description: Option<Option<String>>,
}

impl Services {
    pub async fn create_role(&self, ctx: &RequestContext, new: NewRole) -> Result<Role> {
        let tenant = guard::require_tenant_admin(ctx)?;
        let mut role = Role::new(tenant, new.name);
        role.description = new.description;
        let audit = ctx
            .audit("role.create", resource(&role), AuditResult::Success)
            .with_summary(json!({ "role-id": role.id, "description": role.description }));
        self.store().create_role(&role, &[audit]).await?;
        Ok(role)
    }

    pub async fn list_roles(&self, ctx: &RequestContext, page: &PageRequest) -> Result<Page<Role>> {
        let tenant = guard::require_grant_manager(ctx)?;
        self.store().list_roles(tenant, page).await
    }

    pub async fn get_role(&self, ctx: &RequestContext, id: RoleId) -> Result<Role> {
        let tenant = guard::require_grant_manager(ctx)?;
        self.store().get_role(tenant, id).await
    }

    pub async fn update_role(
        &self,
        ctx: &RequestContext,
        id: RoleId,
        update: RoleUpdate,
    ) -> Result<Role> {
        let tenant = guard::require_tenant_admin(ctx)?;
        let mut role = self.store().get_role(tenant, id).await?;
        if let Some(name) = update.name {
            role.name = name;
        }
        if let Some(description) = update.description {
            role.description = description;
        }
        role.updated_at = pangolin_core::now();
        let audit = ctx
            .audit("role.update", resource(&role), AuditResult::Success)
            .with_summary(json!({ "role-id": role.id, "description": role.description }));
        self.store().update_role(&role, &[audit]).await?;
        Ok(role)
    }

    /// Deletes the role with its assignments and grants: whoever held it loses them at once.
    pub async fn delete_role(&self, ctx: &RequestContext, id: RoleId) -> Result<()> {
        let tenant = guard::require_tenant_admin(ctx)?;
        let role = self.store().get_role(tenant, id).await?;
        let audit = ctx
            .audit("role.delete", resource(&role), AuditResult::Success)
            .with_summary(json!({ "role-id": role.id }));
        self.store().delete_role(tenant, id, &[audit]).await?;
        self.access_changed(tenant);
        Ok(())
    }
}

pub(super) fn resource(role: &Role) -> String {
    format!("role/{}", role.name)
}
