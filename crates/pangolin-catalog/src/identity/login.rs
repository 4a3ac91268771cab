//! Getting a token: password login, OAuth2 client credentials with an API key, and giving
//! tokens back (logout, revocation). Failures are rate-limited per account and per client
//! address, and every attempt is audited.

use std::time::Duration;

use pangolin_auth::jwt::{Claims, Purpose};
use pangolin_auth::{api_key, password};
use pangolin_core::audit::{AuditEvent, AuditResult};
use pangolin_core::context::RequestContext;
use pangolin_core::model::{RevokedToken, User, Username};
use pangolin_core::{Error, Name, Result, TenantId, Timestamp};
use serde_json::json;

use super::authenticate::Authenticated;
use crate::{Services, guard};

/// `POST /api/v1/users/login`.
pub struct PasswordLogin {
    /// The tenant whose account logs in; root accounts when `None` (then the configured
    /// default login tenant).
    pub tenant: Option<Name>,
    pub username: Username,
    pub password: String,
}

impl std::fmt::Debug for PasswordLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PasswordLogin({:?}, {}, <redacted>)",
            self.tenant, self.username
        )
    }
}

/// An issued access token.
#[derive(Clone)]
pub struct TokenGrant {
    pub access_token: String,
    pub expires_in: u64,
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenGrant(<redacted>, expires {})", self.expires_at)
    }
}

const BAD_LOGIN: &str = "invalid user name or password";
const BAD_CLIENT: &str = "invalid client credentials";

impl Services {
    pub async fn login(&self, ctx: &RequestContext, login: PasswordLogin) -> Result<TokenGrant> {
        let account_key = format!("user:{:?}/{}", login.tenant, login.username);
        self.check_attempts(ctx, Some(&account_key))?;
        let user = self
            .login_account(login.tenant.as_ref(), &login.username)
            .await?;
        let verified = verify(user.as_ref(), login.password).await?;
        let resource = format!("user/{}", login.username);
        let Some(user) = user.filter(|u| verified && !u.disabled) else {
            self.note_failure(ctx, Some(&account_key), "auth.login", &resource, None)
                .await?;
            return Err(Error::Unauthenticated(BAD_LOGIN.into()));
        };
        self.note_success(&account_key, ctx);
        let claims = Claims::for_user(
            self.issuer(),
            Purpose::Access,
            &user,
            pangolin_core::now(),
            self.token_ttl(),
        );
        let grant = self.grant(&claims)?;
        let audit = event(
            ctx,
            user.tenant_id,
            &user.id.to_string(),
            "auth.login",
            &resource,
            AuditResult::Success,
        )
        .with_summary(json!({ "jti": claims.jti, "expires-at": grant.expires_at }));
        self.store().append_audit(&[audit]).await?;
        Ok(grant)
    }

    /// OAuth2 client credentials (`POST /v1/oauth/tokens`): the client id and secret are a
    /// service user's API key; the token acts as that service user.
    pub async fn client_credentials(
        &self,
        ctx: &RequestContext,
        client_id: &str,
        client_secret: &str,
    ) -> Result<TokenGrant> {
        let account_key = format!("client:{client_id}");
        self.check_attempts(ctx, Some(&account_key))?;
        let resource = format!("api-key/{client_id}");
        let who = match api_key::from_client_credentials(client_id, client_secret) {
            Ok(parts) => self.authenticate_key(parts).await,
            Err(e) => Err(e),
        };
        let who = match who {
            Ok(who) => who,
            Err(Error::Unauthenticated(_)) => {
                self.note_failure(ctx, Some(&account_key), "auth.token", &resource, None)
                    .await?;
                return Err(Error::Unauthenticated(BAD_CLIENT.into()));
            }
            Err(e) => return Err(e),
        };
        self.note_success(&account_key, ctx);
        let tenant = who
            .tenant
            .ok_or_else(|| Error::internal("a service user without tenant"))?;
        let account = self
            .store()
            .get_service_user(tenant, who.principal.id.parse()?)
            .await?;
        let claims = Claims::for_service_user(
            self.issuer(),
            Purpose::Access,
            &account,
            pangolin_core::now(),
            self.token_ttl(),
        );
        let grant = self.grant(&claims)?;
        let audit = event(
            ctx,
            Some(tenant),
            &who.principal.id,
            "auth.token",
            &resource,
            AuditResult::Success,
        )
        .with_summary(json!({ "grant-type": "client_credentials", "jti": claims.jti }));
        self.store().append_audit(&[audit]).await?;
        Ok(grant)
    }

    /// Revokes the token the request was made with.
    pub async fn logout(&self, ctx: &RequestContext, who: &Authenticated) -> Result<()> {
        let (jti, expires_at) = who.token.clone().ok_or_else(|| {
            Error::invalid("logout needs the bearer token of this server to revoke")
        })?;
        self.revoke(ctx, jti, expires_at, "auth.logout").await
    }

    /// Revokes any token of this server: one's own, or as root, or as an admin of the
    /// token's tenant.
    pub async fn revoke_token(&self, ctx: &RequestContext, token: &str) -> Result<()> {
        let claims = self.verify_own(token, Purpose::Access).await?;
        let own = claims.sub == ctx.principal.id;
        let admin =
            guard::is_tenant_admin(ctx) && claims.tid.is_some() && claims.tid == ctx.tenant_id;
        if !(own || admin || guard::require_root(ctx).is_ok()) {
            return Err(Error::Forbidden(
                "only the token's owner or an administrator of its tenant may revoke it".into(),
            ));
        }
        let expires_at = claims.expires_at().unwrap_or_else(pangolin_core::now);
        self.revoke(ctx, claims.jti, expires_at, "auth.revoke")
            .await
    }

    async fn revoke(
        &self,
        ctx: &RequestContext,
        jti: String,
        expires_at: Timestamp,
        action: &str,
    ) -> Result<()> {
        let record = RevokedToken {
            jti,
            expires_at,
            revoked_at: pangolin_core::now(),
        };
        let audit = ctx.audit(
            action,
            format!("token/{}", record.jti),
            AuditResult::Success,
        );
        self.store().revoke_token(&record, &[audit]).await?;
        self.identity().revocations.note(&record);
        Ok(())
    }

    /// The account a login names: `tenant`'s, or a root account, or the default login
    /// tenant's when no tenant is given. An unknown tenant looks like an unknown account.
    async fn login_account(&self, tenant: Option<&Name>, name: &Username) -> Result<Option<User>> {
        let tenants: Vec<Option<TenantId>> = match tenant {
            Some(t) => match self.store().get_tenant_by_name(t).await {
                Ok(t) => vec![Some(t.id)],
                Err(Error::NotFound { .. }) => vec![],
                Err(e) => return Err(e),
            },
            None => {
                let mut ts = vec![None];
                if let Some(default) = &self.settings().auth.default_login_tenant
                    && let Ok(t) = self.store().get_tenant_by_name(default).await
                {
                    ts.push(Some(t.id));
                }
                ts
            }
        };
        for tenant in tenants {
            match self.store().get_user_by_name(tenant, name).await {
                Ok(user) => return Ok(Some(user)),
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// `RateLimited` while the account (when the attempt names one) or the client address
    /// has failed too often.
    pub(super) fn check_attempts(
        &self,
        ctx: &RequestContext,
        account_key: Option<&str>,
    ) -> Result<()> {
        let id = self.identity();
        account_key
            .map_or(Ok(()), |key| id.failures_by_account.check(key))
            .and_then(|()| match &ctx.client_addr {
                Some(addr) => id.failures_by_address.check(addr),
                None => Ok(()),
            })
            .map_err(limited)
    }

    /// Counts a failed attempt against the account (if named) and the client address, and
    /// audits it.
    pub(super) async fn note_failure(
        &self,
        ctx: &RequestContext,
        account_key: Option<&str>,
        action: &str,
        resource: &str,
        tenant: Option<TenantId>,
    ) -> Result<()> {
        let id = self.identity();
        if let Some(key) = account_key {
            let _ = id.failures_by_account.record_failure(key);
        }
        if let Some(addr) = &ctx.client_addr {
            let _ = id.failures_by_address.record_failure(addr);
        }
        let audit = event(
            ctx,
            tenant,
            "anonymous",
            action,
            resource,
            AuditResult::Failure,
        );
        self.store().append_audit(&[audit]).await
    }

    fn note_success(&self, account_key: &str, _ctx: &RequestContext) {
        self.identity()
            .failures_by_account
            .record_success(account_key);
    }

    pub(super) fn grant(&self, claims: &Claims) -> Result<TokenGrant> {
        Ok(TokenGrant {
            access_token: self.sign(claims)?,
            expires_in: self.token_ttl().as_secs(),
            expires_at: claims.expires_at().unwrap_or_else(pangolin_core::now),
        })
    }

    pub(super) fn issuer(&self) -> &str {
        &self.settings().auth.issuer
    }

    pub(super) fn token_ttl(&self) -> Duration {
        self.settings().auth.access_token_ttl
    }
}

/// Checks the password off the async threads (argon2 is deliberately slow); an unknown
/// account costs the same time, so response times do not reveal which names exist.
async fn verify(user: Option<&User>, password: String) -> Result<bool> {
    let stored = user.and_then(|u| u.password_hash.clone());
    tokio::task::spawn_blocking(move || match stored {
        Some(hash) => password::verify_password(&password, &hash),
        None => {
            password::dummy_verify(&password);
            Ok(false)
        }
    })
    .await
    .map_err(Error::internal)?
}

fn limited(retry_after: Duration) -> Error {
    Error::RateLimited {
        retry_after_secs: retry_after.as_secs().max(1),
    }
}

/// An audit event of an authentication attempt: the acting principal is the account (or
/// `anonymous`), not the unauthenticated request's.
pub(super) fn event(
    ctx: &RequestContext,
    tenant: Option<TenantId>,
    principal: &str,
    action: &str,
    resource: &str,
    result: AuditResult,
) -> AuditEvent {
    let mut e = ctx.audit(action, resource, result);
    e.tenant_id = tenant;
    e.principal = principal.to_owned();
    e
}
