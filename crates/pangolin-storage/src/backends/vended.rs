//! Object stores that use a vended credential instead of the warehouse's own: how warehouse
//! validation proves that what clients receive actually works.

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::StaticCredentialProvider;
use object_store::aws::AmazonS3Builder;
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::gcp::{GcpCredential, GoogleCloudStorageBuilder};
use pangolin_core::model::StorageProfile;
use pangolin_core::{Error, Result};

use super::{build_error, is_http, retry, s3::bucket_endpoint, with_prefix};
use crate::vending::VendedCredential;

/// A store rooted at the warehouse's base location that authenticates with `credential`.
pub(crate) fn build(
    profile: &StorageProfile,
    credential: &VendedCredential,
) -> Result<Arc<dyn ObjectStore>> {
    let config = &credential.config;
    let get = |key: &str| {
        config
            .get(key)
            .map(str::to_owned)
            .ok_or_else(|| Error::internal(format!("the vended credential lacks {key}")))
    };
    match profile {
        StorageProfile::S3(p) => {
            let mut builder = AmazonS3Builder::new()
                .with_bucket_name(&p.bucket)
                .with_region(&p.region)
                .with_access_key_id(get("s3.access-key-id")?)
                .with_secret_access_key(get("s3.secret-access-key")?)
                .with_virtual_hosted_style_request(!p.path_style_access)
                .with_retry(retry());
            if let Some(token) = config.get("s3.session-token") {
                builder = builder.with_token(token);
            }
            if let Some(endpoint) = &p.endpoint {
                builder = builder
                    .with_endpoint(bucket_endpoint(endpoint, &p.bucket, p.path_style_access))
                    .with_allow_http(is_http(endpoint));
            }
            let store = builder.build().map_err(|e| build_error("s3", e))?;
            Ok(with_prefix(store, p.key_prefix.as_deref()))
        }
        StorageProfile::Azure(p) => {
            let account = &p.account_name;
            let token = get(&format!("adls.sas-token.{account}.dfs.core.windows.net"))?;
            let mut builder = MicrosoftAzureBuilder::new()
                .with_account(account)
                .with_container_name(&p.container)
                .with_config(AzureConfigKey::SasKey, token)
                .with_retry(retry());
            if let Some(endpoint) = &p.endpoint {
                builder = builder
                    .with_endpoint(endpoint.trim_end_matches('/').to_owned())
                    .with_allow_http(is_http(endpoint));
            }
            let store = builder.build().map_err(|e| build_error("azure", e))?;
            Ok(with_prefix(store, p.key_prefix.as_deref()))
        }
        StorageProfile::Gcs(p) => {
            let bearer = get("gcs.oauth2.token")?;
            let provider = StaticCredentialProvider::new(GcpCredential { bearer });
            let mut builder = GoogleCloudStorageBuilder::new()
                .with_bucket_name(&p.bucket)
                .with_credentials(Arc::new(provider))
                .with_retry(retry());
            if let Some(endpoint) = &p.endpoint {
                builder = builder.with_base_url(endpoint.trim_end_matches('/'));
            }
            let store = builder.build().map_err(|e| build_error("gcs", e))?;
            Ok(with_prefix(store, p.key_prefix.as_deref()))
        }
        StorageProfile::File(_) => Err(Error::invalid("file warehouses vend nothing")),
    }
}
