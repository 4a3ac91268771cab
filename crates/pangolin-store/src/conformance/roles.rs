//! Roles and role assignments: round-trips, unique names per tenant, tenant scoping, updates,
//! listing, and assignments to users, service users and groups.

use std::time::Duration;

use pangolin_core::model::Assignee;
use pangolin_core::{Error, PageRequest, RoleId, UserId};

use super::Case;
use super::fixtures::{
    assign, assignment, collect_pages, name, new_role, new_tenant, role, service_user, tenant, user,
};
use crate::DynStore;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(role_round_trips_exactly),
        case!(role_refusals_are_typed),
        case!(role_of_another_tenant_is_not_found),
        case!(roles_are_listed_by_name_in_pages),
        case!(roles_are_assigned_to_users_service_users_and_groups),
        case!(assignment_refusals_are_typed),
        case!(unassigning_removes_exactly_one_assignment),
    ]
}

async fn role_round_trips_exactly(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let readers = role(&store, acme.id, "readers ✓").await;
    let mut bare = new_role(acme.id, "auditors");
    bare.description = None;
    store.create_role(&bare, &[]).await.unwrap();
    assert_eq!(store.get_role(acme.id, readers.id).await.unwrap(), readers);
    assert_eq!(store.get_role(acme.id, bare.id).await.unwrap(), bare);
    let listed = store
        .list_roles(acme.id, &PageRequest::all())
        .await
        .unwrap();
    assert_eq!(listed.items, vec![bare, readers]);
    assert!(listed.next.is_none());
}

async fn role_refusals_are_typed(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    let ghost = new_tenant("ghost");
    assert_not_found!(
        store.create_role(&new_role(ghost.id, "r"), &[]).await,
        Tenant
    );
    let readers = role(&store, acme.id, "readers").await;
    let dup = new_role(acme.id, "readers");
    assert_already_exists!(store.create_role(&dup, &[]).await, Role);
    let mut same_id = new_role(acme.id, "writers");
    same_id.id = readers.id;
    assert_already_exists!(store.create_role(&same_id, &[]).await, Role);
    role(&store, globex.id, "readers").await;

    let writers = role(&store, acme.id, "writers").await;
    let mut clash = writers.clone();
    clash.name = readers.name.clone();
    assert_already_exists!(store.update_role(&clash, &[]).await, Role);
    assert_not_found!(store.update_role(&new_role(acme.id, "x"), &[]).await, Role);
    let missing = RoleId::generate();
    assert_not_found!(store.get_role(acme.id, missing).await, Role);
    assert_not_found!(store.delete_role(acme.id, missing, &[]).await, Role);

    let mut changed = writers.clone();
    changed.name = name("editors");
    changed.description = None;
    changed.updated_at = writers.updated_at + Duration::from_micros(1_234_567);
    let mut sent = changed.clone();
    sent.created_at = writers.created_at + Duration::from_secs(60);
    store.update_role(&sent, &[]).await.unwrap();
    assert_eq!(store.get_role(acme.id, writers.id).await.unwrap(), changed);
}

async fn role_of_another_tenant_is_not_found(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    let readers = role(&store, acme.id, "readers").await;
    assert_not_found!(store.get_role(globex.id, readers.id).await, Role);
    let mut hijack = readers.clone();
    hijack.tenant_id = globex.id;
    hijack.name = name("mine");
    assert_not_found!(store.update_role(&hijack, &[]).await, Role);
    assert_not_found!(store.delete_role(globex.id, readers.id, &[]).await, Role);
    let listed = store.list_roles(globex.id, &PageRequest::all()).await;
    assert!(listed.unwrap().items.is_empty());
    assert_eq!(store.get_role(acme.id, readers.id).await.unwrap(), readers);
}

async fn roles_are_listed_by_name_in_pages(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    for n in ["é", "a", "Z", "_x", "B"] {
        role(&store, acme.id, n).await;
    }
    let all = store
        .list_roles(acme.id, &PageRequest::all())
        .await
        .unwrap();
    let names: Vec<_> = all.items.iter().map(|r| r.name.to_string()).collect();
    assert_eq!(names, ["B", "Z", "_x", "a", "é"]);
    let s = &store;
    let walked = collect_pages(2, |p| async move { s.list_roles(acme.id, &p).await }).await;
    assert_eq!(walked, all.items);
}

async fn roles_are_assigned_to_users_service_users_and_groups(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let alice = user(&store, Some(acme.id), "alice").await;
    let ci = service_user(&store, acme.id, "ci").await;
    let (readers, writers) = (
        role(&store, acme.id, "readers").await,
        role(&store, acme.id, "writers").await,
    );
    let mut made = vec![
        assign(&store, &writers, Assignee::Group("data-team ✓".into())).await,
        assign(&store, &readers, Assignee::ServiceUser(ci.id)).await,
        assign(&store, &readers, Assignee::User(alice.id)).await,
        assign(&store, &readers, Assignee::Group("analysts".into())).await,
        assign(&store, &writers, Assignee::User(alice.id)).await,
    ];
    // Assigning again changes nothing: the first record (and its time) stays.
    let mut again = assignment(acme.id, &readers, Assignee::User(alice.id));
    again.created_at += Duration::from_secs(5);
    store.assign_role(&again, &[]).await.unwrap();

    made.sort_by(|a, b| (a.role_id, &a.assignee).cmp(&(b.role_id, &b.assignee)));
    let all = store.list_assignments(acme.id, None, None).await.unwrap();
    assert_eq!(all, made);
    let of_readers = store
        .list_assignments(acme.id, Some(readers.id), None)
        .await;
    let expected: Vec<_> = made
        .iter()
        .filter(|a| a.role_id == readers.id)
        .cloned()
        .collect();
    assert_eq!(of_readers.unwrap(), expected);
    let alices = Assignee::User(alice.id);
    let of_alice = store.list_assignments(acme.id, None, Some(&alices)).await;
    let expected: Vec<_> = made
        .iter()
        .filter(|a| a.assignee == alices)
        .cloned()
        .collect();
    assert_eq!(of_alice.unwrap(), expected);
    let both = store
        .list_assignments(acme.id, Some(writers.id), Some(&alices))
        .await;
    assert_eq!(both.unwrap().len(), 1);
}

async fn assignment_refusals_are_typed(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    let readers = role(&store, acme.id, "readers").await;
    let theirs = role(&store, globex.id, "readers").await;
    let bob = user(&store, Some(globex.id), "bob").await;
    let root = user(&store, None, "root").await;
    let their_ci = service_user(&store, globex.id, "ci").await;
    let alice = Assignee::User(user(&store, Some(acme.id), "alice").await.id);
    let at = |role, assignee| assignment(acme.id, role, assignee);

    let missing = new_role(acme.id, "ghost");
    assert_not_found!(
        store.assign_role(&at(&missing, alice.clone()), &[]).await,
        Role
    );
    assert_not_found!(
        store.assign_role(&at(&theirs, alice.clone()), &[]).await,
        Role
    );
    for foreign in [bob.id, root.id, UserId::generate()] {
        let result = store
            .assign_role(&at(&readers, Assignee::User(foreign)), &[])
            .await;
        assert_not_found!(result, User);
    }
    let result = store
        .assign_role(&at(&readers, Assignee::ServiceUser(their_ci.id)), &[])
        .await;
    assert_not_found!(result, ServiceUser);
    for bad in ["", "line\nbreak"] {
        let result = store
            .assign_role(&at(&readers, Assignee::Group(bad.into())), &[])
            .await;
        assert_err!(result, Error::InvalidInput(_));
    }
    assert!(
        store
            .list_assignments(acme.id, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    // Another tenant's assignments are never listed.
    assign(&store, &theirs, Assignee::User(bob.id)).await;
    assert!(
        store
            .list_assignments(acme.id, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    let by_role = store.list_assignments(acme.id, Some(theirs.id), None).await;
    assert!(by_role.unwrap().is_empty());
}

async fn unassigning_removes_exactly_one_assignment(store: DynStore) {
    let acme = tenant(&store, "acme").await;
    let globex = tenant(&store, "globex").await;
    let readers = role(&store, acme.id, "readers").await;
    let alice = Assignee::User(user(&store, Some(acme.id), "alice").await.id);
    let group = Assignee::Group("analysts".into());
    assign(&store, &readers, alice.clone()).await;
    let kept = assign(&store, &readers, group.clone()).await;

    let foreign = store
        .unassign_role(globex.id, readers.id, &alice, &[])
        .await;
    assert_not_found!(foreign, Role);
    let missing = store
        .unassign_role(acme.id, RoleId::generate(), &alice, &[])
        .await;
    assert_not_found!(missing, Role);
    store
        .unassign_role(acme.id, readers.id, &alice, &[])
        .await
        .unwrap();
    let again = store.unassign_role(acme.id, readers.id, &alice, &[]).await;
    assert_not_found!(again, Role);
    let other = Assignee::Group("analysts-2".into());
    let never = store.unassign_role(acme.id, readers.id, &other, &[]).await;
    assert_not_found!(never, Role);
    let left = store.list_assignments(acme.id, None, None).await.unwrap();
    assert_eq!(left, vec![kept]);
}
