//! Domain models: what the store keeps and the services reason about.

mod access;
mod catalog;
mod content;
mod identity;
mod merge;
mod namespace;
mod refs;
mod tenant;
mod warehouse;

pub use access::*;
pub use catalog::*;
pub use content::*;
pub use identity::*;
pub use merge::*;
pub use namespace::*;
pub use refs::*;
pub use tenant::*;
pub use warehouse::*;
