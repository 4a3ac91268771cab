//! Tokens from external OpenID Connect issuers: verified against the issuer's keys, mapped
//! to an account (provisioned into the configured tenant on first use) and its groups.

use std::sync::Arc;

use pangolin_auth::oidc::ExternalLogin;
use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{User, Username};
use pangolin_core::{Error, Result};

use super::authenticate::{Authenticated, user_principal};
use super::providers::{Landing, OidcProvider};
use crate::Services;

impl Services {
    pub(crate) fn oidc_provider(&self, issuer: &str) -> Option<&OidcProvider> {
        self.identity().providers.by_issuer(issuer)
    }

    pub(crate) async fn authenticate_oidc(
        &self,
        provider: &OidcProvider,
        token: &str,
    ) -> Result<Authenticated> {
        let login = provider
            .verifier
            .verify(token, pangolin_core::now())
            .await?;
        let user = self.external_account(&provider.landing, &login).await?;
        if user.disabled {
            return Err(Error::Unauthenticated("the account is disabled".into()));
        }
        let mut who = user_principal(&user);
        who.groups = login.groups.into();
        Ok(who)
    }

    /// The account linked to an external identity, created on first use in the provider's
    /// tenant (`landing`). Bearer tokens and browser logins share this, so one person is one
    /// account however they log in through the same provider.
    pub(crate) async fn external_account(
        &self,
        landing: &Landing,
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
            Err(Error::NotFound { .. }) => self.provision(landing, login).await?,
            Err(e) => return Err(e),
        };
        let user = Arc::new(user);
        caches.users.put(key, user.clone());
        Ok(user)
    }

    /// Creates the account of a first-time external user in the provider's tenant. A name
    /// already taken there gets the subject appended; a concurrent first login of the same
    /// identity wins the race and is read back.
    async fn provision(&self, landing: &Landing, login: &ExternalLogin) -> Result<User> {
        let tenant = self.store().get_tenant_by_name(&landing.tenant).await?;
        let preferred = Username::new(login.name.clone())
            .or_else(|_| Username::new(login.identity.subject.clone()))?;
        let fallback = Username::new(format!("{}#{}", login.name, login.identity.subject))
            .unwrap_or_else(|_| preferred.clone());
        for name in [preferred, fallback] {
            let mut user = User::new(Some(tenant.id), name, landing.tier);
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
