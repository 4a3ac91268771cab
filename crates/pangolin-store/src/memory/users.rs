use async_trait::async_trait;
use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Assignee, ExternalIdentity, Grantee, User, Username};
use pangolin_core::{Error, Kind, Page, PageRequest, Result, TenantId, UserId};

use super::{MemoryStore, State, paginate};
use crate::UserStore;

impl State {
    /// `AlreadyExists(User)` when another account holds `user`'s name in its tenant (or
    /// among root accounts) or its external identity anywhere.
    fn check_user_unique(&self, user: &User) -> Result<()> {
        let taken = self.users.values().any(|u| {
            u.id != user.id
                && ((u.tenant_id == user.tenant_id && u.name == user.name)
                    || (user.external.is_some() && u.external == user.external))
        });
        if taken {
            return Err(Error::already_exists(Kind::User, &user.name));
        }
        Ok(())
    }

    fn user_in(&self, tenant: Option<TenantId>, id: UserId) -> Result<&User> {
        self.users
            .get(&id)
            .filter(|u| u.tenant_id == tenant)
            .ok_or_else(|| Error::not_found(Kind::User, id))
    }
}

#[async_trait]
impl UserStore for MemoryStore {
    async fn create_user(&self, user: &User, audit: &[AuditEvent]) -> Result<()> {
        user.validate()?;
        let mut s = self.state.lock();
        if let Some(tenant) = user.tenant_id
            && !s.tenants.contains_key(&tenant)
        {
            return Err(Error::not_found(Kind::Tenant, tenant));
        }
        if s.users.contains_key(&user.id) {
            return Err(Error::already_exists(Kind::User, user.id));
        }
        s.check_user_unique(user)?;
        s.users.insert(user.id, user.clone());
        s.record(audit);
        Ok(())
    }

    async fn get_user(&self, tenant: Option<TenantId>, id: UserId) -> Result<User> {
        self.state.lock().user_in(tenant, id).cloned()
    }

    async fn get_user_by_name(&self, tenant: Option<TenantId>, name: &Username) -> Result<User> {
        let s = self.state.lock();
        s.users
            .values()
            .find(|u| u.tenant_id == tenant && &u.name == name)
            .cloned()
            .ok_or_else(|| Error::not_found(Kind::User, name))
    }

    async fn get_user_by_external(&self, identity: &ExternalIdentity) -> Result<User> {
        let s = self.state.lock();
        s.users
            .values()
            .find(|u| u.external.as_ref() == Some(identity))
            .cloned()
            .ok_or_else(|| {
                Error::not_found(
                    Kind::User,
                    format!("{} at {}", identity.subject, identity.issuer),
                )
            })
    }

    async fn list_users(&self, tenant: Option<TenantId>, page: &PageRequest) -> Result<Page<User>> {
        let s = self.state.lock();
        let mut all: Vec<User> = s
            .users
            .values()
            .filter(|u| u.tenant_id == tenant)
            .cloned()
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(paginate(all.into_iter(), page, |u| u.name.to_string()))
    }

    async fn update_user(&self, user: &User, audit: &[AuditEvent]) -> Result<()> {
        user.validate()?;
        let mut s = self.state.lock();
        s.user_in(user.tenant_id, user.id)?;
        s.check_user_unique(user)?;
        let stored = s.users.get_mut(&user.id).expect("checked above");
        *stored = User {
            id: stored.id,
            tenant_id: stored.tenant_id,
            created_at: stored.created_at,
            ..user.clone()
        };
        s.record(audit);
        Ok(())
    }

    async fn delete_user(
        &self,
        tenant: Option<TenantId>,
        id: UserId,
        audit: &[AuditEvent],
    ) -> Result<()> {
        let mut s = self.state.lock();
        s.user_in(tenant, id)?;
        s.users.remove(&id);
        s.forget_principal(&Assignee::User(id), &Grantee::User(id));
        s.record(audit);
        Ok(())
    }

    async fn count_root_users(&self) -> Result<u64> {
        let s = self.state.lock();
        Ok(s.users.values().filter(|u| u.tenant_id.is_none()).count() as u64)
    }
}
