//! Which objects a principal may *see* in lists: those it can act on, and those that lead to
//! them (a grant on one table shows its namespaces, catalog and warehouse, never its siblings).

use pangolin_core::model::{ContentKind, Grant, Resource, Scope};
use pangolin_core::{NamespaceIdent, WarehouseId};

use super::Access;

/// Where a grant's scope sits, as far as the caller resolved it. Scopes name catalogs and
/// tables by id only, so "does this scope lie inside warehouse W / namespace N" needs the
/// warehouse of the scope's catalog and, for a table or view, its namespace (on the branch
/// being listed; a rename moves it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement {
    pub warehouse: Option<WarehouseId>,
    /// The namespace of a table or view scope; ignored for other scopes.
    pub namespace: Option<NamespaceIdent>,
}

impl Placement {
    /// The most specific resource `scope` names, placed.
    pub fn resource_of(&self, scope: &Scope) -> Resource {
        let mut r = scope.as_resource(self.warehouse);
        if matches!(scope, Scope::Table { .. } | Scope::View { .. }) {
            r.namespace = self.namespace.clone();
        }
        r
    }
}

/// A list filter built once per request: [`Visibility::can_see`] then costs O(grants) per item.
#[derive(Debug, Clone)]
pub struct Visibility {
    view: View,
}

#[derive(Debug, Clone)]
enum View {
    Nothing,
    Everything,
    /// Each counting grant's scope and the placed resource it names.
    Grants(Vec<(Scope, Resource)>),
}

impl Visibility {
    /// A filter without placements: a table or view grant then shows its catalog, but neither
    /// its namespaces nor its warehouse (use [`Visibility::placed`] to list those).
    pub fn new(access: &Access) -> Self {
        Visibility::placed(access, |_| Placement::default())
    }

    /// A filter whose grants are placed by `place`, called once per grant on a catalog or
    /// something inside one.
    pub fn placed(access: &Access, mut place: impl FnMut(&Scope) -> Placement) -> Self {
        if access.is_tenant_admin() {
            return Visibility {
                view: View::Everything,
            };
        }
        let grants: Vec<&Grant> = access.effective_grants().collect();
        if grants.is_empty() {
            return Visibility {
                view: View::Nothing,
            };
        }
        if grants.iter().any(|g| g.scope == Scope::Tenant) {
            return Visibility {
                view: View::Everything,
            };
        }
        let placed = grants
            .into_iter()
            .map(|g| {
                let at = match g.scope.catalog() {
                    Some(_) => place(&g.scope).resource_of(&g.scope),
                    None => g.scope.as_resource(None),
                };
                (g.scope.clone(), at)
            })
            .collect();
        Visibility {
            view: View::Grants(placed),
        }
    }

    /// Whether some grant is on `resource`, inside it, or covers it.
    pub fn can_see(&self, resource: &Resource) -> bool {
        match &self.view {
            View::Nothing => false,
            View::Everything => true,
            View::Grants(grants) => grants
                .iter()
                .any(|(scope, at)| scope.covers(resource) || contains(resource, at)),
        }
    }
}

/// Whether `access` may see `resource` in a list (see [`Visibility::new`] for what an unplaced
/// check cannot know). For a whole list, build one [`Visibility`] instead. Allocation-free
/// apart from the resource a namespace grant names: every request into a catalog asks this.
pub fn can_see(access: &Access, resource: &Resource) -> bool {
    access.is_tenant_admin()
        || access
            .effective_grants()
            .any(|g| g.scope.covers(resource) || scope_within(resource, &g.scope))
}

/// [`contains`]`(outer, &scope.as_resource(None))`, without building the resource.
fn scope_within(outer: &Resource, scope: &Scope) -> bool {
    let content = match scope {
        Scope::Table { content, .. } => Some((ContentKind::Table, *content)),
        Scope::View { content, .. } => Some((ContentKind::View, *content)),
        _ => None,
    };
    if let Some(wanted) = outer.content {
        return outer.catalog.is_some()
            && scope.catalog() == outer.catalog
            && content == Some(wanted);
    }
    if let Some(ns) = &outer.namespace {
        return match scope {
            Scope::Namespace { catalog, namespace } => {
                outer.catalog == Some(*catalog) && namespace.is_within(ns)
            }
            _ => false,
        };
    }
    if let Some(catalog) = outer.catalog {
        return scope.catalog() == Some(catalog);
    }
    if let Some(warehouse) = outer.warehouse {
        return *scope == Scope::Warehouse { warehouse };
    }
    true
}

/// Whether `inner` lies inside (or is) `outer`, judged at `outer`'s most specific level, the
/// way [`Scope::covers`] judges a scope.
fn contains(outer: &Resource, inner: &Resource) -> bool {
    if let Some(content) = outer.content {
        return outer.catalog.is_some()
            && inner.catalog == outer.catalog
            && inner.content == Some(content);
    }
    if let Some(ns) = &outer.namespace {
        return outer.catalog.is_some()
            && inner.catalog == outer.catalog
            && inner.namespace.as_ref().is_some_and(|n| n.is_within(ns));
    }
    if let Some(catalog) = outer.catalog {
        return inner.catalog == Some(catalog);
    }
    if let Some(warehouse) = outer.warehouse {
        return inner.warehouse == Some(warehouse);
    }
    true
}

#[cfg(test)]
mod tests {
    use pangolin_core::{CatalogId, ContentId};

    use super::*;

    #[test]
    fn scope_within_is_contains_of_the_unplaced_scope() {
        let (c, other_c) = (CatalogId::generate(), CatalogId::generate());
        let (w, t) = (WarehouseId::generate(), ContentId::generate());
        let ns = |levels: &[&str]| NamespaceIdent::from_strs(levels).unwrap();
        let scopes = [
            Scope::Tenant,
            Scope::Warehouse { warehouse: w },
            Scope::Catalog { catalog: c },
            Scope::Catalog { catalog: other_c },
            Scope::Namespace {
                catalog: c,
                namespace: ns(&["a"]),
            },
            Scope::Namespace {
                catalog: c,
                namespace: ns(&["a", "b"]),
            },
            Scope::Namespace {
                catalog: other_c,
                namespace: ns(&["a"]),
            },
            Scope::Table {
                catalog: c,
                content: t,
            },
            Scope::View {
                catalog: c,
                content: t,
            },
            Scope::Table {
                catalog: c,
                content: ContentId::generate(),
            },
        ];
        let resources: Vec<Resource> = scopes
            .iter()
            .flat_map(|s| [s.as_resource(None), s.as_resource(Some(w))])
            .chain([Resource::default()])
            .collect();
        for outer in &resources {
            for scope in &scopes {
                assert_eq!(
                    scope_within(outer, scope),
                    contains(outer, &scope.as_resource(None)),
                    "{scope:?} in {outer:?}"
                );
            }
        }
    }
}
