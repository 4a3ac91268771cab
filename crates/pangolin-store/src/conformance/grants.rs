//! Grants: round-trips on every scope and grantee kind, the checks before one is stored
//! (grantee and scope in the tenant, one grant per grantee, action and scope), tenant
//! scoping, and the filtered, paginated list.

use pangolin_core::model::{Action, Grant, Grantee, Scope, namespace_scope};
use pangolin_core::{ContentId, Error, GrantId, PageRequest, PageToken, RoleId, UserId};

use super::Case;
use super::fixtures::{
    World, all_grants, collect_pages, grant, new_grant, role, service_user, user, world,
    world_named,
};
use crate::{DynStore, GrantFilter};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(grants_round_trip_on_every_scope_and_grantee),
        case!(grant_needs_a_grantee_of_its_tenant),
        case!(grant_scope_must_lie_in_its_tenant),
        case!(duplicate_grant_is_already_exists),
        case!(grant_of_another_tenant_is_not_found),
        case!(grants_are_filtered_and_listed_by_id_in_pages),
    ]
}

/// One of every scope kind inside `w`.
pub(super) fn every_scope(w: &World) -> Vec<Scope> {
    let (c, content) = (w.cid(), ContentId::generate());
    vec![
        Scope::Tenant,
        Scope::Warehouse {
            warehouse: w.warehouse.id,
        },
        Scope::Catalog { catalog: c },
        namespace_scope(c, &["db"]).unwrap(),
        namespace_scope(c, &["db", "raw ✓"]).unwrap(),
        Scope::Table {
            catalog: c,
            content,
        },
        Scope::View {
            catalog: c,
            content,
        },
    ]
}

async fn grants_round_trip_on_every_scope_and_grantee(store: DynStore) {
    let w = world(&store).await;
    let t = w.tenant.id;
    let grantees = [
        Grantee::User(user(&store, Some(t), "alice").await.id),
        Grantee::ServiceUser(service_user(&store, t, "ci").await.id),
        Grantee::Role(role(&store, t, "readers").await.id),
    ];
    let mut made = Vec::new();
    for (i, scope) in every_scope(&w).into_iter().enumerate() {
        let grantee = grantees[i % grantees.len()].clone();
        let action = Action::ALL[i % Action::ALL.len()];
        made.push(grant(&store, t, grantee, action, scope).await);
    }
    for g in &made {
        assert_eq!(store.get_grant(t, g.id).await.unwrap(), *g);
    }
    let listed = store
        .list_grants(t, &GrantFilter::default(), &PageRequest::all())
        .await
        .unwrap();
    assert_eq!(listed.items, made);
    assert!(listed.next.is_none());
}

async fn grant_needs_a_grantee_of_its_tenant(store: DynStore) {
    let acme = world(&store).await;
    let globex = world_named(&store, "globex").await;
    let (a, g) = (acme.tenant.id, globex.tenant.id);
    let try_grant = |grantee| {
        let grant = new_grant(a, grantee, Action::Read, Scope::Tenant);
        let store = store.clone();
        async move { store.create_grant(&grant, &[]).await }
    };
    let bob = user(&store, Some(g), "bob").await;
    let root = user(&store, None, "root").await;
    for id in [bob.id, root.id, UserId::generate()] {
        assert_not_found!(try_grant(Grantee::User(id)).await, User);
    }
    let ci = service_user(&store, g, "ci").await;
    assert_not_found!(try_grant(Grantee::ServiceUser(ci.id)).await, ServiceUser);
    let theirs = role(&store, g, "readers").await;
    for id in [theirs.id, RoleId::generate()] {
        assert_not_found!(try_grant(Grantee::Role(id)).await, Role);
    }
    assert!(all_grants(&store, a).await.is_empty());
}

async fn grant_scope_must_lie_in_its_tenant(store: DynStore) {
    let acme = world(&store).await;
    let globex = world_named(&store, "globex").await;
    let a = acme.tenant.id;
    let alice = Grantee::User(user(&store, Some(a), "alice").await.id);
    for scope in every_scope(&globex).into_iter().skip(1) {
        let foreign = new_grant(a, alice.clone(), Action::Read, scope.clone());
        let result = store.create_grant(&foreign, &[]).await;
        match scope {
            Scope::Warehouse { .. } => assert_not_found!(result, Warehouse),
            _ => assert_not_found!(result, Catalog),
        }
    }
    assert!(all_grants(&store, a).await.is_empty());
    // The same scopes in the grant's own tenant are fine.
    for scope in every_scope(&acme) {
        grant(&store, a, alice.clone(), Action::Read, scope).await;
    }
}

async fn duplicate_grant_is_already_exists(store: DynStore) {
    let w = world(&store).await;
    let t = w.tenant.id;
    let alice = Grantee::User(user(&store, Some(t), "alice").await.id);
    let bob = Grantee::User(user(&store, Some(t), "bob").await.id);
    let scope = namespace_scope(w.cid(), &["db", "raw"]).unwrap();
    let first = grant(&store, t, alice.clone(), Action::Write, scope.clone()).await;
    let again = new_grant(t, alice.clone(), Action::Write, scope.clone());
    assert_already_exists!(store.create_grant(&again, &[]).await, Grant);
    let mut same_id = new_grant(t, bob.clone(), Action::Read, Scope::Tenant);
    same_id.id = first.id;
    assert_already_exists!(store.create_grant(&same_id, &[]).await, Grant);
    // Another action, grantee or scope is another grant.
    grant(&store, t, alice.clone(), Action::Read, scope.clone()).await;
    grant(&store, t, bob, Action::Write, scope).await;
    let parent = namespace_scope(w.cid(), &["db"]).unwrap();
    grant(&store, t, alice, Action::Write, parent).await;
    let all = all_grants(&store, t).await;
    assert_eq!(all.len(), 4);
}

async fn grant_of_another_tenant_is_not_found(store: DynStore) {
    let acme = world(&store).await;
    let globex = world_named(&store, "globex").await;
    let (a, g) = (acme.tenant.id, globex.tenant.id);
    let alice = Grantee::User(user(&store, Some(a), "alice").await.id);
    let made = grant(&store, a, alice, Action::Read, Scope::Tenant).await;
    assert_not_found!(store.get_grant(g, made.id).await, Grant);
    assert_not_found!(store.delete_grant(g, made.id, &[]).await, Grant);
    assert!(all_grants(&store, g).await.is_empty());
    assert_eq!(store.get_grant(a, made.id).await.unwrap(), made);

    store.delete_grant(a, made.id, &[]).await.unwrap();
    assert_not_found!(store.get_grant(a, made.id).await, Grant);
    assert_not_found!(store.delete_grant(a, made.id, &[]).await, Grant);
    assert_not_found!(store.get_grant(a, GrantId::generate()).await, Grant);
}

async fn grants_are_filtered_and_listed_by_id_in_pages(store: DynStore) {
    let w = world(&store).await;
    let t = w.tenant.id;
    let alice = Grantee::User(user(&store, Some(t), "alice").await.id);
    let readers = Grantee::Role(role(&store, t, "readers").await.id);
    let catalog = Scope::Catalog { catalog: w.cid() };
    let mut made: Vec<Grant> = Vec::new();
    for (grantee, action, scope) in [
        (&alice, Action::Read, Scope::Tenant),
        (&readers, Action::Read, catalog.clone()),
        (&alice, Action::Write, catalog.clone()),
        (&readers, Action::List, Scope::Tenant),
        (&alice, Action::Create, catalog.clone()),
    ] {
        made.push(grant(&store, t, grantee.clone(), action, scope).await);
    }
    let list = |filter: GrantFilter| {
        let store = store.clone();
        async move { store.list_grants(t, &filter, &PageRequest::all()).await }
    };
    let pick = |f: &dyn Fn(&Grant) -> bool| made.iter().filter(|g| f(g)).cloned().collect();
    let by_alice = GrantFilter {
        grantee: Some(alice.clone()),
        ..GrantFilter::default()
    };
    let expected: Vec<Grant> = pick(&|g| g.grantee == alice);
    assert_eq!(list(by_alice).await.unwrap().items, expected);
    let on_catalog = GrantFilter {
        scope: Some(catalog.clone()),
        ..GrantFilter::default()
    };
    let expected: Vec<Grant> = pick(&|g| g.scope == catalog);
    assert_eq!(list(on_catalog).await.unwrap().items, expected);
    let both = GrantFilter {
        grantee: Some(readers.clone()),
        scope: Some(catalog.clone()),
    };
    assert_eq!(list(both).await.unwrap().items, vec![made[1].clone()]);

    let s = &store;
    let walked = collect_pages(2, |p| async move {
        s.list_grants(t, &GrantFilter::default(), &p).await
    })
    .await;
    assert_eq!(walked, made);
    let bad = PageRequest::after(PageToken::after("not-a-grant-id"), Some(2));
    let result = store.list_grants(t, &GrantFilter::default(), &bad).await;
    assert_err!(result, Error::InvalidInput(_));
}
