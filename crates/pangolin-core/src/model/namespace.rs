use serde::{Deserialize, Serialize};

use crate::{CatalogId, NamespaceId, NamespaceIdent, Properties, Timestamp};

/// A namespace of a catalog. Namespaces are catalog-wide (shared by all branches); the tables
/// and views inside them are versioned per branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Namespace {
    pub id: NamespaceId,
    pub catalog_id: CatalogId,
    pub ident: NamespaceIdent,
    pub properties: Properties,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Namespace {
    pub fn new(catalog_id: CatalogId, ident: NamespaceIdent, properties: Properties) -> Self {
        let now = crate::now();
        Namespace {
            id: NamespaceId::generate(),
            catalog_id,
            ident,
            properties,
            created_at: now,
            updated_at: now,
        }
    }
}

/// The outcome of an atomic namespace property update, in the Iceberg wire vocabulary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PropertiesUpdate {
    pub updated: Vec<String>,
    pub removed: Vec<String>,
    pub missing: Vec<String>,
}
