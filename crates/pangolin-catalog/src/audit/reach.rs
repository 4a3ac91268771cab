//! Who may read and verify which audit log: root every tenant's (and the tenantless chain),
//! anyone else only their own tenant's, and only holding `read-audit` on the tenant (tenant
//! admins hold everything in their tenant).

use pangolin_auth::authz::{self, Access};
use pangolin_core::context::{PrincipalKind, RequestContext};
use pangolin_core::model::{Action, Grantee, Resource, Tier};
use pangolin_core::{Error, Result, ServiceUserId, TenantId, UserId};

use crate::Services;

/// How far a caller's audit reads reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Root: every chain, and the choice of a tenant.
    Everything,
    /// The caller's tenant only.
    Tenant(TenantId),
}

impl Services {
    pub(crate) async fn audit_reach(&self, ctx: &RequestContext) -> Result<Reach> {
        if ctx.principal.kind == PrincipalKind::Root {
            return Ok(Reach::Everything);
        }
        let access = self.access_of(ctx).await?;
        authz::require(&access, Action::ReadAudit, &Resource::tenant())?;
        Ok(Reach::Tenant(ctx.tenant_id))
    }

    /// What the principal holds in its tenant. (Authentication will hand this over with the
    /// request context; until then it is loaded here.) Without authentication the caller is
    /// the anonymous developer on loopback, and the server itself is `system`: both act as
    /// the tenant's administrator.
    async fn access_of(&self, ctx: &RequestContext) -> Result<Access> {
        let tenant = ctx.tenant_id;
        let unknown = || Error::Forbidden("unknown principal".into());
        let (tier, grantee) = match ctx.principal.kind {
            PrincipalKind::Anonymous | PrincipalKind::System => {
                return Ok(Access::new(Tier::TenantAdmin, Some(tenant), Vec::new()));
            }
            PrincipalKind::Root => return Ok(Access::new(Tier::Root, None, Vec::new())),
            PrincipalKind::User => {
                let id: UserId = ctx.principal.id.parse().map_err(|_| unknown())?;
                let user = self.store().get_user(Some(tenant), id).await;
                let user = user.map_err(|_| unknown())?;
                (user.tier, Grantee::User(id))
            }
            PrincipalKind::ServiceUser => {
                let id: ServiceUserId = ctx.principal.id.parse().map_err(|_| unknown())?;
                let user = self.store().get_service_user(tenant, id).await;
                let user = user.map_err(|_| unknown())?;
                (user.tier, Grantee::ServiceUser(id))
            }
        };
        let grants = match tier {
            Tier::TenantUser => self.store().effective_grants(tenant, &grantee, &[]).await?,
            Tier::TenantAdmin | Tier::Root => Vec::new(),
        };
        Ok(Access::new(tier, Some(tenant), grants))
    }
}
