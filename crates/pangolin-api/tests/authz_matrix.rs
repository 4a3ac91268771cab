//! The authorization matrix: every route of the authorization table, called on the real router
//! as each kind of principal — anonymous, root, the tenant admin, another tenant's admin, a
//! user without grants, a user holding exactly what the route requires on the route's
//! resource, and a user holding the same on a sibling resource — must give the outcome the
//! table's requirement implies.
//!
//! One app per backend serves every route. Each route gets fresh objects: the principals
//! expected to be refused go first, then the "exact" user; a route that changes something gets
//! fresh objects again for the tenant admin.

mod authz;
mod common;

use authz::cases::request;
use authz::expect::{Outcome, expected, grants_for};
use authz::fixture::Needs;
use authz::world::{Who, World};
use common::Backend;
use pangolin_api::authz_table::{ROUTES, Route};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory() {
    matrix(Backend::Memory).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite() {
    matrix(Backend::Sqlite).await;
}

async fn matrix(backend: Backend) {
    let world = World::new(backend).await;
    let mut failures = Vec::new();
    for route in ROUTES {
        failures.extend(check_route(&world, route).await);
    }
    assert!(
        failures.is_empty(),
        "{} of {} checks failed:\n{}",
        failures.len(),
        ROUTES.len() * Who::ALL.len(),
        failures.join("\n")
    );
}

/// Every principal on one route; the mismatches, described.
async fn check_route(world: &World, route: &Route) -> Vec<String> {
    let needs = Needs::of(route);
    let mut failures = Vec::new();
    let fx = world.fixture(needs).await;
    for (action, level) in grants_for(route) {
        world
            .grant(Who::Exact, action.as_str(), world.scope(&fx, level, false))
            .await;
        if level != authz::Level::Tenant {
            world
                .grant(Who::Sibling, action.as_str(), world.scope(&fx, level, true))
                .await;
        }
    }
    let refused_first = [
        Who::Anonymous,
        Who::Root,
        Who::ForeignAdmin,
        Who::NoGrant,
        Who::Sibling,
        Who::Exact,
    ];
    for who in refused_first {
        failures.extend(check(world, route, &fx, who).await);
    }
    world.revoke_all(Who::Exact).await;
    world.revoke_all(Who::Sibling).await;
    // The "exact" user's success may have changed the objects: the admin gets fresh ones.
    let fx = match route.method {
        "GET" | "HEAD" => fx,
        _ => world.fixture(needs).await,
    };
    failures.extend(check(world, route, &fx, Who::TenantAdmin).await);
    if route.path == "/api/v1/users/logout" {
        world.relogin().await;
    }
    failures
}

async fn check(
    world: &World,
    route: &Route,
    fx: &authz::fixture::Fixture,
    who: Who,
) -> Option<String> {
    let req = request(world, route, fx, who);
    let want = expected(route, who);
    let (status, body) = world.send(who, &req).await;
    if want.matches(status) {
        return None;
    }
    Some(format!(
        "{} {} as {who:?}: expected {want:?}, got {status} {body}",
        route.method, route.path
    ))
}

#[test]
fn every_outcome_kind_is_exercised() {
    // A matrix whose expectations were all "allowed" (or all "refused") would prove little.
    let outcomes: Vec<Outcome> = ROUTES
        .iter()
        .flat_map(|r| Who::ALL.map(|w| expected(r, w)))
        .collect();
    for kind in [
        Outcome::Allowed,
        Outcome::Unauthenticated,
        Outcome::Forbidden,
        Outcome::NotFound,
    ] {
        assert!(outcomes.contains(&kind), "{kind:?} never expected");
    }
}
