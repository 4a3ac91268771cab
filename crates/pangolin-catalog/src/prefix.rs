//! The Iceberg REST `{prefix}` and path-level version addressing.
//!
//! A prefix names a catalog and optionally a version of it: `sales` (branch `main`),
//! `sales@dev` (a branch or tag), `sales#<commit id>` or `sales#<RFC 3339 time>` (read-only time
//! travel). Namespace and table path segments may carry the same suffixes (`db@dev`,
//! `orders#2026-01-01T00:00:00Z`); they refine the prefix's version.

use std::fmt;

use chrono::DateTime;
use pangolin_core::model::MAIN_BRANCH;
use pangolin_core::{CommitId, Error, Name, Result, Timestamp};

/// Which version of a catalog a request addresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum VersionSpec {
    /// A branch or tag by name.
    Ref(Name),
    /// Exactly this commit (read-only).
    Commit(CommitId),
    /// The newest commit of `reference` made at or before `at` (read-only).
    Time { reference: Name, at: Timestamp },
}

impl VersionSpec {
    pub fn main() -> Self {
        VersionSpec::Ref(Name::new(MAIN_BRANCH).expect("'main' is a valid name"))
    }

    /// Splits `name@ref`, `name#commit` or `name#time` into the name and its version.
    pub fn split(segment: &str) -> Result<(&str, Option<VersionSpec>)> {
        if let Some((name, reference)) = segment.split_once('@') {
            return Ok((name, Some(VersionSpec::Ref(Name::new(reference)?))));
        }
        if let Some((name, version)) = segment.split_once('#') {
            return Ok((name, Some(parse_point(version)?)));
        }
        Ok((segment, None))
    }

    fn is_main(&self) -> bool {
        matches!(self, VersionSpec::Ref(r) if r.as_str() == MAIN_BRANCH)
    }
}

/// A commit id or an RFC 3339 time (relative to `main` until combined with a prefix).
fn parse_point(s: &str) -> Result<VersionSpec> {
    if let Ok(commit) = s.parse::<CommitId>() {
        return Ok(VersionSpec::Commit(commit));
    }
    let at = DateTime::parse_from_rfc3339(s).map_err(|_| {
        Error::invalid(format!("{s:?} is neither a commit id nor an RFC 3339 time"))
    })?;
    let main = Name::new(MAIN_BRANCH).expect("'main' is a valid name");
    Ok(VersionSpec::Time {
        reference: main,
        at: at.to_utc(),
    })
}

impl fmt::Display for VersionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionSpec::Ref(r) => write!(f, "@{r}"),
            VersionSpec::Commit(c) => write!(f, "#{c}"),
            VersionSpec::Time { at, .. } => write!(f, "#{}", at.to_rfc3339()),
        }
    }
}

/// A catalog and the version of it a request addresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Prefix {
    pub catalog: Name,
    pub version: VersionSpec,
}

impl Prefix {
    pub fn parse(prefix: &str) -> Result<Self> {
        let (catalog, version) = VersionSpec::split(prefix)?;
        Ok(Prefix {
            catalog: Name::new(catalog)?,
            version: version.unwrap_or_else(VersionSpec::main),
        })
    }

    pub fn is_main(&self) -> bool {
        self.version.is_main()
    }

    /// Applies a version given on a namespace or table path segment. A time is taken relative
    /// to the prefix's reference; two different explicit versions are a contradiction.
    pub fn refined(&self, path_version: Option<VersionSpec>) -> Result<Prefix> {
        let Some(version) = path_version else {
            return Ok(self.clone());
        };
        let version = match (&self.version, version) {
            (VersionSpec::Ref(reference), VersionSpec::Time { at, .. }) => VersionSpec::Time {
                reference: reference.clone(),
                at,
            },
            (_, v) if self.is_main() || self.version == v => v,
            (mine, theirs) => {
                return Err(Error::invalid(format!(
                    "the path addresses version '{theirs}' but the prefix addresses '{mine}'"
                )));
            }
        };
        Ok(Prefix {
            catalog: self.catalog.clone(),
            version,
        })
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_main() {
            write!(f, "{}", self.catalog)
        } else {
            write!(f, "{}{}", self.catalog, self.version)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_name_a_catalog_and_a_version() {
        let p = Prefix::parse("sales").unwrap();
        assert!(p.is_main());
        assert_eq!(p.to_string(), "sales");
        let p = Prefix::parse("sales@dev").unwrap();
        assert_eq!(p.version, VersionSpec::Ref(Name::new("dev").unwrap()));
        assert_eq!(p.to_string(), "sales@dev");
        let id = CommitId::generate();
        assert_eq!(
            Prefix::parse(&format!("sales#{id}")).unwrap().version,
            VersionSpec::Commit(id)
        );
        let t = Prefix::parse("sales#2026-01-02T03:04:05Z").unwrap();
        assert!(matches!(t.version, VersionSpec::Time { .. }));
        for bad in ["", "sales@", "a@b@c", "sales#yesterday", "@dev"] {
            assert!(Prefix::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn path_versions_refine_the_prefix() {
        let main = Prefix::parse("sales").unwrap();
        let dev = VersionSpec::Ref(Name::new("dev").unwrap());
        assert_eq!(main.refined(Some(dev.clone())).unwrap().version, dev);
        let on_dev = Prefix::parse("sales@dev").unwrap();
        assert_eq!(on_dev.refined(Some(dev.clone())).unwrap().version, dev);
        assert!(
            on_dev
                .refined(Some(VersionSpec::Ref(Name::new("qa").unwrap())))
                .is_err()
        );
        let (_, at) = VersionSpec::split("t#2026-01-02T03:04:05Z").unwrap();
        let VersionSpec::Time { reference, .. } = on_dev.refined(at).unwrap().version else {
            panic!("a time stays a time")
        };
        assert_eq!(reference.as_str(), "dev");
        assert_eq!(main.refined(None).unwrap(), main);
    }
}
