//! A secured app with one principal of every kind the authorization tests call as, logged in
//! once; grants are given and taken back through the management API as the tenant admin.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::{Method, StatusCode};
use pangolin_core::model::{PasswordHash, Tier};
use serde_json::{Value, json};

use crate::common::auth::PASSWORD;
use crate::common::{Backend, TestApp};

/// The tenant of the foreign administrator (the app's own tenant is `acme`).
pub const FOREIGN_TENANT: &str = "globex";
/// Siblings of the app's warehouse `local` and of every fixture catalog.
pub const SIBLING_WAREHOUSE: &str = "local2";
pub const SIBLING_CATALOG: &str = "sibcat";

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    /// No credentials at all.
    Anonymous,
    /// Root, outside tenants (no impersonation header).
    Root,
    TenantAdmin,
    /// An administrator of another tenant.
    ForeignAdmin,
    /// A tenant user without any grant.
    NoGrant,
    /// A tenant user holding exactly what the route requires, on the route's resource.
    Exact,
    /// A tenant user holding the same actions on a sibling resource.
    Sibling,
}

impl Who {
    pub const ALL: [Who; 7] = [
        Who::Anonymous,
        Who::Root,
        Who::TenantAdmin,
        Who::ForeignAdmin,
        Who::NoGrant,
        Who::Exact,
        Who::Sibling,
    ];

    /// A short tag for names a principal creates.
    pub fn tag(self) -> &'static str {
        match self {
            Who::Anonymous => "anon",
            Who::Root => "root",
            Who::TenantAdmin => "admin",
            Who::ForeignAdmin => "foreign",
            Who::NoGrant => "nobody",
            Who::Exact => "exact",
            Who::Sibling => "sibling",
        }
    }
}

/// A request: method, URI and body.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: Method,
    pub uri: String,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub enum Body {
    None,
    Json(Value),
    /// `application/x-www-form-urlencoded`, as OAuth2 token requests are.
    Form(String),
}

impl Req {
    pub fn new(method: Method, uri: impl Into<String>) -> Req {
        Req {
            method,
            uri: uri.into(),
            body: Body::None,
        }
    }

    pub fn json(mut self, body: Value) -> Req {
        self.body = Body::Json(body);
        self
    }

    pub fn form(mut self, body: String) -> Req {
        self.body = Body::Form(body);
        self
    }
}

pub struct World {
    pub app: TestApp,
    tokens: Mutex<HashMap<Who, String>>,
    /// User ids of the tenant users.
    pub ids: HashMap<Who, String>,
    /// One argon2 hash of `PASSWORD`, reused for every account fixtures create.
    pub password_hash: PasswordHash,
    /// A service user of the app's tenant with an API key (`pgl_...`), for token requests.
    pub service_key: String,
    seq: AtomicUsize,
}

impl World {
    pub async fn new(backend: Backend) -> World {
        let app = TestApp::secured(backend).await;
        let root = app.root_token().await;
        let admin = app.user_token("admin", Tier::TenantAdmin).await;
        let foreign = foreign_admin(&app, &root).await;
        let mut tokens = HashMap::from([
            (Who::Root, root),
            (Who::TenantAdmin, admin.clone()),
            (Who::ForeignAdmin, foreign),
        ]);
        let mut ids = HashMap::new();
        for who in [Who::NoGrant, Who::Exact, Who::Sibling] {
            let user = app.create_user(who.tag(), Tier::TenantUser).await;
            ids.insert(who, user.id.to_string());
            let token = app.login(Some("acme"), who.tag(), PASSWORD).await;
            tokens.insert(who, token);
        }
        let (_, service_key) = app.service_user(&admin, "etl", "tenant-user").await;
        let password_hash = pangolin_auth::password::hash_password(PASSWORD).unwrap();
        let world = World {
            app,
            tokens: Mutex::new(tokens),
            ids,
            password_hash,
            service_key,
            seq: AtomicUsize::new(0),
        };
        world.siblings().await;
        world
    }

    /// The sibling warehouse and catalog, once.
    async fn siblings(&self) {
        let root = self.app.dir.path().join(SIBLING_WAREHOUSE);
        let body =
            json!({ "name": SIBLING_WAREHOUSE, "storage": { "type": "file", "root": root } });
        self.admin(Method::POST, "/api/v1/warehouses", Some(body))
            .await;
        let body =
            json!({ "name": SIBLING_CATALOG, "type": "local", "warehouse": SIBLING_WAREHOUSE });
        self.admin(Method::POST, "/api/v1/catalogs", Some(body))
            .await;
    }

    /// A number no other call returns, for fresh names.
    pub fn next(&self) -> usize {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }

    pub fn token(&self, who: Who) -> Option<String> {
        self.tokens.lock().unwrap().get(&who).cloned()
    }

    /// Logs every account in again (after a route revoked their tokens).
    pub async fn relogin(&self) {
        let root = self
            .app
            .login(None, "root", crate::common::auth::ROOT_PASSWORD)
            .await;
        let admin = self.app.login(Some("acme"), "admin", PASSWORD).await;
        let foreign = self
            .app
            .login(Some(FOREIGN_TENANT), "admin", PASSWORD)
            .await;
        let mut tokens = HashMap::from([
            (Who::Root, root),
            (Who::TenantAdmin, admin),
            (Who::ForeignAdmin, foreign),
        ]);
        for who in [Who::NoGrant, Who::Exact, Who::Sibling] {
            let token = self.app.login(Some("acme"), who.tag(), PASSWORD).await;
            tokens.insert(who, token);
        }
        *self.tokens.lock().unwrap() = tokens;
    }

    /// Sends `req` as `who`; the body parsed as JSON (`Null` when empty or not JSON).
    pub async fn send(&self, who: Who, req: &Req) -> (StatusCode, Value) {
        let auth = self.token(who).map(|t| format!("Bearer {t}"));
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some(auth) = &auth {
            headers.push(("authorization", auth));
        }
        let bytes = match &req.body {
            Body::None => Vec::new(),
            Body::Json(v) => serde_json::to_vec(v).unwrap(),
            Body::Form(f) => {
                headers.push(("content-type", "application/x-www-form-urlencoded"));
                f.clone().into_bytes()
            }
        };
        let (status, _, raw) = self
            .app
            .send_bytes(req.method.clone(), &req.uri, bytes, &headers)
            .await;
        (status, serde_json::from_slice(&raw).unwrap_or(Value::Null))
    }

    /// A request as `who`.
    pub async fn call(
        &self,
        who: Who,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Req::new(method, uri);
        if let Some(body) = body {
            req = req.json(body);
        }
        self.send(who, &req).await
    }

    /// The audit events with `action`, newest first.
    /// The denied requests on record.
    pub async fn denials(&self) -> Vec<pangolin_core::audit::AuditEvent> {
        let filter = pangolin_store::AuditFilter {
            result: Some(pangolin_core::audit::AuditResult::Denied),
            ..Default::default()
        };
        let page = pangolin_core::PageRequest::all();
        self.app
            .store
            .list_audit(&filter, &page)
            .await
            .unwrap()
            .items
    }

    pub async fn audit(&self, action: &str) -> Vec<pangolin_core::audit::AuditEvent> {
        let filter = pangolin_store::AuditFilter {
            action: Some(action.to_owned()),
            ..Default::default()
        };
        let page = pangolin_core::PageRequest::all();
        self.app
            .store
            .list_audit(&filter, &page)
            .await
            .unwrap()
            .items
    }

    /// A request as the tenant admin that must succeed; its reply body.
    pub async fn admin(&self, method: Method, uri: &str, body: Option<Value>) -> Value {
        let mut req = Req::new(method, uri);
        if let Some(body) = body {
            req = req.json(body);
        }
        let (status, reply) = self.send(Who::TenantAdmin, &req).await;
        assert!(
            status.is_success(),
            "{} {uri}: {status} {reply}",
            req.method
        );
        reply
    }

    /// Gives user `who` `action` on `scope` (a scope body of `POST /api/v1/grants`).
    pub async fn grant(&self, who: Who, action: &str, scope: Value) {
        let body = json!({
            "grantee": { "type": "user", "id": self.ids[&who] },
            "action": action,
            "scope": scope,
        });
        self.admin(Method::POST, "/api/v1/grants", Some(body)).await;
    }

    /// Takes back every grant given directly to `who`.
    pub async fn revoke_all(&self, who: Who) {
        let uri = format!("/api/v1/grants?user={}", self.ids[&who]);
        let list = self.admin(Method::GET, &uri, None).await;
        for grant in list["grants"].as_array().unwrap() {
            let uri = format!("/api/v1/grants/{}", grant["id"].as_str().unwrap());
            self.admin(Method::DELETE, &uri, None).await;
        }
    }
}

/// Tenant `globex` with a file warehouse and an administrator `admin`; its token.
async fn foreign_admin(app: &TestApp, root: &str) -> String {
    let auth = format!("Bearer {root}");
    let send = |method, uri: &'static str, body: Value| {
        let auth = auth.clone();
        async move {
            let headers = [
                ("authorization", auth.as_str()),
                ("x-pangolin-tenant", FOREIGN_TENANT),
            ];
            let (status, _, reply) = app.send(method, uri, Some(body), &headers).await;
            assert!(status.is_success(), "{uri}: {status} {reply}");
        }
    };
    let r = app
        .as_bearer(
            root,
            Method::POST,
            "/api/v1/tenants",
            Some(json!({ "name": FOREIGN_TENANT })),
        )
        .await;
    assert_eq!(r.0, StatusCode::CREATED, "{}", r.2);
    let dir = app.dir.path().join(FOREIGN_TENANT);
    let body = json!({ "name": "wh", "storage": { "type": "file", "root": dir } });
    send(Method::POST, "/api/v1/warehouses", body).await;
    let body = json!({ "name": "admin", "tier": "tenant-admin", "password": PASSWORD });
    send(Method::POST, "/api/v1/users", body).await;
    app.login(Some(FOREIGN_TENANT), "admin", PASSWORD).await
}
