//! The view request bodies of the Iceberg REST spec (`CreateViewRequest`, `CommitViewRequest`,
//! `RegisterViewRequest`, `ViewRequirement`), which `iceberg-catalog-rest` does not provide.

use std::collections::HashMap;

use iceberg::ViewUpdate;
use iceberg::spec::{Schema, ViewMetadata, ViewVersion};
use pangolin_core::{Error, Result};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct CreateViewRequest {
    pub name: String,
    #[serde(default)]
    pub location: Option<String>,
    pub schema: Schema,
    /// Its `schema-id` is replaced by the id the builder assigns to `schema`.
    pub view_version: ViewVersion,
    /// Required by the spec; tolerated when absent, as an empty map.
    #[serde(default)]
    pub properties: HashMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RegisterViewRequest {
    pub name: String,
    pub metadata_location: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct CommitViewRequest {
    /// When present, must name the view of the request path.
    #[serde(default)]
    pub identifier: Option<iceberg::TableIdent>,
    #[serde(default)]
    pub requirements: Vec<ViewRequirement>,
    pub updates: Vec<ViewUpdate>,
}

/// A condition on the current view that a replace must meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ViewRequirement {
    AssertViewUuid { uuid: Uuid },
}

impl ViewRequirement {
    /// A failed requirement is a commit conflict (409): the client's view is stale.
    pub fn check(&self, current: &ViewMetadata) -> Result<()> {
        match self {
            ViewRequirement::AssertViewUuid { uuid } if *uuid == current.uuid() => Ok(()),
            ViewRequirement::AssertViewUuid { uuid } => Err(Error::conflict(
                format!(
                    "requirement failed: view uuid is {}, not {uuid}",
                    current.uuid()
                ),
                None,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_parse_by_their_spec_type() {
        let r: ViewRequirement = serde_json::from_str(
            r#"{"type":"assert-view-uuid","uuid":"2cd22b57-5127-4198-92ba-e4e67c79821b"}"#,
        )
        .unwrap();
        assert!(matches!(r, ViewRequirement::AssertViewUuid { .. }));
        assert!(serde_json::from_str::<ViewRequirement>(r#"{"type":"assert-create"}"#).is_err());
        assert!(
            serde_json::from_str::<ViewRequirement>(r#"{"type":"assert-view-uuid","uuid":"x"}"#)
                .is_err()
        );
    }

    #[test]
    fn commit_requests_refuse_unknown_update_actions() {
        let ok = r#"{"updates":[{"action":"set-properties","updates":{"a":"b"}}]}"#;
        let parsed: CommitViewRequest = serde_json::from_str(ok).unwrap();
        assert_eq!(parsed.updates.len(), 1);
        assert!(parsed.requirements.is_empty());
        let unknown = r#"{"updates":[{"action":"add-snapshot","snapshot":{}}]}"#;
        assert!(serde_json::from_str::<CommitViewRequest>(unknown).is_err());
    }
}
