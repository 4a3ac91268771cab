//! Checks of the external identity providers and browser login, run after extraction: each
//! problem is reported under its key (`auth.oidc.0.issuer`, the form figment uses for list
//! items), and `*_secret_file`s are read here.

use std::collections::HashSet;

use pangolin_auth::oidc::check_url;
use pangolin_core::model::Tier;

use super::auth::AuthConfig;
use super::login::{OidcConfig, Preset};
use super::validate::{both, read_secret_file};
use super::{ConfigError, Secret};

pub(super) fn finish(auth: &mut AuthConfig, errors: &mut Vec<ConfigError>) {
    for (i, oidc) in auth.oidc.iter_mut().enumerate() {
        let at = format!("auth.oidc.{i}");
        read_client_secret(
            &at,
            &mut oidc.client_secret,
            &oidc.client_secret_file,
            errors,
        );
        check_oidc(&at, oidc, errors);
    }
    if let Some(github) = auth.github.as_mut() {
        let at = "auth.github";
        read_client_secret(
            at,
            &mut github.client_secret,
            &github.client_secret_file,
            errors,
        );
        if github.client_secret.is_none() && github.client_secret_file.is_none() {
            errors.push(ConfigError::new(
                format!("{at}.client_secret"),
                "required (or client_secret_file)",
            ));
        }
        check_tier(at, github.tier, errors);
        if let Some(Err(e)) = github.app().map(|app| app.validate()) {
            errors.push(ConfigError::new(at, e.to_string()));
        }
    }
    check_unique(auth, errors);
    check_browser(auth, errors);
}

fn read_client_secret(
    at: &str,
    secret: &mut Option<Secret>,
    file: &Option<std::path::PathBuf>,
    errors: &mut Vec<ConfigError>,
) {
    let Some(file) = file else {
        return;
    };
    let (inline, from_file) = (
        format!("{at}.client_secret"),
        format!("{at}.client_secret_file"),
    );
    if secret.is_some() {
        errors.push(both(&inline, &from_file));
        return;
    }
    match read_secret_file(file) {
        Ok(s) => *secret = Some(Secret::new(s)),
        Err(e) => errors.push(ConfigError::new(from_file, e)),
    }
}

fn check_tier(at: &str, tier: Tier, errors: &mut Vec<ConfigError>) {
    if tier == Tier::Root {
        errors.push(ConfigError::new(
            format!("{at}.tier"),
            "external users cannot be root: use \"tenant-user\" or \"tenant-admin\"",
        ));
    }
}

fn check_oidc(at: &str, c: &OidcConfig, errors: &mut Vec<ConfigError>) {
    let before = errors.len();
    let mut bad = |field: &str, message: String| {
        errors.push(ConfigError::new(format!("{at}.{field}"), message));
    };
    match c.effective_name() {
        None => bad("name", "required (or a preset)".into()),
        Some(name) if !is_route_name(&name) => bad(
            "name",
            format!("{name:?}: use letters, digits, '-' and '_' only"),
        ),
        Some(_) => {}
    }
    match (c.preset, &c.directory_id) {
        (Some(Preset::Microsoft), None) if c.issuer.is_none() => bad(
            "directory_id",
            "required with preset \"microsoft\" (the directory's tenant id)".into(),
        ),
        (Some(Preset::Microsoft), Some(dir)) if !is_guid(dir) => bad(
            "directory_id",
            format!(
                "{dir:?} is not a directory id (a GUID; \"common\" and \"organizations\" cannot be checked against one issuer)"
            ),
        ),
        (Some(Preset::Microsoft), _) | (_, None) => {}
        (_, Some(_)) => bad("directory_id", "only for preset \"microsoft\"".into()),
    }
    match c.effective_issuer() {
        None if c.preset != Some(Preset::Microsoft) => bad("issuer", "required".into()),
        None => {}
        Some(issuer) => {
            if let Err(why) = check_url(&issuer) {
                bad("issuer", why);
            }
        }
    }
    if let Some(Err(why)) = c.jwks_uri.as_deref().map(check_url) {
        bad("jwks_uri", why);
    }
    if c.audiences.is_empty() && c.client_id.is_none() {
        bad(
            "audiences",
            "required without client_id: tokens' aud is checked against them".into(),
        );
    }
    if c.client_id.is_none() {
        if c.client_secret.is_some() {
            bad("client_id", "required with client_secret".into());
        } else if c.browser_login {
            bad("client_id", "required for browser_login".into());
        }
    }
    let claims = [
        ("subject_claim", &c.subject_claim),
        ("name_claim", &c.name_claim),
        ("email_claim", &c.email_claim),
        ("groups_claim", &c.groups_claim),
    ];
    for (field, value) in claims {
        if value.as_deref().is_some_and(str::is_empty) {
            bad(field, "must not be empty".into());
        }
    }
    check_tier(at, c.tier, errors);
    // Whatever the checks above cannot name is still refused, under the entry's key.
    if errors.len() == before
        && let Some(Err(e)) = c.provider().map(|p| p.validate())
    {
        errors.push(ConfigError::new(at, e.to_string()));
    }
}

/// Provider names address routes; issuers route bearer tokens: both must be unambiguous.
fn check_unique(auth: &AuthConfig, errors: &mut Vec<ConfigError>) {
    let mut names = HashSet::new();
    let mut issuers = HashSet::new();
    for (i, c) in auth.oidc.iter().enumerate() {
        if let Some(name) = c.effective_name()
            && !names.insert(name.clone())
        {
            errors.push(ConfigError::new(
                format!("auth.oidc.{i}.name"),
                format!("another provider is named {name:?}"),
            ));
        }
        if let Some(issuer) = c.effective_issuer()
            && !issuers.insert(issuer.clone())
        {
            errors.push(ConfigError::new(
                format!("auth.oidc.{i}.issuer"),
                format!("another provider has the issuer {issuer:?}"),
            ));
        }
    }
    if auth.github.is_some() && names.contains("github") {
        errors.push(ConfigError::new(
            "auth.github",
            "an [[auth.oidc]] provider is named \"github\" already",
        ));
    }
}

fn check_browser(auth: &AuthConfig, errors: &mut Vec<ConfigError>) {
    for uri in &auth.login_redirect_uris {
        if let Err(why) = check_redirect_uri(uri) {
            errors.push(ConfigError::new("auth.login_redirect_uris", why));
        }
    }
    if let Some(Err(why)) = auth.public_url.as_deref().map(check_public_url) {
        errors.push(ConfigError::new("auth.public_url", why));
    }
    if !auth.browser_login() {
        return;
    }
    if auth.public_url.is_none() {
        errors.push(ConfigError::new(
            "auth.public_url",
            "required for browser login (the URL browsers reach this server at)",
        ));
    }
    if auth.login_redirect_uris.is_empty() {
        errors.push(ConfigError::new(
            "auth.login_redirect_uris",
            "required for browser login (where the login returns to)",
        ));
    }
}

/// RFC 6749 §3.1.2: absolute, no fragment. https except on loopback, where development UIs run.
fn check_redirect_uri(uri: &str) -> Result<(), String> {
    let url = check_url(uri)?;
    if url.fragment().is_some() {
        return Err(format!("{uri:?} must not have a fragment"));
    }
    Ok(())
}

fn check_public_url(uri: &str) -> Result<(), String> {
    let url = check_url(uri)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{uri:?} must not have a query or fragment"));
    }
    Ok(())
}

fn is_route_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits.
fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_and_route_names() {
        assert!(is_guid("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        assert!(!is_guid("common"));
        assert!(!is_guid("72f988bf-86f1-41af-91ab-2d7cd011db4"));
        assert!(is_route_name("corp-sso_2"));
        assert!(!is_route_name("corp sso") && !is_route_name("") && !is_route_name("a/b"));
    }
}
