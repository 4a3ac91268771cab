//! Inputs of the versioned part of the store: catalog commits and new references.

use std::sync::Arc;

use pangolin_core::audit::AuditEvent;
use pangolin_core::model::{ContentKind, RefKind};
use pangolin_core::{
    CatalogId, CommitId, ContentId, MergeId, Name, Properties, TableIdent, Timestamp,
};

/// What a change expects to find at its key before it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// The key must be free (create). Otherwise `AlreadyExists` naming what is there.
    Absent,
    /// The key must hold content of the change's kind at exactly this metadata location.
    /// Otherwise `Conflict { current }` (or `NotFound` when the key is empty).
    At(String),
    /// The key must hold content of the change's kind, at any location.
    Present,
}

/// One change to one key of a branch.
#[derive(Debug, Clone)]
pub enum Change {
    /// Point `ident` at a metadata file. `metadata` is the file's JSON, stored so loads need no
    /// object-store read; `None` when the file is already known (renames, merges).
    ///
    /// `location` is the table's or view's base location (normalized, no trailing `/`). When
    /// the key is new ([`Expected::Absent`]) or the location differs from the key's current
    /// one, the put fails with `InvalidInput` if the location equals, lies inside or contains
    /// the location of content with a different `content_id` — in any catalog of any tenant,
    /// on any reference — because storage credentials are vended per table location, so two
    /// tables must never share files. Containment is decided by `/`-separated segments
    /// (`s3://b/t` and `s3://b/t2` do not overlap). The same content id on other references
    /// (a branch's copy) never conflicts with itself. The message never names the other
    /// content or its catalog (it may be another tenant's).
    Put {
        ident: TableIdent,
        kind: ContentKind,
        content_id: ContentId,
        expected: Expected,
        location: String,
        metadata_location: String,
        metadata: Option<Arc<str>>,
    },
    /// Remove `ident` from the branch.
    Delete {
        ident: TableIdent,
        kind: ContentKind,
        expected: Expected,
    },
}

impl Change {
    pub fn ident(&self) -> &TableIdent {
        match self {
            Change::Put { ident, .. } | Change::Delete { ident, .. } => ident,
        }
    }

    pub fn kind(&self) -> ContentKind {
        match self {
            Change::Put { kind, .. } | Change::Delete { kind, .. } => *kind,
        }
    }

    pub fn expected(&self) -> &Expected {
        match self {
            Change::Put { expected, .. } | Change::Delete { expected, .. } => expected,
        }
    }
}

/// One catalog commit: a set of changes applied atomically to one branch, appended to the
/// commit DAG with the branch's previous head as first parent.
///
/// Guarantees: either every change applies, the commit is recorded, the branch head moves to
/// `commit_id` and the audit events are written, or nothing at all happens. Commits on
/// different keys of one branch never conflict with each other (the store serializes them);
/// changes to the same key are decided by each change's [`Expected`].
#[derive(Debug, Clone)]
pub struct CommitRequest {
    pub catalog_id: CatalogId,
    pub branch: Name,
    pub commit_id: CommitId,
    /// When set, the commit applies only if the branch head is still this commit
    /// (`Conflict { current: Some(head) }` otherwise). Merges use it; table commits leave it unset.
    pub expected_head: Option<CommitId>,
    /// The second parent of a merge commit.
    pub merge_parent: Option<CommitId>,
    /// The merge operation this commit completes. In the commit's transaction the store
    /// requires it to be an operation of the catalog (`NotFound(Merge)`) that is still open
    /// (`Conflict { current: Some(status) }`), and marks it completed with `result_commit` =
    /// this commit and `updated_at` = `created_at`; so a merge lands at most once, and never
    /// after it was aborted.
    pub completes_merge: Option<MergeId>,
    pub author: String,
    pub message: String,
    pub created_at: Timestamp,
    /// Applied in order; no key may appear twice.
    pub changes: Vec<Change>,
    pub audit: Vec<AuditEvent>,
}

/// A new branch or tag, starting at commit `from` with the state the catalog had there.
#[derive(Debug, Clone)]
pub struct NewRef {
    pub catalog_id: CatalogId,
    pub name: Name,
    pub kind: RefKind,
    pub from: CommitId,
    /// Carry only these keys (a partial branch); `None` = all of them.
    pub scope: Option<Vec<TableIdent>>,
    pub properties: Properties,
    pub created_at: Timestamp,
}
