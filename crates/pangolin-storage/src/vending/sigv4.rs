//! AWS Signature Version 4 through the `aws-sigv4` crate: the STS call and remote signing.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation,
    SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use pangolin_core::{Error, Result};

/// Long-lived or session keys to sign with.
pub(crate) struct Keys<'a> {
    pub(crate) access_key_id: &'a str,
    pub(crate) secret_access_key: &'a str,
    pub(crate) session_token: Option<&'a str>,
}

/// The request to sign; `headers` are the ones the request will carry.
pub(crate) struct Request<'a> {
    pub(crate) method: &'a str,
    pub(crate) url: &'a str,
    pub(crate) headers: &'a [(String, String)],
    pub(crate) body: SignableBody<'a>,
}

/// Which flavour of SigV4: S3 neither double-encodes nor normalizes paths and always sends
/// `x-amz-content-sha256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    Sts,
    S3,
}

impl Service {
    fn name(self) -> &'static str {
        match self {
            Service::Sts => "sts",
            Service::S3 => "s3",
        }
    }
}

/// The headers to add to `request` (Authorization, X-Amz-Date, and the session token and
/// content hash where they apply).
pub(crate) fn sign_headers(
    keys: &Keys<'_>,
    region: &str,
    service: Service,
    request: Request<'_>,
    time: SystemTime,
) -> Result<Vec<(String, String)>> {
    let identity = Credentials::new(
        keys.access_key_id,
        keys.secret_access_key,
        keys.session_token.map(str::to_owned),
        None,
        "pangolin-warehouse",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::Headers;
    if service == Service::S3 {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service.name())
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| Error::internal(format_args!("sigv4 parameters: {e}")))?
        .into();
    let headers = request
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()));
    let signable = SignableRequest::new(request.method, request.url, headers, request.body)
        .map_err(|e| Error::invalid(format!("the request cannot be signed: {e}")))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| Error::invalid(format!("the request cannot be signed: {e}")))?
        .into_parts();
    let (headers, _params) = instructions.into_parts();
    Ok(headers
        .into_iter()
        .map(|h| (h.name().to_owned(), h.value().to_owned()))
        .collect())
}
