//! Access management: roles, role assignments, grants and the caller's own permissions.
//! Scopes come in by name and are kept by id (`scopes`).

mod assignments;
mod grants;
mod names;
mod permissions;
mod roles;
mod scopes;

pub use grants::{GrantInfo, GrantQuery, NewGrant};
pub use permissions::PermissionQuery;
pub use roles::{NewRole, RoleUpdate};
pub use scopes::{PlacedScope, ScopeNames, ScopeRef};

use pangolin_core::context::{PrincipalKind, RequestContext};
use pangolin_core::model::Assignee;

/// Whether `assignee` is the caller: its own account, or a group its credential asserts.
pub(crate) fn is_caller(ctx: &RequestContext, assignee: &Assignee) -> bool {
    match assignee {
        Assignee::User(id) => {
            ctx.principal.kind != PrincipalKind::ServiceUser && ctx.principal.id == id.to_string()
        }
        Assignee::ServiceUser(id) => {
            ctx.principal.kind == PrincipalKind::ServiceUser && ctx.principal.id == id.to_string()
        }
        Assignee::Group(group) => ctx.groups.iter().any(|g| g == group),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use pangolin_core::{ServiceUserId, TenantId, UserId};

    use super::*;

    #[test]
    fn the_caller_is_its_account_and_its_groups() {
        let me = UserId::generate();
        let mut ctx = RequestContext::system(TenantId::generate());
        ctx.principal.id = me.to_string();
        ctx.principal.kind = PrincipalKind::User;
        ctx.groups = Arc::from(["analysts".to_owned()]);
        assert!(is_caller(&ctx, &Assignee::User(me)));
        assert!(is_caller(&ctx, &Assignee::Group("analysts".into())));
        assert!(!is_caller(&ctx, &Assignee::Group("admins".into())));
        assert!(!is_caller(&ctx, &Assignee::User(UserId::generate())));
        let svc = ServiceUserId::generate();
        ctx.principal.id = svc.to_string();
        ctx.principal.kind = PrincipalKind::ServiceUser;
        assert!(is_caller(&ctx, &Assignee::ServiceUser(svc)));
    }
}
