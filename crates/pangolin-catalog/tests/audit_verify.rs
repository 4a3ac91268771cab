//! Verification catches every kind of tampering with a sealed audit log — edited content, an
//! edited hash, a rehashed record, deleted records, a cut-off tail, an edited or deleted
//! head — done in memory through the test hooks and in a SQLite file with plain SQL.

mod audit_support;

use audit_support::World;
use pangolin_catalog::audit::{AuditVerification, ProblemKind, seal_pending};
use pangolin_core::audit::chain_hash;
use pangolin_store::memory::MemoryStore;

use ProblemKind::*;

/// The caller's own chain, verified.
async fn verify(w: &World) -> AuditVerification {
    let report = w.services.verify_audit(&w.anonymous(), None).await.unwrap();
    assert_eq!(report.chains.len(), 1);
    let v = report.chains.into_iter().next().unwrap();
    assert_eq!(report.ok, v.ok);
    v
}

fn kinds(v: &AuditVerification) -> Vec<(u64, ProblemKind)> {
    v.problems.iter().map(|p| (p.seq, p.problem)).collect()
}

/// Five sealed events in the tenant's chain (seq = position + 1).
async fn sealed_world(w: World) -> (World, Vec<pangolin_core::AuditId>) {
    let events = w.events(Some(w.tenant.id), 5).await;
    assert_eq!(seal_pending(&w.store).await.unwrap(), 5);
    (w, events.iter().map(|e| e.id).collect())
}

#[tokio::test]
async fn an_untouched_log_verifies_and_unsealed_events_are_sealed_first() {
    for w in [World::memory().await, World::sqlite().await] {
        let (w, _) = sealed_world(w).await;
        w.events(Some(w.tenant.id), 2).await;
        let v = verify(&w).await;
        assert!(v.ok, "{v:?}");
        assert_eq!((v.checked, v.head_seq, v.problem_count), (7, Some(7), 0));
        assert_eq!(v.chain, Some(w.tenant.id));
        assert_eq!(v.tenant.as_deref(), Some("acme"));
        // The verification itself was recorded, and is checked by the next one.
        let again = verify(&w).await;
        assert!(again.ok && again.checked == 8, "{again:?}");
    }
}

type MemoryTamper = fn(&MemoryStore, &[pangolin_core::AuditId], &World);
/// What was done, how, and the problems (seq, kind) verification must report.
type TamperCase = (&'static str, MemoryTamper, Vec<(u64, ProblemKind)>);

#[tokio::test]
async fn tampering_in_memory_is_detected() {
    let cases: Vec<TamperCase> = vec![
        (
            "edited content",
            |m, ids, _| m.tamper_audit_event(ids[2], |e| e.principal = "mallory".into()),
            vec![(3, ContentChanged)],
        ),
        (
            "edited summary",
            |m, ids, _| m.tamper_audit_event(ids[1], |e| e.summary["n"] = 99.into()),
            vec![(2, ContentChanged)],
        ),
        (
            "edited hash",
            |m, ids, _| m.tamper_audit_seal(ids[2], |_, _, hash| *hash = "00".repeat(32)),
            vec![(3, ContentChanged), (4, BrokenLink)],
        ),
        (
            "deleted record",
            |m, ids, _| m.tamper_delete_audit_event(ids[2]),
            vec![(4, RecordsMissing), (4, BrokenLink)],
        ),
        (
            "deleted tail",
            |m, ids, _| m.tamper_delete_audit_event(ids[4]),
            vec![(5, TailMissing)],
        ),
        (
            "edited head",
            |m, _, w| m.tamper_audit_head(Some(w.tenant.id), Some((5, "ab".repeat(32)))),
            vec![(5, HeadMismatch)],
        ),
        (
            "deleted head",
            |m, _, w| m.tamper_audit_head(Some(w.tenant.id), None),
            vec![(5, HeadMismatch)],
        ),
    ];
    for (what, tamper, expected) in cases {
        let (w, ids) = sealed_world(World::memory().await).await;
        tamper(w.mem(), &ids, &w);
        let v = verify(&w).await;
        assert!(!v.ok, "{what}: {v:?}");
        assert_eq!(kinds(&v), expected, "{what}: {v:?}");
    }
}

#[tokio::test]
async fn a_record_edited_and_rehashed_breaks_the_next_link() {
    let (w, ids) = sealed_world(World::memory().await).await;
    let m = w.mem();
    m.tamper_audit_event(ids[2], |e| e.action = "table.load".into());
    let edited = w
        .store
        .audit_chain(Some(w.tenant.id), Some(2), 1)
        .await
        .unwrap();
    let rehashed = chain_hash(&edited[0].prev_hash, &edited[0].event);
    m.tamper_audit_seal(ids[2], |_, _, hash| *hash = rehashed);
    let v = verify(&w).await;
    assert_eq!(kinds(&v), [(4, BrokenLink)], "{v:?}");
}

#[tokio::test]
async fn tampering_in_a_sqlite_file_is_detected() {
    let zeros = "0".repeat(64);
    let cases = [
        (
            "UPDATE audit_events SET principal = 'mallory' WHERE seq = 3".to_owned(),
            vec![(3, ContentChanged)],
        ),
        (
            r#"UPDATE audit_events SET summary = '{"n":99}' WHERE seq = 2"#.to_owned(),
            vec![(2, ContentChanged)],
        ),
        (
            "UPDATE audit_events SET time = time + 1 WHERE seq = 1".to_owned(),
            vec![(1, ContentChanged)],
        ),
        (
            format!("UPDATE audit_events SET hash = '{zeros}' WHERE seq = 3"),
            vec![(3, ContentChanged), (4, BrokenLink)],
        ),
        (
            "DELETE FROM audit_events WHERE seq = 3".to_owned(),
            vec![(4, RecordsMissing), (4, BrokenLink)],
        ),
        (
            "DELETE FROM audit_events WHERE seq >= 4".to_owned(),
            vec![(5, TailMissing)],
        ),
        (
            format!("UPDATE audit_chains SET hash = '{zeros}'"),
            vec![(5, HeadMismatch)],
        ),
        (
            "UPDATE audit_events SET seq = 9 WHERE seq = 5".to_owned(),
            vec![(9, RecordsMissing), (9, HeadMismatch)],
        ),
    ];
    for (statement, expected) in cases {
        let (w, _) = sealed_world(World::sqlite().await).await;
        w.sql(&statement).await;
        let v = verify(&w).await;
        assert!(!v.ok, "{statement}: {v:?}");
        assert_eq!(kinds(&v), expected, "{statement}: {v:?}");
    }
}

#[tokio::test]
async fn a_deleted_head_does_not_hide_its_chain_from_root() {
    let (w, _) = sealed_world(World::sqlite().await).await;
    w.events(None, 2).await;
    w.sql("DELETE FROM audit_chains WHERE chain_key <> ''")
        .await;
    let report = w.services.verify_audit(&w.root(), None).await.unwrap();
    assert!(!report.ok);
    let chains: Vec<_> = report.chains.iter().map(|c| (c.chain, c.ok)).collect();
    assert_eq!(
        chains,
        [(None, true), (Some(w.tenant.id), false)],
        "{report:?}"
    );
    assert_eq!(kinds(&report.chains[1]), [(5, HeadMismatch)]);
}
