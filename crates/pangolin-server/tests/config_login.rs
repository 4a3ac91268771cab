//! External identity providers and browser login in the configuration: presets, secrets
//! (inline and from files, never printed), and every mistake reported under its key.

// `Jail` closures must return `figment::Result`, whose error type is large; not ours to shrink.
#![allow(clippy::result_large_err)]

mod common;

use common::jail::{jail, load_env, with_file};
use pangolin_core::model::Tier;
use pangolin_server::config::{Preset, load};

const FULL: &str = r#"
[auth]
enabled = true
public_url = "https://catalog.example.com/"
login_redirect_uris = ["https://ui.example.com/login/done", "http://127.0.0.1:3000/cb"]

[[auth.oidc]]
name = "corp"
issuer = "https://idp.example.com/realms/corp"
audiences = ["pangolin"]
groups_claim = "roles"
client_id = "pangolin-ui"
client_secret = "corp-s3cret"
tenant = "default"
tier = "tenant-admin"
browser_login = true

[[auth.oidc]]
preset = "google"
client_id = "123.apps.googleusercontent.com"
client_secret_file = "google.secret"
tenant = "default"
browser_login = true

[[auth.oidc]]
preset = "microsoft"
directory_id = "72f988bf-86f1-41af-91ab-2d7cd011db47"
client_id = "ms-app"
tenant = "default"

[[auth.oidc]]
preset = "okta"
name = "okta-eu"
issuer = "https://example.okta.com/oauth2/default"
client_id = "okta-app"
scopes = ["openid", "email", "groups"]
tenant = "default"

[auth.github]
client_id = "gh-app"
client_secret = "gh-s3cret"
tenant = "default"
"#;

#[test]
fn providers_presets_and_secrets() {
    jail(|jail| {
        jail.create_file("pangolin.toml", FULL)?;
        jail.create_file("google.secret", "google-s3cret\n")?;
        let c = load(&with_file("pangolin.toml")).unwrap();
        let auth = &c.auth;
        assert!(auth.browser_login());
        assert_eq!(auth.login_redirect_uris.len(), 2);
        let providers: Vec<_> = auth.oidc.iter().map(|o| o.provider().unwrap()).collect();

        let corp = &providers[0];
        assert_eq!(corp.name, "corp");
        assert_eq!(corp.groups_claim, "roles");
        assert_eq!(corp.client_secret.as_ref().unwrap().expose(), "corp-s3cret");
        assert_eq!(auth.oidc[0].tier, Tier::TenantAdmin);

        let google = &providers[1];
        assert_eq!(auth.oidc[1].preset, Some(Preset::Google));
        assert_eq!(
            (google.name.as_str(), google.issuer.as_str()),
            ("google", "https://accounts.google.com")
        );
        assert_eq!(google.name_claim, "email");
        assert_eq!(
            google.client_secret.as_ref().unwrap().expose(),
            "google-s3cret",
            "read from client_secret_file, trimmed"
        );
        assert_eq!(auth.oidc[1].tier, Tier::TenantUser, "the default tier");

        let ms = &providers[2];
        assert_eq!(
            ms.issuer,
            "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"
        );
        assert_eq!(ms.accepted_audiences(), ["ms-app"]);
        let okta = &providers[3];
        assert_eq!(okta.name, "okta-eu");
        assert_eq!(okta.scopes, ["openid", "email", "groups"]);
        for p in &providers {
            assert!(p.validate().is_ok(), "{p:?}");
        }
        let gh = auth.github.as_ref().unwrap().app().unwrap();
        assert_eq!(gh.issuer(), "https://github.com");

        // The startup dump and Debug show no secret.
        for shown in [c.to_string(), format!("{c:?}")] {
            for secret in ["corp-s3cret", "google-s3cret", "gh-s3cret"] {
                assert!(!shown.contains(secret), "{secret} leaked: {shown}");
            }
        }
        Ok(())
    });
}

#[test]
fn redirect_uris_and_github_come_from_the_environment() {
    jail(|jail| {
        let c = load_env(
            jail,
            &[
                ("PANGOLIN_AUTH__PUBLIC_URL", "https://catalog.example.com"),
                (
                    "PANGOLIN_AUTH__LOGIN_REDIRECT_URIS",
                    "https://ui.example.com/a, https://ui.example.com/b",
                ),
                ("PANGOLIN_AUTH__GITHUB__CLIENT_ID", "gh"),
                ("PANGOLIN_AUTH__GITHUB__CLIENT_SECRET", "gh-s3cret"),
                ("PANGOLIN_AUTH__GITHUB__TENANT", "default"),
            ],
        )
        .unwrap();
        assert_eq!(
            c.auth.login_redirect_uris,
            ["https://ui.example.com/a", "https://ui.example.com/b"]
        );
        assert!(c.auth.browser_login());
        assert!(!c.to_string().contains("gh-s3cret"));
        Ok(())
    });
}

/// A minimal valid provider entry, to break one key at a time.
const BASE: &str = "tenant = \"default\"\nclient_id = \"app\"\n";

#[test]
fn bad_providers_name_their_key() {
    let redirect = "[auth]\npublic_url = \"https://c.example\"\nlogin_redirect_uris = [\"https://ui.example/cb\"]\n";
    let cases: &[(&str, &str, &str)] = &[
        (
            "issuer = \"https://i.example\"\n",
            "auth.oidc.0.name",
            "required",
        ),
        ("name = \"x\"\n", "auth.oidc.0.issuer", "required"),
        (
            "name = \"x y\"\nissuer = \"https://i.example\"\n",
            "auth.oidc.0.name",
            "letters",
        ),
        (
            "name = \"x\"\nissuer = \"http://idp.example\"\n",
            "auth.oidc.0.issuer",
            "https",
        ),
        (
            "name = \"x\"\nissuer = \"https://i.example\"\njwks_uri = \"ftp://k\"\n",
            "auth.oidc.0.jwks_uri",
            "https",
        ),
        (
            "name = \"x\"\nissuer = \"https://i.example\"\ntier = \"root\"\n",
            "auth.oidc.0.tier",
            "cannot be root",
        ),
        (
            "name = \"x\"\nissuer = \"https://i.example\"\ntier = \"boss\"\n",
            "auth.oidc.0.tier",
            "unknown variant",
        ),
        (
            "preset = \"microsoft\"\n",
            "auth.oidc.0.directory_id",
            "required",
        ),
        (
            "preset = \"microsoft\"\ndirectory_id = \"common\"\n",
            "auth.oidc.0.directory_id",
            "GUID",
        ),
        (
            "preset = \"google\"\ndirectory_id = \"x\"\n",
            "auth.oidc.0.directory_id",
            "only for",
        ),
        ("preset = \"okta\"\n", "auth.oidc.0.issuer", "required"),
        (
            "preset = \"auth0\"\n",
            "auth.oidc.0.preset",
            "unknown variant",
        ),
        (
            "preset = \"google\"\nclient_secret = \"a\"\nclient_secret_file = \"f\"\n",
            "auth.oidc.0.client_secret",
            "not both",
        ),
        (
            "preset = \"google\"\nclient_secret_file = \"/nonexistent/secret\"\n",
            "auth.oidc.0.client_secret_file",
            "cannot read",
        ),
        (
            "preset = \"google\"\ngroups_claim = \"\"\n",
            "auth.oidc.0.groups_claim",
            "empty",
        ),
        (
            "preset = \"google\"\ncolour = 1\n",
            "auth.oidc.0.colour",
            "unknown key",
        ),
    ];
    for (entry, key, fragment) in cases {
        jail(|jail| {
            jail.create_file(
                "pangolin.toml",
                &format!("{redirect}[[auth.oidc]]\n{BASE}{entry}"),
            )?;
            let err = load(&with_file("pangolin.toml")).expect_err(key);
            assert!(err.names(key), "{entry:?}: expected {key}, got: {err}");
            assert!(err.to_string().contains(fragment), "{entry:?}: {err}");
            Ok(())
        });
    }
}

#[test]
fn browser_login_needs_its_settings() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "[[auth.oidc]]\npreset = \"google\"\ntenant = \"t\"\nbrowser_login = true\naudiences = [\"a\"]\n",
            "auth.oidc.0.client_id",
            "browser_login",
        ),
        (
            "[[auth.oidc]]\npreset = \"google\"\ntenant = \"t\"\n",
            "auth.oidc.0.audiences",
            "client_id",
        ),
        (
            "[auth.github]\nclient_id = \"a\"\nclient_secret = \"b\"\ntenant = \"t\"\n",
            "auth.public_url",
            "required for browser login",
        ),
        (
            "[auth]\npublic_url = \"https://c.example\"\n[auth.github]\nclient_id = \"a\"\nclient_secret = \"b\"\ntenant = \"t\"\n",
            "auth.login_redirect_uris",
            "required for browser login",
        ),
        (
            "[auth.github]\nclient_id = \"a\"\ntenant = \"t\"\n",
            "auth.github.client_secret",
            "required",
        ),
        (
            "[auth.github]\nclient_id = \"a\"\nclient_secret = \"b\"\ntenant = \"t\"\ntier = \"root\"\n",
            "auth.github.tier",
            "cannot be root",
        ),
        (
            "[auth]\nlogin_redirect_uris = [\"http://ui.example/cb\"]\n",
            "auth.login_redirect_uris",
            "https",
        ),
        (
            "[auth]\nlogin_redirect_uris = [\"https://ui.example/cb#x\"]\n",
            "auth.login_redirect_uris",
            "fragment",
        ),
        (
            "[auth]\npublic_url = \"https://c.example/?a=b\"\n",
            "auth.public_url",
            "query",
        ),
        (
            "[[auth.oidc]]\nname = \"a\"\nissuer = \"https://i.example\"\naudiences = [\"x\"]\ntenant = \"t\"\n[[auth.oidc]]\nname = \"a\"\nissuer = \"https://j.example\"\naudiences = [\"x\"]\ntenant = \"t\"\n",
            "auth.oidc.1.name",
            "another provider",
        ),
        (
            "[[auth.oidc]]\nname = \"a\"\nissuer = \"https://i.example\"\naudiences = [\"x\"]\ntenant = \"t\"\n[[auth.oidc]]\nname = \"b\"\nissuer = \"https://i.example\"\naudiences = [\"x\"]\ntenant = \"t\"\n",
            "auth.oidc.1.issuer",
            "another provider",
        ),
    ];
    for (toml, key, fragment) in cases {
        jail(|jail| {
            jail.create_file("pangolin.toml", toml)?;
            let err = load(&with_file("pangolin.toml")).expect_err(key);
            assert!(err.names(key), "{toml:?}: expected {key}, got: {err}");
            assert!(err.to_string().contains(fragment), "{toml:?}: {err}");
            Ok(())
        });
    }
}
