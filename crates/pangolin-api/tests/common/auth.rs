//! Accounts and credentials for router tests: a root account, users of the app's tenant and
//! service users with API keys, created through the real services, and tokens obtained
//! through the real login route.

use axum::http::{Method, StatusCode};
use pangolin_catalog::identity::{RootBootstrap, RootOutcome};
use pangolin_core::model::{Tier, User, Username};
use serde_json::{Value, json};

use super::TestApp;

pub const ROOT_PASSWORD: &str = "root-password-1";
pub const PASSWORD: &str = "user-password-1";

impl TestApp {
    /// Ensures the root account `root` exists and returns a token for it.
    pub async fn root_token(&self) -> String {
        let boot = RootBootstrap {
            user: Username::new("root").unwrap(),
            password: Some(ROOT_PASSWORD.into()),
        };
        let outcome = self.state.services().ensure_root(boot).await.expect("root");
        assert!(matches!(
            outcome,
            RootOutcome::Created { .. } | RootOutcome::Existing
        ));
        self.login(None, "root", ROOT_PASSWORD).await
    }

    /// Creates a user of the app's tenant with `PASSWORD` and returns its token.
    pub async fn user_token(&self, name: &str, tier: Tier) -> String {
        self.create_user(name, tier).await;
        self.login(Some(self.tenant.name.as_str()), name, PASSWORD)
            .await
    }

    /// Creates a user of the app's tenant (directly in the store) with `PASSWORD`.
    pub async fn create_user(&self, name: &str, tier: Tier) -> User {
        let mut user = User::new(Some(self.tenant.id), Username::new(name).unwrap(), tier);
        user.password_hash = Some(pangolin_auth::password::hash_password(PASSWORD).unwrap());
        self.store.create_user(&user, &[]).await.expect("user");
        user
    }

    /// Logs in through `POST /api/v1/users/login` and returns the access token.
    pub async fn login(&self, tenant: Option<&str>, name: &str, password: &str) -> String {
        let mut body = json!({ "username": name, "password": password });
        if let Some(t) = tenant {
            body["tenant"] = json!(t);
        }
        let (status, _, reply) = self.post("/api/v1/users/login", Some(body), &[]).await;
        assert_eq!(status, StatusCode::OK, "login of {name}: {reply}");
        reply["access-token"].as_str().expect("a token").to_owned()
    }

    /// A request with `Authorization: Bearer <token>`.
    pub async fn as_bearer(
        &self,
        token: &str,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> super::Reply {
        let auth = format!("Bearer {token}");
        self.send(method, uri, body, &[("authorization", &auth)])
            .await
    }

    /// Creates a service user through the API (as `admin_token`) and returns (id, key).
    pub async fn service_user(
        &self,
        admin_token: &str,
        name: &str,
        tier: &str,
    ) -> (String, String) {
        let body = json!({ "name": name, "tier": tier });
        let (status, _, reply) = self
            .as_bearer(
                admin_token,
                Method::POST,
                "/api/v1/service-users",
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        let id = reply["id"].as_str().unwrap().to_owned();
        let key = reply["api-key"]["key"].as_str().unwrap().to_owned();
        (id, key)
    }
}
