//! Namespace operations. Namespaces are catalog-wide: every branch sees the same ones.
//!
//! Authorization: listing shows the namespaces the caller can see; create needs `create` on
//! the parent (the catalog for a top-level namespace), load `read`, property updates `write`
//! and drop `delete` on the namespace. The resource is known from the path, so the check comes
//! before the store is asked whether the namespace exists.

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, Namespace, PropertiesUpdate};
use pangolin_core::{Error, NamespaceIdent, Page, PageRequest, Properties, Result};
use pangolin_storage::location;

use crate::{Prefix, Services, Target, guard};

/// The namespace property that sets where its tables live by default.
pub const LOCATION_PROPERTY: &str = "location";

impl Services {
    pub async fn list_namespaces(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        parent: Option<&NamespaceIdent>,
        page: &PageRequest,
    ) -> Result<Page<NamespaceIdent>> {
        let target = self.resolve(ctx, prefix).await?;
        let visible = self.visibility_inside(ctx, &target, parent).await?;
        let page = self
            .store()
            .list_namespaces(target.catalog_id(), parent, page)
            .await?;
        let handle = &target.handle;
        Ok(page
            .filter(|ns| visible.can_see(&handle.namespace_resource(&ns.ident)))
            .map(|ns| ns.ident))
    }

    pub async fn create_namespace(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        ident: NamespaceIdent,
        properties: Properties,
    ) -> Result<Namespace> {
        let target = self.resolve(ctx, prefix).await?;
        guard::require(ctx, Action::Create, &target.handle.parent_resource(&ident))?;
        target.require_writable()?;
        check_location_property(&target, &properties)?;
        let namespace = Namespace::new(target.catalog_id(), ident, properties);
        let audit = ctx
            .audit(
                "namespace.create",
                target.resource("namespace", &namespace.ident),
                AuditResult::Success,
            )
            .with_summary(serde_json::json!({ "properties": namespace.properties }));
        self.store().create_namespace(&namespace, &[audit]).await?;
        Ok(namespace)
    }

    pub async fn load_namespace(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        ident: &NamespaceIdent,
    ) -> Result<Namespace> {
        let target = self.resolve(ctx, prefix).await?;
        guard::require(ctx, Action::Read, &target.handle.namespace_resource(ident))?;
        self.store().get_namespace(target.catalog_id(), ident).await
    }

    pub async fn drop_namespace(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        ident: &NamespaceIdent,
    ) -> Result<()> {
        let target = self.resolve(ctx, prefix).await?;
        guard::require(
            ctx,
            Action::Delete,
            &target.handle.namespace_resource(ident),
        )?;
        target.require_writable()?;
        let audit = ctx.audit(
            "namespace.drop",
            target.resource("namespace", ident),
            AuditResult::Success,
        );
        self.store()
            .drop_namespace(target.catalog_id(), ident, &[audit])
            .await
    }

    pub async fn update_namespace_properties(
        &self,
        ctx: &RequestContext,
        prefix: &Prefix,
        ident: &NamespaceIdent,
        updates: Properties,
        removals: Vec<String>,
    ) -> Result<PropertiesUpdate> {
        let target = self.resolve(ctx, prefix).await?;
        guard::require(ctx, Action::Write, &target.handle.namespace_resource(ident))?;
        target.require_writable()?;
        check_location_property(&target, &updates)?;
        let audit = ctx
            .audit(
                "namespace.update-properties",
                target.resource("namespace", ident),
                AuditResult::Success,
            )
            .with_summary(serde_json::json!({ "updates": updates, "removals": removals }));
        self.store()
            .update_namespace_properties(target.catalog_id(), ident, &updates, &removals, &[audit])
            .await
    }
}

/// A namespace location must lie inside the catalog's warehouse: tables inherit it.
fn check_location_property(target: &Target, properties: &Properties) -> Result<()> {
    let Some(loc) = properties.get(LOCATION_PROPERTY) else {
        return Ok(());
    };
    let loc = location::normalize(loc)?;
    if !target.io().contains(&loc) {
        return Err(Error::invalid(format!(
            "namespace location {loc} is outside the warehouse {}",
            target.io().base_location()
        )));
    }
    Ok(())
}
