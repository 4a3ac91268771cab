use super::*;

#[test]
fn parses_an_assume_role_response() {
    let xml = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
<AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn><AssumedRoleId>X:s</AssumedRoleId></AssumedRoleUser>
<Credentials>
  <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
  <SecretAccessKey>secret/key+1</SecretAccessKey>
  <SessionToken>token==</SessionToken>
  <Expiration>2030-11-09T13:34:41Z</Expiration>
</Credentials>
<PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe</RequestId></ResponseMetadata>
</AssumeRoleResponse>"#;
    let s = parse_assume_role(xml).unwrap();
    assert_eq!(s.access_key_id, "ASIAEXAMPLE");
    assert_eq!(s.secret_access_key, "secret/key+1");
    assert_eq!(s.session_token, "token==");
    assert_eq!(s.expiration.timestamp(), 1_920_461_681);
    assert!(parse_assume_role("<Error/>").is_err());
}

#[test]
fn form_bodies_encode_like_aws_sdks() {
    let body = form_body(&[("Policy", "{\"a\":\"s3:*\"} x/y".into()), ("K", "v".into())]);
    assert_eq!(body, "Policy=%7B%22a%22%3A%22s3%3A%2A%22%7D+x%2Fy&K=v");
}

#[test]
fn session_names_are_stable_and_valid() {
    let a = session_name("s3://b/t", VendMode::Read);
    assert_eq!(a, session_name("s3://b/t", VendMode::Read));
    assert_ne!(a, session_name("s3://b/t", VendMode::ReadWrite));
    assert!(a.len() <= 64 && a.starts_with("pangolin-ro-"));
    assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
}

#[test]
fn sts_endpoints_prefer_the_configured_ones() {
    let mut profile = S3Profile {
        bucket: "b".into(),
        key_prefix: None,
        region: "eu-west-1".into(),
        endpoint: None,
        path_style_access: false,
        sts: None,
        allow_static_credential_vending: false,
    };
    let mut sts = StsSettings {
        role_arn: "arn:aws:iam::1:role/r".into(),
        external_id: None,
        sts_endpoint: None,
        session_duration_seconds: 3600,
    };
    assert_eq!(
        sts_endpoint(&profile, &sts),
        "https://sts.eu-west-1.amazonaws.com/"
    );
    profile.endpoint = Some("http://127.0.0.1:9000/".into());
    assert_eq!(sts_endpoint(&profile, &sts), "http://127.0.0.1:9000/");
    sts.sts_endpoint = Some("http://sts.local".into());
    assert_eq!(sts_endpoint(&profile, &sts), "http://sts.local/");
}
