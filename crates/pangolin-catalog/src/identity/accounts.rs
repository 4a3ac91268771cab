//! User accounts: tenant admins manage their tenant's users; root manages root accounts and
//! (impersonating a tenant) that tenant's admins. Everyone reads and changes their own
//! profile and password.

use pangolin_auth::password;
use pangolin_core::audit::AuditResult;
use pangolin_core::context::{PrincipalKind, RequestContext};
use pangolin_core::model::{PasswordHash, Tier, User, Username};
use pangolin_core::{Error, Page, PageRequest, Result, TenantId, UserId};
use serde_json::json;

use crate::{Services, guard};

pub struct NewUser {
    pub name: Username,
    pub tier: Tier,
    pub password: Option<String>,
    pub email: Option<String>,
    pub display_name: Option<String>,
}

/// Fields to change; `None` keeps the current value.
#[derive(Default)]
pub struct UserUpdate {
    pub email: Option<Option<String>>,
    pub display_name: Option<Option<String>>,
    pub tier: Option<Tier>,
    pub disabled: Option<bool>,
    pub password: Option<String>,
}

impl Services {
    pub async fn create_user(&self, ctx: &RequestContext, new: NewUser) -> Result<User> {
        let tenant = self.account_scope(ctx, new.tier)?;
        let mut user = User::new(tenant, new.name, new.tier);
        user.email = new.email;
        user.display_name = new.display_name;
        if let Some(pw) = new.password {
            user.password_hash = Some(hash(pw).await?);
        }
        let audit = ctx
            .audit("user.create", resource(&user), AuditResult::Success)
            .with_summary(json!({ "user-id": user.id, "tier": user.tier, "tenant-id": tenant }));
        self.store().create_user(&user, &[audit]).await?;
        Ok(user)
    }

    /// Root accounts for root outside tenants; the acting tenant's accounts for its admins.
    pub async fn list_users(&self, ctx: &RequestContext, page: &PageRequest) -> Result<Page<User>> {
        let tenant = self.managed_accounts(ctx)?;
        self.store().list_users(tenant, page).await
    }

    pub async fn get_user(&self, ctx: &RequestContext, id: UserId) -> Result<User> {
        if is_self(ctx, id) {
            return self.store().get_user(home(ctx), id).await;
        }
        let tenant = self.managed_accounts(ctx)?;
        self.store().get_user(tenant, id).await
    }

    pub async fn update_user(
        &self,
        ctx: &RequestContext,
        id: UserId,
        update: UserUpdate,
    ) -> Result<User> {
        let tenant = self.managed_accounts(ctx)?;
        let mut user = self.store().get_user(tenant, id).await?;
        if let Some(tier) = update.tier {
            if (tier == Tier::Root) != (user.tier == Tier::Root) {
                return Err(Error::invalid("an account cannot move into or out of root"));
            }
            user.tier = tier;
        }
        if let Some(disabled) = update.disabled {
            if disabled && is_self(ctx, id) {
                return Err(Error::invalid("you cannot disable your own account"));
            }
            user.disabled = disabled;
        }
        if let Some(email) = update.email {
            user.email = email;
        }
        if let Some(display_name) = update.display_name {
            user.display_name = display_name;
        }
        if let Some(pw) = update.password {
            user.password_hash = Some(hash(pw).await?);
        }
        user.updated_at = pangolin_core::now();
        let audit = ctx
            .audit("user.update", resource(&user), AuditResult::Success)
            .with_summary(
                json!({ "user-id": user.id, "tier": user.tier, "disabled": user.disabled }),
            );
        self.store().update_user(&user, &[audit]).await?;
        self.account_changed(user.tenant_id, &user.id.to_string());
        Ok(user)
    }

    pub async fn delete_user(&self, ctx: &RequestContext, id: UserId) -> Result<()> {
        if is_self(ctx, id) {
            return Err(Error::invalid("you cannot delete your own account"));
        }
        let tenant = self.managed_accounts(ctx)?;
        let user = self.store().get_user(tenant, id).await?;
        let audit = ctx.audit("user.delete", resource(&user), AuditResult::Success);
        self.store().delete_user(tenant, id, &[audit]).await?;
        self.account_changed(tenant, &id.to_string());
        Ok(())
    }

    /// The caller's own account.
    pub async fn me(&self, ctx: &RequestContext) -> Result<User> {
        let id: UserId = match ctx.principal.kind {
            PrincipalKind::User | PrincipalKind::Root => ctx.principal.id.parse()?,
            _ => return Err(Error::invalid("only user accounts have a profile here")),
        };
        self.store().get_user(home(ctx), id).await
    }

    /// Changes the caller's password after checking the current one.
    pub async fn change_password(
        &self,
        ctx: &RequestContext,
        current: String,
        new: String,
    ) -> Result<()> {
        let mut user = self.me(ctx).await?;
        let stored = user.password_hash.clone();
        let ok = tokio::task::spawn_blocking(move || match stored {
            Some(hash) => password::verify_password(&current, &hash),
            None => Ok(false),
        })
        .await
        .map_err(Error::internal)??;
        if !ok {
            return Err(Error::Forbidden("the current password is wrong".into()));
        }
        user.password_hash = Some(hash(new).await?);
        user.updated_at = pangolin_core::now();
        let audit = ctx.audit("user.password", resource(&user), AuditResult::Success);
        self.store().update_user(&user, &[audit]).await?;
        self.account_changed(user.tenant_id, &user.id.to_string());
        Ok(())
    }

    /// Which accounts the caller manages: root (outside tenants) the root accounts, a
    /// tenant admin (or root impersonating) the acting tenant's.
    fn managed_accounts(&self, ctx: &RequestContext) -> Result<Option<TenantId>> {
        if ctx.principal.tier == Tier::Root && !ctx.impersonating {
            return Ok(None);
        }
        guard::require_tenant_admin(ctx).map(Some)
    }

    /// Where a new account of `tier` goes, if the caller may create it.
    fn account_scope(&self, ctx: &RequestContext, tier: Tier) -> Result<Option<TenantId>> {
        match (tier, self.managed_accounts(ctx)?) {
            (Tier::Root, None) => Ok(None),
            (Tier::Root, Some(_)) => Err(Error::Forbidden(
                "only root outside tenants creates root accounts".into(),
            )),
            (_, None) => Err(Error::invalid(
                "name the tenant of the new account with the X-Pangolin-Tenant header",
            )),
            (_, Some(tenant)) => Ok(Some(tenant)),
        }
    }

    /// Forgets the cached grants of `tenant`, for changes made to the store behind the
    /// services' back (tools, tests); the services' own changes do this themselves.
    pub fn forget_access(&self, tenant: TenantId) {
        self.identity().caches.access_changed(tenant);
    }

    /// Forgets everything authentication cached (a tenant and all its accounts went away).
    pub(crate) fn accounts_changed(&self, tenant: TenantId) {
        let caches = &self.identity().caches;
        caches.users.clear();
        caches.service_users.clear();
        caches.api_keys.clear();
        caches.access_changed(tenant);
    }

    /// Grants, roles or assignments of `tenant` changed: every cached grant set of the tenant
    /// is stale (this server forgets them at once; others within `AuthSettings::cache_ttl`).
    pub(crate) fn access_changed(&self, tenant: TenantId) {
        self.identity().caches.access_changed(tenant);
    }

    /// Forgets what authentication cached about an account and its grants.
    pub(crate) fn account_changed(&self, tenant: Option<TenantId>, id: &str) {
        let caches = &self.identity().caches;
        caches.users.forget(&id.to_owned());
        caches.service_users.forget(&id.to_owned());
        caches.api_keys.clear();
        if let Some(tenant) = tenant {
            caches.access_changed(tenant);
        }
    }
}

fn is_self(ctx: &RequestContext, id: UserId) -> bool {
    ctx.principal.id == id.to_string()
}

/// The caller's own tenant (root: none).
fn home(ctx: &RequestContext) -> Option<TenantId> {
    if ctx.principal.tier == Tier::Root {
        None
    } else {
        ctx.tenant_id
    }
}

async fn hash(password: String) -> Result<PasswordHash> {
    password::check_password_policy(&password)?;
    tokio::task::spawn_blocking(move || password::hash_password(&password))
        .await
        .map_err(Error::internal)?
}

fn resource(user: &User) -> String {
    format!("user/{}", user.name)
}
