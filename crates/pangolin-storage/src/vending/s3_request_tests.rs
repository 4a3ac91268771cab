use super::*;

fn profile(endpoint: Option<&str>) -> S3Profile {
    S3Profile {
        bucket: "lake".into(),
        key_prefix: Some("wh".into()),
        region: "us-east-1".into(),
        endpoint: endpoint.map(Into::into),
        path_style_access: endpoint.is_some(),
        sts: None,
        allow_static_credential_vending: false,
    }
}

fn check(mode: VendMode, method: &str, url: &str, body: Option<&str>) -> Result<Operation> {
    let p = profile(Some("http://127.0.0.1:9000"));
    authorize(&p, "wh/ns/t", mode, method, &Url::parse(url).unwrap(), body)
}

fn forbidden(r: Result<Operation>) -> bool {
    matches!(r, Err(Error::Forbidden(_)))
}

const EP: &str = "http://127.0.0.1:9000/lake";

#[test]
fn objects_inside_the_table_are_signed() {
    let url = format!("{EP}/wh/ns/t/data/f.parquet");
    for method in ["GET", "HEAD", "PUT", "DELETE"] {
        let op = check(VendMode::ReadWrite, method, &url, None).unwrap();
        assert_eq!(
            op,
            Operation::Object {
                key: "wh/ns/t/data/f.parquet".into()
            }
        );
    }
    let encoded = format!("{EP}/wh/ns/t/data/a%20b.parquet?x-id=GetObject");
    assert_eq!(
        check(VendMode::Read, "GET", &encoded, None).unwrap(),
        Operation::Object {
            key: "wh/ns/t/data/a b.parquet".into()
        }
    );
    let multipart = format!("{EP}/wh/ns/t/data/f?uploadId=abc&partNumber=2");
    assert!(check(VendMode::ReadWrite, "PUT", &multipart, None).is_ok());
}

#[test]
fn objects_outside_the_table_are_refused() {
    for url in [
        format!("{EP}/wh/ns/t2/data/f"),
        format!("{EP}/wh/ns/t"),
        format!("{EP}/wh/ns/tx/f"),
        format!("{EP}/wh/ns/t/../t2/f"),
        format!("{EP}/wh/ns/t/%2e%2e/t2/f"),
        format!("{EP}/wh/ns/t//f"),
        "http://127.0.0.1:9000/other-bucket/wh/ns/t/f".into(),
        "http://evil.example:9000/lake/wh/ns/t/f".into(),
        "http://127.0.0.1:9001/lake/wh/ns/t/f".into(),
    ] {
        assert!(
            forbidden(check(VendMode::ReadWrite, "GET", &url, None)),
            "{url}"
        );
    }
}

#[test]
fn read_only_callers_may_only_read_and_list() {
    let url = format!("{EP}/wh/ns/t/data/f");
    assert!(check(VendMode::Read, "GET", &url, None).is_ok());
    assert!(check(VendMode::Read, "HEAD", &url, None).is_ok());
    for method in ["PUT", "POST", "DELETE"] {
        assert!(
            forbidden(check(VendMode::Read, method, &url, None)),
            "{method}"
        );
    }
    let list = format!("{EP}?list-type=2&prefix=wh/ns/t/data/");
    assert!(check(VendMode::Read, "GET", &list, None).is_ok());
}

#[test]
fn listings_must_stay_inside_the_prefix() {
    let ok = check(
        VendMode::Read,
        "GET",
        &format!("{EP}?list-type=2&prefix=wh%2Fns%2Ft%2F&delimiter=%2F"),
        None,
    );
    assert_eq!(
        ok.unwrap(),
        Operation::List {
            prefix: "wh/ns/t/".into()
        }
    );
    for url in [
        format!("{EP}?list-type=2&prefix=wh/ns/t"),
        format!("{EP}?list-type=2&prefix=wh/ns/"),
        format!("{EP}?list-type=2"),
        format!("{EP}/?list-type=2&prefix=wh/ns/t2/"),
        format!("{EP}?acl"),
        format!("{EP}?policy&prefix=wh/ns/t/"),
    ] {
        assert!(forbidden(check(VendMode::Read, "GET", &url, None)), "{url}");
    }
    assert!(
        forbidden(check(VendMode::ReadWrite, "PUT", EP, None)),
        "no bucket writes"
    );
    let acl = format!("{EP}/wh/ns/t/f?acl");
    assert!(forbidden(check(VendMode::ReadWrite, "PUT", &acl, None)));
}

#[test]
fn bulk_deletes_need_every_key_inside() {
    let url = format!("{EP}?delete");
    let body = |keys: &[&str]| {
        let objects: String = keys
            .iter()
            .map(|k| format!("<Object><Key>{k}</Key></Object>"))
            .collect();
        format!(
            "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{objects}<Quiet>true</Quiet></Delete>"
        )
    };
    let inside = body(&["wh/ns/t/a", "wh/ns/t/b"]);
    assert_eq!(
        check(VendMode::ReadWrite, "POST", &url, Some(&inside)).unwrap(),
        Operation::DeleteObjects
    );
    assert!(forbidden(check(
        VendMode::Read,
        "POST",
        &url,
        Some(&inside)
    )));
    let mixed = body(&["wh/ns/t/a", "wh/ns/t2/b"]);
    assert!(forbidden(check(
        VendMode::ReadWrite,
        "POST",
        &url,
        Some(&mixed)
    )));
    assert!(forbidden(check(VendMode::ReadWrite, "POST", &url, None)));
}

#[test]
fn virtual_hosted_and_aws_hosts() {
    let aws = profile(None);
    let url = Url::parse("https://lake.s3.us-east-1.amazonaws.com/wh/ns/t/f").unwrap();
    assert!(authorize(&aws, "wh/ns/t", VendMode::Read, "GET", &url, None).is_ok());
    let path_style = Url::parse("https://s3.amazonaws.com/lake/wh/ns/t/f").unwrap();
    assert!(authorize(&aws, "wh/ns/t", VendMode::Read, "GET", &path_style, None).is_ok());
    let other = Url::parse("https://other.s3.us-east-1.amazonaws.com/wh/ns/t/f").unwrap();
    assert!(matches!(
        authorize(&aws, "wh/ns/t", VendMode::Read, "GET", &other, None),
        Err(Error::Forbidden(_))
    ));
}
