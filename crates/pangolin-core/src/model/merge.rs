//! Merges between references of a catalog's commit DAG, kept as operations so conflicts can be
//! inspected and resolved per table before the merge commit is made.

use serde::{Deserialize, Serialize};

use crate::{CatalogId, CommitId, ContentId, MergeId, Name, TableIdent, Timestamp};

use super::ContentKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MergeStatus {
    /// Waiting for conflicts to be resolved.
    Open,
    /// The merge commit landed (`result_commit`).
    Completed,
    /// Given up; nothing was applied.
    Aborted,
}

impl MergeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MergeStatus::Open => "open",
            MergeStatus::Completed => "completed",
            MergeStatus::Aborted => "aborted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(MergeStatus::Open),
            "completed" => Some(MergeStatus::Completed),
            "aborted" => Some(MergeStatus::Aborted),
            _ => None,
        }
    }
}

/// How one conflicting table is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resolution {
    /// The source's version wins (the target's change is discarded, explicitly).
    TakeSource,
    /// The target keeps its version.
    TakeTarget,
}

/// One table's (or view's) version on one side of a merge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ContentVersion {
    pub content_id: ContentId,
    pub kind: ContentKind,
    pub metadata_location: String,
    pub location: String,
}

/// A key changed differently on both sides since their common ancestor. `None` = absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct MergeConflict {
    pub ident: TableIdent,
    pub base: Option<ContentVersion>,
    pub source: Option<ContentVersion>,
    pub target: Option<ContentVersion>,
    pub resolution: Option<Resolution>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct MergeOperation {
    pub id: MergeId,
    pub catalog_id: CatalogId,
    pub source: Name,
    pub target: Name,
    /// The heads the merge was computed from; completing it requires the target to still be
    /// at `target_head`.
    pub source_head: CommitId,
    pub target_head: CommitId,
    /// The common ancestor; `None` when the histories share none.
    pub base: Option<CommitId>,
    pub status: MergeStatus,
    pub conflicts: Vec<MergeConflict>,
    pub author: String,
    pub message: String,
    pub result_commit: Option<CommitId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}
