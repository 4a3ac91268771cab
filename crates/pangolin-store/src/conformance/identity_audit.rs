//! Atomicity of the identity and access areas with their audit events: every mutation's
//! events are stored when it succeeds and never when it is refused.

use std::collections::BTreeSet;

use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{Action, Assignee, Grantee, Scope, Tier};
use pangolin_core::{PageRequest, RoleId};

use super::Case;
use super::fixtures::{
    assignment, event, micros_now, new_api_key, new_grant, new_role, new_service_user,
    new_signing_key, new_user, revoked, tenant,
};
use crate::{AuditFilter, DynStore};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(account_and_key_mutations_are_audited_iff_they_succeed),
        case!(access_mutations_are_audited_iff_they_succeed),
    ]
}

/// One event whose action names the call, so the log shows which calls wrote theirs.
fn ev(action: &str) -> Vec<AuditEvent> {
    vec![event(None, action)]
}

/// The actions of every stored audit event.
async fn audited(store: &DynStore) -> BTreeSet<String> {
    let all = store
        .list_audit(&AuditFilter::default(), &PageRequest::all())
        .await;
    all.unwrap().items.into_iter().map(|e| e.action).collect()
}

fn set(actions: &[&str]) -> BTreeSet<String> {
    actions.iter().map(|a| a.to_string()).collect()
}

async fn account_and_key_mutations_are_audited_iff_they_succeed(store: DynStore) {
    let t = tenant(&store, "acme").await.id;
    let s = &store;
    let alice = new_user(Some(t), "alice");
    s.create_user(&alice, &ev("user.create")).await.unwrap();
    let dup = new_user(Some(t), "alice");
    s.create_user(&dup, &ev("refused.user.create"))
        .await
        .unwrap_err();
    let mut bad = alice.clone();
    bad.tier = Tier::Root;
    s.update_user(&bad, &ev("refused.user.update"))
        .await
        .unwrap_err();
    s.update_user(&alice, &ev("user.update")).await.unwrap();

    let ci = new_service_user(t, "ci");
    s.create_service_user(&ci, &ev("su.create")).await.unwrap();
    let mut root = new_service_user(t, "root");
    root.tier = Tier::Root;
    let refused = s.create_service_user(&root, &ev("refused.su.create")).await;
    refused.unwrap_err();
    s.update_service_user(&root, &ev("refused.su.update"))
        .await
        .unwrap_err();
    s.update_service_user(&ci, &ev("su.update")).await.unwrap();
    let key = new_api_key(&ci, "0123456789abcdef");
    s.create_api_key(&key, &ev("key.create")).await.unwrap();
    s.create_api_key(&key, &ev("refused.key.create"))
        .await
        .unwrap_err();
    let now = micros_now();
    let revoke = s
        .revoke_api_key(t, "ffffffffffffffff", now, &ev("refused.key.revoke"))
        .await;
    revoke.unwrap_err();
    s.revoke_api_key(t, &key.key_id, now, &ev("key.revoke"))
        .await
        .unwrap();

    let sk = new_signing_key("k1", now);
    s.create_signing_key(&sk, &ev("sk.create")).await.unwrap();
    s.create_signing_key(&sk, &ev("refused.sk.create"))
        .await
        .unwrap_err();
    let ghost = new_signing_key("ghost", now);
    s.update_signing_key(&ghost, &ev("refused.sk.update"))
        .await
        .unwrap_err();
    s.update_signing_key(&sk, &ev("sk.update")).await.unwrap();
    s.delete_signing_key("ghost", &ev("refused.sk.delete"))
        .await
        .unwrap_err();
    s.delete_signing_key("k1", &ev("sk.delete")).await.unwrap();
    let token = revoked("jti", now, now + std::time::Duration::from_secs(60));
    s.revoke_token(&token, &ev("token.revoke")).await.unwrap();

    let missing = new_user(Some(t), "ghost");
    s.delete_user(Some(t), missing.id, &ev("refused.user.delete"))
        .await
        .unwrap_err();
    s.delete_user(Some(t), alice.id, &ev("user.delete"))
        .await
        .unwrap();
    let su_delete = s
        .delete_service_user(t, root.id, &ev("refused.su.delete"))
        .await;
    su_delete.unwrap_err();
    s.delete_service_user(t, ci.id, &ev("su.delete"))
        .await
        .unwrap();

    let expected = [
        "user.create",
        "user.update",
        "user.delete",
        "su.create",
        "su.update",
        "su.delete",
        "key.create",
        "key.revoke",
        "sk.create",
        "sk.update",
        "sk.delete",
        "token.revoke",
    ];
    assert_eq!(audited(&store).await, set(&expected));
}

async fn access_mutations_are_audited_iff_they_succeed(store: DynStore) {
    let t = tenant(&store, "acme").await.id;
    let s = &store;
    let alice = new_user(Some(t), "alice");
    s.create_user(&alice, &[]).await.unwrap();
    let readers = new_role(t, "readers");
    s.create_role(&readers, &ev("role.create")).await.unwrap();
    s.create_role(&readers, &ev("refused.role.create"))
        .await
        .unwrap_err();
    let ghost = new_role(t, "ghost");
    s.update_role(&ghost, &ev("refused.role.update"))
        .await
        .unwrap_err();
    s.update_role(&readers, &ev("role.update")).await.unwrap();

    let to_alice = assignment(t, &readers, Assignee::User(alice.id));
    s.assign_role(&to_alice, &ev("role.assign")).await.unwrap();
    let bad_group = assignment(t, &readers, Assignee::Group(String::new()));
    s.assign_role(&bad_group, &ev("refused.role.assign"))
        .await
        .unwrap_err();
    let group = Assignee::Group("nobody".into());
    let unassign = s
        .unassign_role(t, readers.id, &group, &ev("refused.role.unassign"))
        .await;
    unassign.unwrap_err();
    let alices = Assignee::User(alice.id);
    s.unassign_role(t, readers.id, &alices, &ev("role.unassign"))
        .await
        .unwrap();

    let on_tenant = |grantee| new_grant(t, grantee, Action::Read, Scope::Tenant);
    let g = on_tenant(Grantee::Role(readers.id));
    s.create_grant(&g, &ev("grant.create")).await.unwrap();
    let dup = on_tenant(Grantee::Role(readers.id));
    s.create_grant(&dup, &ev("refused.grant.create"))
        .await
        .unwrap_err();
    s.delete_grant(t, dup.id, &ev("refused.grant.delete"))
        .await
        .unwrap_err();
    s.delete_grant(t, g.id, &ev("grant.delete")).await.unwrap();

    let gone = RoleId::generate();
    s.delete_role(t, gone, &ev("refused.role.delete"))
        .await
        .unwrap_err();
    s.delete_role(t, readers.id, &ev("role.delete"))
        .await
        .unwrap();

    let expected = [
        "role.create",
        "role.update",
        "role.assign",
        "role.unassign",
        "grant.create",
        "grant.delete",
        "role.delete",
    ];
    assert_eq!(audited(&store).await, set(&expected));
}
