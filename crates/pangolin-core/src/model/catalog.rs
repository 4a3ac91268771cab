use serde::{Deserialize, Serialize};

use crate::secret::SealedSecret;
use crate::{CatalogId, Name, Properties, TenantId, Timestamp, WarehouseId};

/// An Iceberg catalog; its name is the REST `{prefix}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Catalog {
    pub id: CatalogId,
    pub tenant_id: TenantId,
    pub name: Name,
    pub kind: CatalogKind,
    pub properties: Properties,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum CatalogKind {
    /// Pangolin owns the catalog's state; table files live in the warehouse.
    Local { warehouse_id: WarehouseId },
    /// Requests are proxied to a remote Iceberg REST catalog.
    Federated(FederatedCatalog),
}

impl CatalogKind {
    pub fn warehouse_id(&self) -> Option<WarehouseId> {
        match self {
            CatalogKind::Local { warehouse_id } => Some(*warehouse_id),
            CatalogKind::Federated(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct FederatedCatalog {
    /// Base URI of the remote catalog (what a client would pass as `uri`).
    pub uri: String,
    /// The `warehouse` to request from the remote's `/v1/config`.
    pub remote_warehouse: Option<String>,
    pub auth: FederatedAuth,
    /// The remote credential (token or client secret), sealed like warehouse secrets.
    pub secret: Option<SealedSecret>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum FederatedAuth {
    None,
    /// A static bearer token (kept in `secret`).
    Bearer,
    /// OAuth2 client credentials; the client secret is kept in `secret`.
    OAuth2 {
        token_uri: String,
        client_id: String,
        scope: Option<String>,
    },
}
