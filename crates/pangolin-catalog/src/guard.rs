//! The authorization checks of the service layer. Every operation calls one of these before
//! any side effect. The decision itself is `pangolin_auth::authz` over the request's
//! [`Access`](pangolin_core::model::Access): tenant admins (and root impersonating a tenant)
//! may do everything in their tenant, tenant users what their grants give, root outside
//! tenants only the root operations.
//!
//! Order matters for what a refusal reveals: the catalog is checked to be visible before
//! anything inside it is looked up, and a table or view that is missing is `NotFound` only for
//! callers who could act on it if it existed (`Forbidden` for everyone else), so names a
//! caller cannot see do not leak through 404s.

use pangolin_auth::authz;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, Catalog, Content, ContentKind, Resource, Tier};
use pangolin_core::{ContentId, Error, Kind, NamespaceIdent, Result, TenantId};

use crate::CatalogHandle;

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

/// Reading roles and assignments: tenant admins, and whoever holds `manage-grants` anywhere
/// in the tenant (they grant to roles and assign them within what they manage).
pub(crate) fn require_grant_manager(ctx: &RequestContext) -> Result<TenantId> {
    let tenant = ctx.tenant()?;
    let manages = ctx
        .access
        .effective_grants()
        .any(|g| g.action == Action::ManageGrants);
    if is_tenant_admin(ctx) || manages {
        return Ok(tenant);
    }
    Err(Error::Forbidden(
        "this needs a tenant administrator or manage-grants somewhere".into(),
    ))
}

/// `action` on `resource` in the caller's tenant.
pub(crate) fn require(ctx: &RequestContext, action: Action, resource: &Resource) -> Result<()> {
    ctx.tenant()?;
    authz::require(&ctx.access, action, resource)
}

/// Whether `action` on `resource` would be allowed (no error, for choosing between paths).
pub(crate) fn allows(ctx: &RequestContext, action: Action, resource: &Resource) -> bool {
    ctx.tenant_id.is_some() && authz::allows(&ctx.access, action, resource)
}

/// Whether the caller may know a catalog exists: admins always; users when some grant
/// covers the catalog or lies inside it (a grant on one table reveals the catalog leading
/// to it, not its siblings).
pub(crate) fn can_see_catalog(ctx: &RequestContext, catalog: &Catalog) -> bool {
    ctx.tenant_id.is_some() && authz::can_see(&ctx.access, &crate::admin::catalog_resource(catalog))
}

/// [`can_see_catalog`] as a `Result`: every operation inside a catalog starts here.
pub(crate) fn require_visible(ctx: &RequestContext, catalog: &Catalog) -> Result<()> {
    ctx.tenant()?;
    if can_see_catalog(ctx, catalog) {
        return Ok(());
    }
    Err(Error::Forbidden(format!(
        "'{}' has no access to catalog '{}'",
        ctx.principal.name, catalog.name
    )))
}

/// `action` on the content a lookup returned. A lookup that found no such table or view is
/// `NotFound` only for callers allowed `action` on its namespace; anyone else learns nothing
/// and gets `Forbidden`.
pub(crate) fn require_found(
    ctx: &RequestContext,
    action: Action,
    handle: &CatalogHandle,
    namespace: &NamespaceIdent,
    found: Result<Content>,
) -> Result<Content> {
    match found {
        Ok(content) => {
            require(ctx, action, &handle.content_resource(&content))?;
            Ok(content)
        }
        Err(
            e @ Error::NotFound {
                kind: Kind::Table | Kind::View,
                ..
            },
        ) => {
            require(ctx, action, &handle.namespace_resource(namespace))?;
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// The resources of a catalog's objects, filled in from the outside in so that a grant on
/// any enclosing level is found to cover them.
impl CatalogHandle {
    pub(crate) fn resource(&self) -> Resource {
        Resource {
            warehouse: Some(self.warehouse.id),
            catalog: Some(self.catalog.id),
            ..Resource::default()
        }
    }

    pub(crate) fn namespace_resource(&self, namespace: &NamespaceIdent) -> Resource {
        Resource {
            namespace: Some(namespace.clone()),
            ..self.resource()
        }
    }

    /// Where a new namespace is created: inside its parent, or the catalog for a top level.
    pub(crate) fn parent_resource(&self, namespace: &NamespaceIdent) -> Resource {
        match namespace.parent() {
            Some(parent) => self.namespace_resource(&parent),
            None => self.resource(),
        }
    }

    pub(crate) fn content_resource(&self, content: &Content) -> Resource {
        self.placed_content(&content.ident.namespace, content.kind, content.content_id)
    }

    pub(crate) fn placed_content(
        &self,
        namespace: &NamespaceIdent,
        kind: ContentKind,
        content_id: ContentId,
    ) -> Resource {
        Resource {
            content: Some((kind, content_id)),
            ..self.namespace_resource(namespace)
        }
    }
}
