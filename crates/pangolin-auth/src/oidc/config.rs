//! How an external OpenID Connect provider is configured (embedded in the server config).

use std::time::Duration;

use pangolin_core::{Error, Result};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::Secret;

/// One external identity provider. Deserializes with defaults for everything but `name` and
/// `issuer`, so a server config can say as little as
/// `{ name = "okta", issuer = "https://example.okta.com", client_id = "..." }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcProviderConfig {
    /// A short name for routes and logs (`/auth/login/{name}`).
    pub name: String,
    /// The issuer URL, exactly as the provider's tokens carry it in `iss`.
    pub issuer: String,
    /// Accepted `aud` values of bearer tokens; when empty, `client_id` is the one audience.
    #[serde(default)]
    pub audiences: Vec<String>,
    /// Where the keys are; when unset, taken from discovery
    /// (`{issuer}/.well-known/openid-configuration`).
    #[serde(default)]
    pub jwks_uri: Option<String>,
    #[serde(default = "defaults::subject_claim")]
    pub subject_claim: String,
    /// The account name; when missing from a token, the e-mail, then the subject stand in.
    #[serde(default = "defaults::name_claim")]
    pub name_claim: String,
    #[serde(default = "defaults::email_claim")]
    pub email_claim: String,
    /// An array of strings or a single string.
    #[serde(default = "defaults::groups_claim")]
    pub groups_claim: String,
    /// For browser login (and the audience of ID tokens).
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// Requested at browser login.
    #[serde(default = "defaults::scopes")]
    pub scopes: Vec<String>,
}

mod defaults {
    pub(super) fn subject_claim() -> String {
        "sub".into()
    }
    pub(super) fn name_claim() -> String {
        "preferred_username".into()
    }
    pub(super) fn email_claim() -> String {
        "email".into()
    }
    pub(super) fn groups_claim() -> String {
        "groups".into()
    }
    pub(super) fn scopes() -> Vec<String> {
        ["openid", "profile", "email"].map(String::from).to_vec()
    }
}

impl OidcProviderConfig {
    /// A provider with every optional setting at its default.
    pub fn new(name: impl Into<String>, issuer: impl Into<String>) -> Self {
        OidcProviderConfig {
            name: name.into(),
            issuer: issuer.into(),
            audiences: Vec::new(),
            jwks_uri: None,
            subject_claim: defaults::subject_claim(),
            name_claim: defaults::name_claim(),
            email_claim: defaults::email_claim(),
            groups_claim: defaults::groups_claim(),
            client_id: None,
            client_secret: None,
            scopes: defaults::scopes(),
        }
    }

    /// A provider used for browser login with a confidential client.
    pub fn with_client(
        name: impl Into<String>,
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Secret,
    ) -> Self {
        let mut c = OidcProviderConfig::new(name, issuer);
        c.client_id = Some(client_id.into());
        c.client_secret = Some(client_secret);
        c
    }

    /// Google accounts (`https://accounts.google.com`). Google sends no groups.
    pub fn google(client_id: impl Into<String>, client_secret: Secret) -> Self {
        let mut c = Self::with_client(
            "google",
            "https://accounts.google.com",
            client_id,
            client_secret,
        );
        c.name_claim = "email".into();
        c
    }

    /// Microsoft Entra ID, v2.0 endpoints of one directory. `tenant` must be the directory (tenant)
    /// id, a GUID: tokens and the discovery document name the issuer by it, and with
    /// `common`/`organizations` every user's own directory would be the issuer, which cannot be
    /// checked against one configured issuer.
    pub fn microsoft(tenant: &str, client_id: impl Into<String>, client_secret: Secret) -> Self {
        Self::with_client(
            "microsoft",
            format!("https://login.microsoftonline.com/{tenant}/v2.0"),
            client_id,
            client_secret,
        )
    }

    /// Okta; `issuer` is the org or authorization-server URL, e.g.
    /// `https://example.okta.com/oauth2/default`.
    pub fn okta(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Secret,
    ) -> Self {
        Self::with_client("okta", issuer, client_id, client_secret)
    }

    /// The audiences a bearer token may carry.
    pub fn accepted_audiences(&self) -> Vec<&str> {
        if self.audiences.is_empty() {
            self.client_id.iter().map(String::as_str).collect()
        } else {
            self.audiences.iter().map(String::as_str).collect()
        }
    }

    /// The discovery document's URL.
    pub fn discovery_url(&self) -> String {
        format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        )
    }

    /// Checks what can be checked without the network; every message names the provider.
    pub fn validate(&self) -> Result<()> {
        let bad = |why: String| Error::invalid(format!("OIDC provider {:?}: {why}", self.name));
        if self.name.is_empty()
            || !self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(bad(
                "name must be non-empty letters, digits, '-' or '_'".into()
            ));
        }
        check_url(&self.issuer).map_err(|why| bad(format!("issuer {why}")))?;
        if let Some(jwks) = &self.jwks_uri {
            check_url(jwks).map_err(|why| bad(format!("jwks_uri {why}")))?;
        }
        if self.accepted_audiences().is_empty() {
            return Err(bad(
                "needs audiences or a client_id to check tokens' aud against".into(),
            ));
        }
        if self.client_secret.is_some() && self.client_id.is_none() {
            return Err(bad("client_secret is set without client_id".into()));
        }
        for claim in [
            &self.subject_claim,
            &self.name_claim,
            &self.email_claim,
            &self.groups_claim,
        ] {
            if claim.is_empty() {
                return Err(bad("claim names must not be empty".into()));
            }
        }
        Ok(())
    }
}

/// HTTP behaviour shared by the OIDC and GitHub clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OidcOptions {
    /// Whole-request timeout of every call to a provider.
    pub http_timeout: Duration,
    pub connect_timeout: Duration,
    /// Fetches of keys (and retries of a failed discovery) happen at most this often, so
    /// tokens with made-up key ids cannot make the server hammer the provider.
    pub min_refresh_interval: Duration,
    /// Keys older than this are fetched again on the next verification, so a key the provider
    /// withdrew stops verifying.
    pub keys_max_age: Duration,
}

impl Default for OidcOptions {
    fn default() -> Self {
        OidcOptions {
            http_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            min_refresh_interval: Duration::from_secs(10),
            keys_max_age: Duration::from_secs(3600),
        }
    }
}

/// A provider URL must be https, except on loopback (development and tests): tokens and keys
/// fetched in clear could be swapped on the way. The error says why, without naming the
/// setting (callers know which one it was).
pub fn check_url(url: &str) -> std::result::Result<Url, String> {
    let parsed = Url::parse(url).map_err(|e| format!("{url:?} is not a URL ({e})"))?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if loopback => Ok(parsed),
        _ => Err(format!("{url:?} must be https (http only on loopback)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserializes_with_defaults() {
        let c: OidcProviderConfig = serde_json::from_value(serde_json::json!({
            "name": "okta",
            "issuer": "https://example.okta.com",
            "client_id": "abc",
            "client_secret": "s3cr3t",
        }))
        .unwrap();
        assert_eq!(c.subject_claim, "sub");
        assert_eq!(c.name_claim, "preferred_username");
        assert_eq!(c.email_claim, "email");
        assert_eq!(c.groups_claim, "groups");
        assert_eq!(c.scopes, ["openid", "profile", "email"]);
        assert_eq!(c.accepted_audiences(), ["abc"]);
        assert!(c.validate().is_ok());
        // The secret never prints, not even in a config dump.
        assert!(!format!("{c:?}").contains("s3cr3t"));
        assert!(!serde_json::to_string(&c).unwrap().contains("s3cr3t"));
        let unknown = serde_json::from_value::<OidcProviderConfig>(serde_json::json!({
            "name": "x", "issuer": "https://x", "bogus": 1,
        }));
        assert!(unknown.is_err());
    }

    #[test]
    fn presets_are_valid_oidc_configs() {
        let s = || Secret::new("s");
        let g = OidcProviderConfig::google("id", s());
        assert_eq!(g.issuer, "https://accounts.google.com");
        assert_eq!(
            g.discovery_url(),
            "https://accounts.google.com/.well-known/openid-configuration"
        );
        let m = OidcProviderConfig::microsoft("contoso-id", "id", s());
        assert_eq!(
            m.issuer,
            "https://login.microsoftonline.com/contoso-id/v2.0"
        );
        let o = OidcProviderConfig::okta("https://example.okta.com/oauth2/default/", "id", s());
        assert_eq!(
            o.discovery_url(),
            "https://example.okta.com/oauth2/default/.well-known/openid-configuration"
        );
        for c in [g, m, o] {
            assert!(c.validate().is_ok(), "{c:?}");
        }
    }

    #[test]
    fn validation_names_the_problem() {
        let base = || {
            let mut c = OidcProviderConfig::new("corp", "https://idp.example");
            c.audiences = vec!["pangolin".into()];
            c
        };
        assert!(base().validate().is_ok());
        let mut loopback = base();
        loopback.issuer = "http://127.0.0.1:8080".into();
        assert!(loopback.validate().is_ok());
        type Change = Box<dyn Fn(&mut OidcProviderConfig)>;
        let cases: Vec<(Change, &str)> = vec![
            (
                Box::new(|c| c.issuer = "http://idp.example".into()),
                "https",
            ),
            (Box::new(|c| c.issuer = "not a url".into()), "not a URL"),
            (
                Box::new(|c| c.jwks_uri = Some("ftp://idp/keys".into())),
                "jwks_uri",
            ),
            (Box::new(|c| c.audiences.clear()), "audiences"),
            (Box::new(|c| c.name = "corp x".into()), "name"),
            (
                Box::new(|c| c.client_secret = Some(Secret::new("x"))),
                "client_id",
            ),
            (Box::new(|c| c.groups_claim.clear()), "claim"),
        ];
        for (change, expected) in cases {
            let mut c = base();
            change(&mut c);
            match c.validate() {
                Err(Error::InvalidInput(msg)) => {
                    assert!(msg.contains(expected) && msg.contains("corp"), "{msg}")
                }
                other => panic!("expected {expected}: {other:?}"),
            }
        }
    }
}
