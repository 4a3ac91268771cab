//! Parsing the `{prefix}`, `{namespace}` and `{table}` path segments.

use pangolin_catalog::Prefix;
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

pub(crate) fn table(namespace_segment: &str, table: &str) -> Result<TableIdent> {
    Ok(TableIdent::new(
        namespace(namespace_segment)?,
        Name::new(table)?,
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
        assert_eq!(table("a", "t").unwrap().to_string(), "a.t");
        assert!(table("a", "").is_err());
    }
}
