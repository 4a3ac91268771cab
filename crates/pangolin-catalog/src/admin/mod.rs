//! Administration of the objects above catalogs' contents: tenants (root), warehouses and
//! catalogs (tenant administrators), and access (roles, assignments, grants). Each operation:
//! authorize → validate → one audited store call → forget what the caches held about the
//! changed object.

pub mod access;
mod catalogs;
mod tenants;
mod warehouses;

pub(crate) use catalogs::catalog_resource;
pub use catalogs::{CatalogInfo, CatalogUpdate, NewCatalog, NewCatalogKind};
pub use tenants::{NewTenant, TenantUpdate};
pub use warehouses::{NewWarehouse, SecretChange, WarehouseUpdate};
