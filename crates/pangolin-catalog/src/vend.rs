//! Which storage access a caller may be given for a table's files (credential vending and
//! remote signing). The one place this is decided; delegation code asks here and gives
//! nothing when the answer is `None`.
//!
//! - Nothing without `read` on the table: storage credentials are never a way around
//!   metadata authorization.
//! - Read-write with `vend-write` on the table, on a branch only (tags and commits are
//!   immutable, so they get read-only credentials even then).
//! - Read-only with `vend-read` (which `vend-write` implies).
//!
//! Tenant admins hold every action, so they get read-write on branches.

use pangolin_core::context::RequestContext;
use pangolin_core::model::{Action, Resource};

use crate::{Version, guard};

pub use pangolin_storage::VendMode;

/// The storage access `ctx` may get for `table` (a table resource: catalog, namespace and
/// content id) at `version`; `None`: no credentials at all.
pub fn vend_mode(ctx: &RequestContext, version: &Version, table: &Resource) -> Option<VendMode> {
    if !guard::allows(ctx, Action::Read, table) {
        return None;
    }
    let writable = matches!(version, Version::Branch(_));
    if writable && guard::allows(ctx, Action::VendWrite, table) {
        return Some(VendMode::ReadWrite);
    }
    guard::allows(ctx, Action::VendRead, table).then_some(VendMode::Read)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use pangolin_core::model::{Access, ContentKind, Grant, Grantee, Scope, Tier};
    use pangolin_core::{
        CatalogId, ContentId, GrantId, Name, NamespaceIdent, TenantId, UserId, WarehouseId,
    };

    use super::*;

    struct World {
        tenant: TenantId,
        catalog: CatalogId,
        table: Resource,
    }

    fn world() -> World {
        let catalog = CatalogId::generate();
        let table = Resource {
            warehouse: Some(WarehouseId::generate()),
            catalog: Some(catalog),
            namespace: Some(NamespaceIdent::from_strs(&["db"]).unwrap()),
            content: Some((ContentKind::Table, ContentId::generate())),
        };
        World {
            tenant: TenantId::generate(),
            catalog,
            table,
        }
    }

    fn user(w: &World, actions: &[Action]) -> RequestContext {
        let (_, content) = w.table.content.unwrap();
        let grants = actions
            .iter()
            .map(|action| Grant {
                id: GrantId::generate(),
                tenant_id: w.tenant,
                grantee: Grantee::User(UserId::generate()),
                action: *action,
                scope: Scope::Table {
                    catalog: w.catalog,
                    content,
                },
                granted_by: "test".into(),
                created_at: pangolin_core::now(),
            })
            .collect();
        let mut ctx = RequestContext::system(w.tenant);
        ctx.access = Arc::new(Access::new(Tier::TenantUser, Some(w.tenant), grants));
        ctx
    }

    fn branch() -> Version {
        Version::Branch(Name::new("main").unwrap())
    }

    #[test]
    fn nothing_is_vended_without_read() {
        let w = world();
        for held in [
            vec![],
            vec![Action::VendRead],
            vec![Action::VendWrite],
            vec![Action::VendWrite, Action::Create, Action::Delete],
        ] {
            let ctx = user(&w, &held);
            assert_eq!(vend_mode(&ctx, &branch(), &w.table), None, "{held:?}");
        }
    }

    #[test]
    fn vend_grants_decide_the_mode() {
        let w = world();
        let read_only = user(&w, &[Action::Read, Action::VendRead]);
        assert_eq!(
            vend_mode(&read_only, &branch(), &w.table),
            Some(VendMode::Read)
        );
        let writer = user(&w, &[Action::Write, Action::VendWrite]);
        assert_eq!(
            vend_mode(&writer, &branch(), &w.table),
            Some(VendMode::ReadWrite)
        );
        // Metadata rights alone vend nothing: vending is granted separately.
        let metadata_only = user(&w, &[Action::Write]);
        assert_eq!(vend_mode(&metadata_only, &branch(), &w.table), None);
    }

    #[test]
    fn immutable_versions_get_read_only_credentials() {
        let w = world();
        let writer = user(&w, &[Action::Read, Action::VendWrite]);
        let tag = Version::Tag(Name::new("v1").unwrap());
        assert_eq!(vend_mode(&writer, &tag, &w.table), Some(VendMode::Read));
        let commit = Version::Commit(pangolin_core::CommitId::generate());
        assert_eq!(vend_mode(&writer, &commit, &w.table), Some(VendMode::Read));
    }

    #[test]
    fn admins_get_read_write_on_branches_and_grants_elsewhere_do_not_count() {
        let w = world();
        let admin = RequestContext::system(w.tenant);
        assert_eq!(
            vend_mode(&admin, &branch(), &w.table),
            Some(VendMode::ReadWrite)
        );
        let other = world();
        let elsewhere = user(&other, &[Action::Read, Action::VendWrite]);
        assert_eq!(vend_mode(&elsewhere, &branch(), &w.table), None);
    }
}
