use serde::{Deserialize, Serialize};

use crate::{CatalogId, CommitId, ContentId, Name, Properties, TableIdent, Timestamp};

use super::ContentKind;

/// The branch every catalog starts with; it cannot be deleted.
pub const MAIN_BRANCH: &str = "main";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefKind {
    /// Moves forward with every write.
    Branch,
    /// An immutable name for one commit.
    Tag,
}

impl RefKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Branch => "branch",
            RefKind::Tag => "tag",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "branch" => Some(RefKind::Branch),
            "tag" => Some(RefKind::Tag),
            _ => None,
        }
    }
}

/// A named pointer into a catalog's commit DAG.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Reference {
    pub catalog_id: CatalogId,
    pub name: Name,
    pub kind: RefKind,
    pub head: CommitId,
    /// For a partial branch: the only tables/views it carries. `None` = the whole catalog.
    pub scope: Option<Vec<TableIdent>>,
    /// Free-form settings (e.g. the branch kind, ingest or experimental).
    pub properties: Properties,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One node of the commit DAG. The first parent is the previous head of the branch the commit
/// was made on; a merge commit has the merged commit as its second parent.
///
/// Invariant: `operations` hold every change the commit made to its branch (a merge commit
/// lists everything it brought in), so the state at any commit is the fold of operations along
/// its first-parent chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Commit {
    pub id: CommitId,
    pub catalog_id: CatalogId,
    pub parents: Vec<CommitId>,
    pub author: String,
    pub message: String,
    pub created_at: Timestamp,
    pub operations: Vec<Operation>,
}

impl Commit {
    pub fn first_parent(&self) -> Option<CommitId> {
        self.parents.first().copied()
    }
}

/// What a commit did to one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Operation {
    Put {
        ident: TableIdent,
        content_id: ContentId,
        kind: ContentKind,
        /// The base location of the table or view (see `Content::location`).
        location: String,
        metadata_location: String,
    },
    Delete {
        ident: TableIdent,
        content_id: ContentId,
        kind: ContentKind,
    },
}

impl Operation {
    pub fn ident(&self) -> &TableIdent {
        match self {
            Operation::Put { ident, .. } | Operation::Delete { ident, .. } => ident,
        }
    }

    pub fn content_id(&self) -> ContentId {
        match self {
            Operation::Put { content_id, .. } | Operation::Delete { content_id, .. } => *content_id,
        }
    }
}
