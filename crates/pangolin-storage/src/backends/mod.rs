//! One module per storage kind: each turns a typed profile plus the opened secret into an
//! `object_store` rooted at the warehouse's base location (bucket + key prefix, or root dir).
//! `vended` builds the same stores from a vended credential (for warehouse validation).

mod azure;
mod file;
mod gcs;
mod s3;
pub(crate) mod vended;

pub use s3::S3_CONDITIONAL_PUT_PROPERTY;

use std::sync::Arc;
use std::time::Duration;

use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{BackoffConfig, ObjectStore, RetryConfig};
use pangolin_core::model::{StorageProfile, WarehouseSecret};
use pangolin_core::{Error, Properties, Result};

/// Builds the store for `profile`; keys are relative to the profile's base location.
pub(crate) fn build(
    profile: &StorageProfile,
    secret: Option<WarehouseSecret>,
    properties: &Properties,
) -> Result<Arc<dyn ObjectStore>> {
    match profile {
        StorageProfile::File(p) => {
            reject_secret(secret, "file")?;
            file::build(p)
        }
        StorageProfile::S3(p) => {
            let store = s3::build(p, secret, properties)?;
            Ok(with_prefix(store, p.key_prefix.as_deref()))
        }
        StorageProfile::Gcs(p) => {
            let store = gcs::build(p, secret)?;
            Ok(with_prefix(store, p.key_prefix.as_deref()))
        }
        StorageProfile::Azure(p) => {
            let store = azure::build(p, secret)?;
            Ok(with_prefix(store, p.key_prefix.as_deref()))
        }
    }
}

/// Scopes a bucket-level store to the key prefix (already validated by the profile).
fn with_prefix<T: ObjectStore>(store: T, prefix: Option<&str>) -> Arc<dyn ObjectStore> {
    match prefix
        .map(|p| p.trim_matches('/'))
        .filter(|p| !p.is_empty())
    {
        Some(prefix) => Arc::new(PrefixStore::new(store, Path::from_iter(prefix.split('/')))),
        None => Arc::new(store),
    }
}

fn reject_secret(secret: Option<WarehouseSecret>, storage: &str) -> Result<()> {
    match secret {
        Some(secret) => Err(mismatch(&secret, storage)),
        None => Ok(()),
    }
}

/// A credential of the wrong kind for the storage type (the message names only kinds).
fn mismatch(secret: &WarehouseSecret, storage: &str) -> Error {
    Error::invalid(format!(
        "a {} credential cannot be used with {storage} storage",
        secret.kind()
    ))
}

/// A builder error, without its details: they may quote parts of a credential (e.g. the
/// offending byte of a malformed key).
fn build_error(storage: &str, _err: object_store::Error) -> Error {
    Error::invalid(format!(
        "the {storage} storage configuration of this warehouse is invalid \
         (check the bucket/container, endpoint and credential)"
    ))
}

/// Retries for cloud stores: bounded so that an unreachable store fails a catalog request in
/// seconds (object_store's default keeps retrying for up to three minutes).
fn retry() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig::default(),
        max_retries: 3,
        retry_timeout: Duration::from_secs(15),
    }
}

fn is_http(endpoint: &str) -> bool {
    endpoint
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
}
