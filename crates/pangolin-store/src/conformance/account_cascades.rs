//! Deleting an account or a role takes along what hangs on it — assignments, grants, API
//! keys — and nothing of anyone else's.

use pangolin_core::model::{Action, Assignee, Grantee, Scope};
use pangolin_core::{GrantId, TenantId};

use super::Case;
use super::fixtures::{all_grants, api_key, assign, grant, role, service_user, tenant, user};
use crate::DynStore;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(deleting_a_user_removes_its_assignments_and_grants),
        case!(deleting_a_service_user_removes_its_keys_assignments_and_grants),
        case!(deleting_a_role_removes_its_assignments_and_grants),
    ]
}

async fn grant_ids(store: &DynStore, tenant: TenantId) -> Vec<GrantId> {
    all_grants(store, tenant)
        .await
        .iter()
        .map(|g| g.id)
        .collect()
}

async fn deleting_a_user_removes_its_assignments_and_grants(store: DynStore) {
    let t = tenant(&store, "acme").await.id;
    let alice = user(&store, Some(t), "alice").await;
    let bob = user(&store, Some(t), "bob").await;
    let readers = role(&store, t, "readers").await;
    assign(&store, &readers, Assignee::User(alice.id)).await;
    let kept = assign(&store, &readers, Assignee::User(bob.id)).await;
    grant(
        &store,
        t,
        Grantee::User(alice.id),
        Action::Read,
        Scope::Tenant,
    )
    .await;
    let bobs = grant(
        &store,
        t,
        Grantee::User(bob.id),
        Action::Read,
        Scope::Tenant,
    )
    .await;
    let roles = grant(
        &store,
        t,
        Grantee::Role(readers.id),
        Action::List,
        Scope::Tenant,
    )
    .await;

    store.delete_user(Some(t), alice.id, &[]).await.unwrap();
    assert_not_found!(store.get_user(Some(t), alice.id).await, User);
    assert_not_found!(store.delete_user(Some(t), alice.id, &[]).await, User);
    let left = store.list_assignments(t, None, None).await.unwrap();
    assert_eq!(left, vec![kept]);
    assert_eq!(grant_ids(&store, t).await, vec![bobs.id, roles.id]);
    let alice = Grantee::User(alice.id);
    assert!(
        store
            .effective_grants(t, &alice, &[])
            .await
            .unwrap()
            .is_empty()
    );
}

async fn deleting_a_service_user_removes_its_keys_assignments_and_grants(store: DynStore) {
    let t = tenant(&store, "acme").await.id;
    let ci = service_user(&store, t, "ci").await;
    let cd = service_user(&store, t, "cd").await;
    api_key(&store, &ci, "0000000000000001").await;
    api_key(&store, &ci, "0000000000000002").await;
    let other_key = api_key(&store, &cd, "0000000000000003").await;
    let readers = role(&store, t, "readers").await;
    assign(&store, &readers, Assignee::ServiceUser(ci.id)).await;
    let kept = assign(&store, &readers, Assignee::ServiceUser(cd.id)).await;
    grant(
        &store,
        t,
        Grantee::ServiceUser(ci.id),
        Action::Write,
        Scope::Tenant,
    )
    .await;
    let cds = grant(
        &store,
        t,
        Grantee::ServiceUser(cd.id),
        Action::Read,
        Scope::Tenant,
    )
    .await;

    store.delete_service_user(t, ci.id, &[]).await.unwrap();
    assert_not_found!(store.get_service_user(t, ci.id).await, ServiceUser);
    assert_not_found!(store.get_api_key("0000000000000001").await, ApiKey);
    assert_not_found!(store.get_api_key("0000000000000002").await, ApiKey);
    let still = store.get_api_key(&other_key.key_id).await.unwrap();
    assert_eq!(still, (other_key, cd));
    assert_eq!(
        store.list_assignments(t, None, None).await.unwrap(),
        vec![kept]
    );
    assert_eq!(grant_ids(&store, t).await, vec![cds.id]);
    // The key id is free again.
    let ci_again = service_user(&store, t, "ci").await;
    api_key(&store, &ci_again, "0000000000000001").await;
}

async fn deleting_a_role_removes_its_assignments_and_grants(store: DynStore) {
    let t = tenant(&store, "acme").await.id;
    let alice = user(&store, Some(t), "alice").await;
    let readers = role(&store, t, "readers").await;
    let writers = role(&store, t, "writers").await;
    assign(&store, &readers, Assignee::User(alice.id)).await;
    assign(&store, &readers, Assignee::Group("analysts".into())).await;
    let kept = assign(&store, &writers, Assignee::User(alice.id)).await;
    grant(
        &store,
        t,
        Grantee::Role(readers.id),
        Action::Read,
        Scope::Tenant,
    )
    .await;
    let writes = grant(
        &store,
        t,
        Grantee::Role(writers.id),
        Action::Write,
        Scope::Tenant,
    )
    .await;

    store.delete_role(t, readers.id, &[]).await.unwrap();
    assert_not_found!(store.get_role(t, readers.id).await, Role);
    assert_eq!(
        store.list_assignments(t, None, None).await.unwrap(),
        vec![kept]
    );
    assert_eq!(grant_ids(&store, t).await, vec![writes.id]);
    let groups = vec!["analysts".to_string()];
    let effective = store
        .effective_grants(t, &Grantee::User(alice.id), &groups)
        .await;
    assert_eq!(effective.unwrap(), vec![writes]);
    // The name is free again, and the new role inherits nothing.
    let again = role(&store, t, "readers").await;
    let of_again = store.list_assignments(t, Some(again.id), None).await;
    assert!(of_again.unwrap().is_empty());
}
