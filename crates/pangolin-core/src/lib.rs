//! Pangolin's domain vocabulary. Pure: no IO, no async, no framework types.
//!
//! Everything above this crate (store, catalog, api) speaks in these types, so a value that
//! exists here has already been validated: a [`Name`] is never empty, a [`NamespaceIdent`]
//! never has an empty level, a [`PageToken`] is only ever produced by [`page`].

pub mod audit;
pub mod context;
pub mod error;
pub mod ids;
pub mod model;
pub mod name;
pub mod page;
pub mod secret;

pub use error::{Error, Kind, Result};
pub use ids::*;
pub use name::{Name, NamespaceIdent, TableIdent};
pub use page::{Page, PageRequest, PageToken};

/// String-to-string properties, ordered so that serialized forms are deterministic.
pub type Properties = std::collections::BTreeMap<String, String>;

/// Timestamps are UTC everywhere; the store keeps microsecond precision.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// The current time truncated to microseconds, the precision every backend can round-trip.
pub fn now() -> Timestamp {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(6)
}
