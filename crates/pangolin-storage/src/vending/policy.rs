//! The STS session policy of an S3 vend: the intersection of the role's own permissions
//! and this document is what the temporary keys may do, so it names exactly the table's
//! prefix. Objects: `arn:aws:s3:::<bucket>/<prefix>/*`; listing: `s3:ListBucket` on the
//! bucket with an `s3:prefix` condition on the prefix. Read-only sessions get no write action.

use serde_json::{Value, json};

use super::VendMode;

const READ_ACTIONS: &[&str] = &["s3:GetObject", "s3:GetObjectVersion"];
const WRITE_ACTIONS: &[&str] = &[
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
];

/// The session policy for `key_prefix` (no leading/trailing `/`; empty = the whole bucket).
pub(crate) fn session_policy(
    region: &str,
    bucket: &str,
    key_prefix: &str,
    mode: VendMode,
) -> Value {
    let partition = partition(region);
    let bucket_arn = format!("arn:{partition}:s3:::{bucket}");
    let (objects, listed) = if key_prefix.is_empty() {
        (format!("{bucket_arn}/*"), vec!["*".to_owned()])
    } else {
        (
            format!("{bucket_arn}/{key_prefix}/*"),
            // `<prefix>/`, not `<prefix>`: a bare string prefix would also list the objects
            // of a sibling table named `<prefix>-2`.
            vec![format!("{key_prefix}/"), format!("{key_prefix}/*")],
        )
    };
    let mut actions: Vec<&str> = READ_ACTIONS.to_vec();
    if mode.can_write() {
        actions.extend_from_slice(WRITE_ACTIONS);
    }
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TableObjects",
                "Effect": "Allow",
                "Action": actions,
                "Resource": [objects],
            },
            {
                "Sid": "TableListing",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": [bucket_arn.clone()],
                "Condition": { "StringLike": { "s3:prefix": listed } },
            },
            {
                "Sid": "BucketLocation",
                "Effect": "Allow",
                "Action": ["s3:GetBucketLocation"],
                "Resource": [bucket_arn],
            },
        ],
    })
}

/// The ARN partition of a region: China and GovCloud have their own.
pub(crate) fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actions(policy: &Value, sid: &str) -> Vec<String> {
        let statement = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == sid)
            .unwrap();
        serde_json::from_value(statement["Action"].clone()).unwrap()
    }

    #[test]
    fn read_write_policy_names_exactly_the_prefix() {
        let p = session_policy("us-east-1", "lake", "wh/ns/t-1", VendMode::ReadWrite);
        let expected = json!({
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "TableObjects", "Effect": "Allow",
                 "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject",
                            "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                 "Resource": ["arn:aws:s3:::lake/wh/ns/t-1/*"]},
                {"Sid": "TableListing", "Effect": "Allow", "Action": ["s3:ListBucket"],
                 "Resource": ["arn:aws:s3:::lake"],
                 "Condition": {"StringLike": {"s3:prefix": ["wh/ns/t-1/", "wh/ns/t-1/*"]}}},
                {"Sid": "BucketLocation", "Effect": "Allow", "Action": ["s3:GetBucketLocation"],
                 "Resource": ["arn:aws:s3:::lake"]},
            ]
        });
        assert_eq!(p, expected);
    }

    #[test]
    fn read_only_policy_has_no_write_action() {
        let p = session_policy("us-east-1", "lake", "t", VendMode::Read);
        let all: Vec<String> = ["TableObjects", "TableListing", "BucketLocation"]
            .iter()
            .flat_map(|sid| actions(&p, sid))
            .collect();
        for action in all {
            assert!(
                action.starts_with("s3:Get") || action == "s3:ListBucket",
                "{action}"
            );
        }
    }

    #[test]
    fn partitions_follow_the_region() {
        let p = session_policy("cn-north-1", "b", "t", VendMode::Read);
        assert_eq!(p["Statement"][0]["Resource"][0], "arn:aws-cn:s3:::b/t/*");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition("eu-west-1"), "aws");
    }
}
