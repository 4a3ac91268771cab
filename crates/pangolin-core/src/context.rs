//! Who is asking and how: built once per request by the HTTP middleware, passed by reference
//! into every service call, and the source of every audit record's who/where.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::audit::{AuditEvent, AuditResult};
use crate::model::{Access, Tier};
use crate::{Error, Result, TenantId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrincipalKind {
    /// No credentials; only possible where authentication is off (loopback development).
    Anonymous,
    User,
    ServiceUser,
    Root,
    /// The server itself (bootstrap, maintenance).
    System,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub id: String,
    pub name: String,
    pub kind: PrincipalKind,
    /// What the principal may do before grants are consulted.
    pub tier: Tier,
}

impl Principal {
    /// The caller of a server without authentication (loopback development only): it
    /// administers the development tenant.
    pub fn anonymous() -> Self {
        Principal {
            id: "anonymous".into(),
            name: "anonymous".into(),
            kind: PrincipalKind::Anonymous,
            tier: Tier::TenantAdmin,
        }
    }

    pub fn system() -> Self {
        Principal {
            id: "system".into(),
            name: "system".into(),
            kind: PrincipalKind::System,
            tier: Tier::TenantAdmin,
        }
    }
}

/// Which delegated storage access the client said it can use (`X-Iceberg-Access-Delegation`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccessDelegation {
    pub vended_credentials: bool,
    pub remote_signing: bool,
}

impl AccessDelegation {
    /// Parses the header's comma-separated list; unknown mechanisms are ignored, never an error.
    pub fn parse(header: &str) -> Self {
        let mut d = AccessDelegation::default();
        for mechanism in header.split(',').map(str::trim) {
            match mechanism {
                "vended-credentials" => d.vended_credentials = true,
                "remote-signing" => d.remote_signing = true,
                _ => {}
            }
        }
        d
    }

    /// Whether the client asked for any delegated access.
    pub fn is_requested(&self) -> bool {
        self.vended_credentials || self.remote_signing
    }
}

#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    /// The tenant the request acts in: the principal's own, or for root the one named by
    /// `X-Pangolin-Tenant` (impersonation). `None` only for root acting outside tenants.
    pub tenant_id: Option<TenantId>,
    pub principal: Principal,
    /// Root acting inside a tenant; every such request is audited as impersonation.
    pub impersonating: bool,
    /// What the principal may do in `tenant_id` (its tier there and the grants that apply
    /// to it directly or through roles and groups), loaded once per request by
    /// authentication. Root impersonating a tenant holds a tenant-admin access to it.
    pub access: Arc<Access>,
    /// Groups asserted by an external identity provider for this request.
    pub groups: Arc<[String]>,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    pub delegation: AccessDelegation,
    /// From the `Pangolin-Commit-Message` header; recorded on catalog commits.
    pub commit_message: Option<String>,
}

impl RequestContext {
    /// A context for work the server does on its own behalf.
    pub fn system(tenant_id: TenantId) -> Self {
        RequestContext {
            request_id: uuid::Uuid::now_v7().to_string(),
            tenant_id: Some(tenant_id),
            principal: Principal::system(),
            impersonating: false,
            access: Arc::new(Access::new(Tier::TenantAdmin, Some(tenant_id), Vec::new())),
            groups: Arc::from([]),
            client_addr: None,
            user_agent: None,
            delegation: AccessDelegation::default(),
            commit_message: None,
        }
    }

    /// Work the server does outside any tenant (signing keys, root bootstrap).
    pub fn system_wide() -> Self {
        let mut ctx = RequestContext::system(TenantId::from_uuid(uuid::Uuid::nil()));
        ctx.tenant_id = None;
        ctx.access = Arc::new(Access::new(Tier::Root, None, Vec::new()));
        ctx
    }

    /// A request before authentication (login, token endpoints): it may do nothing, but it
    /// carries what audit records need.
    pub fn unauthenticated(
        request_id: String,
        client_addr: Option<String>,
        user_agent: Option<String>,
    ) -> Self {
        RequestContext {
            request_id,
            tenant_id: None,
            principal: Principal {
                id: "anonymous".into(),
                name: "anonymous".into(),
                kind: PrincipalKind::Anonymous,
                tier: Tier::TenantUser,
            },
            client_addr,
            user_agent,
            impersonating: false,
            access: Arc::new(Access::new(Tier::TenantUser, None, Vec::new())),
            groups: Arc::from([]),
            delegation: AccessDelegation::default(),
            commit_message: None,
        }
    }

    /// The tenant the request acts in. Root outside a tenant gets a clear 403 naming the
    /// header that selects one.
    pub fn tenant(&self) -> Result<TenantId> {
        self.tenant_id.ok_or_else(|| {
            Error::Forbidden(
                "root acts inside a tenant only when the X-Pangolin-Tenant header names it".into(),
            )
        })
    }

    /// An audit record of `action` on `resource` by this request's principal.
    pub fn audit(
        &self,
        action: &str,
        resource: impl Into<String>,
        result: AuditResult,
    ) -> AuditEvent {
        let mut e = AuditEvent::new(self.tenant_id, &self.principal.id, action, resource, result);
        e.request_id = Some(self.request_id.clone());
        e.client_addr = self.client_addr.clone();
        e.user_agent = self.user_agent.clone();
        if self.impersonating {
            e.summary = serde_json::json!({ "impersonation": true });
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delegation_header_is_tolerant() {
        let d = AccessDelegation::parse("vended-credentials, remote-signing");
        assert!(d.vended_credentials && d.remote_signing);
        assert_eq!(
            AccessDelegation::parse("bogus,,"),
            AccessDelegation::default()
        );
    }

    #[test]
    fn audit_events_carry_request_metadata() {
        let mut ctx = RequestContext::system(TenantId::generate());
        ctx.client_addr = Some("127.0.0.1".into());
        let e = ctx.audit("table.create", "catalog/c/table/a.t", AuditResult::Success);
        assert_eq!(e.tenant_id, ctx.tenant_id);
        assert_eq!(e.request_id.as_deref(), Some(ctx.request_id.as_str()));
        assert_eq!(e.client_addr.as_deref(), Some("127.0.0.1"));
        assert_eq!(e.principal, "system");
    }
}
