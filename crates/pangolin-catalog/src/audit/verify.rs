//! Verifying audit chains: walk a chain by seq, recompute every hash, follow every link, and
//! compare the end with the head the sealer recorded.

use pangolin_core::audit::{AuditChainHead, GENESIS_HASH, SealedAuditEvent, chain_hash};
use pangolin_core::{AuditId, PageRequest, Result, TenantId};
use pangolin_store::DynStore;
use serde::Serialize;

/// Records read per store call while walking a chain.
const PAGE: usize = 1000;
/// Problems listed per chain; more are only counted (a chain rewritten wholesale would
/// otherwise make a report as large as the chain).
const MAX_LISTED: usize = 1000;
/// How often the walk continues when the head moved on meanwhile (a sealer at work), before
/// the difference is reported.
const CATCH_UPS: usize = 3;

/// What verifying one chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct AuditVerification {
    /// The chain's tenant; `None` for the events outside any tenant.
    pub chain: Option<TenantId>,
    /// The tenant's name, when the tenant still exists.
    pub tenant: Option<String>,
    /// How many sealed records were checked.
    pub checked: u64,
    /// The head the sealer recorded, if any: an operator may note its hash elsewhere, and a
    /// later report that no longer contains it shows a rewritten chain.
    pub head_seq: Option<u64>,
    pub head_hash: Option<String>,
    pub ok: bool,
    /// How many problems were found (only the first thousand are listed).
    pub problem_count: u64,
    pub problems: Vec<AuditProblem>,
}

/// One finding, located by the seq of the record it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct AuditProblem {
    pub seq: u64,
    /// The record's event, when the problem is about a record that is there.
    pub event_id: Option<AuditId>,
    pub problem: ProblemKind,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// The record's hash is not the hash of its content: the event (or its hash) was edited
    /// after sealing.
    ContentChanged,
    /// Seqs are missing before this record: records were deleted.
    RecordsMissing,
    /// The record does not link to the record before it (its `prev_hash` differs from that
    /// one's hash): the record before was replaced or rehashed, or records were removed.
    BrokenLink,
    /// A seq at or below the one before: a record was moved or duplicated.
    OutOfOrder,
    /// The head is past the last record: the end of the chain was cut off.
    TailMissing,
    /// The head does not match the last record (other hash, or records beyond the head), or
    /// a chain with records has no head.
    HeadMismatch,
}

impl ProblemKind {
    /// The name the API and the CLI show.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::ContentChanged => "content-changed",
            ProblemKind::RecordsMissing => "records-missing",
            ProblemKind::BrokenLink => "broken-link",
            ProblemKind::OutOfOrder => "out-of-order",
            ProblemKind::TailMissing => "tail-missing",
            ProblemKind::HeadMismatch => "head-mismatch",
        }
    }
}

/// The walk over one chain's records, in seq order.
#[derive(Debug)]
pub(crate) struct ChainCheck {
    /// The last record seen: (seq, hash).
    last: Option<(u64, String)>,
    checked: u64,
    problem_count: u64,
    problems: Vec<AuditProblem>,
}

impl ChainCheck {
    pub(crate) fn new() -> Self {
        ChainCheck {
            last: None,
            checked: 0,
            problem_count: 0,
            problems: Vec::new(),
        }
    }

    fn last_seq(&self) -> u64 {
        self.last.as_ref().map_or(0, |(seq, _)| *seq)
    }

    fn report(
        &mut self,
        seq: u64,
        event_id: Option<AuditId>,
        problem: ProblemKind,
        detail: String,
    ) {
        self.problem_count += 1;
        if self.problems.len() < MAX_LISTED {
            self.problems.push(AuditProblem {
                seq,
                event_id,
                problem,
                detail,
            });
        }
    }

    /// Checks the next record against its own content and the record before it.
    pub(crate) fn record(&mut self, r: &SealedAuditEvent) {
        self.checked += 1;
        let id = Some(r.event.id);
        let (prev_seq, prev_hash) = match &self.last {
            Some((seq, hash)) => (*seq, hash.clone()),
            None => (0, GENESIS_HASH.to_owned()),
        };
        if r.seq <= prev_seq {
            let detail = format!("seq {} follows seq {prev_seq}", r.seq);
            self.report(r.seq, id, ProblemKind::OutOfOrder, detail);
        } else if r.seq > prev_seq + 1 {
            let detail = match r.seq - prev_seq - 1 {
                1 => format!("record {} is missing", prev_seq + 1),
                _ => format!("records {} to {} are missing", prev_seq + 1, r.seq - 1),
            };
            self.report(r.seq, id, ProblemKind::RecordsMissing, detail);
        }
        if r.prev_hash != prev_hash {
            let detail = format!(
                "links to {} but the record before has hash {prev_hash}",
                r.prev_hash
            );
            self.report(r.seq, id, ProblemKind::BrokenLink, detail);
        }
        let actual = chain_hash(&r.prev_hash, &r.event);
        if actual != r.hash {
            let detail = format!("stored hash {} but the content hashes to {actual}", r.hash);
            self.report(r.seq, id, ProblemKind::ContentChanged, detail);
        }
        self.last = Some((r.seq.max(prev_seq), r.hash.clone()));
    }

    /// Compares the end of the walk with the chain's head.
    pub(crate) fn finish(
        mut self,
        chain: Option<TenantId>,
        head: Option<AuditChainHead>,
    ) -> AuditVerification {
        let last = self.last.clone();
        match (&head, &last) {
            (None, None) => {}
            (None, Some((seq, _))) => {
                let detail = "the chain has sealed records but no head".to_owned();
                self.report(*seq, None, ProblemKind::HeadMismatch, detail);
            }
            (Some(h), None) => {
                let detail = format!("the head is at seq {} but no record is left", h.seq);
                self.report(h.seq, None, ProblemKind::TailMissing, detail);
            }
            (Some(h), Some((seq, hash))) => {
                if h.seq > *seq {
                    let detail = format!("records {} to {} are missing", seq + 1, h.seq);
                    self.report(h.seq, None, ProblemKind::TailMissing, detail);
                } else if h.seq < *seq {
                    let detail = format!("records after the head (seq {}) up to {seq}", h.seq);
                    self.report(*seq, None, ProblemKind::HeadMismatch, detail);
                } else if h.hash != *hash {
                    let detail = format!("the head has hash {} but the record {hash}", h.hash);
                    self.report(h.seq, None, ProblemKind::HeadMismatch, detail);
                }
            }
        }
        AuditVerification {
            chain,
            tenant: None,
            checked: self.checked,
            head_seq: head.as_ref().map(|h| h.seq),
            head_hash: head.map(|h| h.hash),
            ok: self.problem_count == 0,
            problem_count: self.problem_count,
            problems: self.problems,
        }
    }
}

/// Seals every event that is unsealed now, in batches; returns how many. Stops after a
/// bounded number of batches so writers outpacing it cannot keep it busy forever.
pub async fn seal_pending(store: &DynStore) -> Result<u64> {
    const BATCH: usize = 1000;
    const MAX_BATCHES: usize = 1000;
    let mut total = 0;
    for _ in 0..MAX_BATCHES {
        let sealed = store.seal_audit(BATCH).await?;
        total += sealed;
        if sealed < BATCH as u64 {
            break;
        }
    }
    Ok(total)
}

/// Verifies one chain as stored (seal first to include the newest events).
pub async fn verify_chain(store: &DynStore, chain: Option<TenantId>) -> Result<AuditVerification> {
    let mut check = ChainCheck::new();
    let mut catch_ups = 0;
    let head = loop {
        walk(store, chain, &mut check).await?;
        // Read after the walk: every record read was sealed together with a head at least as
        // far. A head further on was moved by a sealer meanwhile (or the tail is gone).
        let head = store.audit_chain_head(chain).await?;
        let behind = head.as_ref().is_some_and(|h| h.seq > check.last_seq());
        if !behind || catch_ups == CATCH_UPS {
            break head;
        }
        catch_ups += 1;
    };
    let mut verification = check.finish(chain, head);
    if let Some(tenant) = chain {
        verification.tenant = store
            .get_tenant(tenant)
            .await
            .ok()
            .map(|t| t.name.to_string());
    }
    Ok(verification)
}

/// Feeds the records after the last one checked into `check`.
async fn walk(store: &DynStore, chain: Option<TenantId>, check: &mut ChainCheck) -> Result<()> {
    loop {
        let after = check.last.as_ref().map(|(seq, _)| *seq);
        let page = store.audit_chain(chain, after, PAGE).await?;
        for r in &page {
            check.record(r);
        }
        if page.len() < PAGE {
            return Ok(());
        }
    }
}

/// Every chain there is: those with a head, and those of existing tenants with sealed
/// records but no head (a deleted head must not hide its chain).
pub async fn all_chains(store: &DynStore) -> Result<Vec<Option<TenantId>>> {
    let mut chains: Vec<Option<TenantId>> = store
        .audit_chain_heads()
        .await?
        .into_iter()
        .map(|h| h.chain)
        .collect();
    let mut candidates = vec![None];
    candidates.extend(
        store
            .list_tenants(&PageRequest::all())
            .await?
            .items
            .into_iter()
            .map(|t| Some(t.id)),
    );
    for candidate in candidates {
        if !chains.contains(&candidate) && !store.audit_chain(candidate, None, 1).await?.is_empty()
        {
            chains.push(candidate);
        }
    }
    chains.sort();
    Ok(chains)
}
