//! The authorization decision: a pure function of what a principal holds ([`Access`]) and
//! where a request acts ([`Resource`]). No IO: the caller loads the grants (the principal's own
//! and those of its roles, including roles assigned to its groups) and resolves the resource.
//!
//! The rules:
//! - a tenant admin may do everything inside its tenant;
//! - a tenant user may do what one of its grants allows: the grant's action
//!   [implies](Action::implies) the wanted one and its scope [covers](Scope::covers) the
//!   resource;
//! - root has no data access here. Root-only routes are decided by the caller, and root
//!   impersonating a tenant is turned into a tenant-admin [`Access`] by the caller (and audited).
//!
//! The caller keeps resources inside the principal's tenant (a lookup in another tenant is
//! `NotFound`); grants of another tenant are ignored here as a second line of defence.

mod visibility;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

pub use pangolin_core::model::Access;
use pangolin_core::model::{Action, Resource, Scope};
use pangolin_core::{Error, Result};

pub use visibility::{Placement, Visibility, can_see};

/// Whether `access` may do `action` on `resource`.
pub fn allows(access: &Access, action: Action, resource: &Resource) -> bool {
    access.is_tenant_admin()
        || access
            .effective_grants()
            .any(|g| g.action.implies(action) && g.scope.covers(resource))
}

/// [`allows`] as a `Result`: `Forbidden` naming the action when it is not allowed.
pub fn require(access: &Access, action: Action, resource: &Resource) -> Result<()> {
    if allows(access, action, resource) {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "not allowed to {action} here: no grant gives it"
        )))
    }
}

/// Every action `access` may do on `resource` (for `/me/permissions`).
pub fn effective_actions(access: &Access, resource: &Resource) -> BTreeSet<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| allows(access, *a, resource))
        .collect()
}

/// Whether `access` may give (or take back) a grant of `action` on `scope`, which sits where
/// `placement` says (the warehouse of its catalog; for a table or view, its namespace; see
/// [`Placement`]). Tenant admins may; anyone else only while holding `manage-grants` on a scope
/// covering `scope` *and* `action` itself (or an action implying it) on a scope covering
/// `scope`: nobody hands out more than they hold.
///
/// Granting to oneself is refused by the caller, which knows the grantee.
pub fn can_grant(access: &Access, action: Action, scope: &Scope, placement: &Placement) -> bool {
    let target = placement.resource_of(scope);
    allows(access, Action::ManageGrants, &target) && allows(access, action, &target)
}
