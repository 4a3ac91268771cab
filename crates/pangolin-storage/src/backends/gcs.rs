//! Google Cloud Storage.

use object_store::gcp::{GoogleCloudStorage, GoogleCloudStorageBuilder};
use pangolin_core::Result;
use pangolin_core::model::{GcsProfile, WarehouseSecret};

use super::{build_error, mismatch, retry};

pub(super) fn build(
    profile: &GcsProfile,
    secret: Option<WarehouseSecret>,
) -> Result<GoogleCloudStorage> {
    let builder = match (secret, &profile.endpoint) {
        (Some(WarehouseSecret::GcsServiceAccount { key_json }), _) => {
            GoogleCloudStorageBuilder::new().with_service_account_key(key_json)
        }
        (Some(other), _) => return Err(mismatch(&other, "gcs")),
        // An endpoint override without a credential is an emulator (fake-gcs-server does
        // not check tokens): send unsigned requests instead of probing for Google credentials.
        (None, Some(_)) => GoogleCloudStorageBuilder::new().with_skip_signature(true),
        // Application default credentials or the metadata server.
        (None, None) => GoogleCloudStorageBuilder::from_env(),
    };
    let mut builder = builder
        .with_bucket_name(&profile.bucket)
        .with_retry(retry());
    if let Some(endpoint) = &profile.endpoint {
        builder = builder.with_base_url(endpoint.trim_end_matches('/'));
    }
    builder.build().map_err(|e| build_error("gcs", e))
}
