//! Effective grants: what applies to a principal, directly, through roles assigned to it and
//! through roles assigned to its groups; each grant once, in id order, nothing from another
//! principal, another tenant or an unassigned role.

use pangolin_core::model::{Action, Assignee, Grant, Grantee, Scope};
use pangolin_core::{Error, TenantId};

use super::Case;
use super::fixtures::{assign, grant, role, service_user, tenant, user};
use crate::DynStore;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(effective_grants_are_direct_role_and_group_grants_once_each),
        case!(effective_grants_never_leave_their_tenant),
        case!(effective_grants_of_a_role_are_invalid_input),
    ]
}

fn group(name: &str) -> Assignee {
    Assignee::Group(name.into())
}

/// A grant of `action` on the tenant to `grantee`.
async fn on_tenant(store: &DynStore, tenant: TenantId, grantee: Grantee, action: Action) -> Grant {
    grant(store, tenant, grantee, action, Scope::Tenant).await
}

async fn effective_grants_are_direct_role_and_group_grants_once_each(store: DynStore) {
    let t = tenant(&store, "acme").await.id;
    let alice = user(&store, Some(t), "alice").await.id;
    let bob = user(&store, Some(t), "bob").await.id;
    let ci = service_user(&store, t, "ci").await.id;
    let (readers, analysts, others, unused, bobs) = (
        role(&store, t, "readers").await,
        role(&store, t, "analysts").await,
        role(&store, t, "others").await,
        role(&store, t, "unused").await,
        role(&store, t, "bobs").await,
    );
    let role_grantee = |r: &pangolin_core::model::Role| Grantee::Role(r.id);
    let direct = on_tenant(&store, t, Grantee::User(alice), Action::Read).await;
    let via_role = on_tenant(&store, t, role_grantee(&readers), Action::List).await;
    let via_role_2 = on_tenant(&store, t, role_grantee(&readers), Action::Write).await;
    let via_group = on_tenant(&store, t, role_grantee(&analysts), Action::ReadAudit).await;
    on_tenant(&store, t, role_grantee(&others), Action::Delete).await;
    on_tenant(&store, t, role_grantee(&unused), Action::Create).await;
    let bob_direct = on_tenant(&store, t, Grantee::User(bob), Action::Create).await;
    let bob_role = on_tenant(&store, t, role_grantee(&bobs), Action::VendRead).await;
    let ci_direct = on_tenant(&store, t, Grantee::ServiceUser(ci), Action::VendWrite).await;

    assign(&store, &readers, Assignee::User(alice)).await;
    // `readers` reaches alice twice (directly and through a group): still once.
    assign(&store, &readers, group("analysts")).await;
    assign(&store, &analysts, group("analysts")).await;
    assign(&store, &others, group("others")).await;
    assign(&store, &bobs, Assignee::User(bob)).await;
    assign(&store, &readers, Assignee::ServiceUser(ci)).await;

    let of = |principal: Grantee, groups: &[&str]| {
        let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        let store = store.clone();
        async move {
            store
                .effective_grants(t, &principal, &groups)
                .await
                .unwrap()
        }
    };
    let sorted = |mut grants: Vec<Grant>| {
        grants.sort_by_key(|g| g.id);
        grants
    };
    let alice_alone = sorted(vec![direct.clone(), via_role.clone(), via_role_2.clone()]);
    assert_eq!(of(Grantee::User(alice), &[]).await, alice_alone);
    let with_groups = sorted(vec![
        direct,
        via_role.clone(),
        via_role_2.clone(),
        via_group,
    ]);
    let groups = ["analysts", "no-such-group"];
    assert_eq!(of(Grantee::User(alice), &groups).await, with_groups);
    assert_eq!(
        of(Grantee::User(bob), &[]).await,
        sorted(vec![bob_direct, bob_role])
    );
    let ci_grants = sorted(vec![via_role, via_role_2, ci_direct]);
    assert_eq!(of(Grantee::ServiceUser(ci), &[]).await, ci_grants);
    // A principal nobody granted anything, even with a group, gets nothing of others'.
    let nobody = user(&store, Some(t), "nobody").await.id;
    assert!(of(Grantee::User(nobody), &["ANALYSTS"]).await.is_empty());
}

async fn effective_grants_never_leave_their_tenant(store: DynStore) {
    let a = tenant(&store, "acme").await.id;
    let g = tenant(&store, "globex").await.id;
    let alice = user(&store, Some(a), "alice").await.id;
    let mine = role(&store, a, "readers").await;
    let theirs = role(&store, g, "readers").await;
    let kept = on_tenant(&store, a, Grantee::Role(mine.id), Action::Read).await;
    on_tenant(&store, g, Grantee::Role(theirs.id), Action::Write).await;
    // The same group name in both tenants: only the principal's tenant counts.
    assign(&store, &mine, group("analysts")).await;
    assign(&store, &theirs, group("analysts")).await;

    let groups = vec!["analysts".to_string()];
    let alice = Grantee::User(alice);
    let found = store.effective_grants(a, &alice, &groups).await.unwrap();
    assert_eq!(found, vec![kept]);
    assert!(
        store
            .effective_grants(g, &alice, &[])
            .await
            .unwrap()
            .is_empty()
    );
}

async fn effective_grants_of_a_role_are_invalid_input(store: DynStore) {
    let t = tenant(&store, "acme").await.id;
    let readers = role(&store, t, "readers").await;
    on_tenant(&store, t, Grantee::Role(readers.id), Action::Read).await;
    let result = store
        .effective_grants(t, &Grantee::Role(readers.id), &[])
        .await;
    assert_err!(result, Error::InvalidInput(_));
}
