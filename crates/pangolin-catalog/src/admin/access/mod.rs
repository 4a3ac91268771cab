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
