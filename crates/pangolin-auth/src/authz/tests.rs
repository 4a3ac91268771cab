//! Table-driven: a small tenant, a principal holding a few grants, and every resource checked.

use std::collections::BTreeSet;

use pangolin_core::model::{Action, ContentKind, Grant, Grantee, Resource, Scope, Tier};
use pangolin_core::{CatalogId, ContentId, GrantId, NamespaceIdent, TenantId, UserId, WarehouseId};

use super::*;

/// Two warehouses; C1 and C2 in W1, C3 in W2. Namespaces `a`, `a.b`, `a.b.c`, `ab` (a
/// string-prefix sibling of `a`) and `x` in C1, and `a` in C2. Tables t1, t2 (siblings) in
/// `a.b`, t3 in `ab`, t4 in C2's `a`; view v1 in `a`.
struct World {
    tenant: TenantId,
    w1: WarehouseId,
    w2: WarehouseId,
    c1: CatalogId,
    c2: CatalogId,
    c3: CatalogId,
    t1: ContentId,
    t2: ContentId,
    t3: ContentId,
    t4: ContentId,
    v1: ContentId,
}

fn ns(path: &str) -> NamespaceIdent {
    NamespaceIdent::from_strs(&path.split('.').collect::<Vec<_>>()).unwrap()
}

impl World {
    fn new() -> Self {
        World {
            tenant: TenantId::generate(),
            w1: WarehouseId::generate(),
            w2: WarehouseId::generate(),
            c1: CatalogId::generate(),
            c2: CatalogId::generate(),
            c3: CatalogId::generate(),
            t1: ContentId::generate(),
            t2: ContentId::generate(),
            t3: ContentId::generate(),
            t4: ContentId::generate(),
            v1: ContentId::generate(),
        }
    }

    fn warehouse_of(&self, c: CatalogId) -> WarehouseId {
        if c == self.c3 { self.w2 } else { self.w1 }
    }

    fn warehouse(&self, w: WarehouseId) -> Resource {
        Resource {
            warehouse: Some(w),
            ..Resource::default()
        }
    }

    fn catalog(&self, c: CatalogId) -> Resource {
        Resource {
            warehouse: Some(self.warehouse_of(c)),
            catalog: Some(c),
            ..Resource::default()
        }
    }

    fn namespace(&self, c: CatalogId, path: &str) -> Resource {
        Resource {
            namespace: Some(ns(path)),
            ..self.catalog(c)
        }
    }

    fn content(&self, c: CatalogId, path: &str, kind: ContentKind, id: ContentId) -> Resource {
        Resource {
            content: Some((kind, id)),
            ..self.namespace(c, path)
        }
    }

    /// Every named resource of the world, with a label for failure messages.
    fn all(&self) -> Vec<(&'static str, Resource)> {
        let t = ContentKind::Table;
        vec![
            ("tenant", Resource::tenant()),
            ("W1", self.warehouse(self.w1)),
            ("W2", self.warehouse(self.w2)),
            ("C1", self.catalog(self.c1)),
            ("C2", self.catalog(self.c2)),
            ("C3", self.catalog(self.c3)),
            ("C1:a", self.namespace(self.c1, "a")),
            ("C1:a.b", self.namespace(self.c1, "a.b")),
            ("C1:a.b.c", self.namespace(self.c1, "a.b.c")),
            ("C1:ab", self.namespace(self.c1, "ab")),
            ("C1:x", self.namespace(self.c1, "x")),
            ("C2:a", self.namespace(self.c2, "a")),
            ("t1", self.content(self.c1, "a.b", t, self.t1)),
            ("t2", self.content(self.c1, "a.b", t, self.t2)),
            ("t3", self.content(self.c1, "ab", t, self.t3)),
            ("t4", self.content(self.c2, "a", t, self.t4)),
            ("v1", self.content(self.c1, "a", ContentKind::View, self.v1)),
        ]
    }

    fn grant(&self, action: Action, scope: Scope) -> Grant {
        Grant {
            id: GrantId::generate(),
            tenant_id: self.tenant,
            grantee: Grantee::User(UserId::generate()),
            action,
            scope,
            granted_by: "test".into(),
            created_at: pangolin_core::now(),
        }
    }

    fn user(&self, grants: Vec<Grant>) -> Access {
        Access::new(Tier::TenantUser, Some(self.tenant), grants)
    }

    fn table(&self, id: ContentId) -> Scope {
        let catalog = if id == self.t4 { self.c2 } else { self.c1 };
        Scope::Table {
            catalog,
            content: id,
        }
    }

    fn ns_scope(&self, c: CatalogId, path: &str) -> Scope {
        Scope::Namespace {
            catalog: c,
            namespace: ns(path),
        }
    }

    /// Where each scope sits, as a caller would resolve it from the store.
    fn placement(&self, scope: &Scope) -> Placement {
        let namespace = match scope {
            Scope::Table { content, .. } if *content == self.t3 => Some(ns("ab")),
            Scope::Table { content, .. } if *content == self.t4 => Some(ns("a")),
            Scope::Table { .. } => Some(ns("a.b")),
            Scope::View { .. } => Some(ns("a")),
            _ => None,
        };
        Placement {
            warehouse: scope.catalog().map(|c| self.warehouse_of(c)),
            namespace,
        }
    }
}

/// Asserts `check` is true exactly for the labelled resources in `yes`.
fn expect_exactly(w: &World, what: &str, yes: &[&str], check: impl Fn(&Resource) -> bool) {
    for (label, resource) in w.all() {
        assert_eq!(
            check(&resource),
            yes.contains(&label),
            "{what}: {label} should be {}",
            if yes.contains(&label) {
                "allowed"
            } else {
                "denied"
            }
        );
    }
}

#[test]
fn allows_follows_scope_coverage() {
    let w = World::new();
    let cases: Vec<(&str, Scope, &[&str])> = vec![
        ("table t1", w.table(w.t1), &["t1"]),
        (
            "namespace a",
            w.ns_scope(w.c1, "a"),
            &["C1:a", "C1:a.b", "C1:a.b.c", "t1", "t2", "v1"],
        ),
        (
            "namespace a.b",
            w.ns_scope(w.c1, "a.b"),
            &["C1:a.b", "C1:a.b.c", "t1", "t2"],
        ),
        ("namespace ab", w.ns_scope(w.c1, "ab"), &["C1:ab", "t3"]),
        ("C2 namespace a", w.ns_scope(w.c2, "a"), &["C2:a", "t4"]),
        (
            "catalog C1",
            Scope::Catalog { catalog: w.c1 },
            &[
                "C1", "C1:a", "C1:a.b", "C1:a.b.c", "C1:ab", "C1:x", "t1", "t2", "t3", "v1",
            ],
        ),
        (
            "warehouse W1",
            Scope::Warehouse { warehouse: w.w1 },
            &[
                "W1", "C1", "C2", "C1:a", "C1:a.b", "C1:a.b.c", "C1:ab", "C1:x", "C2:a", "t1",
                "t2", "t3", "t4", "v1",
            ],
        ),
        (
            "warehouse W2",
            Scope::Warehouse { warehouse: w.w2 },
            &["W2", "C3"],
        ),
        (
            "view v1",
            Scope::View {
                catalog: w.c1,
                content: w.v1,
            },
            &["v1"],
        ),
        (
            // A view scope never covers a table, even with the same id.
            "view scope on t1's id",
            Scope::View {
                catalog: w.c1,
                content: w.t1,
            },
            &[],
        ),
    ];
    for (what, scope, yes) in cases {
        let access = w.user(vec![w.grant(Action::Read, scope)]);
        expect_exactly(&w, what, yes, |r| allows(&access, Action::Read, r));
        // Read implies nothing else.
        for other in Action::ALL.into_iter().filter(|a| *a != Action::Read) {
            expect_exactly(&w, what, &[], |r| allows(&access, other, r));
        }
    }
    let everything: Vec<&str> = w.all().into_iter().map(|(l, _)| l).collect();
    let tenant_wide = w.user(vec![w.grant(Action::Read, Scope::Tenant)]);
    expect_exactly(&w, "tenant", &everything, |r| {
        allows(&tenant_wide, Action::Read, r)
    });
}

#[test]
fn implied_actions_follow_action_implies() {
    let w = World::new();
    let t1 = w.content(w.c1, "a.b", ContentKind::Table, w.t1);
    for held in Action::ALL {
        let access = w.user(vec![w.grant(held, w.table(w.t1))]);
        for wanted in Action::ALL {
            assert_eq!(
                allows(&access, wanted, &t1),
                held.implies(wanted),
                "{held} → {wanted}"
            );
        }
    }
    let writer = w.user(vec![w.grant(Action::Write, w.table(w.t1))]);
    assert!(allows(&writer, Action::Read, &t1));
    assert!(allows(&writer, Action::List, &t1));
    assert!(!allows(&writer, Action::Delete, &t1));
    assert!(!allows(&writer, Action::VendRead, &t1));
}

#[test]
fn tiers_decide_before_grants() {
    let w = World::new();
    let everything: Vec<&str> = w.all().into_iter().map(|(l, _)| l).collect();
    let admin = Access::new(Tier::TenantAdmin, Some(w.tenant), vec![]);
    for action in Action::ALL {
        expect_exactly(&w, "admin", &everything, |r| allows(&admin, action, r));
    }
    // Root has no data access here, whatever grants were (wrongly) loaded for it.
    let root = Access::new(Tier::Root, None, vec![w.grant(Action::Read, Scope::Tenant)]);
    expect_exactly(&w, "root", &[], |r| allows(&root, Action::Read, r));
    // A tier without the tenant it needs holds nothing.
    let broken_admin = Access::new(Tier::TenantAdmin, None, vec![]);
    expect_exactly(&w, "admin without tenant", &[], |r| {
        allows(&broken_admin, Action::Read, r)
    });
    let broken_user = Access::new(
        Tier::TenantUser,
        None,
        vec![w.grant(Action::Read, Scope::Tenant)],
    );
    expect_exactly(&w, "user without tenant", &[], |r| {
        allows(&broken_user, Action::Read, r)
    });
}

#[test]
fn grants_of_another_tenant_are_ignored() {
    let w = World::new();
    let mut foreign = w.grant(Action::Write, Scope::Tenant);
    foreign.tenant_id = TenantId::generate();
    let access = w.user(vec![foreign]);
    for action in Action::ALL {
        expect_exactly(&w, "foreign grant", &[], |r| allows(&access, action, r));
    }
    expect_exactly(&w, "foreign grant visibility", &[], |r| can_see(&access, r));
}

#[test]
fn require_is_forbidden_when_not_allowed() {
    let w = World::new();
    let access = w.user(vec![w.grant(Action::Read, w.table(w.t1))]);
    let t1 = w.content(w.c1, "a.b", ContentKind::Table, w.t1);
    assert!(require(&access, Action::Read, &t1).is_ok());
    match require(&access, Action::Write, &t1) {
        Err(pangolin_core::Error::Forbidden(msg)) => assert!(msg.contains("write")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn effective_actions_are_the_union_of_grants() {
    let w = World::new();
    let t1 = w.content(w.c1, "a.b", ContentKind::Table, w.t1);
    let t2 = w.content(w.c1, "a.b", ContentKind::Table, w.t2);
    let access = w.user(vec![
        w.grant(Action::Write, w.table(w.t1)),
        w.grant(Action::VendWrite, w.table(w.t1)),
        w.grant(Action::Delete, w.ns_scope(w.c1, "a")),
        w.grant(Action::ReadAudit, Scope::Catalog { catalog: w.c2 }),
    ]);
    let set = |actions: &[Action]| actions.iter().copied().collect::<BTreeSet<_>>();
    assert_eq!(
        effective_actions(&access, &t1),
        set(&[
            Action::Read,
            Action::Write,
            Action::List,
            Action::Delete,
            Action::VendRead,
            Action::VendWrite
        ])
    );
    assert_eq!(effective_actions(&access, &t2), set(&[Action::Delete]));
    let admin = Access::new(Tier::TenantAdmin, Some(w.tenant), vec![]);
    assert_eq!(effective_actions(&admin, &t2), set(&Action::ALL));
    let root = Access::new(Tier::Root, None, vec![]);
    assert!(effective_actions(&root, &t1).is_empty());
}

#[test]
fn can_grant_never_beyond_what_one_holds() {
    let w = World::new();
    let place = |s: &Scope| w.placement(s);
    let c1 = Scope::Catalog { catalog: w.c1 };
    let manager = w.user(vec![
        w.grant(Action::ManageGrants, c1.clone()),
        w.grant(Action::Write, w.table(w.t1)),
        w.grant(Action::Read, w.ns_scope(w.c1, "ab")),
    ]);
    let cases: Vec<(Action, Scope, bool, &str)> = vec![
        (Action::Write, w.table(w.t1), true, "holds write on t1"),
        (Action::Read, w.table(w.t1), true, "write implies read"),
        (Action::List, w.table(w.t1), true, "write implies list"),
        (Action::Delete, w.table(w.t1), false, "does not hold delete"),
        (Action::Write, w.table(w.t2), false, "sibling table"),
        (Action::Read, w.table(w.t3), true, "t3 lies in ab"),
        (
            Action::Read,
            w.ns_scope(w.c1, "ab"),
            true,
            "holds read on ab",
        ),
        (Action::Read, w.ns_scope(w.c1, "a"), false, "a is not ab"),
        (
            Action::Read,
            c1.clone(),
            false,
            "read on C1 is wider than held",
        ),
        (Action::Read, w.table(w.t4), false, "no manage-grants in C2"),
        (
            Action::ManageGrants,
            w.ns_scope(w.c1, "x"),
            true,
            "holds manage-grants there",
        ),
        (
            Action::ManageGrants,
            Scope::Warehouse { warehouse: w.w1 },
            false,
            "warehouse is wider than C1",
        ),
        (Action::Read, Scope::Tenant, false, "tenant is wider"),
    ];
    for (action, scope, expected, why) in &cases {
        assert_eq!(
            can_grant(&manager, *action, scope, &place(scope)),
            *expected,
            "{action} on {}: {why}",
            scope.key()
        );
    }

    // Manage-grants on a namespace reaches the tables in it only once they are placed there.
    let ns_manager = w.user(vec![
        w.grant(Action::ManageGrants, w.ns_scope(w.c1, "a")),
        w.grant(Action::Read, w.ns_scope(w.c1, "a")),
    ]);
    assert!(can_grant(
        &ns_manager,
        Action::Read,
        &w.table(w.t1),
        &place(&w.table(w.t1))
    ));
    assert!(!can_grant(
        &ns_manager,
        Action::Read,
        &w.table(w.t3),
        &place(&w.table(w.t3))
    ));
    assert!(!can_grant(
        &ns_manager,
        Action::Read,
        &w.table(w.t1),
        &Placement::default()
    ));

    // Holding the action without manage-grants is not enough.
    let reader = w.user(vec![w.grant(Action::Read, Scope::Tenant)]);
    assert!(!can_grant(
        &reader,
        Action::Read,
        &w.table(w.t1),
        &place(&w.table(w.t1))
    ));

    let admin = Access::new(Tier::TenantAdmin, Some(w.tenant), vec![]);
    let root = Access::new(Tier::Root, None, vec![]);
    for (action, scope, _, _) in &cases {
        assert!(can_grant(&admin, *action, scope, &place(scope)));
        assert!(!can_grant(&root, *action, scope, &place(scope)));
    }
}

#[test]
fn visibility_shows_the_path_to_a_grant_but_not_siblings() {
    let w = World::new();
    let cases: Vec<(&str, Scope, &[&str])> = vec![
        (
            "table t1",
            w.table(w.t1),
            &["tenant", "W1", "C1", "C1:a", "C1:a.b", "t1"],
        ),
        (
            "table t3 (in ab)",
            w.table(w.t3),
            &["tenant", "W1", "C1", "C1:ab", "t3"],
        ),
        (
            "namespace a.b",
            w.ns_scope(w.c1, "a.b"),
            &[
                "tenant", "W1", "C1", "C1:a", "C1:a.b", "C1:a.b.c", "t1", "t2",
            ],
        ),
        (
            "catalog C2",
            Scope::Catalog { catalog: w.c2 },
            &["tenant", "W1", "C2", "C2:a", "t4"],
        ),
        (
            "warehouse W2",
            Scope::Warehouse { warehouse: w.w2 },
            &["tenant", "W2", "C3"],
        ),
        (
            "view v1",
            Scope::View {
                catalog: w.c1,
                content: w.v1,
            },
            &["tenant", "W1", "C1", "C1:a", "v1"],
        ),
    ];
    for (what, scope, yes) in cases {
        // Any action makes the path visible, not only read.
        for action in [Action::Read, Action::ReadAudit] {
            let access = w.user(vec![w.grant(action, scope.clone())]);
            let vis = Visibility::placed(&access, |s| w.placement(s));
            expect_exactly(&w, what, yes, |r| vis.can_see(r));
        }
    }
}

#[test]
fn unplaced_visibility_knows_catalogs_but_not_namespaces_of_tables() {
    let w = World::new();
    let access = w.user(vec![w.grant(Action::Read, w.table(w.t1))]);
    expect_exactly(&w, "unplaced t1", &["tenant", "C1", "t1"], |r| {
        can_see(&access, r)
    });
    // A grant on a namespace carries its own place (but not its warehouse).
    let access = w.user(vec![w.grant(Action::Read, w.ns_scope(w.c1, "a.b"))]);
    expect_exactly(
        &w,
        "unplaced a.b",
        &["tenant", "C1", "C1:a", "C1:a.b", "C1:a.b.c", "t1", "t2"],
        |r| can_see(&access, r),
    );
}

#[test]
fn visibility_tiers_and_tenant_grants() {
    let w = World::new();
    let everything: Vec<&str> = w.all().into_iter().map(|(l, _)| l).collect();
    let admin = Access::new(Tier::TenantAdmin, Some(w.tenant), vec![]);
    expect_exactly(&w, "admin", &everything, |r| can_see(&admin, r));
    let tenant_wide = w.user(vec![w.grant(Action::List, Scope::Tenant)]);
    expect_exactly(&w, "tenant grant", &everything, |r| {
        can_see(&tenant_wide, r)
    });
    let nobody = w.user(vec![]);
    expect_exactly(&w, "no grants", &[], |r| can_see(&nobody, r));
    let root = Access::new(Tier::Root, None, vec![]);
    expect_exactly(&w, "root", &[], |r| can_see(&root, r));
}

#[test]
fn placement_is_asked_once_per_grant_inside_a_catalog() {
    let w = World::new();
    let access = w.user(vec![
        w.grant(Action::Read, w.table(w.t1)),
        w.grant(Action::Read, Scope::Warehouse { warehouse: w.w2 }),
        w.grant(Action::Read, w.ns_scope(w.c1, "x")),
    ]);
    let mut asked = Vec::new();
    let _ = Visibility::placed(&access, |s| {
        asked.push(s.key());
        w.placement(s)
    });
    assert_eq!(asked.len(), 2, "{asked:?}");
}
