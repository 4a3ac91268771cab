//! Credential vending and S3 remote signing: short-lived, table-scoped access for clients
//! that asked for it with `X-Iceberg-Access-Delegation`.
//!
//! - S3: STS `AssumeRole` with a session policy limited to the table's prefix (signed with the
//!   warehouse's own keys), or the warehouse's long-lived keys when the warehouse explicitly
//!   allows it. Remote signing signs single S3 requests inside the table's prefix instead.
//! - Azure: a SAS signed with the account key, or with a user delegation key obtained with the
//!   warehouse's client credentials; directory-scoped on accounts with a hierarchical namespace.
//! - GCS: an OAuth2 access token of the warehouse's service account (JWT bearer grant),
//!   optionally downscoped with a Credential Access Boundary.
//!
//! Every vended credential carries its expiry; results are cached per (warehouse version,
//! location, mode) for half their lifetime. Secrets never reach a log line or a `Debug`.

mod azure;
mod azure_udk;
mod cache;
mod gcs;
mod http;
mod policy;
mod s3;
mod s3_request;
mod signing;
mod sigv4;

pub use signing::{RemoteSignRequest, SignedRequest};

use std::collections::BTreeMap;
use std::fmt;

use pangolin_core::model::{StorageProfile, Warehouse, WarehouseSecret};
use pangolin_core::{Result, Timestamp};
use serde::Serialize;

/// What a vended credential may do. Decided by the service layer (see
/// `pangolin_catalog`'s `vend_mode`), enforced by the credential itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VendMode {
    /// Read and list objects under the table's location.
    Read,
    /// Read, list, write and delete objects under the table's location.
    ReadWrite,
}

impl VendMode {
    pub fn can_write(self) -> bool {
        self == VendMode::ReadWrite
    }
}

/// Client properties that include secrets: `Serialize` writes them out (for the response),
/// `Debug` never does.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SecretProperties(BTreeMap<String, String>);

impl SecretProperties {
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.insert(key.into(), value.into());
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretProperties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()?;
        f.write_str(" (values redacted)")
    }
}

/// A credential for one location prefix, as a `StorageCredential` of the REST spec.
#[derive(Debug, Clone)]
pub struct VendedCredential {
    /// The table location it is valid for (a `storage-credentials` entry's `prefix`).
    pub prefix: String,
    /// The FileIO properties clients read (credential, expiry, endpoint), cloud-specific.
    pub config: SecretProperties,
    /// `None` only for the warehouse's long-lived keys (when the warehouse allows vending them).
    pub expires_at: Option<Timestamp>,
    storage: CredentialStorage,
}

/// Which cloud's property names a credential uses (for the refresh endpoint keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CredentialStorage {
    S3,
    Azure,
    Gcs,
}

/// The properties that tell a client where to refresh a credential: the generic Iceberg
/// ones plus the spelling each cloud's FileIO reads.
const REFRESH_ENDPOINT: &str = "client.refresh-credentials-endpoint";
const REFRESH_ENABLED: &str = "client.refresh-credentials-enabled";

impl VendedCredential {
    /// Adds the refresh endpoint (relative to the catalog URI, e.g.
    /// `v1/cat/namespaces/ns/tables/t/credentials`) for credentials that expire; long-lived
    /// keys are marked as not refreshable instead.
    pub fn set_refresh_endpoint(&mut self, endpoint: &str) {
        let specific = match self.storage {
            CredentialStorage::S3 => None,
            CredentialStorage::Azure => Some("adls"),
            CredentialStorage::Gcs => Some("gcs.oauth2"),
        };
        let refreshable = self.expires_at.is_some();
        self.config.insert(REFRESH_ENABLED, refreshable.to_string());
        if let Some(prefix) = specific {
            self.config.insert(
                format!("{prefix}.refresh-credentials-enabled"),
                refreshable.to_string(),
            );
        }
        if refreshable {
            self.config.insert(REFRESH_ENDPOINT, endpoint);
            if let Some(prefix) = specific {
                self.config
                    .insert(format!("{prefix}.refresh-credentials-endpoint"), endpoint);
            }
        }
    }
}

/// Whether the warehouse can vend credentials at all, from its configuration and the kind of
/// its credential (no IO, nothing opened): S3 with STS or explicitly allowed static keys,
/// Azure with a key or client credentials, GCS with a service account key.
pub(crate) fn can_vend(profile: &StorageProfile, secret_kind: Option<&str>) -> bool {
    match (profile, secret_kind) {
        (StorageProfile::S3(p), Some("s3-access-key")) => {
            p.sts.is_some() || p.allow_static_credential_vending
        }
        (StorageProfile::Azure(_), Some("azure-shared-key" | "azure-client-credentials")) => true,
        (StorageProfile::Gcs(_), Some("gcs-service-account")) => true,
        _ => false,
    }
}

/// Vends a credential for `location` (already checked to be inside the warehouse); `None`
/// when the warehouse has nothing to vend.
pub(crate) async fn vend(
    client: &http::Client,
    warehouse: &Warehouse,
    secret: Option<&WarehouseSecret>,
    location: &str,
    mode: VendMode,
) -> Result<Option<VendedCredential>> {
    if !can_vend(&warehouse.storage, secret.map(WarehouseSecret::kind)) {
        return Ok(None);
    }
    let credential = match (&warehouse.storage, secret) {
        (StorageProfile::S3(p), Some(secret)) => {
            s3::vend(client, p, secret, location, mode).await?
        }
        (StorageProfile::Azure(p), Some(secret)) => {
            azure::vend(client, p, secret, location, mode).await?
        }
        (StorageProfile::Gcs(p), Some(secret)) => {
            gcs::vend(client, p, secret, location, mode).await?
        }
        _ => return Ok(None),
    };
    Ok(Some(credential))
}

pub(crate) use cache::{Key as VendKey, VendCache};
pub(crate) use http::Client as HttpClient;
pub(crate) use signing::sign;
