//! Delegated access on the [`StorageRegistry`]: credential vending and S3 remote signing for a
//! location inside a warehouse. The caller (the service layer) has already decided which
//! [`VendMode`] the request may have; this layer enforces the location and the mode.

use pangolin_core::model::{StorageProfile, Warehouse};
use pangolin_core::{Error, Result};

use crate::StorageRegistry;
use crate::location;
use crate::vending::{self, RemoteSignRequest, SignedRequest, VendKey, VendMode, VendedCredential};

impl StorageRegistry {
    /// Whether [`StorageRegistry::vend`] can return a credential for this warehouse (from its
    /// configuration alone; no IO).
    pub fn can_vend(&self, warehouse: &Warehouse) -> bool {
        let kind = warehouse.secret.as_ref().map(|s| s.kind.as_str());
        vending::can_vend(&warehouse.storage, kind)
    }

    /// Whether [`StorageRegistry::sign`] can sign for this warehouse: S3 with an access key.
    pub fn can_sign(&self, warehouse: &Warehouse) -> bool {
        let kind = warehouse.secret.as_ref().map(|s| s.kind.as_str());
        matches!(
            (&warehouse.storage, kind),
            (StorageProfile::S3(_), Some("s3-access-key"))
        )
    }

    /// A credential for `location` (a table's base location inside the warehouse), cached
    /// for half its lifetime; `None` when the warehouse has nothing to vend.
    pub async fn vend(
        &self,
        warehouse: &Warehouse,
        location: &str,
        mode: VendMode,
    ) -> Result<Option<VendedCredential>> {
        if !self.can_vend(warehouse) {
            return Ok(None);
        }
        let location = inside(warehouse, location)?;
        let key = VendKey {
            warehouse: warehouse.id,
            version: warehouse.updated_at,
            location: location.clone(),
            mode,
        };
        if let Some(hit) = self.vended.get(&key) {
            return Ok(Some(hit));
        }
        let secret = self.open_secret(warehouse)?;
        let vended = vending::vend(&self.http, warehouse, secret.as_ref(), &location, mode).await?;
        if let Some(credential) = &vended {
            tracing::debug!(
                warehouse = %warehouse.name,
                location,
                ?mode,
                expires_at = ?credential.expires_at,
                "vended a storage credential"
            );
            self.vended.put(key, credential);
        }
        Ok(vended)
    }

    /// Signs an S3 request for the table at `table_location` if it stays inside it and
    /// `mode` allows its method; `Forbidden` otherwise.
    pub fn sign(
        &self,
        warehouse: &Warehouse,
        table_location: &str,
        mode: VendMode,
        request: &RemoteSignRequest,
    ) -> Result<SignedRequest> {
        let StorageProfile::S3(profile) = &warehouse.storage else {
            return Err(Error::NotImplemented(format!(
                "remote signing is only available for S3 warehouses, not {}",
                warehouse.storage.kind()
            )));
        };
        let location = inside(warehouse, table_location)?;
        let secret = self.open_secret(warehouse)?;
        vending::sign(profile, secret.as_ref(), &location, mode, request)
    }
}

/// The normalized location, refused (`Forbidden`) unless it lies inside the warehouse.
fn inside(warehouse: &Warehouse, location: &str) -> Result<String> {
    let normalized = location::normalize(location)?;
    if !location::is_within(&warehouse.storage.base_location(), &normalized) {
        return Err(Error::Forbidden(format!(
            "location '{normalized}' is outside the warehouse"
        )));
    }
    Ok(normalized)
}
