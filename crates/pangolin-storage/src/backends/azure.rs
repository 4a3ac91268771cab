//! Azure Blob Storage / ADLS Gen2 (through the blob endpoint), and Azurite.

use object_store::azure::{MicrosoftAzure, MicrosoftAzureBuilder};
use pangolin_core::Result;
use pangolin_core::model::{AzureProfile, WarehouseSecret};

use super::{build_error, is_http, mismatch, retry};

pub(super) fn build(
    profile: &AzureProfile,
    secret: Option<WarehouseSecret>,
) -> Result<MicrosoftAzure> {
    let builder = match secret {
        Some(WarehouseSecret::AzureSharedKey { account_key }) => {
            MicrosoftAzureBuilder::new().with_access_key(account_key)
        }
        Some(WarehouseSecret::AzureClientCredentials {
            tenant_id,
            client_id,
            client_secret,
        }) => MicrosoftAzureBuilder::new().with_client_secret_authorization(
            client_id,
            client_secret,
            tenant_id,
        ),
        Some(other) => return Err(mismatch(&other, "azure")),
        // Environment, workload identity or managed identity.
        None => MicrosoftAzureBuilder::from_env(),
    };
    let mut builder = builder
        .with_account(&profile.account_name)
        .with_container_name(&profile.container)
        .with_retry(retry());
    if let Some(endpoint) = &profile.endpoint {
        builder = builder
            .with_endpoint(endpoint.trim_end_matches('/').to_owned())
            .with_allow_http(is_http(endpoint));
    }
    builder.build().map_err(|e| build_error("azure", e))
}
