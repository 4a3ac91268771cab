use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Assignee, Grant, Grantee, Role, RoleAssignment};
use pangolin_core::{Error, GrantId, Kind, Page, PageRequest, Result, RoleId, TenantId};

use super::{MemoryStore, State, paginate};
use crate::identity_rules::check_assignee;
use crate::{AccessStore, GrantFilter};

impl State {
    fn role_in(&self, tenant: TenantId, id: RoleId) -> Result<&Role> {
        self.roles
            .get(&id)
            .filter(|r| r.tenant_id == tenant)
            .ok_or_else(|| Error::not_found(Kind::Role, id))
    }

    fn check_role_unique(&self, role: &Role) -> Result<()> {
        let taken = self
            .roles
            .values()
            .any(|r| r.id != role.id && r.tenant_id == role.tenant_id && r.name == role.name);
        if taken {
            return Err(Error::already_exists(Kind::Role, &role.name));
        }
        Ok(())
    }

    /// An account assignee must be an account of `tenant`.
    fn check_assignee_in(&self, tenant: TenantId, assignee: &Assignee) -> Result<()> {
        match assignee {
            Assignee::User(id) => self.check_grantee(tenant, &Grantee::User(*id)),
            Assignee::ServiceUser(id) => self.check_grantee(tenant, &Grantee::ServiceUser(*id)),
            Assignee::Group(_) => Ok(()),
        }
    }

    fn grant_in(&self, tenant: TenantId, id: GrantId) -> Result<&Grant> {
        self.grants
            .get(&id)
            .filter(|g| g.tenant_id == tenant)
            .ok_or_else(|| Error::not_found(Kind::Grant, id))
    }
}

#[async_trait]
impl AccessStore for MemoryStore {
    async fn create_role(&self, role: &Role, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        if !s.tenants.contains_key(&role.tenant_id) {
            return Err(Error::not_found(Kind::Tenant, role.tenant_id));
        }
        if s.roles.contains_key(&role.id) {
            return Err(Error::already_exists(Kind::Role, role.id));
        }
        s.check_role_unique(role)?;
        s.roles.insert(role.id, role.clone());
        s.record(audit);
        Ok(())
    }

    async fn get_role(&self, tenant: TenantId, id: RoleId) -> Result<Role> {
        self.state.lock().role_in(tenant, id).cloned()
    }

    async fn list_roles(&self, tenant: TenantId, page: &PageRequest) -> Result<Page<Role>> {
        let s = self.state.lock();
        let mut all: Vec<Role> = s
            .roles
            .values()
            .filter(|r| r.tenant_id == tenant)
            .cloned()
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(paginate(all.into_iter(), page, |r| r.name.to_string()))
    }

    async fn update_role(&self, role: &Role, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        s.role_in(role.tenant_id, role.id)?;
        s.check_role_unique(role)?;
        let stored = s.roles.get_mut(&role.id).expect("checked above");
        stored.name = role.name.clone();
        stored.description = role.description.clone();
        stored.updated_at = role.updated_at;
        s.record(audit);
        Ok(())
    }

    async fn delete_role(&self, tenant: TenantId, id: RoleId, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        s.role_in(tenant, id)?;
        s.roles.remove(&id);
        s.assignments.retain(|(role, _), _| *role != id);
        s.grants.retain(|_, g| g.grantee != Grantee::Role(id));
        s.record(audit);
        Ok(())
    }

    async fn assign_role(&self, assignment: &RoleAssignment, audit: &[AuditEvent]) -> Result<()> {
        check_assignee(&assignment.assignee)?;
        let mut s = self.state.lock();
        s.role_in(assignment.tenant_id, assignment.role_id)?;
        s.check_assignee_in(assignment.tenant_id, &assignment.assignee)?;
        let key = (assignment.role_id, assignment.assignee.clone());
        s.assignments
            .entry(key)
            .or_insert_with(|| assignment.clone());
        s.record(audit);
        Ok(())
    }

    async fn unassign_role(
        &self,
        tenant: TenantId,
        role: RoleId,
        assignee: &Assignee,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut s = self.state.lock();
        s.role_in(tenant, role)?;
        if s.assignments.remove(&(role, assignee.clone())).is_none() {
            return Err(Error::not_found(
                Kind::Role,
                format!("{role} assigned to {assignee:?}"),
            ));
        }
        s.record(audit);
        Ok(())
    }

    async fn list_assignments(
        &self,
        tenant: TenantId,
        role: Option<RoleId>,
        assignee: Option<&Assignee>,
    ) -> Result<Vec<RoleAssignment>> {
        let s = self.state.lock();
        Ok(s.assignments
            .values()
            .filter(|a| a.tenant_id == tenant)
            .filter(|a| role.is_none_or(|r| a.role_id == r))
            .filter(|a| assignee.is_none_or(|e| &a.assignee == e))
            .cloned()
            .collect())
    }

    async fn create_grant(&self, grant: &Grant, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        s.check_new_grant(grant)?;
        s.grants.insert(grant.id, grant.clone());
        s.record(audit);
        Ok(())
    }

    async fn get_grant(&self, tenant: TenantId, id: GrantId) -> Result<Grant> {
        self.state.lock().grant_in(tenant, id).cloned()
    }

    async fn delete_grant(
        &self,
        tenant: TenantId,
        id: GrantId,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut s = self.state.lock();
        s.grant_in(tenant, id)?;
        s.grants.remove(&id);
        s.record(audit);
        Ok(())
    }

    async fn list_grants(
        &self,
        tenant: TenantId,
        filter: &GrantFilter,
        page: &PageRequest,
    ) -> Result<Page<Grant>> {
        self.state.lock().list_grants(tenant, filter, page)
    }

    async fn effective_grants(
        &self,
        tenant: TenantId,
        principal: &Grantee,
        groups: &[String],
    ) -> Result<Vec<Grant>> {
        self.state
            .lock()
            .effective_grants(tenant, principal, groups)
    }
}
