//! Audit: events round-trip exactly, newest first; mutations write theirs atomically (and
//! failed ones none).

use pangolin_core::audit::{AuditEvent, AuditResult};
use pangolin_core::model::{Namespace, RefKind};
use pangolin_core::{PageRequest, Properties, TenantId};

use super::Case;
use super::fixtures::{
    file_warehouse, head, local_catalog, main_branch, micros_now, new_ref, new_tenant, ns, props,
};
use crate::{AuditFilter, DynStore};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(appended_events_round_trip_newest_first),
        case!(mutations_write_their_events_and_failures_none),
    ]
}

fn detailed_event(tenant: Option<TenantId>, action: &str) -> AuditEvent {
    let mut e = AuditEvent::new(
        tenant,
        "Zoë ✓",
        action,
        "catalog/sales/table/db.t",
        AuditResult::Denied,
    );
    e.time = micros_now();
    e.request_id = Some("req-0001".into());
    e.client_addr = Some("2001:db8::1".into());
    e.user_agent = Some("PyIceberg/0.9 ünï".into());
    e.summary =
        serde_json::json!({"updates": ["a", "b"], "n": 3, "nested": {"ok": true, "none": null}});
    e
}

async fn all_events(store: &DynStore, filter: &AuditFilter) -> Vec<AuditEvent> {
    store
        .list_audit(filter, &PageRequest::all())
        .await
        .unwrap()
        .items
}

async fn appended_events_round_trip_newest_first(store: DynStore) {
    let first = detailed_event(Some(TenantId::generate()), "login");
    let second = AuditEvent::new(
        None,
        "root",
        "tenant.create",
        "tenant/acme",
        AuditResult::Success,
    );
    let third = detailed_event(None, "table.load");
    store
        .append_audit(&[first.clone(), second.clone()])
        .await
        .unwrap();
    store
        .append_audit(std::slice::from_ref(&third))
        .await
        .unwrap();
    store.append_audit(&[]).await.unwrap();
    assert_eq!(
        all_events(&store, &AuditFilter::default()).await,
        vec![third, second, first]
    );
}

fn ev(action: &str) -> Vec<AuditEvent> {
    vec![AuditEvent::new(
        None,
        "alice",
        action,
        "r",
        AuditResult::Success,
    )]
}

async fn mutations_write_their_events_and_failures_none(store: DynStore) {
    let tenant = new_tenant("acme");
    store
        .create_tenant(&tenant, &ev("tenant.create"))
        .await
        .unwrap();
    assert!(store.create_tenant(&tenant, &ev("failed")).await.is_err());
    store
        .update_tenant(&tenant, &ev("tenant.update"))
        .await
        .unwrap();
    let wh = file_warehouse(tenant.id, "lake");
    store
        .create_warehouse(&wh, &ev("warehouse.create"))
        .await
        .unwrap();
    store
        .update_warehouse(&wh, &ev("warehouse.update"))
        .await
        .unwrap();
    let cat = local_catalog(tenant.id, wh.id, "sales");
    store
        .create_catalog(&cat, &ev("catalog.create"))
        .await
        .unwrap();
    store
        .update_catalog(&cat, &ev("catalog.update"))
        .await
        .unwrap();
    assert!(
        store
            .delete_warehouse(tenant.id, wh.id, &ev("failed"))
            .await
            .is_err()
    );
    let db = Namespace::new(cat.id, ns(&["db"]), Properties::new());
    store
        .create_namespace(&db, &ev("namespace.create"))
        .await
        .unwrap();
    let p = props(&[("k", "v")]);
    store
        .update_namespace_properties(cat.id, &db.ident, &p, &[], &ev("namespace.update"))
        .await
        .unwrap();
    assert!(
        store
            .delete_catalog(tenant.id, cat.id, false, &ev("failed"))
            .await
            .is_err()
    );
    let dev = new_ref(
        cat.id,
        "dev",
        RefKind::Branch,
        head(&store, cat.id, &main_branch()).await,
    );
    store.create_ref(&dev, &ev("ref.create")).await.unwrap();
    assert!(store.create_ref(&dev, &ev("failed")).await.is_err());
    store
        .delete_ref(cat.id, &dev.name, &ev("ref.delete"))
        .await
        .unwrap();
    store
        .drop_namespace(cat.id, &db.ident, &ev("namespace.drop"))
        .await
        .unwrap();
    store
        .delete_catalog(tenant.id, cat.id, false, &ev("catalog.delete"))
        .await
        .unwrap();
    store
        .delete_warehouse(tenant.id, wh.id, &ev("warehouse.delete"))
        .await
        .unwrap();
    store
        .delete_tenant(tenant.id, &ev("tenant.delete"))
        .await
        .unwrap();

    let actions: Vec<String> = all_events(&store, &AuditFilter::default())
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    let expected = [
        "tenant.delete",
        "warehouse.delete",
        "catalog.delete",
        "namespace.drop",
        "ref.delete",
        "ref.create",
        "namespace.update",
        "namespace.create",
        "catalog.update",
        "catalog.create",
        "warehouse.update",
        "warehouse.create",
        "tenant.update",
        "tenant.create",
    ];
    assert_eq!(actions, expected);
}
