use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{CommitId, ContentId, Kind, TableIdent, Timestamp};

/// What a catalog key holds. Tables and views share one key space per namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContentKind {
    Table,
    View,
}

impl ContentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ContentKind::Table => "table",
            ContentKind::View => "view",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "table" => Some(ContentKind::Table),
            "view" => Some(ContentKind::View),
            _ => None,
        }
    }

    /// The error kind for "no such table/view".
    pub fn error_kind(self) -> Kind {
        match self {
            ContentKind::Table => Kind::Table,
            ContentKind::View => Kind::View,
        }
    }
}

impl fmt::Display for ContentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The state of one table or view on one reference: a pointer to its current metadata file.
/// The metadata JSON itself is kept apart, keyed by location (see the store's
/// `load_metadata`), so that reading the pointer is one small indexed read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Content {
    pub content_id: ContentId,
    pub kind: ContentKind,
    pub ident: TableIdent,
    /// The table's or view's base location (`metadata.location()`, normalized: no trailing
    /// `/`): every file it owns lies under it, and no other table or view may overlap it.
    pub location: String,
    pub metadata_location: String,
    /// The commit that last put this content on the reference.
    pub last_commit_id: CommitId,
    pub updated_at: Timestamp,
}
