//! Services over a memory or SQLite store with one tenant, and contexts for its principals.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::sync::Arc;

use pangolin_catalog::{Principal, PrincipalKind, RequestContext, Services, Settings};
use pangolin_core::audit::{AuditEvent, AuditResult};
use pangolin_core::model::Tenant;
use pangolin_core::secret::SecretBox;
use pangolin_core::{Name, TenantId};
use pangolin_storage::StorageRegistry;
use pangolin_store::DynStore;
use pangolin_store::memory::MemoryStore;
use pangolin_store_sql::{SqliteOptions, SqliteStore};
use tempfile::TempDir;

pub struct World {
    pub services: Services,
    pub store: DynStore,
    pub tenant: Tenant,
    /// The memory store itself, for its tamper hooks.
    pub memory: Option<Arc<MemoryStore>>,
    /// The SQLite file, for tampering with SQL.
    pub sqlite: Option<PathBuf>,
    _dir: TempDir,
}

impl World {
    pub async fn memory() -> World {
        let memory = Arc::new(MemoryStore::new());
        World::with(
            memory.clone(),
            Some(memory),
            None,
            tempfile::tempdir().unwrap(),
        )
        .await
    }

    pub async fn sqlite() -> World {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pangolin.db");
        let store = SqliteStore::open(&path, SqliteOptions::default())
            .await
            .unwrap();
        pangolin_store::StoreAdmin::migrate(&store).await.unwrap();
        World::with(Arc::new(store), None, Some(path), dir).await
    }

    async fn with(
        store: DynStore,
        memory: Option<Arc<MemoryStore>>,
        sqlite: Option<PathBuf>,
        dir: TempDir,
    ) -> World {
        let tenant = Tenant::new(Name::new("acme").unwrap());
        store.create_tenant(&tenant, &[]).await.unwrap();
        let key = SecretBox::from_encoded(&SecretBox::generate_encoded()).unwrap();
        let storage = Arc::new(StorageRegistry::new(key));
        World {
            services: Services::new(store.clone(), storage, Settings::default()).expect("services"),
            store,
            tenant,
            memory,
            sqlite,
            _dir: dir,
        }
    }

    /// The tenant's development caller (authentication off): its administrator.
    pub fn anonymous(&self) -> RequestContext {
        self.context(Principal::anonymous())
    }

    /// Root outside tenants.
    pub fn root(&self) -> RequestContext {
        let mut ctx = RequestContext::system_wide();
        ctx.principal = Principal {
            id: "root".into(),
            name: "root".into(),
            kind: PrincipalKind::Root,
            tier: pangolin_core::model::Tier::Root,
        };
        ctx
    }

    /// A request of `principal` (an account of the tenant) with its access loaded the way
    /// authentication loads it, grants as the store has them now.
    pub async fn placed(&self, principal: Principal) -> RequestContext {
        self.services.forget_access(self.tenant.id);
        let who = pangolin_catalog::identity::Authenticated {
            principal: principal.clone(),
            tenant: Some(self.tenant.id),
            groups: Arc::from([]),
            token: None,
        };
        let placement = self.services.place(&who, None).await.unwrap();
        let mut ctx = RequestContext::system(self.tenant.id);
        ctx.principal = principal;
        ctx.tenant_id = placement.tenant;
        ctx.access = placement.access;
        ctx
    }

    pub fn context(&self, principal: Principal) -> RequestContext {
        let mut ctx = RequestContext::system(self.tenant.id);
        ctx.principal = principal;
        ctx
    }

    /// Appends `n` events of `tenant`, an hour apart, the oldest first.
    pub async fn events(&self, tenant: Option<TenantId>, n: usize) -> Vec<AuditEvent> {
        let start = pangolin_core::now() - std::time::Duration::from_secs(3600 * n as u64);
        let events: Vec<_> = (0..n)
            .map(|i| {
                let mut e = AuditEvent::new(
                    tenant,
                    "alice",
                    "table.commit",
                    format!("catalog/c/table/db.t{i}"),
                    AuditResult::Success,
                );
                e.time = start + std::time::Duration::from_secs(3600 * i as u64);
                e.summary = serde_json::json!({ "n": i });
                e
            })
            .collect();
        self.store.append_audit(&events).await.unwrap();
        events
    }

    /// Runs one statement on the SQLite file, as someone with access to it could.
    pub async fn sql(&self, statement: &str) {
        use sqlx::Connection;
        let path = self.sqlite.as_ref().expect("a SQLite world");
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let done = sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
            .execute(&mut conn)
            .await
            .unwrap();
        assert!(done.rows_affected() > 0, "{statement} changed nothing");
    }

    pub fn mem(&self) -> &MemoryStore {
        self.memory.as_deref().expect("a memory world")
    }
}
