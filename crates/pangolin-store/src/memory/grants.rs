//! Grants in memory: the checks before one is stored, the filtered list and the effective
//! grants of a principal (used by `AccessStore`, see `access.rs`).

use std::collections::HashSet;

use pangolin_core::model::{Assignee, Grant, Grantee, Scope};
use pangolin_core::{Error, Kind, Page, PageRequest, Result, RoleId, TenantId};

use super::State;
use crate::GrantFilter;
use crate::identity_rules::{Principal, grants_after};

impl State {
    /// `NotFound` for a grantee of another tenant (or none).
    pub(super) fn check_grantee(&self, tenant: TenantId, grantee: &Grantee) -> Result<()> {
        let found = match grantee {
            Grantee::User(id) => self
                .users
                .get(id)
                .is_some_and(|u| u.tenant_id == Some(tenant)),
            Grantee::ServiceUser(id) => self
                .service_users
                .get(id)
                .is_some_and(|u| u.tenant_id == tenant),
            Grantee::Role(id) => self.roles.get(id).is_some_and(|r| r.tenant_id == tenant),
        };
        match (found, grantee) {
            (true, _) => Ok(()),
            (false, Grantee::User(id)) => Err(Error::not_found(Kind::User, id)),
            (false, Grantee::ServiceUser(id)) => Err(Error::not_found(Kind::ServiceUser, id)),
            (false, Grantee::Role(id)) => Err(Error::not_found(Kind::Role, id)),
        }
    }

    /// `NotFound` for a scope naming another tenant's (or no) warehouse or catalog.
    fn check_scope(&self, tenant: TenantId, scope: &Scope) -> Result<()> {
        if let Scope::Warehouse { warehouse } = scope {
            let mine = self.warehouses.get(warehouse);
            if mine.is_none_or(|w| w.tenant_id != tenant) {
                return Err(Error::not_found(Kind::Warehouse, warehouse));
            }
        }
        if let Some(catalog) = scope.catalog() {
            let mine = self.catalogs.get(&catalog);
            if mine.is_none_or(|c| c.tenant_id != tenant) {
                return Err(Error::not_found(Kind::Catalog, catalog));
            }
        }
        Ok(())
    }

    /// Everything `create_grant` refuses, in its order: grantee, scope, duplicates.
    pub(super) fn check_new_grant(&self, grant: &Grant) -> Result<()> {
        self.check_grantee(grant.tenant_id, &grant.grantee)?;
        self.check_scope(grant.tenant_id, &grant.scope)?;
        let key = grant.scope.key();
        let duplicate = self.grants.contains_key(&grant.id)
            || self.grants.values().any(|g| {
                g.tenant_id == grant.tenant_id
                    && g.grantee == grant.grantee
                    && g.action == grant.action
                    && g.scope.key() == key
            });
        if duplicate {
            return Err(Error::already_exists(
                Kind::Grant,
                format!("{} on {key}", grant.action),
            ));
        }
        Ok(())
    }

    pub(super) fn list_grants(
        &self,
        tenant: TenantId,
        filter: &GrantFilter,
        page: &PageRequest,
    ) -> Result<Page<Grant>> {
        let after = grants_after(page)?;
        let rows: Vec<Grant> = self
            .grants
            .values()
            .filter(|g| after.is_none_or(|a| g.id > a))
            .filter(|g| g.tenant_id == tenant)
            .filter(|g| filter.grantee.as_ref().is_none_or(|e| &g.grantee == e))
            .filter(|g| filter.scope.as_ref().is_none_or(|s| &g.scope == s))
            .take(page.fetch_limit().unwrap_or(usize::MAX))
            .cloned()
            .collect();
        Ok(Page::from_rows(rows, page, |g| g.id.to_string()))
    }

    pub(super) fn effective_grants(
        &self,
        tenant: TenantId,
        principal: &Grantee,
        groups: &[String],
    ) -> Result<Vec<Grant>> {
        let assignee = Principal::of(principal)?.assignee();
        let holds = |a: &Assignee| match a {
            Assignee::Group(g) => groups.contains(g),
            direct => *direct == assignee,
        };
        let roles: HashSet<RoleId> = self
            .assignments
            .values()
            .filter(|a| a.tenant_id == tenant && holds(&a.assignee))
            .map(|a| a.role_id)
            .collect();
        let applies = |g: &Grant| match &g.grantee {
            Grantee::Role(role) => roles.contains(role),
            direct => direct == principal,
        };
        Ok(self
            .grants
            .values()
            .filter(|g| g.tenant_id == tenant && applies(g))
            .cloned()
            .collect())
    }
}
