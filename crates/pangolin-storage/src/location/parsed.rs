//! A storage location parsed into the parts that decide containment: which store it names
//! (scheme family + bucket/container) and its key as path segments.
//!
//! Locations are taken literally: nothing is percent-decoded, so `a%2Fb` is one segment and
//! the key `a%2Fb` is what gets read or written. Segments that would mean something else to a
//! client that does decode (`.`, `..`, `%2e%2e`, ...) are rejected outright.

use pangolin_core::{Error, Result};

/// Which kind of store a location belongs to; schemes within a family address the same data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    File,
    S3,
    Gcs,
    Azure,
}

/// The store a location lives in: its family and canonical authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Root {
    family: Family,
    /// The bucket; for Azure `container@account` plus the cloud suffix; empty for files.
    authority: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// The scheme as written after normalization (`s3a` → `s3`), lower case.
    scheme: String,
    /// The authority as written (lower-cased host for Azure), empty for files.
    authority: String,
    root: Root,
    segments: Vec<String>,
}

impl Parsed {
    /// Whether the location is on the local filesystem (`file://`).
    pub(crate) fn is_local(&self) -> bool {
        self.root.family == Family::File
    }

    pub(crate) fn parse(location: &str) -> Result<Self> {
        if location.trim().is_empty() {
            return Err(invalid(location, "must not be empty"));
        }
        if location.chars().any(char::is_control) {
            return Err(invalid(location, "must not contain control characters"));
        }
        let (scheme, rest) = split_scheme(location)?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let segments = parse_segments(location, path)?;
        let (family, authority, root_authority) = parse_authority(location, &scheme, authority)?;
        if family == Family::File && segments.is_empty() {
            return Err(invalid(location, "must not be the filesystem root"));
        }
        Ok(Parsed {
            scheme,
            authority,
            root: Root {
                family,
                authority: root_authority,
            },
            segments,
        })
    }

    /// Whether `other` is this location or lies below it (segment-wise, same store).
    pub(crate) fn contains(&self, other: &Parsed) -> bool {
        self.root == other.root && other.segments.starts_with(&self.segments)
    }

    /// The authority as written: the bucket, `container@account.<host>` for Azure, empty for
    /// files.
    pub(crate) fn authority(&self) -> &str {
        &self.authority
    }

    /// The object key (segments joined with `/`, no leading or trailing slash).
    pub(crate) fn key(&self) -> String {
        self.segments.join("/")
    }

    /// The segments of `other` below this location, if `other` is within it.
    pub(crate) fn relative<'a>(&self, other: &'a Parsed) -> Option<&'a [String]> {
        self.contains(other)
            .then(|| &other.segments[self.segments.len()..])
    }
}

impl std::fmt::Display for Parsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}", self.scheme, self.authority)?;
        for segment in &self.segments {
            write!(f, "/{segment}")?;
        }
        Ok(())
    }
}

fn invalid(location: &str, why: &str) -> Error {
    Error::invalid(format!("location '{}' {why}", location.escape_debug()))
}

/// Splits `scheme://rest`; also accepts Hadoop's `file:/abs/path`. The scheme is lower-cased
/// and `s3a`/`s3n` become `s3`.
fn split_scheme(location: &str) -> Result<(String, &str)> {
    let (scheme, rest) = match location.split_once("://") {
        Some((scheme, rest)) => (scheme, rest),
        None => match location.split_once(':') {
            Some((scheme, rest))
                if scheme.eq_ignore_ascii_case("file") && rest.starts_with('/') =>
            {
                (scheme, rest)
            }
            _ => return Err(invalid(location, "must be an absolute URL (scheme://...)")),
        },
    };
    let scheme = scheme.to_ascii_lowercase();
    let scheme = match scheme.as_str() {
        "s3a" | "s3n" => "s3".to_owned(),
        _ => scheme,
    };
    Ok((scheme, rest))
}

fn family_of(location: &str, scheme: &str) -> Result<Family> {
    match scheme {
        "file" => Ok(Family::File),
        "s3" => Ok(Family::S3),
        "gs" => Ok(Family::Gcs),
        "abfs" | "abfss" | "wasb" | "wasbs" => Ok(Family::Azure),
        _ => Err(invalid(
            location,
            "has an unsupported scheme (expected file, s3, gs, abfss or wasbs)",
        )),
    }
}

/// Returns the family, the authority to print and the canonical authority to compare.
fn parse_authority(
    location: &str,
    scheme: &str,
    authority: &str,
) -> Result<(Family, String, String)> {
    let family = family_of(location, scheme)?;
    match family {
        Family::File if authority.is_empty() || authority.eq_ignore_ascii_case("localhost") => {
            Ok((family, String::new(), String::new()))
        }
        Family::File => Err(invalid(location, "must be a local path (file:///...)")),
        Family::S3 | Family::Gcs if is_name(authority) => {
            Ok((family, authority.to_owned(), authority.to_owned()))
        }
        Family::S3 | Family::Gcs => Err(invalid(location, "must name a valid bucket")),
        Family::Azure => {
            let canonical = azure_root(authority)
                .ok_or_else(|| invalid(location, "must look like container@account.<host>"))?;
            Ok((family, authority.to_ascii_lowercase(), canonical))
        }
    }
}

/// `container@account.dfs.core.windows.net` and `container@account.blob.core.windows.net`
/// name the same container: canonical form `container@account.core.windows.net`.
fn azure_root(authority: &str) -> Option<String> {
    let (container, host) = authority.split_once('@')?;
    let host = host.to_ascii_lowercase();
    let (account, suffix) = host.split_once('.')?;
    let suffix = suffix
        .strip_prefix("dfs.")
        .or_else(|| suffix.strip_prefix("blob."))
        .unwrap_or(suffix);
    let valid = is_name(container) && is_name(account) && is_name(suffix);
    valid.then(|| format!("{container}@{account}.{suffix}"))
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Splits the key into segments: trailing slashes are dropped; empty (`//`) and dot
/// segments, also percent-encoded ones, are rejected.
fn parse_segments(location: &str, path: &str) -> Result<Vec<String>> {
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        return Ok(Vec::new());
    }
    path.split('/')
        .map(|segment| {
            if segment.is_empty() {
                Err(invalid(
                    location,
                    "must not contain empty path segments ('//')",
                ))
            } else if is_dot_segment(segment) {
                Err(invalid(location, "must not contain '.' or '..' segments"))
            } else {
                Ok(segment.to_owned())
            }
        })
        .collect()
}

/// `.`/`..` after any number of rounds of percent-decoding `%2e` and `%25`.
fn is_dot_segment(segment: &str) -> bool {
    let mut s = segment.to_ascii_lowercase();
    loop {
        let decoded = s.replace("%2e", ".").replace("%25", "%");
        if decoded == s {
            return s == "." || s == "..";
        }
        s = decoded;
    }
}
