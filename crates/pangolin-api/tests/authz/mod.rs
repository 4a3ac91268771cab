//! Shared by the authorization matrix and the authorization regression tests: a secured app
//! with a principal of every kind (`world`), fresh objects per attempt (`fixture`), the
//! request each route is called with (`cases`) and the outcome each principal must get
//! (`expect`).

#![allow(dead_code, unreachable_pub, unused_imports, unused_macros)]

pub mod cases;
pub mod expect;
pub mod fixture;
pub mod world;

pub use pangolin_api::authz_table::Level;
use serde_json::{Value, json};

/// Runs each listed `async fn name(w: World)` on every backend, as `memory::name` and
/// `sqlite::name`, each on a fresh secured [`world::World`].
macro_rules! world_tests {
    ($($name:ident),+ $(,)?) => {
        $crate::authz::world_tests!(@backend memory, Memory, $($name),+);
        $crate::authz::world_tests!(@backend sqlite, Sqlite, $($name),+);
    };
    (@backend $module:ident, $backend:ident, $($name:ident),+) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let w = $crate::authz::world::World::new(
                        $crate::common::Backend::$backend,
                    )
                    .await;
                    super::$name(w).await;
                }
            )+
        }
    };
}
pub(crate) use world_tests;

/// A `CreateViewRequest` for view `name`.
pub fn view_body(name: &str) -> Value {
    json!({
        "name": name,
        "schema": { "type": "struct", "schema-id": 0, "fields": [
            { "id": 1, "name": "category", "required": false, "type": "string" }
        ] },
        "view-version": {
            "version-id": 1, "schema-id": 0,
            "timestamp-ms": crate::common::bodies::now_ms(),
            "summary": { "engine-name": "spark" },
            "representations": [{ "type": "sql", "sql": "SELECT 1 AS category", "dialect": "spark" }],
            "default-namespace": ["db"]
        },
        "properties": {}
    })
}
