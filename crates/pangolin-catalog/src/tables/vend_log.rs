//! Every hand-out of storage access is on the record: who got which access (read or
//! read-write; vended credentials or remote signing) to which table, and until when.
//!
//! A client that reloads a table gets the same cached credential again; that is recorded
//! once per principal and credential. Remote signing (a configuration in the load result,
//! then one signing request per object the client touches) is recorded once per principal,
//! table and mode per window. So reloads and scans cost no store write, and each principal's
//! access to each table's files still appears in the log.

use std::time::{Duration, Instant};

use pangolin_core::audit::AuditResult;
use pangolin_core::context::RequestContext;
use pangolin_core::{Result, TableIdent, Timestamp};
use pangolin_storage::VendMode;
use quick_cache::sync::Cache;
use serde_json::json;

use crate::{Services, Target};

/// How long a remote-signing record covers further signing by the same principal.
const SIGNING_WINDOW: Duration = Duration::from_secs(300);
const REMEMBERED: usize = 100_000;

/// How the access was handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mechanism {
    VendedCredentials,
    RemoteSigning,
}

impl Mechanism {
    fn as_str(self) -> &'static str {
        match self {
            Mechanism::VendedCredentials => "vended-credentials",
            Mechanism::RemoteSigning => "remote-signing",
        }
    }
}

/// The hand-outs already on record, with when they were recorded.
pub(crate) struct VendLog {
    recorded: Cache<String, Instant>,
}

impl Default for VendLog {
    fn default() -> Self {
        VendLog {
            recorded: crate::bounded::bounded_cache(REMEMBERED),
        }
    }
}

/// One hand-out.
pub(crate) struct Vend<'a> {
    pub(crate) ident: &'a TableIdent,
    pub(crate) location: &'a str,
    pub(crate) mode: VendMode,
    pub(crate) mechanism: Mechanism,
    /// When the credential expires (`None`: long-lived keys, or signing).
    pub(crate) expires_at: Option<Timestamp>,
}

impl Services {
    /// Records `vend` unless the same principal already got the same access (see the module
    /// docs). A failed record fails the hand-out: access must never go unrecorded.
    pub(crate) async fn record_vend(
        &self,
        ctx: &RequestContext,
        target: &Target,
        vend: Vend<'_>,
    ) -> Result<()> {
        let key = format!(
            "{}\u{1f}{}\u{1f}{:?}\u{1f}{}\u{1f}{:?}",
            ctx.principal.id,
            vend.location,
            vend.mode,
            vend.mechanism.as_str(),
            vend.expires_at
        );
        let log = &self.inner.vends;
        let fresh = |at: Instant| {
            vend.mechanism != Mechanism::RemoteSigning || at.elapsed() < SIGNING_WINDOW
        };
        if log.recorded.get(&key).is_some_and(fresh) {
            return Ok(());
        }
        let mode = match vend.mode {
            VendMode::Read => "read",
            VendMode::ReadWrite => "read-write",
        };
        let event = ctx
            .audit(
                "table.vend",
                target.resource("table", vend.ident),
                AuditResult::Success,
            )
            .with_summary(json!({
                "mechanism": vend.mechanism.as_str(),
                "mode": mode,
                "location": vend.location,
                "expires-at": vend.expires_at,
            }));
        self.store().append_audit(&[event]).await?;
        log.recorded.insert(key, Instant::now());
        Ok(())
    }
}
