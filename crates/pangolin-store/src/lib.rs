//! The store contract: what Pangolin needs from a persistence backend, as small object-safe
//! traits reached through one `Arc<dyn Store>` chosen at runtime.
//!
//! Guarantees every backend must give (checked by [`conformance`]):
//! - every mutating method is atomic, together with the audit events passed to it;
//! - names are unique per scope and violations are typed errors ([`pangolin_core::Error`]);
//! - lists are ordered by a unique key and paginated with opaque cursors;
//! - table/view pointers and branch heads move only by compare-and-swap
//!   ([`ContentStore::commit`]);
//! - no two tables or views share files: a create or a move onto a location overlapping
//!   another content's is refused, store-wide ([`Change::Put`], [`locations`]);
//! - stored metadata lives exactly as long as some content row points at it
//!   ([`ContentStore::load_metadata`]);
//! - a merge operation changes only while it is open, and the commit completing it does so
//!   in the same transaction ([`MergeStore`], [`CommitRequest::completes_merge`]);
//! - audit events are linked into one hash chain per tenant (and one without a tenant) by
//!   [`AuditStore::seal_audit`], each exactly once, without gaps, even with concurrent
//!   sealers; sealed events never change through the store;
//! - identities and grants are tenant-scoped: another tenant's object answers like a missing
//!   one, and deleting an account, role, tenant, warehouse or catalog deletes what hangs on
//!   it (assignments, grants, API keys) in the same transaction ([`UserStore`],
//!   [`AccessStore`]).
//!
//! The decisions every backend must take the same way live in [`rules`], [`locations`] and
//! [`identity_rules`].
//!
//! The contract has no SQL types in it, so a document store fits behind it unchanged.

mod commit;
#[cfg(feature = "conformance")]
pub mod conformance;
mod feed;
mod identity;
pub mod identity_rules;
pub mod locations;
pub mod memory;
pub mod rules;
mod traits;

pub use commit::{Change, CommitRequest, Expected, NewRef};
pub use feed::{ChangeFeed, StoreChange};
pub use identity::*;
pub use traits::*;

pub use pangolin_core::{Error, Result};
