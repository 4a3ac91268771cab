use serde::{Deserialize, Serialize};

use crate::{Name, Properties, TenantId, Timestamp};

/// The unit of isolation: nothing of one tenant is ever visible to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Tenant {
    pub id: TenantId,
    pub name: Name,
    pub properties: Properties,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Tenant {
    pub fn new(name: Name) -> Self {
        let now = crate::now();
        Tenant {
            id: TenantId::generate(),
            name,
            properties: Properties::new(),
            created_at: now,
            updated_at: now,
        }
    }
}
