//! An in-process identity provider on 127.0.0.1: discovery, JWKS, token endpoint, and GitHub's
//! OAuth and user endpoints. It counts fetches and checks what clients send.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use parking_lot::Mutex;
use rand::RngCore;
use serde_json::{Value, json};

use super::rsa_key;
use crate::oidc::pkce;

pub(super) const CLIENT_ID: &str = "pangolin-client";
pub(super) const CLIENT_SECRET: &str = "client s3cret:&";
pub(super) const GH_TOKEN: &str = "gho_test_token";

/// A key the mock signs with, and its public JWK.
#[derive(Clone)]
pub(super) struct TestKey {
    pub(super) kid: String,
    pub(super) alg: Algorithm,
    encoding: EncodingKey,
    pub(super) jwk: Value,
}

impl TestKey {
    pub(super) fn es256(kid: &str) -> Self {
        use p256::elliptic_curve::sec1::ToSec1Point;
        use p256::pkcs8::EncodePrivateKey;
        let secret = loop {
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            if let Ok(k) = p256::SecretKey::from_slice(&bytes) {
                break k;
            }
        };
        let point = secret.public_key().to_sec1_point(false);
        let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
        TestKey {
            kid: kid.into(),
            alg: Algorithm::ES256,
            encoding: EncodingKey::from_ec_der(secret.to_pkcs8_der().unwrap().as_bytes()),
            jwk: json!({
                "kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
                "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap()),
            }),
        }
    }

    pub(super) fn ed25519(kid: &str) -> Self {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        let mut seed = [0u8; 32];
        rand::rng().fill_bytes(&mut seed);
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        TestKey {
            kid: kid.into(),
            alg: Algorithm::EdDSA,
            encoding: EncodingKey::from_ed_der(key.to_pkcs8_der().unwrap().as_bytes()),
            // No `alg`: many providers leave it out.
            jwk: json!({
                "kty": "OKP", "crv": "Ed25519", "kid": kid,
                "x": URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()),
            }),
        }
    }

    pub(super) fn rs256(kid: &str) -> Self {
        let der = STANDARD.decode(rsa_key::PKCS1_DER_B64).unwrap();
        TestKey {
            kid: kid.into(),
            alg: Algorithm::RS256,
            encoding: EncodingKey::from_rsa_der(&der),
            jwk: json!({"kty": "RSA", "kid": kid, "alg": "RS256", "n": rsa_key::N, "e": "AQAB"}),
        }
    }

    pub(super) fn sign(&self, claims: &Value) -> String {
        self.sign_as(self.alg, claims)
    }

    /// Signs with this key but names another algorithm in the header.
    pub(super) fn sign_as(&self, alg: Algorithm, claims: &Value) -> String {
        let mut header = Header::new(alg);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }
}

/// An authorization code the token endpoint will redeem once.
struct Code {
    challenge: String,
    redirect_uri: String,
    id_token: String,
}

#[derive(Default)]
pub(super) struct MockState {
    base: String,
    jwks: Mutex<Vec<Value>>,
    pub(super) jwks_fetches: AtomicUsize,
    pub(super) discovery_fetches: AtomicUsize,
    /// Replaces fields of the discovery document.
    discovery_patch: Mutex<Value>,
    codes: Mutex<HashMap<String, Code>>,
    /// How the last token request authenticated the client: "basic" or "post".
    pub(super) last_client_auth: Mutex<Option<String>>,
    gh_user: Mutex<Value>,
    gh_emails: Mutex<Value>,
}

pub(super) struct Mock {
    pub(super) base: String,
    pub(super) state: Arc<MockState>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Mock {
    pub(super) async fn start() -> Mock {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(MockState {
            base: base.clone(),
            discovery_patch: Mutex::new(json!({})),
            ..MockState::default()
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .route("/login/oauth/access_token", post(github_token))
            .route("/user", get(github_user))
            .route("/user/emails", get(github_emails))
            .with_state(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Mock {
            base,
            state,
            server,
        }
    }

    pub(super) fn publish(&self, keys: &[&TestKey]) {
        *self.state.jwks.lock() = keys.iter().map(|k| k.jwk.clone()).collect();
    }

    pub(super) fn patch_discovery(&self, patch: Value) {
        *self.state.discovery_patch.lock() = patch;
    }

    pub(super) fn jwks_fetches(&self) -> usize {
        self.state.jwks_fetches.load(Ordering::SeqCst)
    }

    pub(super) fn discovery_fetches(&self) -> usize {
        self.state.discovery_fetches.load(Ordering::SeqCst)
    }

    /// Makes `code` redeemable once with the verifier whose challenge is `challenge`.
    pub(super) fn add_code(
        &self,
        code: &str,
        challenge: &str,
        redirect_uri: &str,
        id_token: String,
    ) {
        self.state.codes.lock().insert(
            code.into(),
            Code {
                challenge: challenge.into(),
                redirect_uri: redirect_uri.into(),
                id_token,
            },
        );
    }

    pub(super) fn set_github_user(&self, user: Value, emails: Value) {
        *self.state.gh_user.lock() = user;
        *self.state.gh_emails.lock() = emails;
    }
}

async fn discovery(State(s): State<Arc<MockState>>) -> Json<Value> {
    s.discovery_fetches.fetch_add(1, Ordering::SeqCst);
    let base = &s.base;
    let mut doc = json!({
        "issuer": base,
        "jwks_uri": format!("{base}/jwks"),
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    });
    if let Value::Object(patch) = s.discovery_patch.lock().clone() {
        for (k, v) in patch {
            doc[k] = v;
        }
    }
    Json(doc)
}

async fn jwks(State(s): State<Arc<MockState>>) -> Json<Value> {
    s.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    Json(json!({ "keys": s.jwks.lock().clone() }))
}

fn oauth_error(error: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response()
}

/// Which way the client authenticated, if correctly: RFC 6749 §2.3.1.
fn client_auth(headers: &HeaderMap, form: &HashMap<String, String>) -> Option<&'static str> {
    if let Some(basic) = headers.get("authorization").and_then(|v| v.to_str().ok()) {
        let decoded = STANDARD.decode(basic.strip_prefix("Basic ")?).ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        let dec = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return (dec(id)? == CLIENT_ID && dec(secret)? == CLIENT_SECRET).then_some("basic");
    }
    let id = form.get("client_id")?;
    let secret = form.get("client_secret")?;
    (id == CLIENT_ID && secret == CLIENT_SECRET).then_some("post")
}

async fn token(
    State(s): State<Arc<MockState>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some(auth) = client_auth(&headers, &form) else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    };
    *s.last_client_auth.lock() = Some(auth.into());
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return oauth_error("unsupported_grant_type");
    }
    let code = form.get("code").and_then(|c| s.codes.lock().remove(c));
    let Some(code) = code else {
        return oauth_error("invalid_grant");
    };
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if pkce::challenge(&verifier) != code.challenge
        || form.get("redirect_uri") != Some(&code.redirect_uri)
    {
        return oauth_error("invalid_grant");
    }
    Json(json!({"access_token": "at", "token_type": "Bearer", "id_token": code.id_token}))
        .into_response()
}

async fn github_token(
    State(s): State<Arc<MockState>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let wants_json =
        headers.get("accept").and_then(|v| v.to_str().ok()) == Some("application/json");
    if !wants_json {
        return (StatusCode::OK, "access_token=form-encoded&scope=").into_response();
    }
    let client_ok = form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET);
    let code = form.get("code").and_then(|c| s.codes.lock().remove(c));
    let ok = client_ok
        && code.is_some_and(|c| {
            form.get("code_verifier")
                .is_some_and(|v| pkce::challenge(v) == c.challenge)
                && form.get("redirect_uri") == Some(&c.redirect_uri)
        });
    // GitHub answers errors with 200 and an `error` field.
    if ok {
        Json(json!({"access_token": GH_TOKEN, "token_type": "bearer", "scope": "read:user"}))
    } else {
        Json(json!({"error": "bad_verification_code"}))
    }
    .into_response()
}

fn github_authorized(headers: &HeaderMap) -> bool {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok());
    // GitHub's API refuses requests without a User-Agent.
    bearer == Some(&format!("Bearer {GH_TOKEN}")) && headers.contains_key("user-agent")
}

async fn github_user(State(s): State<Arc<MockState>>, headers: HeaderMap) -> Response {
    if !github_authorized(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    Json(s.gh_user.lock().clone()).into_response()
}

async fn github_emails(State(s): State<Arc<MockState>>, headers: HeaderMap) -> Response {
    if !github_authorized(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    Json(s.gh_emails.lock().clone()).into_response()
}
