//! External identity providers in `[auth]`: OpenID Connect issuers (`[[auth.oidc]]`, with
//! presets for Google, Microsoft Entra ID and Okta) and GitHub (`[auth.github]`). Lists do
//! not fit environment variables, so these come from the file (GitHub's table also works
//! as `PANGOLIN_AUTH__GITHUB__*`).

use std::path::PathBuf;

use pangolin_auth::oidc::{GithubConfig, OidcProviderConfig};
use pangolin_core::Name;
use pangolin_core::model::Tier;
use serde::{Deserialize, Deserializer, Serialize};

use super::Secret;

/// Well-known providers: they fill in the issuer (and the claims that differ from the
/// defaults); everything set explicitly wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// `https://accounts.google.com`; the account name is the e-mail address.
    Google,
    /// Entra ID v2.0 endpoints of one directory (`directory_id`).
    Microsoft,
    /// An Okta org or authorization server; `issuer` is required.
    Okta,
}

impl Preset {
    fn name(self) -> &'static str {
        match self {
            Preset::Google => "google",
            Preset::Microsoft => "microsoft",
            Preset::Okta => "okta",
        }
    }
}

/// One `[[auth.oidc]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// Names the provider in routes (`/api/v1/auth/{name}/...`) and logs; defaults to the
    /// preset's name.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub preset: Option<Preset>,
    /// Exactly as the provider's tokens carry it in `iss`.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Microsoft only: the directory (tenant) id, a GUID.
    #[serde(default)]
    pub directory_id: Option<String>,
    /// Accepted `aud` of bearer tokens; `client_id` when empty.
    #[serde(default)]
    pub audiences: Vec<String>,
    /// Where the keys are; from discovery when unset.
    #[serde(default)]
    pub jwks_uri: Option<String>,
    #[serde(default)]
    pub subject_claim: Option<String>,
    #[serde(default)]
    pub name_claim: Option<String>,
    #[serde(default)]
    pub email_claim: Option<String>,
    #[serde(default)]
    pub groups_claim: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// A file holding the client secret; exclusive with `client_secret`.
    #[serde(default)]
    pub client_secret_file: Option<PathBuf>,
    /// Requested at browser login; `openid profile email` when unset.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// The tenant first-time users are provisioned into.
    pub tenant: Name,
    /// Their tier there: `tenant-user` (default) or `tenant-admin`; never `root`.
    #[serde(default = "tenant_user")]
    pub tier: Tier,
    /// Offer this provider for browser login (needs `client_id`).
    #[serde(default)]
    pub browser_login: bool,
}

/// `[auth.github]`: GitHub's OAuth login (browser only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubLoginConfig {
    pub client_id: String,
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// A file holding the client secret; exclusive with `client_secret`.
    #[serde(default)]
    pub client_secret_file: Option<PathBuf>,
    pub tenant: Name,
    #[serde(default = "tenant_user")]
    pub tier: Tier,
    /// `read:user user:email` when unset.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// `https://github.com` when unset (GitHub Enterprise: `https://HOST`); also the issuer
    /// recorded for accounts.
    #[serde(default)]
    pub web_url: Option<String>,
    /// `https://api.github.com` when unset (GitHub Enterprise: `https://HOST/api/v3`).
    #[serde(default)]
    pub api_url: Option<String>,
}

fn tenant_user() -> Tier {
    Tier::TenantUser
}

impl OidcConfig {
    /// The name routes use: the configured one, else the preset's.
    pub fn effective_name(&self) -> Option<String> {
        self.name
            .clone()
            .or_else(|| self.preset.map(|p| p.name().to_owned()))
    }

    /// The issuer: the configured one, else the preset's (Microsoft's from the directory).
    pub fn effective_issuer(&self) -> Option<String> {
        if let Some(issuer) = &self.issuer {
            return Some(issuer.clone());
        }
        match (self.preset, &self.directory_id) {
            (Some(Preset::Google), _) => Some("https://accounts.google.com".into()),
            (Some(Preset::Microsoft), Some(dir)) => {
                Some(format!("https://login.microsoftonline.com/{dir}/v2.0"))
            }
            _ => None,
        }
    }

    /// The provider as `pangolin-auth` takes it: defaults, then the preset, then every field
    /// set here. `None` when the name or issuer is missing (validation reports that).
    pub fn provider(&self) -> Option<OidcProviderConfig> {
        let mut c = OidcProviderConfig::new(self.effective_name()?, self.effective_issuer()?);
        if self.preset == Some(Preset::Google) {
            // Google's ID tokens carry no preferred_username.
            c.name_claim = "email".into();
        }
        c.audiences = self.audiences.clone();
        c.jwks_uri = self.jwks_uri.clone();
        let claims = [
            (&self.subject_claim, &mut c.subject_claim),
            (&self.name_claim, &mut c.name_claim),
            (&self.email_claim, &mut c.email_claim),
            (&self.groups_claim, &mut c.groups_claim),
        ];
        for (set, field) in claims {
            if let Some(value) = set {
                *field = value.clone();
            }
        }
        c.client_id = self.client_id.clone();
        c.client_secret = self
            .client_secret
            .as_ref()
            .map(|s| pangolin_auth::Secret::new(s.expose()));
        if let Some(scopes) = &self.scopes {
            c.scopes = scopes.clone();
        }
        Some(c)
    }
}

impl GithubLoginConfig {
    /// The OAuth app as `pangolin-auth` takes it. `None` until the secret is known.
    pub fn app(&self) -> Option<GithubConfig> {
        let secret = pangolin_auth::Secret::new(self.client_secret.as_ref()?.expose());
        let mut c = GithubConfig::new(self.client_id.clone(), secret);
        if let Some(scopes) = &self.scopes {
            c.scopes = scopes.clone();
        }
        if let Some(web) = &self.web_url {
            c.web_url = web.clone();
        }
        if let Some(api) = &self.api_url {
            c.api_url = api.clone();
        }
        Some(c)
    }
}

/// A list, or (from an environment variable) one string of items separated by commas or
/// whitespace.
pub(super) fn string_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => s
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|item| !item.is_empty())
            .map(String::from)
            .collect(),
        OneOrMany::Many(items) => items,
    })
}
