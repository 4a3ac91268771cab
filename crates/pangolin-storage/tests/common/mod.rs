//! Shared test fixtures.

#![allow(dead_code)]

use pangolin_core::model::{StorageProfile, Warehouse, WarehouseSecret};
use pangolin_core::secret::SecretBox;
use pangolin_core::{Name, Properties, TenantId, WarehouseId};

pub(crate) fn secret_box() -> SecretBox {
    SecretBox::from_encoded(&SecretBox::generate_encoded()).unwrap()
}

/// A warehouse with `storage`, its secret sealed with `key`.
pub(crate) fn warehouse(
    key: &SecretBox,
    storage: StorageProfile,
    secret: Option<WarehouseSecret>,
) -> Warehouse {
    let id = WarehouseId::generate();
    let now = pangolin_core::now();
    Warehouse {
        id,
        tenant_id: TenantId::generate(),
        name: Name::new("wh").unwrap(),
        storage,
        secret: secret.map(|s| s.seal(key, id).unwrap()),
        properties: Properties::new(),
        created_at: now,
        updated_at: now,
    }
}
