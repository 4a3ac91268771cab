//! Authentication: from a credential to the principal behind it, and from the principal to
//! the tenant it acts in and what it may do there.

use std::sync::Arc;

use pangolin_auth::api_key;
use pangolin_auth::jwt::{self, Claims, Purpose, SubjectKind};
use pangolin_core::context::{Principal, PrincipalKind};
use pangolin_core::model::{Access, Grantee, Tier};
use pangolin_core::{Error, Name, Result, ServiceUserId, TenantId, Timestamp, UserId};

use super::caches::GrantsKey;
use crate::Services;

/// What a request presented.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    None,
    /// `Authorization: Bearer ...`: one of this server's tokens, an external OIDC token, or
    /// an API key (`pgl_...`).
    Bearer(&'a str),
    /// `X-API-Key: pgl_...`.
    ApiKey(&'a str),
}

/// An authenticated principal, before it is placed in a tenant.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub principal: Principal,
    /// The principal's own tenant; `None` for root.
    pub tenant: Option<TenantId>,
    /// Groups an external identity provider asserted.
    pub groups: Arc<[String]>,
    /// The `jti` and expiry of this server's token, when one was presented (for logout).
    pub token: Option<(String, Timestamp)>,
}

/// Where an authenticated request acts.
#[derive(Debug, Clone)]
pub struct Placement {
    pub tenant: Option<TenantId>,
    pub access: Arc<Access>,
    pub impersonating: bool,
}

fn refused(why: &str) -> Error {
    Error::Unauthenticated(why.to_owned())
}

impl Services {
    /// The principal behind `credential`; `None` when there is none (the caller decides
    /// whether anonymous requests are allowed).
    pub async fn authenticate(&self, credential: Credential<'_>) -> Result<Option<Authenticated>> {
        match credential {
            Credential::None => Ok(None),
            Credential::ApiKey(key) => self.authenticate_api_key(key).await.map(Some),
            Credential::Bearer(token) if token.starts_with(api_key::PREFIX) => {
                self.authenticate_api_key(token).await.map(Some)
            }
            Credential::Bearer(token) => self.authenticate_token(token).await.map(Some),
        }
    }

    async fn authenticate_api_key(&self, key: &str) -> Result<Authenticated> {
        self.authenticate_key(api_key::parse(key)?).await
    }

    /// An API key given as its parts (also how client credentials arrive).
    pub(crate) async fn authenticate_key(&self, parts: api_key::KeyParts) -> Result<Authenticated> {
        let caches = &self.identity().caches;
        let entry = match caches.api_keys.get(&parts.key_id) {
            Some(entry) => entry,
            None => {
                let entry = match self.store().get_api_key(&parts.key_id).await {
                    Ok(found) => Arc::new(found),
                    Err(Error::NotFound { .. }) => return Err(refused("invalid API key")),
                    Err(e) => return Err(e),
                };
                caches.api_keys.put(parts.key_id.clone(), entry.clone());
                entry
            }
        };
        let (key, account) = &*entry;
        if !api_key::verify(parts.secret.expose(), &key.secret_sha256) {
            return Err(refused("invalid API key"));
        }
        if !key.is_active(pangolin_core::now()) {
            return Err(refused("the API key is expired or revoked"));
        }
        if account.disabled {
            return Err(refused("the service user is disabled"));
        }
        Ok(service_user_principal(account, None))
    }

    async fn authenticate_token(&self, token: &str) -> Result<Authenticated> {
        let issuer = jwt::peek_issuer(token).ok_or_else(|| refused("malformed bearer token"))?;
        if issuer == self.settings().auth.issuer {
            return self.authenticate_own_token(token).await;
        }
        if let Some(provider) = self.oidc_provider(&issuer) {
            return self.authenticate_oidc(provider, token).await;
        }
        Err(refused("the token's issuer is not trusted by this server"))
    }

    async fn authenticate_own_token(&self, token: &str) -> Result<Authenticated> {
        let claims = self.verify_own(token, Purpose::Access).await?;
        if self
            .identity()
            .revocations
            .is_revoked(self.store(), &claims.jti)
            .await?
        {
            return Err(refused("the token has been revoked"));
        }
        let token = claims.expires_at().map(|exp| (claims.jti.clone(), exp));
        let mut who = match claims.kind {
            SubjectKind::User => self.token_user(&claims).await?,
            SubjectKind::ServiceUser => self.token_service_user(&claims).await?,
        };
        who.token = token;
        who.groups = claims.groups.into();
        Ok(who)
    }

    /// The account a user token names, as it is now (tier and `disabled` from the store).
    async fn token_user(&self, claims: &Claims) -> Result<Authenticated> {
        let id: UserId = claims
            .sub
            .parse()
            .map_err(|_| refused("malformed token subject"))?;
        let user = self.cached_user(claims.tid, id).await?;
        if user.disabled {
            return Err(refused("the account is disabled"));
        }
        Ok(user_principal(&user))
    }

    async fn token_service_user(&self, claims: &Claims) -> Result<Authenticated> {
        let id: ServiceUserId = claims
            .sub
            .parse()
            .map_err(|_| refused("malformed token subject"))?;
        let tenant = claims
            .tid
            .ok_or_else(|| refused("malformed token: no tenant"))?;
        let caches = &self.identity().caches;
        let key = id.to_string();
        let account = match caches.service_users.get(&key) {
            Some(account) => account,
            None => {
                let account = match self.store().get_service_user(tenant, id).await {
                    Ok(account) => Arc::new(account),
                    Err(Error::NotFound { .. }) => {
                        return Err(refused("the account no longer exists"));
                    }
                    Err(e) => return Err(e),
                };
                caches.service_users.put(key, account.clone());
                account
            }
        };
        if account.disabled || account.tenant_id != tenant {
            return Err(refused("the account is disabled"));
        }
        Ok(service_user_principal(&account, None))
    }

    pub(crate) async fn cached_user(
        &self,
        tenant: Option<TenantId>,
        id: UserId,
    ) -> Result<Arc<pangolin_core::model::User>> {
        let caches = &self.identity().caches;
        let key = id.to_string();
        if let Some(user) = caches.users.get(&key).filter(|u| u.tenant_id == tenant) {
            return Ok(user);
        }
        let user = match self.store().get_user(tenant, id).await {
            Ok(user) => Arc::new(user),
            Err(Error::NotFound { .. }) => return Err(refused("the account no longer exists")),
            Err(e) => return Err(e),
        };
        caches.users.put(key, user.clone());
        Ok(user)
    }

    /// The tenant an authenticated principal acts in and its access there. Root acts outside
    /// tenants unless `tenant_header` names one (impersonation); everyone else acts in its
    /// own tenant, and naming another one is refused.
    pub async fn place(
        &self,
        who: &Authenticated,
        tenant_header: Option<&str>,
    ) -> Result<Placement> {
        if who.principal.tier == Tier::Root {
            return self.place_root(tenant_header).await;
        }
        let tenant = who
            .tenant
            .ok_or_else(|| Error::internal("a tenant account without a tenant"))?;
        if let Some(named) = tenant_header
            && !self.names_tenant(named, tenant).await?
        {
            return Err(Error::Forbidden(
                "only root may act in another tenant (X-Pangolin-Tenant)".into(),
            ));
        }
        let access = match who.principal.tier {
            Tier::TenantUser => self.user_access(tenant, who).await?,
            tier => Arc::new(Access::new(tier, Some(tenant), Vec::new())),
        };
        Ok(Placement {
            tenant: Some(tenant),
            access,
            impersonating: false,
        })
    }

    async fn place_root(&self, tenant_header: Option<&str>) -> Result<Placement> {
        let Some(named) = tenant_header else {
            return Ok(Placement {
                tenant: None,
                access: Arc::new(Access::new(Tier::Root, None, Vec::new())),
                impersonating: false,
            });
        };
        let tenant = self.tenant_named(named).await?;
        Ok(Placement {
            tenant: Some(tenant),
            access: Arc::new(Access::new(Tier::TenantAdmin, Some(tenant), Vec::new())),
            impersonating: true,
        })
    }

    /// A tenant by id or name.
    async fn tenant_named(&self, named: &str) -> Result<TenantId> {
        if let Ok(id) = named.parse::<TenantId>() {
            return self.store().get_tenant(id).await.map(|t| t.id);
        }
        let name = Name::new(named)?;
        self.store().get_tenant_by_name(&name).await.map(|t| t.id)
    }

    async fn names_tenant(&self, named: &str, tenant: TenantId) -> Result<bool> {
        if named == tenant.to_string() {
            return Ok(true);
        }
        match self.tenant_named(named).await {
            Ok(id) => Ok(id == tenant),
            Err(Error::NotFound { .. } | Error::InvalidInput(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// A tenant user's grants (its own, its roles', its groups' roles'): one store read,
    /// cached until the tenant's access changes or the TTL passes.
    async fn user_access(&self, tenant: TenantId, who: &Authenticated) -> Result<Arc<Access>> {
        let principal = match who.principal.kind {
            PrincipalKind::ServiceUser => Grantee::ServiceUser(who.principal.id.parse()?),
            _ => Grantee::User(who.principal.id.parse()?),
        };
        let caches = &self.identity().caches;
        let key = GrantsKey {
            tenant,
            principal,
            groups: who.groups.clone(),
        };
        if let Some(access) = caches.grants(&key) {
            return Ok(access);
        }
        let generation = caches.generation(tenant);
        let grants = self
            .store()
            .effective_grants(tenant, &key.principal, &who.groups)
            .await?;
        let access = Arc::new(Access::new(Tier::TenantUser, Some(tenant), grants));
        caches.put_grants(key, generation, access.clone());
        Ok(access)
    }
}

pub(crate) fn user_principal(user: &pangolin_core::model::User) -> Authenticated {
    let kind = match user.tier {
        Tier::Root => PrincipalKind::Root,
        _ => PrincipalKind::User,
    };
    Authenticated {
        principal: Principal {
            id: user.id.to_string(),
            name: user.name.to_string(),
            kind,
            tier: user.tier,
        },
        tenant: user.tenant_id,
        groups: Arc::from([]),
        token: None,
    }
}

pub(crate) fn service_user_principal(
    account: &pangolin_core::model::ServiceUser,
    token: Option<(String, Timestamp)>,
) -> Authenticated {
    Authenticated {
        principal: Principal {
            id: account.id.to_string(),
            name: account.name.to_string(),
            kind: PrincipalKind::ServiceUser,
            tier: account.tier,
        },
        tenant: Some(account.tenant_id),
        groups: Arc::from([]),
        token,
    }
}
