//! Identifier newtypes. All are UUIDv7 so that ids sort by creation time.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = crate::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self).map_err(|_| {
                    crate::Error::invalid(format!(concat!("'{}' is not a valid ", stringify!($name)), s))
                })
            }
        }
    };
}

id_type!(
    /// A tenant: the unit of isolation.
    TenantId
);
id_type!(
    /// A warehouse: a storage profile inside a tenant.
    WarehouseId
);
id_type!(
    /// A catalog: a local or federated Iceberg catalog inside a tenant.
    CatalogId
);
id_type!(
    /// A namespace of a catalog.
    NamespaceId
);
id_type!(
    /// The stable identity of a table or view: it survives renames, branches and merges.
    ContentId
);
id_type!(
    /// A commit of a catalog's commit DAG.
    CommitId
);
id_type!(
    /// One audit record.
    AuditId
);
id_type!(
    /// A merge operation between two references.
    MergeId
);

id_type!(
    /// A human account (password or external identity).
    UserId
);
id_type!(
    /// A non-human account that authenticates with API keys.
    ServiceUserId
);
id_type!(
    /// A named set of grants inside a tenant.
    RoleId
);
id_type!(
    /// One permission given to a user, service user or role.
    GrantId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_strings_and_sort_by_creation() {
        let a = CommitId::generate();
        let b = CommitId::generate();
        assert!(a < b, "UUIDv7 ids must sort by creation");
        assert_eq!(a.to_string().parse::<CommitId>().unwrap(), a);
        let err = "not-a-uuid".parse::<CommitId>().unwrap_err();
        assert!(matches!(err, crate::Error::InvalidInput(_)));
    }
}
