//! The configured external identity providers: OpenID Connect issuers (their bearer tokens,
//! and browser login where enabled) and GitHub (browser login only), each with where its
//! users land on first use. Built once from [`AuthSettings`]; misconfiguration is refused
//! there, before the server serves anything.

use std::collections::HashSet;

use pangolin_auth::oidc::{GithubLogin, OidcOptions, OidcVerifier};
use pangolin_core::model::Tier;
use pangolin_core::{Error, Name, Result};

use super::{AuthSettings, GithubSettings, OidcSettings};

/// Where a provider's first-time users are created.
pub(crate) struct Landing {
    pub(crate) tenant: Name,
    pub(crate) tier: Tier,
}

impl Landing {
    fn new(provider: &str, tenant: &Name, tier: Tier) -> Result<Self> {
        if tier == Tier::Root {
            return Err(Error::invalid(format!(
                "identity provider {provider:?}: external users cannot be root"
            )));
        }
        Ok(Landing {
            tenant: tenant.clone(),
            tier,
        })
    }
}

pub(crate) struct OidcProvider {
    pub(crate) verifier: OidcVerifier,
    pub(crate) landing: Landing,
    pub(crate) browser_login: bool,
}

impl OidcProvider {
    fn new(s: &OidcSettings) -> Result<Self> {
        let name = &s.provider.name;
        if s.browser_login && s.provider.client_id.is_none() {
            return Err(Error::invalid(format!(
                "identity provider {name:?}: browser login needs a client_id"
            )));
        }
        Ok(OidcProvider {
            verifier: OidcVerifier::new(s.provider.clone(), OidcOptions::default())?,
            landing: Landing::new(name, &s.tenant, s.tier)?,
            browser_login: s.browser_login,
        })
    }

    pub(crate) fn issuer(&self) -> &str {
        &self.verifier.config().issuer
    }
}

pub(crate) struct GithubProvider {
    pub(crate) login: GithubLogin,
    pub(crate) landing: Landing,
}

impl GithubProvider {
    fn new(s: &GithubSettings) -> Result<Self> {
        Ok(GithubProvider {
            login: GithubLogin::new(s.config.clone(), OidcOptions::default())?,
            landing: Landing::new(&s.config.name, &s.tenant, s.tier)?,
        })
    }
}

/// A provider a browser can log in through.
#[derive(Clone, Copy)]
pub(crate) enum BrowserProvider<'a> {
    Oidc(&'a OidcProvider),
    Github(&'a GithubProvider),
}

impl BrowserProvider<'_> {
    pub(crate) fn name(&self) -> &str {
        match self {
            BrowserProvider::Oidc(p) => &p.verifier.config().name,
            BrowserProvider::Github(p) => &p.login.config().name,
        }
    }

    pub(crate) fn landing(&self) -> &Landing {
        match self {
            BrowserProvider::Oidc(p) => &p.landing,
            BrowserProvider::Github(p) => &p.landing,
        }
    }
}

pub(crate) struct Providers {
    oidc: Vec<OidcProvider>,
    github: Option<GithubProvider>,
}

impl Providers {
    pub(crate) fn new(settings: &AuthSettings) -> Result<Self> {
        let providers = Providers {
            oidc: settings
                .oidc
                .iter()
                .map(OidcProvider::new)
                .collect::<Result<_>>()?,
            github: settings
                .github
                .as_ref()
                .map(GithubProvider::new)
                .transpose()?,
        };
        providers.check_unique()?;
        Ok(providers)
    }

    /// Names address providers in routes and issuers route bearer tokens: both must be
    /// unambiguous.
    fn check_unique(&self) -> Result<()> {
        let mut names = HashSet::new();
        let all_names = self
            .oidc
            .iter()
            .map(|p| p.verifier.config().name.as_str())
            .chain(self.github.iter().map(|g| g.login.config().name.as_str()));
        for name in all_names {
            if !names.insert(name) {
                return Err(Error::invalid(format!(
                    "two identity providers are named {name:?}"
                )));
            }
        }
        let mut issuers = HashSet::new();
        for p in &self.oidc {
            if !issuers.insert(p.issuer()) {
                return Err(Error::invalid(format!(
                    "two identity providers have the issuer {:?}",
                    p.issuer()
                )));
            }
        }
        Ok(())
    }

    /// The OIDC provider whose tokens carry `issuer`.
    pub(crate) fn by_issuer(&self, issuer: &str) -> Option<&OidcProvider> {
        self.oidc.iter().find(|p| p.issuer() == issuer)
    }

    /// Every provider offering browser login, in configuration order (GitHub last).
    pub(crate) fn browser(&self) -> impl Iterator<Item = BrowserProvider<'_>> {
        self.oidc
            .iter()
            .filter(|p| p.browser_login)
            .map(BrowserProvider::Oidc)
            .chain(self.github.iter().map(BrowserProvider::Github))
    }

    pub(crate) fn browser_named(&self, name: &str) -> Option<BrowserProvider<'_>> {
        self.browser().find(|p| p.name() == name)
    }
}
