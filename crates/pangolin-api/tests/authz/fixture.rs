//! Fresh objects for one route's attempt, made through the API as the tenant admin: a
//! catalog with namespaces, tables and views (and their siblings), its branches, tags and an
//! open merge, accounts, a role, a grant, a warehouse and a tenant, as the route needs.

use axum::http::Method;
use pangolin_api::authz_table::{Level, Requirement, Route};
use pangolin_core::model::{Tier, User, Username};
use serde_json::{Value, json};

use super::world::World;
use crate::common::bodies;

/// What one attempt works on. Names not built for the route are empty.
#[derive(Debug, Clone, Default)]
pub struct Fixture {
    pub n: usize,
    /// Catalog `c<n>` on warehouse `local`: namespaces `db`, `db.e` (empty) and `sib`;
    /// tables `db.t`, `db.s`; views `db.v`, `db.w`.
    pub catalog: String,
    /// Metadata files of a dropped table and a dropped view (for register routes).
    pub gone_table: String,
    pub gone_view: String,
    /// Branch `dev` (experimental) and `main` both changed `db.t`; tag `v1`; `merge` is the
    /// open merge of `dev` into `main`, its conflict on `db.t` resolved (take-source).
    pub merge: String,
    /// A commit on `main`.
    pub commit: String,
    /// A tenant user, and a token of it.
    pub victim: String,
    pub victim_token: String,
    /// Service user `svc` (with key `svc_key_id`) holds role `role`; `grant` gives it `read`
    /// on `db`. `svc2` holds nothing.
    pub svc: String,
    pub svc_key_id: String,
    pub svc2: String,
    pub role: String,
    pub grant: String,
    /// A warehouse no catalog uses.
    pub warehouse: String,
    /// A tenant without warehouses or catalogs.
    pub tenant: String,
}

/// Which parts a route needs, from its path and the levels of its requirement.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    /// The catalog and its namespaces.
    pub data: bool,
    pub tables: bool,
    pub views: bool,
    pub gone_table: bool,
    pub gone_view: bool,
    pub branching: bool,
    pub identity: bool,
    pub victim_token: bool,
    pub warehouse: bool,
    pub tenant: bool,
}

impl Needs {
    pub fn of(route: &Route) -> Needs {
        let p = route.path;
        let levels: Vec<Level> = match route.requirement {
            Requirement::Grants(needs) => needs.iter().map(|(_, l)| *l).collect(),
            Requirement::Visible(l) => vec![l],
            Requirement::GrantManager => vec![Level::Namespace],
            _ => Vec::new(),
        };
        let on_catalog_level = levels.iter().any(|l| catalog_level(*l));
        let branching = p.starts_with("/api/v1/catalogs/{catalog}/");
        let identity = p.starts_with("/api/v1/users/{id}")
            || p.starts_with("/api/v1/service-users/{id}")
            || p.starts_with("/api/v1/roles")
            || p.starts_with("/api/v1/grants")
            || p == "/api/v1/tokens/revoke";
        Needs {
            data: on_catalog_level
                || identity
                || (p.starts_with("/v1/{prefix}/") && !p.ends_with("/oauth/tokens"))
                || p.starts_with("/api/v1/catalogs/{catalog}")
                || p == "/api/v1/me/permissions",
            tables: p.contains("/tables")
                || p.contains("/transactions/")
                || branching
                || p == "/api/v1/me/permissions"
                || levels.contains(&Level::Table),
            views: p.contains("/views") || levels.contains(&Level::View),
            gone_table: p.ends_with("/register"),
            gone_view: p.ends_with("/register-view"),
            branching,
            identity,
            victim_token: p == "/api/v1/tokens/revoke",
            warehouse: p.starts_with("/api/v1/warehouses/{warehouse}"),
            tenant: p == "/api/v1/tenants/{tenant}",
        }
    }
}

fn catalog_level(level: Level) -> bool {
    matches!(
        level,
        Level::Catalog | Level::Namespace | Level::Table | Level::View
    )
}

impl World {
    pub async fn fixture(&self, needs: Needs) -> Fixture {
        let n = self.next();
        let mut fx = Fixture {
            n,
            ..Fixture::default()
        };
        if needs.data {
            self.data(&mut fx, needs).await;
        }
        if needs.branching {
            self.branching(&mut fx).await;
        }
        if needs.identity {
            self.identity(&mut fx, needs.victim_token).await;
        }
        if needs.warehouse {
            fx.warehouse = format!("wh{n}");
            let root = self.app.dir.path().join(&fx.warehouse);
            let body = json!({ "name": fx.warehouse, "storage": { "type": "file", "root": root } });
            self.admin(Method::POST, "/api/v1/warehouses", Some(body))
                .await;
        }
        if needs.tenant {
            fx.tenant = format!("tenant{n}");
            let tenant =
                pangolin_core::model::Tenant::new(pangolin_core::Name::new(&fx.tenant).unwrap());
            self.app.store.create_tenant(&tenant, &[]).await.unwrap();
        }
        fx
    }

    async fn data(&self, fx: &mut Fixture, needs: Needs) {
        fx.catalog = format!("c{}", fx.n);
        let body = json!({ "name": fx.catalog, "type": "local", "warehouse": "local" });
        self.admin(Method::POST, "/api/v1/catalogs", Some(body))
            .await;
        let v1 = format!("/v1/{}", fx.catalog);
        for ns in [json!(["db"]), json!(["db", "e"]), json!(["sib"])] {
            let body = json!({ "namespace": ns });
            self.admin(Method::POST, &format!("{v1}/namespaces"), Some(body))
                .await;
        }
        let db = format!("{v1}/namespaces/db");
        let tables = match needs.tables {
            true => &["t", "s"][..],
            false => &[],
        };
        for t in tables {
            let body = bodies::create_table(t);
            self.admin(Method::POST, &format!("{db}/tables"), Some(body))
                .await;
        }
        let views = match needs.views {
            true => &["v", "w"][..],
            false => &[],
        };
        for v in views {
            let body = super::view_body(v);
            self.admin(Method::POST, &format!("{db}/views"), Some(body))
                .await;
        }
        if needs.gone_table {
            fx.gone_table = self
                .dropped(&format!("{db}/tables"), bodies::create_table("gone"))
                .await;
        }
        if needs.gone_view {
            fx.gone_view = self
                .dropped(&format!("{db}/views"), super::view_body("gone"))
                .await;
        }
    }

    /// Creates an object under `collection` and drops it again; its metadata file stays.
    async fn dropped(&self, collection: &str, body: Value) -> String {
        let created = self.admin(Method::POST, collection, Some(body)).await;
        let location = created["metadata-location"].as_str().unwrap().to_owned();
        self.admin(Method::DELETE, &format!("{collection}/gone"), None)
            .await;
        location
    }

    async fn branching(&self, fx: &mut Fixture) {
        let api = format!("/api/v1/catalogs/{}", fx.catalog);
        let body = json!({ "name": "dev" });
        self.admin(Method::POST, &format!("{api}/branches"), Some(body))
            .await;
        for (prefix, key) in [
            (format!("{}@dev", fx.catalog), "on-dev"),
            (fx.catalog.clone(), "on-main"),
        ] {
            let uri = format!("/v1/{prefix}/namespaces/db/tables/t");
            self.admin(Method::POST, &uri, Some(set_properties(key)))
                .await;
        }
        let body = json!({ "name": "v1" });
        self.admin(Method::POST, &format!("{api}/tags"), Some(body))
            .await;
        let body = json!({ "source": "dev", "target": "main" });
        let merged = self
            .admin(Method::POST, &format!("{api}/merges"), Some(body))
            .await;
        assert_eq!(merged["status"], "conflicts", "{merged}");
        fx.merge = merged["merge"]["id"].as_str().unwrap().to_owned();
        let body =
            json!({ "table": { "namespace": ["db"], "name": "t" }, "resolution": "take-source" });
        let uri = format!("{api}/merges/{}/resolve", fx.merge);
        self.admin(Method::POST, &uri, Some(body)).await;
        let log = self
            .admin(Method::GET, &format!("{api}/refs/main/commits"), None)
            .await;
        fx.commit = log["commits"][0]["id"].as_str().unwrap().to_owned();
    }

    async fn identity(&self, fx: &mut Fixture, victim_token: bool) {
        let n = fx.n;
        let mut victim = User::new(
            Some(self.app.tenant.id),
            Username::new(format!("victim{n}")).unwrap(),
            Tier::TenantUser,
        );
        victim.password_hash = Some(self.password_hash.clone());
        self.app.store.create_user(&victim, &[]).await.unwrap();
        fx.victim = victim.id.to_string();
        if victim_token {
            fx.victim_token = self
                .app
                .login(
                    Some("acme"),
                    victim.name.as_str(),
                    crate::common::auth::PASSWORD,
                )
                .await;
        }
        let svc = self
            .admin(
                Method::POST,
                "/api/v1/service-users",
                Some(json!({ "name": format!("svc{n}") })),
            )
            .await;
        fx.svc = svc["id"].as_str().unwrap().to_owned();
        fx.svc_key_id = svc["api-key"]["key-id"].as_str().unwrap().to_owned();
        let body = json!({ "name": format!("svc{n}b"), "create-api-key": false });
        let svc2 = self
            .admin(Method::POST, "/api/v1/service-users", Some(body))
            .await;
        fx.svc2 = svc2["id"].as_str().unwrap().to_owned();
        let role = self
            .admin(
                Method::POST,
                "/api/v1/roles",
                Some(json!({ "name": format!("role{n}") })),
            )
            .await;
        fx.role = role["id"].as_str().unwrap().to_owned();
        let read_db = self.scope(fx, super::Level::Namespace, false);
        let body = json!({ "grantee": { "type": "role", "id": fx.role }, "action": "read", "scope": read_db });
        self.admin(Method::POST, "/api/v1/grants", Some(body)).await;
        let uri = format!("/api/v1/roles/{}/assignments", fx.role);
        let body = json!({ "type": "service-user", "id": fx.svc });
        self.admin(Method::POST, &uri, Some(body)).await;
        let body = json!({ "grantee": { "type": "service-user", "id": fx.svc }, "action": "read", "scope": read_db });
        let grant = self.admin(Method::POST, "/api/v1/grants", Some(body)).await;
        fx.grant = grant["id"].as_str().unwrap().to_owned();
    }

    /// The scope body naming the fixture's resource at `level`, or its sibling; `None` for a
    /// sibling of the tenant (there is none).
    pub fn scope(&self, fx: &Fixture, level: Level, sibling: bool) -> Value {
        let c = &fx.catalog;
        let pick = |own: &str, other: &'static str| {
            if sibling {
                other.to_owned()
            } else {
                own.to_owned()
            }
        };
        match level {
            Level::Tenant => json!({ "type": "tenant" }),
            Level::Warehouse => {
                json!({ "type": "warehouse", "warehouse": pick("local", super::world::SIBLING_WAREHOUSE) })
            }
            Level::Catalog => {
                json!({ "type": "catalog", "catalog": pick(c, super::world::SIBLING_CATALOG) })
            }
            Level::Namespace => {
                json!({ "type": "namespace", "catalog": c, "namespace": [pick("db", "sib")] })
            }
            Level::Table => {
                json!({ "type": "table", "catalog": c, "namespace": ["db"], "table": pick("t", "s") })
            }
            Level::View => {
                json!({ "type": "view", "catalog": c, "namespace": ["db"], "view": pick("v", "w") })
            }
        }
    }
}

/// A `CommitTableRequest` setting one property, without requirements.
pub fn set_properties(key: &str) -> Value {
    json!({ "requirements": [], "updates": [{ "action": "set-properties", "updates": { key: "1" } }] })
}
