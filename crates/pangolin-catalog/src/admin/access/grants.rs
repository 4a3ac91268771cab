//! Grants: given, listed and revoked through the management API.
//!
//! Who may give (or take back) a grant of `action` on a scope: tenant admins, and anyone
//! holding `manage-grants` on a scope covering it *and* `action` itself there
//! (`authz::can_grant`): nobody hands out more than they hold. Nobody gives anything to
//! themselves, directly or through a role they hold (assigned to them or to one of their
//! groups). Every change is audited in the store call that makes it and drops the tenant's
//! cached grant sets at once.

use pangolin_auth::authz;
use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, Grant, Grantee};
use pangolin_core::{Error, GrantId, Page, PageRequest, Result, TenantId};
use pangolin_store::GrantFilter;
use serde_json::json;

use super::names::GranteeNames;
use super::scopes::{PlacedScope, Placer, ScopeNames, ScopeRef};
use crate::{Services, guard};

/// A grant to give: scope by name, resolved to ids here.
#[derive(Debug, Clone)]
pub struct NewGrant {
    pub grantee: Grantee,
    pub action: Action,
    pub scope: ScopeRef,
}

/// Which grants to list.
#[derive(Debug, Clone, Default)]
pub struct GrantQuery {
    pub grantee: Option<Grantee>,
    /// Only grants on exactly this scope.
    pub scope: Option<ScopeRef>,
}

/// A grant with the names of what it refers to, as they are now.
#[derive(Debug, Clone)]
pub struct GrantInfo {
    pub grant: Grant,
    pub grantee_name: Option<String>,
    pub scope: ScopeNames,
}

impl Services {
    pub async fn create_grant(&self, ctx: &RequestContext, new: NewGrant) -> Result<GrantInfo> {
        let tenant = ctx.tenant()?;
        let placed = self
            .resolve_scope(ctx, tenant, &new.scope, Action::ManageGrants)
            .await?;
        self.refuse_self(ctx, tenant, &new.grantee).await?;
        require_can_grant(ctx, new.action, &placed)?;
        let grant = Grant {
            id: GrantId::generate(),
            tenant_id: tenant,
            grantee: new.grantee,
            action: new.action,
            scope: placed.scope.clone(),
            granted_by: ctx.principal.id.clone(),
            created_at: pangolin_core::now(),
        };
        let audit = ctx
            .audit("grant.create", resource(&grant), AuditResult::Success)
            .with_summary(summary(&grant, &placed.names));
        self.store().create_grant(&grant, &[audit]).await?;
        self.access_changed(tenant);
        let grantee_name = GranteeNames::new(self, tenant).name(&grant.grantee).await?;
        Ok(GrantInfo {
            grant,
            grantee_name,
            scope: placed.names,
        })
    }

    /// Takes a grant back: the same right as giving it, on the grant's scope.
    pub async fn revoke_grant(&self, ctx: &RequestContext, id: GrantId) -> Result<()> {
        let tenant = ctx.tenant()?;
        let grant = self.store().get_grant(tenant, id).await?;
        let placed = Placer::new(self, tenant).place(&grant.scope).await?;
        require_can_grant(ctx, grant.action, &placed)?;
        let audit = ctx
            .audit("grant.revoke", resource(&grant), AuditResult::Success)
            .with_summary(summary(&grant, &placed.names));
        self.store().delete_grant(tenant, id, &[audit]).await?;
        self.access_changed(tenant);
        Ok(())
    }

    /// Admins see every grant; others the ones they could revoke and the ones given to them
    /// directly.
    pub async fn list_grants(
        &self,
        ctx: &RequestContext,
        query: &GrantQuery,
        page: &PageRequest,
    ) -> Result<Page<GrantInfo>> {
        let tenant = ctx.tenant()?;
        let scope = match &query.scope {
            Some(s) => Some(
                self.resolve_scope(ctx, tenant, s, Action::ManageGrants)
                    .await?
                    .scope,
            ),
            None => None,
        };
        let filter = GrantFilter {
            grantee: query.grantee.clone(),
            scope,
        };
        let found = self.store().list_grants(tenant, &filter, page).await?;
        let mut placer = Placer::new(self, tenant);
        let mut names = GranteeNames::new(self, tenant);
        let mut items = Vec::with_capacity(found.items.len());
        for grant in found.items {
            let placed = placer.place(&grant.scope).await?;
            if !(is_own(ctx, &grant.grantee) || manages(ctx, &placed)) {
                continue;
            }
            items.push(GrantInfo {
                grantee_name: names.name(&grant.grantee).await?,
                scope: placed.names,
                grant,
            });
        }
        Ok(Page {
            items,
            next: found.next,
        })
    }

    /// Refuses a grant (or role assignment) that would reach the caller itself: to its own
    /// account, or to a role assigned to it or to one of the groups its credential asserts.
    pub(crate) async fn refuse_self(
        &self,
        ctx: &RequestContext,
        tenant: TenantId,
        grantee: &Grantee,
    ) -> Result<()> {
        let held = match grantee {
            Grantee::Role(role) => {
                let assignments = self
                    .store()
                    .list_assignments(tenant, Some(*role), None)
                    .await?;
                assignments
                    .iter()
                    .any(|a| super::is_caller(ctx, &a.assignee))
            }
            other => is_own(ctx, other),
        };
        if held {
            return Err(Error::Forbidden(
                "nobody can grant themselves anything (directly or through a role they hold)"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// `authz::can_grant` as a `Result`.
pub(crate) fn require_can_grant(
    ctx: &RequestContext,
    action: Action,
    placed: &PlacedScope,
) -> Result<()> {
    ctx.tenant()?;
    if authz::can_grant(&ctx.access, action, &placed.scope, &placed.placement) {
        return Ok(());
    }
    Err(Error::Forbidden(format!(
        "granting {action} there needs manage-grants and {action} on a scope covering it"
    )))
}

fn manages(ctx: &RequestContext, placed: &PlacedScope) -> bool {
    guard::allows(ctx, Action::ManageGrants, &placed.resource())
}

/// Whether `grantee` is the caller's own account.
fn is_own(ctx: &RequestContext, grantee: &Grantee) -> bool {
    match grantee {
        Grantee::User(id) => ctx.principal.id == id.to_string(),
        Grantee::ServiceUser(id) => ctx.principal.id == id.to_string(),
        Grantee::Role(_) => false,
    }
}

fn resource(grant: &Grant) -> String {
    format!("grant/{}", grant.id)
}

fn summary(grant: &Grant, names: &ScopeNames) -> serde_json::Value {
    json!({
        "grant-id": grant.id,
        "grantee": grant.grantee,
        "action": grant.action,
        "scope": grant.scope,
        "scope-key": grant.scope.key(),
        "names": {
            "warehouse": names.warehouse, "catalog": names.catalog,
            "namespace": names.namespace, "name": names.name,
        },
    })
}

#[cfg(test)]
mod tests {
    use pangolin_core::{RoleId, ServiceUserId, UserId};

    use super::*;

    #[test]
    fn own_accounts_are_recognized() {
        let me = UserId::generate();
        let mut ctx = RequestContext::system(TenantId::generate());
        ctx.principal.id = me.to_string();
        assert!(is_own(&ctx, &Grantee::User(me)));
        assert!(!is_own(&ctx, &Grantee::User(UserId::generate())));
        assert!(!is_own(
            &ctx,
            &Grantee::ServiceUser(ServiceUserId::generate())
        ));
        // A role is "own" only through its assignments, which `refuse_self` reads.
        assert!(!is_own(&ctx, &Grantee::Role(RoleId::generate())));
    }
}
