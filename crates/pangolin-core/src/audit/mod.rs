//! Audit records. The store writes them in the same transaction as the mutation they
//! describe, so a successful mutation can never lack its record; a sealer links them into
//! per-tenant hash chains afterwards ([`chain`]), so later edits and deletions show.

mod chain;

pub use chain::{AuditChainHead, GENESIS_HASH, SealedAuditEvent, canonical_json, chain_hash};

use serde::{Deserialize, Serialize};

use crate::{AuditId, TenantId, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditResult {
    Success,
    Failure,
    Denied,
}

impl AuditResult {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditResult::Success => "success",
            AuditResult::Failure => "failure",
            AuditResult::Denied => "denied",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "success" => Some(AuditResult::Success),
            "failure" => Some(AuditResult::Failure),
            "denied" => Some(AuditResult::Denied),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AuditEvent {
    pub id: AuditId,
    pub time: Timestamp,
    /// `None` for events outside any tenant (e.g. root managing tenants).
    pub tenant_id: Option<TenantId>,
    pub principal: String,
    /// What was attempted, e.g. `table.commit`.
    pub action: String,
    /// What it was attempted on, e.g. `catalog/sales/table/db.orders`.
    pub resource: String,
    pub result: AuditResult,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    /// What changed, as a small JSON document; never secrets.
    pub summary: serde_json::Value,
}

impl AuditEvent {
    pub fn new(
        tenant_id: Option<TenantId>,
        principal: impl Into<String>,
        action: impl Into<String>,
        resource: impl Into<String>,
        result: AuditResult,
    ) -> Self {
        AuditEvent {
            id: AuditId::generate(),
            time: crate::now(),
            tenant_id,
            principal: principal.into(),
            action: action.into(),
            resource: resource.into(),
            result,
            request_id: None,
            client_addr: None,
            user_agent: None,
            summary: serde_json::Value::Null,
        }
    }

    /// Adds what changed. Keys already set (e.g. the impersonation flag the context adds)
    /// are kept unless `summary` sets them too; a non-object summary replaces everything.
    pub fn with_summary(mut self, summary: serde_json::Value) -> Self {
        match (&mut self.summary, summary) {
            (serde_json::Value::Object(current), serde_json::Value::Object(new)) => {
                current.extend(new);
            }
            (_, summary) => self.summary = summary,
        }
        self
    }
}
