//! `RefStore::merge_base` in SQL, walking only as much history as the answer needs.
//!
//! The exact answer needs every common ancestor, i.e. both whole histories. Most merges fork
//! recently, so the walk first stays above a floor: only commits whose id is at least the
//! smallest id within `w` first-parent steps of either head (ids are UUIDv7, so that is
//! roughly "the last `w` commits"). Such a bounded walk proves its own answer when every
//! commit it stopped at (one with a parent below the floor) is a common ancestor: then any
//! commit beyond the floor lies below a common ancestor and is no best candidate, so the
//! best candidates are all inside the walk. If that holds and one candidate remains, it is
//! the answer; otherwise (a cut through a non-common commit, or several candidates, which a
//! bounded walk cannot rank) the window widens, and the last attempt walks everything.
//! Ids that are not time-ordered only cost walks, never correctness.

use pangolin_core::{CatalogId, CommitId, Error, Result};
use uuid::Uuid;

use crate::common::decode::RowExt;
use crate::common::dialect::{Dialect, Stmt};
use crate::common::error::DbResultExt;

/// First-parent steps below each head that bound the walks before the whole history.
const WINDOWS: [i64; 2] = [64, 4096];

/// What one walk above a floor found.
struct Walk {
    /// The greatest best candidate.
    best: Option<CommitId>,
    candidates: i64,
    /// Walked commits with a parent below the floor, and how many of them are not common.
    cut: i64,
    open_cut: i64,
}

impl Walk {
    /// The exact answer, when this walk proves it.
    fn answer(&self) -> Option<Option<CommitId>> {
        let whole = self.cut == 0;
        let closed = self.open_cut == 0 && self.candidates <= 1;
        (whole || closed).then_some(self.best)
    }
}

/// The best common ancestor of `a` and `b`, both commits of the catalog.
pub(super) async fn merge_base<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    a: CommitId,
    b: CommitId,
) -> Result<Option<CommitId>> {
    for window in WINDOWS {
        let floor = floor::<DB>(conn, catalog, a, b, window).await?;
        if let Some(answer) = walk::<DB>(conn, catalog, a, b, floor).await?.answer() {
            return Ok(answer);
        }
    }
    let everything = CommitId::from_uuid(Uuid::nil());
    let walk = walk::<DB>(conn, catalog, a, b, everything).await?;
    walk.answer()
        .ok_or_else(|| Error::internal("a walk of the whole history found a cut"))
}

/// The smallest id within `window` first-parent steps of `a` or `b` (themselves included).
async fn floor<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    a: CommitId,
    b: CommitId,
    window: i64,
) -> Result<CommitId> {
    let row = DB::stmt(
        "WITH RECURSIVE chain (id, parent, depth) AS (
             SELECT id, parent, 0 FROM commits WHERE catalog_id = $1 AND id IN ($2, $3)
             UNION
             SELECT c.id, c.parent, chain.depth + 1
             FROM chain JOIN commits c ON c.id = chain.parent
             WHERE chain.depth < $4
         )
         SELECT id FROM chain ORDER BY id LIMIT 1",
    )
    .id(catalog)
    .id(a)
    .id(b)
    .int(window)
    .fetch_optional(conn)
    .await
    .db()?;
    let row = row.ok_or_else(|| Error::internal("merge base of commits that vanished"))?;
    row.id("id")
}

/// Walks from both commits over both parent columns through commits at or above `floor`,
/// each commit once per side (`UNION`); common ancestors are those reached from both sides,
/// and the best candidates those that are no parent of another common ancestor (common
/// ancestors are closed under taking parents, so one below another is some common
/// ancestor's direct parent).
async fn walk<DB: Dialect>(
    conn: &mut DB::Connection,
    catalog: CatalogId,
    a: CommitId,
    b: CommitId,
    floor: CommitId,
) -> Result<Walk> {
    let row = DB::stmt(
        "WITH RECURSIVE walk (id, parent, merge_parent, side) AS (
             SELECT id, parent, merge_parent, 1 FROM commits WHERE id = $2 AND catalog_id = $1
             UNION
             SELECT id, parent, merge_parent, 2 FROM commits WHERE id = $3 AND catalog_id = $1
             UNION
             SELECT c.id, c.parent, c.merge_parent, walk.side
             FROM walk JOIN commits c ON c.id IN (walk.parent, walk.merge_parent)
             WHERE c.catalog_id = $1 AND c.id >= $4
         ),
         common (id, parent, merge_parent) AS (
             SELECT id, parent, merge_parent FROM walk
             GROUP BY id, parent, merge_parent
             HAVING MIN(side) = 1 AND MAX(side) = 2
         ),
         best (id) AS (
             SELECT id FROM common
             WHERE id NOT IN (SELECT parent FROM common WHERE parent IS NOT NULL)
                 AND id NOT IN (SELECT merge_parent FROM common WHERE merge_parent IS NOT NULL)
         ),
         cut (id) AS (
             SELECT DISTINCT id FROM walk WHERE parent < $4 OR merge_parent < $4
         )
         SELECT (SELECT id FROM best ORDER BY id DESC LIMIT 1) AS best,
                CAST((SELECT COUNT(*) FROM best) AS integer) AS candidates,
                CAST((SELECT COUNT(*) FROM cut) AS integer) AS cut,
                CAST((SELECT COUNT(*) FROM cut WHERE id NOT IN (SELECT id FROM common))
                     AS integer) AS open_cut",
    )
    .id(catalog)
    .id(a)
    .id(b)
    .id(floor)
    .fetch_optional(conn)
    .await
    .db()?;
    let row = row.ok_or_else(|| Error::internal("the merge base query returned no row"))?;
    Ok(Walk {
        best: row.opt_uuid("best")?.map(CommitId::from_uuid),
        candidates: row.int("candidates")?,
        cut: row.int("cut")?,
        open_cut: row.int("open_cut")?,
    })
}
