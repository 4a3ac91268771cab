//! Server-side object IO for warehouses through `object_store`: reading and writing Iceberg
//! metadata files, deleting (purge) and listing, for `file://`, `s3://`, `gs://` and
//! `abfss://`/`wasbs://` locations.
//!
//! Every location is a full URL and must lie inside the warehouse: [`WarehouseIo`] refuses
//! anything else with `Forbidden` before touching storage. Secrets are opened only to build
//! a store and never appear in errors or logs.
//!
//! Decisions worth knowing:
//! - Locations are taken literally, never percent-decoded: the key of `s3://b/p/a%20b` is
//!   `p/a%20b`. Segments that a decoding client could read as traversal (`.`, `..`, `%2e%2e`,
//!   also double-encoded) and empty segments (`//`) are rejected as `InvalidInput`; see
//!   [`location`].
//! - Create-only writes use `PutMode::Create` (S3 `If-None-Match: *`, GCS generation match,
//!   Azure `If-None-Match`, local hard link). For S3-compatible stores that reject conditional
//!   puts, set the warehouse property [`S3_CONDITIONAL_PUT_PROPERTY`] to `disabled`: writes
//!   then do HEAD + put, which is racy (see `WarehouseIo::write`).
//! - `delete_prefix` refuses the warehouse root: purging a whole warehouse is not a side
//!   effect a single bad table location may trigger.
//! - Credential vending and S3 remote signing live in [`vending`], reached through
//!   [`StorageRegistry::vend`] and [`StorageRegistry::sign`]; warehouse checks in
//!   [`StorageRegistry::validate`].
//! - Cloud requests retry at most 3 times / 15 s, so an unreachable store surfaces as
//!   `Unavailable` within seconds instead of object_store's default 3 minutes.

mod backends;
mod delegation;
mod error;
mod io;
pub mod location;
mod registry;
mod validate;
pub mod vending;

pub use backends::S3_CONDITIONAL_PUT_PROPERTY;
pub use io::{ObjectInfo, WarehouseIo};
pub use registry::StorageRegistry;
pub use validate::{ValidationCheck, ValidationReport};
pub use vending::{RemoteSignRequest, SecretProperties, SignedRequest, VendMode, VendedCredential};
