//! An identity provider on 127.0.0.1 for browser-login tests: OpenID Connect discovery, JWKS
//! and token endpoint, and GitHub's OAuth and user endpoints. The server reaches it over
//! real HTTP; the browser's visit to it is simulated by [`Idp::login`] and
//! [`Idp::github_login`], which play a user who logs in and is sent back with a code.
//! The token endpoints check what a real provider checks: client authentication, the code
//! (once), the PKCE verifier against the challenge, the redirect URI.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use pangolin_auth::jwt::{self, TokenSigner};
use pangolin_core::model::SigningKey;
use pangolin_core::secret::SecretBox;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "pangolin-ui";
pub const CLIENT_SECRET: &str = "idp client s3cret";
const GH_TOKEN: &str = "gho_mock";

struct Code {
    challenge: String,
    redirect_uri: String,
    /// The ID token to hand out (empty for GitHub).
    id_token: String,
}

#[derive(Default)]
struct IdpState {
    base: String,
    jwks: Value,
    codes: Mutex<HashMap<String, Code>>,
    github_user: Mutex<Value>,
}

pub struct Idp {
    pub base: String,
    state: Arc<IdpState>,
    signer: TokenSigner,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Idp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Idp {
    pub async fn start() -> Idp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let secrets = SecretBox::from_encoded(&SecretBox::generate_encoded()).unwrap();
        let key: SigningKey = jwt::generate_signing_key(&secrets).unwrap();
        let signer = TokenSigner::new(&key, &secrets).unwrap();
        let state = Arc::new(IdpState {
            base: base.clone(),
            jwks: jwt::jwks(&[key], pangolin_core::now()),
            ..IdpState::default()
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route(
                "/jwks",
                get(|State(s): State<Arc<IdpState>>| async move { Json(s.jwks.clone()) }),
            )
            .route("/token", post(token))
            .route("/login/oauth/access_token", post(github_token))
            .route("/user", get(github_user))
            .with_state(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Idp {
            base,
            state,
            signer,
            server,
        }
    }

    /// A token of this provider with `claims` (plus `iss`, `iat`, `exp` unless given).
    pub fn token(&self, claims: Value) -> String {
        let now = pangolin_core::now().timestamp();
        let mut payload = json!({ "iss": self.base, "iat": now, "exp": now + 300 });
        for (k, v) in claims.as_object().unwrap() {
            payload[k] = v.clone();
        }
        self.signer.sign(&payload).unwrap()
    }

    /// The user logs in at the authorization URL the server sent the browser to; returns
    /// where the provider sends the browser back (the server's callback with code and state).
    /// The ID token names the user with `claims` and carries the request's nonce.
    pub fn login(&self, authorize_url: &str, claims: Value) -> String {
        let q = query(authorize_url);
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], CLIENT_ID);
        assert_eq!(q["code_challenge_method"], "S256");
        let mut claims = claims;
        claims["aud"] = json!(CLIENT_ID);
        claims["nonce"] = json!(q["nonce"]);
        let id_token = self.token(claims);
        self.callback(&q, id_token)
    }

    /// The same for GitHub: the user `user` (GitHub's `/user` answer) authorizes the app.
    pub fn github_login(&self, authorize_url: &str, user: Value) -> String {
        let q = query(authorize_url);
        assert_eq!(q["client_id"], CLIENT_ID);
        *self.state.github_user.lock().unwrap() = user;
        self.callback(&q, String::new())
    }

    fn callback(&self, q: &HashMap<String, String>, id_token: String) -> String {
        let code = uuid::Uuid::new_v4().simple().to_string();
        let redirect_uri = q["redirect_uri"].clone();
        self.state.codes.lock().unwrap().insert(
            code.clone(),
            Code {
                challenge: q["code_challenge"].clone(),
                redirect_uri: redirect_uri.clone(),
                id_token,
            },
        );
        let back = serde_urlencoded::to_string([("code", &code), ("state", &q["state"])]).unwrap();
        format!("{redirect_uri}?{back}")
    }
}

/// The query of a URL as a map.
pub fn query(url: &str) -> HashMap<String, String> {
    let uri: Uri = url.parse().expect("a URL");
    serde_urlencoded::from_str(uri.query().unwrap_or_default()).unwrap()
}

async fn discovery(State(s): State<Arc<IdpState>>) -> Json<Value> {
    let base = &s.base;
    Json(json!({
        "issuer": base,
        "jwks_uri": format!("{base}/jwks"),
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
    }))
}

/// RFC 6749 §2.3.1 HTTP Basic client authentication (the server's default).
fn client_ok(headers: &HeaderMap) -> bool {
    let decoded = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|raw| String::from_utf8(raw).ok());
    let expected = |s: &str| serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_owned();
    decoded
        == Some(format!(
            "{}:{}",
            expected(CLIENT_ID),
            expected(CLIENT_SECRET)
        ))
}

/// The code, used up, if the verifier and redirect URI fit it.
fn redeem(s: &IdpState, form: &HashMap<String, String>) -> Option<Code> {
    let code = s.codes.lock().unwrap().remove(form.get("code")?)?;
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(form.get("code_verifier")?));
    (challenge == code.challenge && form.get("redirect_uri") == Some(&code.redirect_uri))
        .then_some(code)
}

async fn token(
    State(s): State<Arc<IdpState>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !client_ok(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    match redeem(&s, &form) {
        Some(code) => Json(json!({
            "access_token": "at", "token_type": "Bearer", "id_token": code.id_token,
        }))
        .into_response(),
        None => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response(),
    }
}

async fn github_token(
    State(s): State<Arc<IdpState>>,
    Form(form): Form<HashMap<String, String>>,
) -> Json<Value> {
    let client = form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET);
    // GitHub answers refusals with 200 and an `error`.
    match redeem(&s, &form).filter(|_| client) {
        Some(_) => Json(json!({"access_token": GH_TOKEN, "token_type": "bearer"})),
        None => Json(json!({"error": "bad_verification_code"})),
    }
}

async fn github_user(State(s): State<Arc<IdpState>>, headers: HeaderMap) -> Response {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok());
    if bearer != Some(&format!("Bearer {GH_TOKEN}")) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    Json(s.github_user.lock().unwrap().clone()).into_response()
}
