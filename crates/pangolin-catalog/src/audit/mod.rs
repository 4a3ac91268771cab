//! The audit log as a service: reading it (filtered, paginated, counted) and verifying its
//! hash chains. Only root reads every tenant's log; everyone else reads their own tenant's,
//! with `read-audit` on the tenant ([`reach`]).
//!
//! Records are written by the store with the mutations they describe and sealed into chains
//! afterwards ([`seal_pending`], which the server runs about every second and verification
//! runs first), so verification covers everything written until it starts.

mod reach;
mod verify;

#[cfg(test)]
mod tests;

use pangolin_core::audit::{AuditEvent, AuditResult};
use pangolin_core::context::RequestContext;
use pangolin_core::{Error, Name, Page, PageRequest, Result, TenantId, Timestamp};
use pangolin_store::AuditFilter;
use serde::Serialize;

pub use verify::{
    AuditProblem, AuditVerification, ProblemKind, all_chains, seal_pending, verify_chain,
};

use crate::Services;
use reach::Reach;

/// Which events to read. Every field that is set must match; `tenant` (a tenant's name) is
/// root's choice only, everyone else reads their own tenant's events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub tenant: Option<Name>,
    pub principal: Option<String>,
    pub action: Option<String>,
    pub resource: Option<String>,
    pub result: Option<AuditResult>,
    /// Inclusive.
    pub since: Option<Timestamp>,
    /// Exclusive.
    pub until: Option<Timestamp>,
}

/// The outcome of verifying one chain or all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct AuditReport {
    /// Whether every chain verified.
    pub ok: bool,
    pub chains: Vec<AuditVerification>,
}

impl Services {
    /// Matching events, newest first.
    pub async fn list_audit(
        &self,
        ctx: &RequestContext,
        query: &AuditQuery,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>> {
        let filter = self.audit_filter(ctx, query).await?;
        self.store().list_audit(&filter, page).await
    }

    /// How many events match, over all pages.
    pub async fn count_audit(&self, ctx: &RequestContext, query: &AuditQuery) -> Result<u64> {
        let filter = self.audit_filter(ctx, query).await?;
        self.store().count_audit(&filter).await
    }

    /// Seals what is pending, then verifies the caller's tenant's chain; root verifies the
    /// chain of `tenant`, or every chain when none is named. The verification itself is
    /// recorded (`audit.verify`), with its outcome.
    pub async fn verify_audit(
        &self,
        ctx: &RequestContext,
        tenant: Option<&Name>,
    ) -> Result<AuditReport> {
        // `None`: every chain (root only).
        let chosen = match (self.audit_reach(ctx).await?, tenant) {
            (Reach::Tenant(own), None) => Some(own),
            (Reach::Tenant(_), Some(_)) => return Err(only_root_chooses()),
            (Reach::Everything, Some(name)) => {
                Some(self.store().get_tenant_by_name(name).await?.id)
            }
            (Reach::Everything, None) => None,
        };
        seal_pending(self.store()).await?;
        let chains = match chosen {
            Some(tenant) => vec![Some(tenant)],
            None => all_chains(self.store()).await?,
        };
        let mut report = AuditReport {
            ok: true,
            chains: Vec::with_capacity(chains.len()),
        };
        for chain in chains {
            let verification = verify_chain(self.store(), chain).await?;
            report.ok &= verification.ok;
            report.chains.push(verification);
        }
        self.record_verification(ctx, chosen, &report).await?;
        Ok(report)
    }

    /// Records who verified what, and the outcome, in the verified tenant's log (root
    /// verifying every chain acts outside any tenant).
    async fn record_verification(
        &self,
        ctx: &RequestContext,
        tenant: Option<TenantId>,
        report: &AuditReport,
    ) -> Result<()> {
        let mut event = ctx.audit("audit.verify", "audit", AuditResult::Success);
        event.tenant_id = tenant;
        let problems: u64 = report.chains.iter().map(|c| c.problem_count).sum();
        event.summary = serde_json::json!({
            "ok": report.ok,
            "chains": report.chains.len(),
            "problems": problems,
        });
        self.store().append_audit(&[event]).await
    }

    /// The store filter for `query` as the caller may see it.
    async fn audit_filter(&self, ctx: &RequestContext, query: &AuditQuery) -> Result<AuditFilter> {
        let tenant = match (self.audit_reach(ctx).await?, &query.tenant) {
            (Reach::Tenant(own), None) => Some(own),
            (Reach::Tenant(_), Some(_)) => return Err(only_root_chooses()),
            (Reach::Everything, Some(name)) => {
                Some(self.store().get_tenant_by_name(name).await?.id)
            }
            (Reach::Everything, None) => None,
        };
        Ok(AuditFilter {
            tenant,
            principal: query.principal.clone(),
            action: query.action.clone(),
            resource: query.resource.clone(),
            result: query.result,
            since: query.since,
            until: query.until,
        })
    }
}

fn only_root_chooses() -> Error {
    Error::Forbidden("only root may choose the tenant of the audit log to read".into())
}
