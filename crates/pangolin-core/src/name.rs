//! Validated names and identifiers. A value of these types is always valid, so code that holds
//! one never re-checks it and the store never sees an empty or control-character name.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize};

use crate::{Error, Result};

/// Longest name in bytes; long enough for any real identifier, short enough to index.
pub const MAX_NAME_BYTES: usize = 255;
/// Deepest namespace nesting accepted.
pub const MAX_NAMESPACE_DEPTH: usize = 16;
/// Characters reserved for addressing (`table@branch`, `table#commit`) and paths.
const RESERVED: &[char] = &['/', '\\', '@', '#'];

/// The separator of namespace levels in stored keys and in the Iceberg REST wire form. It is a
/// control character, so it can never occur inside a level.
pub const UNIT_SEPARATOR: char = '\u{1f}';

/// A validated simple name: of a tenant, warehouse, catalog, namespace level, table, view or
/// reference.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Name(Arc<str>);

impl Name {
    pub fn new(name: impl AsRef<str>) -> Result<Self> {
        let name = name.as_ref();
        check_name(name)
            .map_err(|reason| Error::invalid(format!("invalid name {name:?}: {reason}")))?;
        Ok(Name(Arc::from(name)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn check_name(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() {
        return Err("must not be empty".into());
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(format!("longer than {MAX_NAME_BYTES} bytes"));
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    if let Some(c) = name.chars().find(|c| RESERVED.contains(c)) {
        return Err(format!("must not contain '{c}'"));
    }
    if name == "." || name == ".." {
        return Err("must not be '.' or '..'".into());
    }
    Ok(())
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Name::new(s).map_err(serde::de::Error::custom)
    }
}

/// A namespace: one or more levels, outermost first.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct NamespaceIdent(Vec<Name>);

impl NamespaceIdent {
    pub fn new(levels: Vec<Name>) -> Result<Self> {
        if levels.is_empty() {
            return Err(Error::invalid("a namespace needs at least one level"));
        }
        if levels.len() > MAX_NAMESPACE_DEPTH {
            return Err(Error::invalid(format!(
                "a namespace may have at most {MAX_NAMESPACE_DEPTH} levels"
            )));
        }
        Ok(NamespaceIdent(levels))
    }

    /// Parses levels given as strings, e.g. from a JSON array.
    pub fn from_strs<S: AsRef<str>>(levels: &[S]) -> Result<Self> {
        Self::new(levels.iter().map(Name::new).collect::<Result<_>>()?)
    }

    /// Parses the stored/wire form: levels joined by the unit separator (0x1F).
    pub fn from_encoded(encoded: &str) -> Result<Self> {
        Self::from_strs(&encoded.split(UNIT_SEPARATOR).collect::<Vec<_>>())
    }

    /// The stored/wire form: levels joined by the unit separator. Sorting these strings
    /// bytewise sorts namespaces parent-first.
    pub fn encoded(&self) -> String {
        let mut out = String::new();
        for (i, level) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(UNIT_SEPARATOR);
            }
            out.push_str(level.as_str());
        }
        out
    }

    pub fn levels(&self) -> &[Name] {
        &self.0
    }

    pub fn depth(&self) -> usize {
        self.0.len()
    }

    /// The enclosing namespace, `None` for a top-level one.
    pub fn parent(&self) -> Option<NamespaceIdent> {
        (self.0.len() > 1).then(|| NamespaceIdent(self.0[..self.0.len() - 1].to_vec()))
    }

    pub fn child(&self, level: Name) -> Result<NamespaceIdent> {
        let mut levels = self.0.clone();
        levels.push(level);
        NamespaceIdent::new(levels)
    }

    /// Whether `self` is `other` or nested (at any depth) inside it.
    pub fn is_within(&self, other: &NamespaceIdent) -> bool {
        self.0.starts_with(&other.0)
    }
}

impl fmt::Display for NamespaceIdent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, level) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            f.write_str(level.as_str())?;
        }
        Ok(())
    }
}

impl fmt::Debug for NamespaceIdent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.0).finish()
    }
}

impl<'de> Deserialize<'de> for NamespaceIdent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let levels = Vec::<Name>::deserialize(d)?;
        NamespaceIdent::new(levels).map_err(serde::de::Error::custom)
    }
}

/// A table or view: its namespace and its name.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TableIdent {
    pub namespace: NamespaceIdent,
    pub name: Name,
}

impl TableIdent {
    pub fn new(namespace: NamespaceIdent, name: Name) -> Self {
        TableIdent { namespace, name }
    }

    /// Parses `["a", "b"]` + `"t"`.
    pub fn from_strs<S: AsRef<str>>(namespace: &[S], name: &str) -> Result<Self> {
        Ok(TableIdent::new(
            NamespaceIdent::from_strs(namespace)?,
            Name::new(name)?,
        ))
    }
}

impl fmt::Display for TableIdent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.namespace, self.name)
    }
}

impl fmt::Debug for TableIdent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_reject_bad_input_with_typed_errors() {
        let long = "x".repeat(MAX_NAME_BYTES + 1);
        for bad in [
            "",
            "a\u{0}b",
            "tab\there",
            "a\u{1f}b",
            "a/b",
            "a@b",
            "c#1",
            ".",
            "..",
            &long,
        ] {
            assert!(
                matches!(Name::new(bad), Err(Error::InvalidInput(_))),
                "{bad:?} must be rejected"
            );
        }
        for good in [
            "sales",
            "a.b",
            "Ünïcode 表",
            "with space",
            &"y".repeat(MAX_NAME_BYTES),
        ] {
            assert_eq!(Name::new(good).unwrap().as_str(), good);
        }
    }

    #[test]
    fn namespaces_encode_parent_first_and_round_trip() {
        let ns = NamespaceIdent::from_strs(&["a", "b", "c"]).unwrap();
        assert_eq!(ns.encoded(), "a\u{1f}b\u{1f}c");
        assert_eq!(NamespaceIdent::from_encoded(&ns.encoded()).unwrap(), ns);
        assert_eq!(ns.parent().unwrap().to_string(), "a.b");
        assert!(ns.is_within(&NamespaceIdent::from_strs(&["a"]).unwrap()));
        assert!(!NamespaceIdent::from_strs(&["ab"]).unwrap().is_within(&ns));
        assert!(NamespaceIdent::from_strs::<&str>(&[]).is_err());
        assert!(NamespaceIdent::from_encoded("a\u{1f}\u{1f}b").is_err());
        let deep: Vec<String> = (0..=MAX_NAMESPACE_DEPTH).map(|i| i.to_string()).collect();
        assert!(NamespaceIdent::from_strs(&deep).is_err());
    }

    #[test]
    fn deserializing_validates() {
        assert!(serde_json::from_str::<Name>("\"\"").is_err());
        assert!(serde_json::from_str::<NamespaceIdent>("[]").is_err());
        assert!(serde_json::from_str::<NamespaceIdent>("[\"a\",\"\"]").is_err());
        let t: TableIdent = serde_json::from_str(r#"{"namespace":["a"],"name":"t"}"#).unwrap();
        assert_eq!(t.to_string(), "a.t");
    }
}
