//! Server-side identity set-up: the service layer's settings from `[auth]`, the signing keys,
//! and the root account on first start (a generated password is printed once, to the
//! terminal, never to the log).

use std::time::Duration;

use anyhow::Context;
use pangolin_auth::rate_limit::LimitConfig;
use pangolin_catalog::Services;
use pangolin_catalog::identity::{
    AuthSettings, BrowserSettings, GithubSettings, OidcSettings, RootBootstrap, RootOutcome,
};
use pangolin_core::Error;
use pangolin_core::model::Username;

use crate::config::{AuthConfig, Config};

/// The service layer's authentication settings (from a validated configuration).
pub(crate) fn auth_settings(config: &Config) -> anyhow::Result<AuthSettings> {
    let auth = &config.auth;
    Ok(AuthSettings {
        issuer: auth.issuer.clone(),
        access_token_ttl: Duration::from_secs(auth.access_token_ttl_seconds),
        login_limit: LimitConfig {
            max_failures: auth.login_attempts_per_minute,
            window: Duration::from_secs(60),
            max_keys: 100_000,
        },
        oidc: oidc_settings(auth)?,
        github: github_settings(auth)?,
        browser: BrowserSettings {
            redirect_uris: auth.login_redirect_uris.clone(),
            ..BrowserSettings::default()
        },
        default_login_tenant: Some(config.bootstrap.tenant.clone()),
        ..AuthSettings::default()
    })
}

fn oidc_settings(auth: &AuthConfig) -> anyhow::Result<Vec<OidcSettings>> {
    auth.oidc
        .iter()
        .map(|c| {
            let provider = c
                .provider()
                .context("an [[auth.oidc]] entry without name or issuer")?;
            Ok(OidcSettings {
                provider,
                tenant: c.tenant.clone(),
                tier: c.tier,
                browser_login: c.browser_login,
            })
        })
        .collect()
}

fn github_settings(auth: &AuthConfig) -> anyhow::Result<Option<GithubSettings>> {
    let Some(c) = &auth.github else {
        return Ok(None);
    };
    Ok(Some(GithubSettings {
        config: c.app().context("[auth.github] without a client secret")?,
        tenant: c.tenant.clone(),
        tier: c.tier,
    }))
}

/// First-time users of a provider whose tenant does not exist (yet) cannot be provisioned:
/// worth a warning at start-up rather than a surprise at the first login.
async fn warn_about_missing_tenants(services: &Services, auth: &AuthConfig) {
    let tenants = auth
        .oidc
        .iter()
        .map(|o| (o.effective_name().unwrap_or_default(), &o.tenant))
        .chain(auth.github.iter().map(|g| ("github".to_owned(), &g.tenant)));
    for (provider, tenant) in tenants {
        if let Err(Error::NotFound { .. }) = services.store().get_tenant_by_name(tenant).await {
            tracing::warn!(provider, tenant = %tenant, "the tenant this identity provider's new users are provisioned into does not exist");
        }
    }
}

/// Signing keys loaded (the first one created on a fresh store) and a root account present.
pub(crate) async fn start(services: &Services, config: &Config) -> anyhow::Result<()> {
    services
        .start_identity()
        .await
        .context("loading the token signing keys")?;
    warn_about_missing_tenants(services, &config.auth).await;
    let boot = RootBootstrap {
        user: Username::new(config.auth.root_user.clone())?,
        password: config
            .auth
            .root_password
            .as_ref()
            .map(|p| p.expose().to_owned()),
    };
    match services
        .ensure_root(boot)
        .await
        .context("creating the root account (auth.root_user / auth.root_password)")?
    {
        RootOutcome::Existing => {}
        RootOutcome::Created {
            user,
            generated: None,
        } => tracing::info!(user = %user, "created the root account with the configured password"),
        RootOutcome::Created {
            user,
            generated: Some(password),
        } => {
            tracing::warn!(user = %user, "created the root account with a generated password, shown once on the terminal");
            // Deliberately not through `tracing`: log pipelines keep what they see.
            eprintln!(
                "\n  root account created: user {user:?}, password {:?}\n  \
                 (shown only this once; set PANGOLIN_ROOT_PASSWORD to choose it)\n",
                password.expose()
            );
        }
    }
    Ok(())
}
