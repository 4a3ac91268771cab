//! Server-side identity set-up: the service layer's settings from `[auth]`, the signing keys,
//! and the root account on first start (a generated password is printed once, to the
//! terminal, never to the log).

use std::time::Duration;

use anyhow::Context;
use pangolin_auth::rate_limit::LimitConfig;
use pangolin_catalog::Services;
use pangolin_catalog::identity::{AuthSettings, RootBootstrap, RootOutcome};
use pangolin_core::model::Username;

use crate::config::Config;

/// The service layer's authentication settings.
pub(crate) fn auth_settings(config: &Config) -> AuthSettings {
    let auth = &config.auth;
    AuthSettings {
        issuer: auth.issuer.clone(),
        access_token_ttl: Duration::from_secs(auth.access_token_ttl_seconds),
        login_limit: LimitConfig {
            max_failures: auth.login_attempts_per_minute,
            window: Duration::from_secs(60),
            max_keys: 100_000,
        },
        default_login_tenant: Some(config.bootstrap.tenant.clone()),
        ..AuthSettings::default()
    }
}

/// Signing keys loaded (the first one created on a fresh store) and a root account present.
pub(crate) async fn start(services: &Services, config: &Config) -> anyhow::Result<()> {
    services
        .start_identity()
        .await
        .context("loading the token signing keys")?;
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
