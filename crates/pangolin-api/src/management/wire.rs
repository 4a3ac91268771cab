//! Management API wire types.

use pangolin_catalog::branches::{BranchKind, OnConflict, Source};
use pangolin_core::model::{RefKind, Reference};
use pangolin_core::{CommitId, Error, Name, Page, Result, TableIdent, Timestamp};
use serde::{Deserialize, Serialize};

/// Where a new reference starts: at most one of the two (default: `main`).
pub(crate) fn source(
    from_ref: Option<Name>,
    from_commit: Option<CommitId>,
) -> Result<Option<Source>> {
    match (from_ref, from_commit) {
        (Some(_), Some(_)) => Err(Error::invalid("give from-ref or from-commit, not both")),
        (Some(r), None) => Ok(Some(Source::Ref(r))),
        (None, Some(c)) => Ok(Some(Source::Commit(c))),
        (None, None) => Ok(None),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct CreateBranch {
    pub(crate) name: Name,
    pub(crate) from_ref: Option<Name>,
    pub(crate) from_commit: Option<CommitId>,
    #[serde(default)]
    pub(crate) kind: BranchKind,
    pub(crate) tables: Option<Vec<TableIdent>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct CreateTag {
    pub(crate) name: Name,
    pub(crate) from_ref: Option<Name>,
    pub(crate) from_commit: Option<CommitId>,
}

/// A branch or tag as the API shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ReferenceView {
    name: Name,
    #[serde(rename = "type")]
    kind: &'static str,
    head: CommitId,
    #[serde(skip_serializing_if = "Option::is_none")]
    branch_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tables: Option<Vec<TableIdent>>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<Reference> for ReferenceView {
    fn from(r: Reference) -> Self {
        ReferenceView {
            kind: match r.kind {
                RefKind::Branch => "branch",
                RefKind::Tag => "tag",
            },
            branch_kind: r
                .properties
                .get(pangolin_catalog::branches::KIND_PROPERTY)
                .cloned(),
            base: r
                .properties
                .get(pangolin_catalog::branches::BASE_PROPERTY)
                .cloned(),
            name: r.name,
            head: r.head,
            tables: r.scope,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A list page: `{"<field>": [...], "next-page-token": "..."}`, token omitted on the last page.
pub(crate) fn page_body<T: Serialize>(field: &str, page: Page<T>) -> serde_json::Value {
    let mut body = serde_json::Map::new();
    body.insert(
        field.into(),
        serde_json::to_value(page.items).unwrap_or_default(),
    );
    if let Some(next) = page.next {
        body.insert("next-page-token".into(), next.as_str().into());
    }
    serde_json::Value::Object(body)
}

/// Conflict handling in a merge request: one default and optional per-table overrides.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct MergeBody {
    pub(crate) source: Name,
    pub(crate) target: Name,
    #[serde(default)]
    pub(crate) dry_run: bool,
    #[serde(default)]
    pub(crate) strategy: OnConflict,
    #[serde(default)]
    pub(crate) table_strategies: Vec<TableStrategy>,
    pub(crate) message: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct TableStrategy {
    pub(crate) table: TableIdent,
    pub(crate) strategy: OnConflict,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct RebaseBody {
    #[serde(default)]
    pub(crate) strategy: OnConflict,
}
