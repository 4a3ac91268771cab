//! Service users and their API keys, managed by tenant admins. A key is shown once, when it
//! is minted; the store keeps only a hash of its secret.

use pangolin_auth::api_key;
use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{ApiKey, ServiceUser, Tier};
use pangolin_core::{Error, Name, Page, PageRequest, Result, ServiceUserId, Timestamp};
use serde_json::json;

use crate::{Services, guard};

pub struct NewServiceUser {
    pub name: Name,
    pub description: Option<String>,
    pub tier: Tier,
}

/// Fields to change; `None` keeps the current value.
#[derive(Default)]
pub struct ServiceUserUpdate {
    pub description: Option<Option<String>>,
    pub tier: Option<Tier>,
    pub disabled: Option<bool>,
}

#[derive(Default)]
pub struct NewApiKey {
    pub name: Option<String>,
    pub expires_at: Option<Timestamp>,
}

/// A freshly minted key: the only time `key` is ever available.
pub struct MintedApiKey {
    pub record: ApiKey,
    pub key: pangolin_auth::Secret,
}

impl Services {
    pub async fn create_service_user(
        &self,
        ctx: &RequestContext,
        new: NewServiceUser,
    ) -> Result<ServiceUser> {
        let tenant = guard::require_tenant_admin(ctx)?;
        let mut account = ServiceUser::new(tenant, new.name, new.tier);
        account.description = new.description;
        let audit = ctx
            .audit(
                "service-user.create",
                resource(&account),
                AuditResult::Success,
            )
            .with_summary(json!({ "service-user-id": account.id, "tier": account.tier }));
        self.store().create_service_user(&account, &[audit]).await?;
        Ok(account)
    }

    pub async fn list_service_users(
        &self,
        ctx: &RequestContext,
        page: &PageRequest,
    ) -> Result<Page<ServiceUser>> {
        let tenant = guard::require_tenant_admin(ctx)?;
        self.store().list_service_users(tenant, page).await
    }

    pub async fn get_service_user(
        &self,
        ctx: &RequestContext,
        id: ServiceUserId,
    ) -> Result<ServiceUser> {
        let tenant = guard::require_tenant_admin(ctx)?;
        self.store().get_service_user(tenant, id).await
    }

    pub async fn update_service_user(
        &self,
        ctx: &RequestContext,
        id: ServiceUserId,
        update: ServiceUserUpdate,
    ) -> Result<ServiceUser> {
        let tenant = guard::require_tenant_admin(ctx)?;
        let mut account = self.store().get_service_user(tenant, id).await?;
        if let Some(description) = update.description {
            account.description = description;
        }
        if let Some(tier) = update.tier {
            account.tier = tier;
        }
        if let Some(disabled) = update.disabled {
            account.disabled = disabled;
        }
        account.updated_at = pangolin_core::now();
        let audit = ctx
            .audit(
                "service-user.update",
                resource(&account),
                AuditResult::Success,
            )
            .with_summary(json!({ "tier": account.tier, "disabled": account.disabled }));
        self.store().update_service_user(&account, &[audit]).await?;
        self.account_changed(Some(tenant), &id.to_string());
        Ok(account)
    }

    pub async fn delete_service_user(&self, ctx: &RequestContext, id: ServiceUserId) -> Result<()> {
        let tenant = guard::require_tenant_admin(ctx)?;
        let account = self.store().get_service_user(tenant, id).await?;
        let audit = ctx.audit(
            "service-user.delete",
            resource(&account),
            AuditResult::Success,
        );
        self.store()
            .delete_service_user(tenant, id, &[audit])
            .await?;
        self.account_changed(Some(tenant), &id.to_string());
        Ok(())
    }

    pub async fn create_api_key(
        &self,
        ctx: &RequestContext,
        service_user: ServiceUserId,
        new: NewApiKey,
    ) -> Result<MintedApiKey> {
        let tenant = guard::require_tenant_admin(ctx)?;
        if new.expires_at.is_some_and(|e| e <= pangolin_core::now()) {
            return Err(Error::invalid("expires-at must be in the future"));
        }
        let minted = api_key::mint();
        let record = ApiKey {
            key_id: minted.key_id,
            tenant_id: tenant,
            service_user_id: service_user,
            name: new.name,
            secret_sha256: minted.secret_sha256,
            created_at: pangolin_core::now(),
            expires_at: new.expires_at,
            revoked_at: None,
        };
        let audit = ctx
            .audit(
                "api-key.create",
                format!("api-key/{}", record.key_id),
                AuditResult::Success,
            )
            .with_summary(
                json!({ "service-user-id": service_user, "expires-at": record.expires_at }),
            );
        self.store().create_api_key(&record, &[audit]).await?;
        Ok(MintedApiKey {
            record,
            key: minted.key,
        })
    }

    pub async fn list_api_keys(
        &self,
        ctx: &RequestContext,
        service_user: ServiceUserId,
        page: &PageRequest,
    ) -> Result<Page<ApiKey>> {
        let tenant = guard::require_tenant_admin(ctx)?;
        self.store().list_api_keys(tenant, service_user, page).await
    }

    /// Revokes a key of `service_user` (another service user's key looks absent).
    pub async fn revoke_api_key(
        &self,
        ctx: &RequestContext,
        service_user: ServiceUserId,
        key_id: &str,
    ) -> Result<ApiKey> {
        let tenant = guard::require_tenant_admin(ctx)?;
        self.key_of(tenant, service_user, key_id).await?;
        let audit = ctx.audit(
            "api-key.revoke",
            format!("api-key/{key_id}"),
            AuditResult::Success,
        );
        let key = self
            .store()
            .revoke_api_key(tenant, key_id, pangolin_core::now(), &[audit])
            .await?;
        self.identity().caches.api_keys.forget(&key_id.to_owned());
        Ok(key)
    }

    /// A new key with the old one's name and lifetime; the old one is revoked.
    pub async fn rotate_api_key(
        &self,
        ctx: &RequestContext,
        service_user: ServiceUserId,
        key_id: &str,
    ) -> Result<MintedApiKey> {
        let tenant = guard::require_tenant_admin(ctx)?;
        let old = self.key_of(tenant, service_user, key_id).await?;
        let lifetime = old.expires_at.map(|e| e - old.created_at);
        let new = NewApiKey {
            name: old.name.clone(),
            expires_at: lifetime.map(|l| pangolin_core::now() + l),
        };
        let minted = self.create_api_key(ctx, service_user, new).await?;
        self.revoke_api_key(ctx, service_user, key_id).await?;
        Ok(minted)
    }

    async fn key_of(
        &self,
        tenant: pangolin_core::TenantId,
        service_user: ServiceUserId,
        key_id: &str,
    ) -> Result<ApiKey> {
        let not_found = || Error::not_found(pangolin_core::Kind::ApiKey, key_id);
        match self.store().get_api_key(key_id).await {
            Ok((key, _)) if key.tenant_id == tenant && key.service_user_id == service_user => {
                Ok(key)
            }
            Ok(_) | Err(Error::NotFound { .. }) => Err(not_found()),
            Err(e) => Err(e),
        }
    }
}

fn resource(account: &ServiceUser) -> String {
    format!("service-user/{}", account.name)
}
