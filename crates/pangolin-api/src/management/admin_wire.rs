//! Wire types of the tenant, warehouse and catalog routes. Secrets go in, never out: views
//! show only which kind of credential is set.

use pangolin_catalog::admin::{CatalogInfo, NewCatalogKind, SecretChange};
use pangolin_core::model::{
    CatalogKind, FederatedAuth, StorageProfile, Tenant, Warehouse, WarehouseSecret,
};
use pangolin_core::{CatalogId, Name, Properties, TenantId, Timestamp, WarehouseId};
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct CreateTenant {
    pub(crate) name: Name,
    #[serde(default)]
    pub(crate) properties: Properties,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct UpdateTenant {
    pub(crate) name: Option<Name>,
    pub(crate) properties: Option<Properties>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct TenantView {
    id: TenantId,
    name: Name,
    properties: Properties,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<Tenant> for TenantView {
    fn from(t: Tenant) -> Self {
        TenantView {
            id: t.id,
            name: t.name,
            properties: t.properties,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct CreateWarehouse {
    pub(crate) name: Name,
    pub(crate) storage: StorageProfile,
    pub(crate) credential: Option<WarehouseSecret>,
    #[serde(default)]
    pub(crate) properties: Properties,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct UpdateWarehouse {
    pub(crate) name: Option<Name>,
    pub(crate) storage: Option<StorageProfile>,
    /// Absent: keep; `null`: remove; an object: replace.
    #[serde(default, deserialize_with = "present")]
    pub(crate) credential: Option<Option<WarehouseSecret>>,
    pub(crate) properties: Option<Properties>,
}

impl UpdateWarehouse {
    pub(crate) fn secret_change(&mut self) -> SecretChange {
        match self.credential.take() {
            None => SecretChange::Keep,
            Some(None) => SecretChange::Remove,
            Some(Some(secret)) => SecretChange::Set(secret),
        }
    }
}

/// Distinguishes a field set to `null` (`Some(None)`) from an absent one (`None`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct CredentialView {
    kind: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct WarehouseView {
    id: WarehouseId,
    name: Name,
    storage: StorageProfile,
    /// Where the warehouse's tables live.
    location: String,
    credential: Option<CredentialView>,
    properties: Properties,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<Warehouse> for WarehouseView {
    fn from(w: Warehouse) -> Self {
        WarehouseView {
            id: w.id,
            location: w.storage.base_location(),
            name: w.name,
            storage: w.storage,
            credential: w.secret.map(|s| CredentialView { kind: s.kind }),
            properties: w.properties,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct CreateCatalog {
    pub(crate) name: Name,
    #[serde(flatten)]
    pub(crate) kind: CatalogSpec,
    #[serde(default)]
    pub(crate) properties: Properties,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub(crate) enum CatalogSpec {
    #[serde(rename_all = "kebab-case")]
    Local { warehouse: Name },
    #[serde(rename_all = "kebab-case")]
    Federated {
        uri: String,
        remote_warehouse: Option<String>,
        #[serde(default = "no_auth")]
        auth: FederatedAuth,
        secret: Option<String>,
    },
}

impl std::fmt::Debug for CatalogSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CatalogSpec(<redacted>)")
    }
}

fn no_auth() -> FederatedAuth {
    FederatedAuth::None
}

impl From<CatalogSpec> for NewCatalogKind {
    fn from(spec: CatalogSpec) -> Self {
        match spec {
            CatalogSpec::Local { warehouse } => NewCatalogKind::Local { warehouse },
            CatalogSpec::Federated {
                uri,
                remote_warehouse,
                auth,
                secret,
            } => NewCatalogKind::Federated {
                uri,
                remote_warehouse,
                auth,
                secret,
            },
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct UpdateCatalog {
    pub(crate) name: Option<Name>,
    pub(crate) properties: Option<Properties>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct CatalogView {
    id: CatalogId,
    name: Name,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    warehouse: Option<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remote_warehouse: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth: Option<FederatedAuth>,
    #[serde(skip_serializing_if = "Option::is_none")]
    credential: Option<CredentialView>,
    properties: Properties,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<CatalogInfo> for CatalogView {
    fn from(info: CatalogInfo) -> Self {
        let CatalogInfo {
            catalog: c,
            warehouse,
        } = info;
        let mut view = CatalogView {
            id: c.id,
            name: c.name,
            kind: "local",
            warehouse,
            uri: None,
            remote_warehouse: None,
            auth: None,
            credential: None,
            properties: c.properties,
            created_at: c.created_at,
            updated_at: c.updated_at,
        };
        if let CatalogKind::Federated(f) = c.kind {
            view.kind = "federated";
            view.uri = Some(f.uri);
            view.remote_warehouse = f.remote_warehouse;
            view.auth = Some(f.auth);
            view.credential = f.secret.map(|s| CredentialView { kind: s.kind });
        }
        view
    }
}

/// `?cascade=true` on deletes.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct CascadeQuery {
    #[serde(default)]
    pub(crate) cascade: bool,
}
