use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{ApiKey, Assignee, Grantee, ServiceUser};
use pangolin_core::{Error, Kind, Page, PageRequest, Result, ServiceUserId, TenantId, Timestamp};

use super::{MemoryStore, State, paginate};
use crate::ServiceUserStore;
use crate::identity_rules::check_service_user_tier;

impl State {
    fn service_user_in(&self, tenant: TenantId, id: ServiceUserId) -> Result<&ServiceUser> {
        self.service_users
            .get(&id)
            .filter(|u| u.tenant_id == tenant)
            .ok_or_else(|| Error::not_found(Kind::ServiceUser, id))
    }

    fn check_service_user_unique(&self, user: &ServiceUser) -> Result<()> {
        let taken = self
            .service_users
            .values()
            .any(|u| u.id != user.id && u.tenant_id == user.tenant_id && u.name == user.name);
        if taken {
            return Err(Error::already_exists(Kind::ServiceUser, &user.name));
        }
        Ok(())
    }
}

#[async_trait]
impl ServiceUserStore for MemoryStore {
    async fn create_service_user(&self, user: &ServiceUser, audit: &[AuditEvent]) -> Result<()> {
        check_service_user_tier(user.tier)?;
        let mut s = self.state.lock();
        if !s.tenants.contains_key(&user.tenant_id) {
            return Err(Error::not_found(Kind::Tenant, user.tenant_id));
        }
        if s.service_users.contains_key(&user.id) {
            return Err(Error::already_exists(Kind::ServiceUser, user.id));
        }
        s.check_service_user_unique(user)?;
        s.service_users.insert(user.id, user.clone());
        s.record(audit);
        Ok(())
    }

    async fn get_service_user(&self, tenant: TenantId, id: ServiceUserId) -> Result<ServiceUser> {
        self.state.lock().service_user_in(tenant, id).cloned()
    }

    async fn list_service_users(
        &self,
        tenant: TenantId,
        page: &PageRequest,
    ) -> Result<Page<ServiceUser>> {
        let s = self.state.lock();
        let mut all: Vec<ServiceUser> = s
            .service_users
            .values()
            .filter(|u| u.tenant_id == tenant)
            .cloned()
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(paginate(all.into_iter(), page, |u| u.name.to_string()))
    }

    async fn update_service_user(&self, user: &ServiceUser, audit: &[AuditEvent]) -> Result<()> {
        check_service_user_tier(user.tier)?;
        let mut s = self.state.lock();
        s.service_user_in(user.tenant_id, user.id)?;
        s.check_service_user_unique(user)?;
        let stored = s.service_users.get_mut(&user.id).expect("checked above");
        stored.name = user.name.clone();
        stored.description = user.description.clone();
        stored.tier = user.tier;
        stored.disabled = user.disabled;
        stored.updated_at = user.updated_at;
        s.record(audit);
        Ok(())
    }

    async fn delete_service_user(
        &self,
        tenant: TenantId,
        id: ServiceUserId,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut s = self.state.lock();
        s.service_user_in(tenant, id)?;
        s.service_users.remove(&id);
        s.api_keys.retain(|_, k| k.service_user_id != id);
        s.forget_principal(&Assignee::ServiceUser(id), &Grantee::ServiceUser(id));
        s.record(audit);
        Ok(())
    }

    async fn create_api_key(&self, key: &ApiKey, audit: &[AuditEvent]) -> Result<()> {
        let mut s = self.state.lock();
        s.service_user_in(key.tenant_id, key.service_user_id)?;
        if s.api_keys.contains_key(&key.key_id) {
            return Err(Error::already_exists(Kind::ApiKey, &key.key_id));
        }
        s.api_keys.insert(key.key_id.clone(), key.clone());
        s.record(audit);
        Ok(())
    }

    async fn get_api_key(&self, key_id: &str) -> Result<(ApiKey, ServiceUser)> {
        let s = self.state.lock();
        let key = s
            .api_keys
            .get(key_id)
            .ok_or_else(|| Error::not_found(Kind::ApiKey, key_id))?;
        let user = s.service_user_in(key.tenant_id, key.service_user_id)?;
        Ok((key.clone(), user.clone()))
    }

    async fn list_api_keys(
        &self,
        tenant: TenantId,
        service_user: ServiceUserId,
        page: &PageRequest,
    ) -> Result<Page<ApiKey>> {
        let s = self.state.lock();
        s.service_user_in(tenant, service_user)?;
        let keys = s
            .api_keys
            .values()
            .filter(|k| k.service_user_id == service_user)
            .cloned();
        Ok(paginate(keys, page, |k| k.key_id.clone()))
    }

    async fn revoke_api_key(
        &self,
        tenant: TenantId,
        key_id: &str,
        at: Timestamp,
        audit: &[AuditEvent],
    ) -> Result<ApiKey> {
        let mut s = self.state.lock();
        let key = s
            .api_keys
            .get_mut(key_id)
            .filter(|k| k.tenant_id == tenant)
            .ok_or_else(|| Error::not_found(Kind::ApiKey, key_id))?;
        key.revoked_at.get_or_insert(at);
        let key = key.clone();
        s.record(audit);
        Ok(key)
    }
}
