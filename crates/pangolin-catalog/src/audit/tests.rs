//! The chain walk on hand-made chains: each kind of damage is named at the right seq.

use pangolin_core::TenantId;
use pangolin_core::audit::{
    AuditChainHead, AuditEvent, AuditResult, GENESIS_HASH, SealedAuditEvent, chain_hash,
};

use super::verify::{AuditVerification, ChainCheck, ProblemKind};

fn chain(n: u64) -> Vec<SealedAuditEvent> {
    let tenant = Some(TenantId::generate());
    let mut prev = GENESIS_HASH.to_owned();
    (1..=n)
        .map(|seq| {
            let event = AuditEvent::new(
                tenant,
                "alice",
                "x",
                format!("r/{seq}"),
                AuditResult::Success,
            );
            let hash = chain_hash(&prev, &event);
            let prev_hash = std::mem::replace(&mut prev, hash.clone());
            SealedAuditEvent {
                event,
                seq,
                prev_hash,
                hash,
            }
        })
        .collect()
}

fn head_of(records: &[SealedAuditEvent]) -> Option<AuditChainHead> {
    records.last().map(|r| AuditChainHead {
        chain: r.event.tenant_id,
        seq: r.seq,
        hash: r.hash.clone(),
    })
}

fn check(records: &[SealedAuditEvent], head: Option<AuditChainHead>) -> AuditVerification {
    let mut check = ChainCheck::new();
    for r in records {
        check.record(r);
    }
    check.finish(None, head)
}

fn kinds(v: &AuditVerification) -> Vec<(u64, ProblemKind)> {
    v.problems.iter().map(|p| (p.seq, p.problem)).collect()
}

#[test]
fn an_intact_chain_verifies() {
    let records = chain(5);
    let v = check(&records, head_of(&records));
    assert!(v.ok, "{v:?}");
    assert_eq!((v.checked, v.head_seq, v.problem_count), (5, Some(5), 0));
    assert!(check(&[], None).ok, "an empty chain is fine");
}

#[test]
fn a_moved_or_duplicated_record_is_out_of_order() {
    let records = chain(4);
    let head = head_of(&records);
    let swapped = [
        records[0].clone(),
        records[2].clone(),
        records[1].clone(),
        records[3].clone(),
    ];
    let v = check(&swapped, head.clone());
    assert!(kinds(&v).contains(&(2, ProblemKind::OutOfOrder)), "{v:?}");
    let doubled = [
        records[0].clone(),
        records[1].clone(),
        records[1].clone(),
        records[2].clone(),
        records[3].clone(),
    ];
    let v = check(&doubled, head);
    assert!(kinds(&v).contains(&(2, ProblemKind::OutOfOrder)), "{v:?}");
}

#[test]
fn a_chain_that_does_not_start_at_genesis_is_missing_its_start() {
    let records = chain(4);
    let v = check(&records[2..], head_of(&records));
    assert_eq!(
        kinds(&v),
        [
            (3, ProblemKind::RecordsMissing),
            (3, ProblemKind::BrokenLink)
        ]
    );
}

#[test]
fn records_beyond_the_head_or_without_one_do_not_match_it() {
    let records = chain(3);
    let v = check(&records, head_of(&records[..2]));
    assert_eq!(kinds(&v), [(3, ProblemKind::HeadMismatch)]);
    let v = check(&records, None);
    assert_eq!(kinds(&v), [(3, ProblemKind::HeadMismatch)]);
    let v = check(&[], head_of(&records));
    assert_eq!(kinds(&v), [(3, ProblemKind::TailMissing)]);
}

#[test]
fn a_wholesale_rewrite_lists_a_bounded_number_of_problems() {
    let mut records = chain(1500);
    for r in &mut records {
        r.event.principal = "mallory".into();
    }
    let v = check(&records, head_of(&records));
    assert_eq!(v.problem_count, 1500);
    assert_eq!(v.problems.len(), 1000);
    assert!(!v.ok);
}

#[test]
fn problem_names_are_their_wire_names() {
    for kind in [
        ProblemKind::ContentChanged,
        ProblemKind::RecordsMissing,
        ProblemKind::BrokenLink,
        ProblemKind::OutOfOrder,
        ProblemKind::TailMissing,
        ProblemKind::HeadMismatch,
    ] {
        assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
    }
}
