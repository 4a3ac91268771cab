//! Amazon S3 and S3-compatible stores (MinIO, moto, ...).

use object_store::aws::{AmazonS3, AmazonS3Builder, S3ConditionalPut};
use pangolin_core::model::{S3Profile, WarehouseSecret};
use pangolin_core::{Properties, Result};

use super::{build_error, is_http, mismatch, retry};

/// Warehouse property: `disabled` makes create-only writes use a HEAD check + put instead of
/// `If-None-Match: *`, for S3-compatible stores that reject conditional puts.
pub const S3_CONDITIONAL_PUT_PROPERTY: &str = "pangolin.s3.conditional-put";

pub(super) fn build(
    profile: &S3Profile,
    secret: Option<WarehouseSecret>,
    properties: &Properties,
) -> Result<AmazonS3> {
    let mut builder = credentials(secret)?
        .with_bucket_name(&profile.bucket)
        .with_region(&profile.region)
        .with_virtual_hosted_style_request(!profile.path_style_access)
        .with_conditional_put(conditional_put(properties))
        .with_retry(retry());
    if let Some(endpoint) = &profile.endpoint {
        builder = builder
            .with_endpoint(bucket_endpoint(
                endpoint,
                &profile.bucket,
                profile.path_style_access,
            ))
            .with_allow_http(is_http(endpoint));
    }
    builder.build().map_err(|e| build_error("s3", e))
}

/// The warehouse's keys when it has some; otherwise the default AWS chain (environment,
/// web identity, container and instance credentials).
fn credentials(secret: Option<WarehouseSecret>) -> Result<AmazonS3Builder> {
    match secret {
        None => Ok(AmazonS3Builder::from_env()),
        Some(WarehouseSecret::S3AccessKey {
            access_key_id,
            secret_access_key,
            session_token,
        }) => {
            // `new()`, not `from_env()`: a session token from the environment must not be
            // combined with the warehouse's own keys.
            let builder = AmazonS3Builder::new()
                .with_access_key_id(access_key_id)
                .with_secret_access_key(secret_access_key);
            Ok(match session_token {
                Some(token) => builder.with_token(token),
                None => builder,
            })
        }
        Some(other) => Err(mismatch(&other, "s3")),
    }
}

fn conditional_put(properties: &Properties) -> S3ConditionalPut {
    match properties
        .get(S3_CONDITIONAL_PUT_PROPERTY)
        .map(String::as_str)
    {
        Some("disabled") => S3ConditionalPut::Disabled,
        _ => S3ConditionalPut::ETagMatch,
    }
}

/// object_store uses a custom endpoint as the bucket's own endpoint when requests are
/// virtual-hosted, so the bucket goes into the host name (as AWS SDKs do).
pub(super) fn bucket_endpoint(endpoint: &str, bucket: &str, path_style: bool) -> String {
    let endpoint = endpoint.trim_end_matches('/');
    match endpoint.split_once("://") {
        Some((scheme, host)) if !path_style && !host.starts_with(&format!("{bucket}.")) => {
            format!("{scheme}://{bucket}.{host}")
        }
        _ => endpoint.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_hosted_endpoints_name_the_bucket() {
        assert_eq!(
            bucket_endpoint("https://s3.example.com/", "b", false),
            "https://b.s3.example.com"
        );
        assert_eq!(
            bucket_endpoint("https://b.s3.example.com", "b", false),
            "https://b.s3.example.com"
        );
        assert_eq!(
            bucket_endpoint("http://127.0.0.1:9000", "b", true),
            "http://127.0.0.1:9000"
        );
    }

    #[test]
    fn conditional_put_defaults_to_etag() {
        let mut props = Properties::new();
        assert_eq!(conditional_put(&props), S3ConditionalPut::ETagMatch);
        props.insert(S3_CONDITIONAL_PUT_PROPERTY.into(), "disabled".into());
        assert_eq!(conditional_put(&props), S3ConditionalPut::Disabled);
    }
}
