//! The hot write path where the dialect has one-statement commits ([`Dialect::POINTER_COMMITS`]):
//! a commit that only moves pointers of existing tables and views (every data commit of a
//! writer) is decided on an unlocked read of its keys and written by one statement that
//! locks the branch, checks those keys are unchanged, and lands on whatever the head is.
//!
//! Why it is correct: the decision depends only on the keys' pointers (no creates, no
//! location moves, no merge, no expected head), and the statement refuses to write unless
//! they are exactly what was read, under the branch lock that every writer of the branch
//! takes. Writers of different tables of one branch therefore never redo work for each
//! other; a writer whose table moved meanwhile reads and decides again (and then usually
//! fails its requirement, under the lock). Anything else — a missing branch,
//! a tag, a key that does not exist or changes its location, a refused decision, or a
//! table moving under every attempt — goes to the general path, which decides it.

use pangolin_core::Result;
use pangolin_core::model::{Commit, RefKind};
use pangolin_store::locations;
use pangolin_store::{Change, CommitRequest, Expected};

use super::commit::release_after_commit;
use super::{Access, SqlStore};
use crate::common::dialect::{Dialect, PointerCommit};
use crate::common::plan::{self, Branch, Found};

/// Reads and decisions before handing a much-contended commit to the general path.
const ATTEMPTS: usize = 3;

/// Whether `req` can be a pointer-only commit, before reading anything: puts onto existing
/// keys only, nothing that depends on the branch head or on a merge.
pub(super) fn may_move_pointers_only(req: &CommitRequest) -> bool {
    req.merge_parent.is_none()
        && req.completes_merge.is_none()
        && req.expected_head.is_none()
        && !req.changes.is_empty()
        && req
            .changes
            .iter()
            .all(|c| matches!(c, Change::Put { expected, .. } if *expected != Expected::Absent))
}

/// The commit, or `None` when the general path must decide it.
pub(super) async fn commit<DB: Dialect>(
    store: &SqlStore<DB>,
    req: &CommitRequest,
) -> Result<Option<Commit>> {
    let mut conn = store.conn().await?;
    for _ in 0..ATTEMPTS {
        let existing = DB::current_contents(&mut conn, req).await?;
        let moves_pointers_only = req.changes.iter().all(|c| {
            existing.contains_key(c.ident()) && !locations::needs_check(c, existing.get(c.ident()))
        });
        if !moves_pointers_only {
            return Ok(None);
        }
        let found = Found {
            // Checked by the statement (a tag or a missing branch: the general path).
            branch: Some(Branch {
                kind: RefKind::Branch,
                head: req.commit_id,
            }),
            merge_parent_exists: false,
            merge_status: None,
            existing,
            namespaces: Default::default(),
            occupants: Vec::new(),
        };
        // A refusal is the general path's to give: it knows the branch (a tag, say, is
        // refused as such before any requirement is judged).
        let Ok(mut plan) = plan::plan(req, &found) else {
            return Ok(None);
        };
        match DB::commit_pointers(&mut conn, req, &found.existing, &plan).await? {
            PointerCommit::Landed { parent } => {
                plan.commit.parents = vec![parent];
                drop(conn);
                release_after_commit(store, req, &plan.released).await;
                return Ok(Some(plan.commit));
            }
            PointerCommit::Moved => continue,
            PointerCommit::NotABranch => return Ok(None),
        }
    }
    Ok(None)
}
