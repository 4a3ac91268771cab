//! Lists show what the caller may see, and nothing else: a namespace, table or view is listed
//! when a grant is on it, inside it or covers it. Lists are filtered, not refused, once the
//! caller may see the level being listed (the catalog, or the parent namespace).

use std::collections::HashMap;

use pangolin_auth::authz::{Placement, Visibility};
use pangolin_core::context::RequestContext;
use pangolin_core::model::Scope;
use pangolin_core::{ContentId, Error, NamespaceIdent, Result};

use crate::branches::main;
use crate::{Services, Target, Version};

impl Services {
    /// The caller's list filter inside `target`'s catalog. Grants name tables and views by
    /// content id; to let such a grant reveal the namespaces leading to its table, it is placed
    /// where the table is on the addressed reference (`main` for a commit): one indexed store
    /// read per table or view grant in this catalog, and none for administrators or callers
    /// without such grants.
    pub(crate) async fn visibility(
        &self,
        ctx: &RequestContext,
        target: &Target,
    ) -> Result<Visibility> {
        let handle = &target.handle;
        let catalog = handle.catalog.id;
        let reference = match &target.version {
            Version::Branch(r) | Version::Tag(r) => r.clone(),
            Version::Commit(_) => main(),
        };
        let mut placed: HashMap<ContentId, NamespaceIdent> = HashMap::new();
        if !ctx.access.is_tenant_admin() {
            for grant in ctx.access.effective_grants() {
                let Some(content) = content_in(&grant.scope, catalog) else {
                    continue;
                };
                if placed.contains_key(&content) {
                    continue;
                }
                if let Some(found) = self
                    .store()
                    .find_content(catalog, &reference, content)
                    .await?
                {
                    placed.insert(content, found.ident.namespace);
                }
            }
        }
        let warehouse = handle.warehouse.id;
        Ok(Visibility::placed(&ctx.access, |scope| Placement {
            warehouse: (scope.catalog() == Some(catalog)).then_some(warehouse),
            namespace: content_in(scope, catalog).and_then(|c| placed.get(&c).cloned()),
        }))
    }

    /// The filter for listing inside `namespace` (or the catalog's top level), refusing a
    /// namespace the caller cannot see at all (so lists do not reveal which namespaces exist).
    pub(crate) async fn visibility_inside(
        &self,
        ctx: &RequestContext,
        target: &Target,
        namespace: Option<&NamespaceIdent>,
    ) -> Result<Visibility> {
        let visible = self.visibility(ctx, target).await?;
        if let Some(ns) = namespace
            && !visible.can_see(&target.handle.namespace_resource(ns))
        {
            return Err(Error::Forbidden(format!(
                "'{}' has no access to namespace {ns}",
                ctx.principal.name
            )));
        }
        Ok(visible)
    }
}

/// The content a table or view scope names, when it lies in `catalog`.
fn content_in(scope: &Scope, catalog: pangolin_core::CatalogId) -> Option<ContentId> {
    match scope {
        Scope::Table {
            catalog: c,
            content,
        }
        | Scope::View {
            catalog: c,
            content,
        } if *c == catalog => Some(*content),
        _ => None,
    }
}
