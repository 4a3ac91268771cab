//! Who may read and verify which audit log: root (outside tenants) every tenant's and the
//! tenantless chain, anyone else only the tenant it acts in, and only holding `read-audit`
//! on the tenant (tenant admins, and root impersonating, hold everything in their tenant).

use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, Resource, Tier};
use pangolin_core::{Result, TenantId};

use crate::{Services, guard};

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
        if ctx.principal.tier == Tier::Root && !ctx.impersonating {
            return Ok(Reach::Everything);
        }
        guard::require(ctx, Action::ReadAudit, &Resource::tenant())?;
        Ok(Reach::Tenant(ctx.tenant()?))
    }
}
