//! The authorization checks of the service layer. Every operation calls one of these before
//! any side effect. The decision itself is `pangolin_auth::authz` over the request's
//! [`Access`](pangolin_core::model::Access): tenant admins (and root impersonating a tenant)
//! may do everything in their tenant, tenant users what their grants give, root outside
//! tenants only the root operations.

use pangolin_auth::authz;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, Catalog, Resource, Tier};
use pangolin_core::{Error, Result, TenantId};

/// Root-only operations (tenants and their administrators).
pub(crate) fn require_root(ctx: &RequestContext) -> Result<()> {
    match ctx.principal.tier {
        Tier::Root => Ok(()),
        _ => Err(Error::Forbidden("only root may manage tenants".into())),
    }
}

/// Whether the caller administers the tenant it acts in (root counts while impersonating).
pub(crate) fn is_tenant_admin(ctx: &RequestContext) -> bool {
    ctx.tenant_id.is_some() && ctx.access.is_tenant_admin() && ctx.access.tenant == ctx.tenant_id
}

/// Tenant administration (warehouses, accounts): tenant admins, or root impersonating.
pub(crate) fn require_tenant_admin(ctx: &RequestContext) -> Result<TenantId> {
    let tenant = ctx.tenant()?;
    if is_tenant_admin(ctx) {
        return Ok(tenant);
    }
    Err(Error::Forbidden(
        "this operation needs a tenant administrator".into(),
    ))
}

/// `action` on `resource` in the caller's tenant.
pub(crate) fn require(ctx: &RequestContext, action: Action, resource: &Resource) -> Result<()> {
    ctx.tenant()?;
    authz::require(&ctx.access, action, resource)
}

/// Whether the caller may know a catalog exists: admins always; users when some grant
/// covers the catalog or lies inside it (a grant on one table reveals the catalog leading
/// to it, not its siblings).
pub(crate) fn can_see_catalog(ctx: &RequestContext, catalog: &Catalog) -> bool {
    ctx.tenant_id.is_some() && authz::can_see(&ctx.access, &crate::admin::catalog_resource(catalog))
}
