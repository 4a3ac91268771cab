//! Who reads and verifies which audit log: tenant admins and holders of `read-audit` on the
//! tenant read their own tenant's only; other tenant users nothing; root everything, and
//! only root chooses a tenant.

mod audit_support;

use audit_support::World;
use pangolin_catalog::audit::AuditQuery;
use pangolin_catalog::{Principal, PrincipalKind, RequestContext};
use pangolin_core::audit::AuditResult;
use pangolin_core::model::{
    Action, FileProfile, Grant, Grantee, Scope, ServiceUser, StorageProfile, Tenant, Tier, User,
    Username, Warehouse,
};
use pangolin_core::{Error, GrantId, Kind, Name, PageRequest, Properties, TenantId, WarehouseId};

/// A second tenant with events of its own, and some events outside any tenant.
async fn neighbours(w: &World) -> TenantId {
    let other = Tenant::new(Name::new("globex").unwrap());
    w.store.create_tenant(&other, &[]).await.unwrap();
    w.events(Some(other.id), 2).await;
    w.events(None, 1).await;
    other.id
}

async fn user(w: &World, name: &str, tier: Tier) -> RequestContext {
    let user = User::new(Some(w.tenant.id), Username::new(name).unwrap(), tier);
    w.store.create_user(&user, &[]).await.unwrap();
    w.placed(Principal {
        id: user.id.to_string(),
        name: name.into(),
        kind: PrincipalKind::User,
        tier,
    })
    .await
}

async fn grant(w: &World, grantee: Grantee, action: Action, scope: Scope) {
    let grant = Grant {
        id: GrantId::generate(),
        tenant_id: w.tenant.id,
        grantee,
        action,
        scope,
        granted_by: "test".into(),
        created_at: pangolin_core::now(),
    };
    w.store.create_grant(&grant, &[]).await.unwrap();
}

fn grantee_of(ctx: &RequestContext) -> Grantee {
    match ctx.principal.kind {
        PrincipalKind::User => Grantee::User(ctx.principal.id.parse().unwrap()),
        _ => Grantee::ServiceUser(ctx.principal.id.parse().unwrap()),
    }
}

async fn listed_tenants(
    w: &World,
    ctx: &RequestContext,
    query: &AuditQuery,
) -> Vec<Option<TenantId>> {
    let page = w
        .services
        .list_audit(ctx, query, &PageRequest::all())
        .await
        .unwrap();
    let count = w.services.count_audit(ctx, query).await.unwrap();
    assert_eq!(count, page.items.len() as u64);
    page.items.iter().map(|e| e.tenant_id).collect()
}

/// The events [`World::events`] writes (verifications add `audit.verify` events).
fn commits() -> AuditQuery {
    AuditQuery {
        action: Some("table.commit".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn tenant_admins_read_and_verify_their_own_tenant_only() {
    let w = World::memory().await;
    neighbours(&w).await;
    w.events(Some(w.tenant.id), 3).await;
    for ctx in [w.anonymous(), user(&w, "boss", Tier::TenantAdmin).await] {
        // (Each verification adds an `audit.verify` event of its own.)
        let all = listed_tenants(&w, &ctx, &AuditQuery::default()).await;
        assert!(all.iter().all(|t| *t == Some(w.tenant.id)), "{all:?}");
        assert_eq!(
            listed_tenants(&w, &ctx, &commits()).await,
            vec![Some(w.tenant.id); 3]
        );
        let report = w.services.verify_audit(&ctx, None).await.unwrap();
        assert_eq!(report.chains.len(), 1);
        assert_eq!(report.chains[0].chain, Some(w.tenant.id));
    }
}

#[tokio::test]
async fn tenant_users_need_read_audit_on_the_tenant() {
    let w = World::memory().await;
    neighbours(&w).await;
    w.events(Some(w.tenant.id), 2).await;
    let ann = user(&w, "ann", Tier::TenantUser).await;
    let svc = ServiceUser::new(w.tenant.id, Name::new("etl").unwrap(), Tier::TenantUser);
    w.store.create_service_user(&svc, &[]).await.unwrap();
    let etl = w
        .placed(Principal {
            id: svc.id.to_string(),
            name: "etl".into(),
            kind: PrincipalKind::ServiceUser,
            tier: Tier::TenantUser,
        })
        .await;
    let all = AuditQuery::default();
    for ctx in [&ann, &etl] {
        let denied = w.services.list_audit(ctx, &all, &PageRequest::all()).await;
        assert!(matches!(denied, Err(Error::Forbidden(_))), "{denied:?}");
        let denied = w.services.count_audit(ctx, &all).await;
        assert!(matches!(denied, Err(Error::Forbidden(_))), "{denied:?}");
        let denied = w.services.verify_audit(ctx, None).await;
        assert!(matches!(denied, Err(Error::Forbidden(_))), "{denied:?}");
    }
    // A grant of something else, or on something narrower than the tenant, is not enough.
    let warehouse = Warehouse {
        id: WarehouseId::generate(),
        tenant_id: w.tenant.id,
        name: Name::new("lake").unwrap(),
        storage: StorageProfile::File(FileProfile {
            root: "/lake".into(),
        }),
        secret: None,
        properties: Properties::new(),
        created_at: pangolin_core::now(),
        updated_at: pangolin_core::now(),
    };
    w.store.create_warehouse(&warehouse, &[]).await.unwrap();
    let on_warehouse = Scope::Warehouse {
        warehouse: warehouse.id,
    };
    grant(&w, grantee_of(&ann), Action::ReadAudit, on_warehouse).await;
    grant(&w, grantee_of(&ann), Action::Write, Scope::Tenant).await;
    grant(&w, grantee_of(&ann), Action::ManageGrants, Scope::Tenant).await;
    let ann = w.placed(ann.principal.clone()).await;
    let denied = w.services.count_audit(&ann, &all).await;
    assert!(matches!(denied, Err(Error::Forbidden(_))), "{denied:?}");

    for ctx in [&ann, &etl] {
        grant(&w, grantee_of(ctx), Action::ReadAudit, Scope::Tenant).await;
        let ctx = &w.placed(ctx.principal.clone()).await;
        assert_eq!(
            listed_tenants(&w, ctx, &commits()).await,
            vec![Some(w.tenant.id); 2]
        );
        assert!(w.services.verify_audit(ctx, None).await.unwrap().ok);
    }
}

#[tokio::test]
async fn only_root_chooses_a_tenant_and_reads_everything() {
    let w = World::memory().await;
    let other = neighbours(&w).await;
    w.events(Some(w.tenant.id), 1).await;
    let root = w.root();
    let everything = listed_tenants(&w, &root, &AuditQuery::default()).await;
    assert_eq!(everything.len(), 4);
    for tenant in [None, Some(other), Some(w.tenant.id)] {
        assert!(everything.contains(&tenant));
    }
    let globex = AuditQuery {
        tenant: Some(Name::new("globex").unwrap()),
        ..Default::default()
    };
    assert_eq!(listed_tenants(&w, &root, &globex).await, [Some(other); 2]);
    let report = w
        .services
        .verify_audit(&root, globex.tenant.as_ref())
        .await
        .unwrap();
    assert_eq!(
        report.chains.iter().map(|c| c.chain).collect::<Vec<_>>(),
        [Some(other)]
    );
    let all = w.services.verify_audit(&root, None).await.unwrap();
    assert_eq!(all.chains.len(), 3);

    let nobody = AuditQuery {
        tenant: Some(Name::new("initech").unwrap()),
        ..Default::default()
    };
    let missing = w.services.count_audit(&root, &nobody).await;
    assert!(
        matches!(
            missing,
            Err(Error::NotFound {
                kind: Kind::Tenant,
                ..
            })
        ),
        "{missing:?}"
    );
    let admin = w.anonymous();
    let refused = w
        .services
        .list_audit(&admin, &globex, &PageRequest::all())
        .await;
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    let refused = w
        .services
        .verify_audit(&admin, globex.tenant.as_ref())
        .await;
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
}

#[tokio::test]
async fn filters_combine_with_the_callers_tenant() {
    let w = World::memory().await;
    neighbours(&w).await;
    let mine = w.events(Some(w.tenant.id), 4).await;
    let ctx = w.anonymous();
    let query = AuditQuery {
        principal: Some("alice".into()),
        result: Some(AuditResult::Success),
        since: Some(mine[1].time),
        until: Some(mine[3].time),
        ..Default::default()
    };
    let page = w
        .services
        .list_audit(&ctx, &query, &PageRequest::all())
        .await
        .unwrap();
    let ids: Vec<_> = page.items.iter().map(|e| e.id).collect();
    assert_eq!(ids, [mine[2].id, mine[1].id]);
    let resource = AuditQuery {
        resource: Some(mine[0].resource.clone()),
        ..Default::default()
    };
    assert_eq!(w.services.count_audit(&ctx, &resource).await.unwrap(), 1);
}
