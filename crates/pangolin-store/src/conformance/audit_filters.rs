//! Audit filters: every field filters (`since` inclusive, `until` exclusive), filters combine,
//! pages follow the filter, and tenants never see each other's events.

use std::time::Duration;

use pangolin_core::PageRequest;
use pangolin_core::TenantId;
use pangolin_core::audit::{AuditEvent, AuditResult};

use super::Case;
use super::fixtures::{collect_pages, micros_now};
use crate::{AuditFilter, DynStore};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(every_filter_field_filters),
        case!(filters_combine_and_page),
        case!(tenant_filter_never_returns_another_tenants_events),
    ]
}

/// Six events an hour apart, oldest first, varying every filterable field.
fn varied_events(a: TenantId, b: TenantId) -> Vec<AuditEvent> {
    let start = micros_now() - Duration::from_secs(6 * 3600);
    let spec = [
        (
            Some(a),
            "alice",
            "table.create",
            "t/1",
            AuditResult::Success,
        ),
        (Some(a), "bob", "table.drop", "t/1", AuditResult::Denied),
        (
            Some(b),
            "alice",
            "table.create",
            "t/2",
            AuditResult::Failure,
        ),
        (
            None,
            "root",
            "tenant.create",
            "tenant/b",
            AuditResult::Success,
        ),
        (Some(a), "alice", "table.drop", "t/2", AuditResult::Success),
        (Some(b), "bob", "table.create", "t/1", AuditResult::Denied),
    ];
    let mut events = Vec::new();
    for (hour, (tenant, who, action, resource, result)) in (0..).zip(spec) {
        let mut e = AuditEvent::new(tenant, who, action, resource, result);
        e.time = start + Duration::from_secs(hour * 3600);
        events.push(e);
    }
    events
}

fn filter(edit: impl FnOnce(&mut AuditFilter)) -> AuditFilter {
    let mut f = AuditFilter::default();
    edit(&mut f);
    f
}

/// Positions in `events` of what `filter` lists, in listing order.
async fn found(store: &DynStore, events: &[AuditEvent], filter: AuditFilter) -> Vec<usize> {
    let listed = store
        .list_audit(&filter, &PageRequest::all())
        .await
        .unwrap();
    let position = |f: &AuditEvent| events.iter().position(|e| e == f).expect("appended");
    listed.items.iter().map(position).collect()
}

async fn every_filter_field_filters(store: DynStore) {
    let (a, b) = (TenantId::generate(), TenantId::generate());
    let events = varied_events(a, b);
    store.append_audit(&events).await.unwrap();
    let (s, e) = (&store, &events);

    assert_eq!(found(s, e, filter(|_| ())).await, [5, 4, 3, 2, 1, 0]);
    assert_eq!(found(s, e, filter(|f| f.tenant = Some(a))).await, [4, 1, 0]);
    assert_eq!(found(s, e, filter(|f| f.tenant = Some(b))).await, [5, 2]);
    assert_eq!(
        found(s, e, filter(|f| f.principal = Some("bob".into()))).await,
        [5, 1]
    );
    assert_eq!(
        found(s, e, filter(|f| f.action = Some("table.drop".into()))).await,
        [4, 1]
    );
    assert_eq!(
        found(s, e, filter(|f| f.resource = Some("t/2".into()))).await,
        [4, 2]
    );
    let denied = filter(|f| f.result = Some(AuditResult::Denied));
    assert_eq!(found(s, e, denied).await, [5, 1]);
    let failed = filter(|f| f.result = Some(AuditResult::Failure));
    assert_eq!(found(s, e, failed).await, [2]);
    let (since, until) = (Some(events[2].time), Some(events[4].time));
    assert_eq!(found(s, e, filter(|f| f.since = since)).await, [5, 4, 3, 2]);
    assert_eq!(found(s, e, filter(|f| f.until = until)).await, [3, 2, 1, 0]);
}

async fn filters_combine_and_page(store: DynStore) {
    let (a, b) = (TenantId::generate(), TenantId::generate());
    let events = varied_events(a, b);
    store.append_audit(&events).await.unwrap();
    let (s, e) = (&store, &events);

    let (since, until) = (Some(events[2].time), Some(events[4].time));
    let window = filter(|f| (f.since, f.until) = (since, until));
    assert_eq!(found(s, e, window).await, [3, 2]);
    let combined = filter(|f| {
        f.tenant = Some(b);
        f.principal = Some("alice".into());
        f.result = Some(AuditResult::Failure);
    });
    assert_eq!(found(s, e, combined).await, [2]);
    let disjoint = filter(|f| (f.tenant, f.resource) = (Some(a), Some("tenant/b".into())));
    assert!(found(s, e, disjoint).await.is_empty());

    let alice = filter(|f| f.principal = Some("alice".into()));
    let paged = collect_pages(1, |p| {
        let alice = alice.clone();
        async move { s.list_audit(&alice, &p).await }
    });
    let expected = [4, 2, 0].map(|i| events[i].clone());
    assert_eq!(paged.await, expected);
}

async fn tenant_filter_never_returns_another_tenants_events(store: DynStore) {
    let (a, b) = (TenantId::generate(), TenantId::generate());
    store.append_audit(&varied_events(a, b)).await.unwrap();
    store.append_audit(&varied_events(b, a)).await.unwrap();
    for tenant in [a, b] {
        let only = filter(|f| f.tenant = Some(tenant));
        let listed = store
            .list_audit(&only, &PageRequest::all())
            .await
            .unwrap()
            .items;
        assert_eq!(listed.len(), 5);
        assert!(
            listed.iter().all(|e| e.tenant_id == Some(tenant)),
            "{listed:?}"
        );
    }
    let nobody = filter(|f| f.tenant = Some(TenantId::generate()));
    let listed = store
        .list_audit(&nobody, &PageRequest::all())
        .await
        .unwrap();
    assert!(listed.items.is_empty());
}
