//! Tokens from external OpenID Connect issuers: verified against the issuer's keys, mapped
//! to an account (provisioned into the configured tenant on first use) and its groups.

use std::sync::Arc;

use pangolin_auth::oidc::{ExternalLogin, OidcOptions, OidcVerifier};
use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Tier, User, Username};
use pangolin_core::{Error, Name, Result};

use super::OidcSettings;
use super::authenticate::{Authenticated, user_principal};
use crate::Services;

/// A configured external issuer.
pub(crate) struct Provider {
    pub(crate) verifier: OidcVerifier,
    tenant: Name,
    tier: Tier,
}

impl Provider {
    pub(crate) fn all(settings: &[OidcSettings]) -> Result<Vec<Provider>> {
        settings
            .iter()
            .map(|s| {
                if s.tier == Tier::Root {
                    return Err(Error::invalid("external users cannot be root"));
                }
                Ok(Provider {
                    verifier: OidcVerifier::new(s.provider.clone(), OidcOptions::default())?,
                    tenant: s.tenant.clone(),
                    tier: s.tier,
                })
            })
            .collect()
    }

    fn issuer(&self) -> &str {
        &self.verifier.config().issuer
    }
}

impl Services {
    pub(crate) fn oidc_provider(&self, issuer: &str) -> Option<&Provider> {
        self.identity().oidc.iter().find(|p| p.issuer() == issuer)
    }

    pub(crate) async fn authenticate_oidc(
        &self,
        provider: &Provider,
        token: &str,
    ) -> Result<Authenticated> {
        let login = provider
            .verifier
            .verify(token, pangolin_core::now())
            .await?;
        let user = self.external_account(provider, &login).await?;
        if user.disabled {
            return Err(Error::Unauthenticated("the account is disabled".into()));
        }
        let mut who = user_principal(&user);
        who.groups = login.groups.into();
        Ok(who)
    }

    /// The account linked to an external identity, created on first use.
    pub(crate) async fn external_account(
        &self,
        provider: &Provider,
        login: &ExternalLogin,
    ) -> Result<Arc<User>> {
        let caches = &self.identity().caches;
        let key = format!(
            "ext\u{1f}{}\u{1f}{}",
            login.identity.issuer, login.identity.subject
        );
        if let Some(user) = caches.users.get(&key) {
            return Ok(user);
        }
        let user = match self.store().get_user_by_external(&login.identity).await {
            Ok(user) => user,
            Err(Error::NotFound { .. }) => self.provision(provider, login).await?,
            Err(e) => return Err(e),
        };
        let user = Arc::new(user);
        caches.users.put(key, user.clone());
        Ok(user)
    }

    /// Creates the account of a first-time external user in the provider's tenant. A name
    /// already taken there gets the subject appended; a concurrent first login of the same
    /// identity wins the race and is read back.
    async fn provision(&self, provider: &Provider, login: &ExternalLogin) -> Result<User> {
        let tenant = self.store().get_tenant_by_name(&provider.tenant).await?;
        let preferred = Username::new(login.name.clone())
            .or_else(|_| Username::new(login.identity.subject.clone()))?;
        let fallback = Username::new(format!("{}#{}", login.name, login.identity.subject))
            .unwrap_or_else(|_| preferred.clone());
        for name in [preferred, fallback] {
            let mut user = User::new(Some(tenant.id), name, provider.tier);
            user.email = login.email.clone();
            user.external = Some(login.identity.clone());
            let audit = RequestContext::system(tenant.id)
                .audit(
                    "user.provision",
                    format!("user/{}", user.name),
                    AuditResult::Success,
                )
                .with_summary(serde_json::json!({
                    "user-id": user.id,
                    "issuer": login.identity.issuer,
                    "subject": login.identity.subject,
                }));
            match self.store().create_user(&user, &[audit]).await {
                Ok(()) => return Ok(user),
                Err(Error::AlreadyExists { .. }) => {
                    if let Ok(existing) = self.store().get_user_by_external(&login.identity).await {
                        return Ok(existing);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Err(Error::conflict(
            format!(
                "cannot provision an account for '{}': the name is taken",
                login.name
            ),
            None,
        ))
    }
}
