//! Browser login against the mock: authorization URL, code exchange with PKCE and nonce, and
//! GitHub's OAuth flow.

use std::collections::HashMap;

use serde_json::json;

use super::mock::{CLIENT_ID, CLIENT_SECRET, Mock, TestKey};
use super::{options, with};
use crate::Secret;
use crate::oidc::*;

const REDIRECT: &str = "http://127.0.0.1:8181/auth/callback";

fn client_config(mock: &Mock) -> OidcProviderConfig {
    OidcProviderConfig::with_client(
        "mock",
        mock.base.clone(),
        CLIENT_ID,
        Secret::new(CLIENT_SECRET),
    )
}

fn query(url: &url::Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// An ID token for this client with `nonce`, redeemable with the returned verifier.
fn login_fixture(mock: &Mock, key: &TestKey, nonce: &str, code: &str) -> String {
    let now = pangolin_core::now().timestamp();
    let id_token = key.sign(&json!({
        "iss": mock.base, "aud": CLIENT_ID, "sub": "u-1", "email": "bob@example.com",
        "nonce": nonce, "iat": now, "exp": now + 300,
    }));
    let verifier = pkce::verifier();
    mock.add_code(code, &pkce::challenge(&verifier), REDIRECT, id_token);
    verifier
}

#[tokio::test]
async fn authorize_url_carries_the_pkce_challenge() {
    let mock = Mock::start().await;
    let v = OidcVerifier::new(client_config(&mock), options()).unwrap();
    let url = v
        .authorize_url("st&te", "chal", "n0nce", REDIRECT)
        .await
        .unwrap();
    assert_eq!(
        url.as_str().split('?').next().unwrap(),
        format!("{}/authorize", mock.base)
    );
    let q = query(&url);
    for (k, expected) in [
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("scope", "openid profile email"),
        ("state", "st&te"),
        ("nonce", "n0nce"),
        ("code_challenge", "chal"),
        ("code_challenge_method", "S256"),
    ] {
        assert_eq!(q.get(k).map(String::as_str), Some(expected), "{k}");
    }
    // Without a client id there is no browser login.
    let mut c = client_config(&mock);
    c.client_id = None;
    c.client_secret = None;
    c.audiences = vec!["api".into()];
    let no_client = OidcVerifier::new(c, options()).unwrap();
    assert!(matches!(
        no_client.authorize_url("s", "c", "n", REDIRECT).await,
        Err(pangolin_core::Error::InvalidInput(_))
    ));
}

#[tokio::test]
async fn code_exchange_checks_pkce_nonce_and_audience() {
    let mock = Mock::start().await;
    let key = TestKey::rs256("r");
    mock.publish(&[&key]);
    let v = OidcVerifier::new(client_config(&mock), options()).unwrap();
    let now = pangolin_core::now();

    let verifier = login_fixture(&mock, &key, "nonce-1", "code-1");
    let login = v
        .exchange_code("code-1", &verifier, REDIRECT, "nonce-1", now)
        .await
        .unwrap();
    assert_eq!(login.identity.subject, "u-1");
    assert_eq!(login.name, "bob@example.com");
    assert_eq!(mock.state.last_client_auth.lock().as_deref(), Some("basic"));

    // A code is redeemable once.
    let again = v
        .exchange_code("code-1", &verifier, REDIRECT, "nonce-1", now)
        .await;
    assert!(super::refusal(again).contains("invalid_grant"));

    // The wrong PKCE verifier (a stolen code without it) is refused by the provider.
    let _ = login_fixture(&mock, &key, "nonce-2", "code-2");
    let stolen = v
        .exchange_code("code-2", &pkce::verifier(), REDIRECT, "nonce-2", now)
        .await;
    assert!(super::refusal(stolen).contains("invalid_grant"));

    // A replayed ID token of another login (its nonce) is refused.
    let verifier = login_fixture(&mock, &key, "nonce-3", "code-3");
    let replay = v
        .exchange_code("code-3", &verifier, REDIRECT, "nonce-other", now)
        .await;
    assert!(super::refusal(replay).contains("nonce"));

    // An ID token minted for another client is refused.
    let t = now.timestamp();
    let foreign = key.sign(&json!({
        "iss": mock.base, "aud": "another-client", "sub": "u-1", "nonce": "n",
        "iat": t, "exp": t + 300,
    }));
    let verifier = pkce::verifier();
    mock.add_code("code-4", &pkce::challenge(&verifier), REDIRECT, foreign);
    let msg = super::refusal(
        v.exchange_code("code-4", &verifier, REDIRECT, "n", now)
            .await,
    );
    assert!(msg.contains("audience"), "{msg}");

    // ... and so is one whose authorized party is another client.
    let azp = key.sign(&json!({
        "iss": mock.base, "aud": [CLIENT_ID, "x"], "azp": "x", "sub": "u-1", "nonce": "n",
        "iat": t, "exp": t + 300,
    }));
    let verifier = pkce::verifier();
    mock.add_code("code-5", &pkce::challenge(&verifier), REDIRECT, azp);
    let msg = super::refusal(
        v.exchange_code("code-5", &verifier, REDIRECT, "n", now)
            .await,
    );
    assert!(msg.contains("azp"), "{msg}");
}

#[tokio::test]
async fn client_secret_post_when_the_provider_only_takes_that() {
    let mock = Mock::start().await;
    let key = TestKey::es256("e");
    mock.publish(&[&key]);
    mock.patch_discovery(json!({"token_endpoint_auth_methods_supported": ["client_secret_post"]}));
    let v = OidcVerifier::new(client_config(&mock), options()).unwrap();
    let verifier = login_fixture(&mock, &key, "n", "code");
    let login = v
        .exchange_code("code", &verifier, REDIRECT, "n", pangolin_core::now())
        .await
        .unwrap();
    assert_eq!(login.identity.subject, "u-1");
    assert_eq!(mock.state.last_client_auth.lock().as_deref(), Some("post"));

    // A wrong client secret is the provider refusing the client (401 invalid_client).
    let mut c = client_config(&mock);
    c.client_secret = Some(Secret::new("wrong"));
    let wrong = OidcVerifier::new(c, options()).unwrap();
    let verifier = login_fixture(&mock, &key, "n", "code-2");
    let msg = super::refusal(
        wrong
            .exchange_code("code-2", &verifier, REDIRECT, "n", pangolin_core::now())
            .await,
    );
    assert!(msg.contains("invalid_client"), "{msg}");
}

fn github(mock: &Mock) -> GithubLogin {
    let mut c = GithubConfig::new(CLIENT_ID, Secret::new(CLIENT_SECRET));
    c.web_url = mock.base.clone();
    c.api_url = format!("{}/", mock.base);
    GithubLogin::new(c, options()).unwrap()
}

#[tokio::test]
async fn github_login_reads_the_user_and_primary_email() {
    let mock = Mock::start().await;
    mock.set_github_user(
        json!({"id": 583231, "login": "octocat", "name": "The Octocat", "email": null}),
        json!([
            {"email": "old@example.com", "primary": false, "verified": true},
            {"email": "unverified@example.com", "primary": true, "verified": false},
            {"email": "octo@example.com", "primary": true, "verified": true},
        ]),
    );
    let gh = github(&mock);
    let url = gh.authorize_url("state-1", "chal", REDIRECT).unwrap();
    assert!(
        url.as_str()
            .starts_with(&format!("{}/login/oauth/authorize?", mock.base))
    );
    let q = query(&url);
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["state"], "state-1");
    assert_eq!(q["scope"], "read:user user:email");
    assert_eq!(q["code_challenge_method"], "S256");

    let verifier = pkce::verifier();
    mock.add_code(
        "gh-code",
        &pkce::challenge(&verifier),
        REDIRECT,
        String::new(),
    );
    let login = gh
        .exchange_code("gh-code", &verifier, REDIRECT)
        .await
        .unwrap();
    assert_eq!(login.identity.issuer, mock.base);
    assert_eq!(login.identity.subject, "583231");
    assert_eq!(login.name, "octocat");
    assert_eq!(login.email.as_deref(), Some("octo@example.com"));
    assert!(login.groups.is_empty());

    // GitHub's "200 with an error" answer to a used code.
    let msg = super::refusal(gh.exchange_code("gh-code", &verifier, REDIRECT).await);
    assert!(msg.contains("bad_verification_code"), "{msg}");

    // A public profile e-mail is taken as is.
    mock.set_github_user(
        json!({"id": 1, "login": "pub", "email": "pub@example.com"}),
        json!([]),
    );
    let verifier = pkce::verifier();
    mock.add_code("gh-2", &pkce::challenge(&verifier), REDIRECT, String::new());
    let login = gh.exchange_code("gh-2", &verifier, REDIRECT).await.unwrap();
    assert_eq!(login.email.as_deref(), Some("pub@example.com"));
}

#[test]
fn github_defaults_and_validation() {
    let c: GithubConfig =
        serde_json::from_value(json!({"client_id": "id", "client_secret": "s3cret"})).unwrap();
    assert_eq!(c.issuer(), "https://github.com");
    assert_eq!(c.api_url, "https://api.github.com");
    assert_eq!(c.name, "github");
    assert!(c.validate().is_ok());
    assert!(!format!("{c:?}").contains("s3cret"));
    let mut bad = c.clone();
    bad.web_url = "http://github.example".into();
    assert!(bad.validate().is_err());
    let _ = with(json!({}), json!({}));
}
