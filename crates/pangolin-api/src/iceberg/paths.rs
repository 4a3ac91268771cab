//! Parsing the `{prefix}`, `{namespace}` and `{table}` path segments.

use pangolin_catalog::{Prefix, VersionSpec};
use pangolin_core::name::UNIT_SEPARATOR;
use pangolin_core::{Name, NamespaceIdent, Result, TableIdent};

/// A namespace path segment: levels separated by the unit separator (`%1F` on the wire).
pub(crate) fn namespace(segment: &str) -> Result<NamespaceIdent> {
    let levels: Vec<&str> = segment.split(UNIT_SEPARATOR).collect();
    NamespaceIdent::from_strs(&levels)
}

pub(crate) fn prefix(segment: &str) -> Result<Prefix> {
    Prefix::parse(segment)
}

/// The prefix refined by a version on the namespace segment (`db@dev`), and the namespace.
pub(crate) fn in_namespace(
    prefix_segment: &str,
    namespace_segment: &str,
) -> Result<(Prefix, NamespaceIdent)> {
    let (levels, version) = VersionSpec::split(namespace_segment)?;
    Ok((
        prefix(prefix_segment)?.refined(version)?,
        namespace(levels)?,
    ))
}

/// The prefix refined by versions on the namespace and table segments (`db@dev`, `t@tag`,
/// `t#<commit>`, `t#<RFC 3339 time>`), and the table.
pub(crate) fn at_table(
    prefix_segment: &str,
    namespace_segment: &str,
    table_segment: &str,
) -> Result<(Prefix, TableIdent)> {
    let (prefix, ns) = in_namespace(prefix_segment, namespace_segment)?;
    let (name, version) = VersionSpec::split(table_segment)?;
    Ok((
        prefix.refined(version)?,
        TableIdent::new(ns, Name::new(name)?),
    ))
}

/// Converts the `iceberg` crate's identifier (inside request bodies) into a validated one.
pub(crate) fn table_from_iceberg(ident: &iceberg::TableIdent) -> Result<TableIdent> {
    TableIdent::from_strs(ident.namespace().as_ref(), ident.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_level_namespaces_split_on_the_unit_separator() {
        assert_eq!(namespace("a\u{1f}b").unwrap().levels().len(), 2);
        assert!(namespace("").is_err());
        assert!(namespace("a\u{1f}").is_err());
        assert_eq!(at_table("c", "a", "t").unwrap().1.to_string(), "a.t");
        assert!(at_table("c", "a", "").is_err());
    }

    #[test]
    fn path_segments_can_address_versions() {
        let (p, ns) = in_namespace("cat", "db@dev").unwrap();
        assert_eq!(
            (p.to_string(), ns.to_string()),
            ("cat@dev".into(), "db".into())
        );
        let (p, t) = at_table("cat", "db", "t@v1").unwrap();
        assert_eq!(
            (p.to_string(), t.to_string()),
            ("cat@v1".into(), "db.t".into())
        );
        let (p, _) = at_table("cat@dev", "db", "t#2026-01-02T03:04:05Z").unwrap();
        assert!(p.to_string().starts_with("cat#2026-01-02"));
        assert!(
            at_table("cat@dev", "db", "t@qa").is_err(),
            "contradicting versions"
        );
        assert!(at_table("cat", "db@dev", "t@qa").is_err());
        assert!(in_namespace("cat", "db@").is_err());
    }
}
