use std::fmt;

use pangolin_core::model::MAIN_BRANCH;
use pangolin_core::{Name, Result};

/// The Iceberg REST `{prefix}`: a catalog name, optionally with a reference (`sales@dev`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Prefix {
    pub catalog: Name,
    pub reference: Name,
}

impl Prefix {
    pub fn parse(prefix: &str) -> Result<Self> {
        let (catalog, reference) = match prefix.split_once('@') {
            Some((c, r)) => (c, r),
            None => (prefix, MAIN_BRANCH),
        };
        Ok(Prefix {
            catalog: Name::new(catalog)?,
            reference: Name::new(reference)?,
        })
    }

    pub fn is_main(&self) -> bool {
        self.reference.as_str() == MAIN_BRANCH
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_main() {
            write!(f, "{}", self.catalog)
        } else {
            write!(f, "{}@{}", self.catalog, self.reference)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_name_a_catalog_and_a_reference() {
        let p = Prefix::parse("sales").unwrap();
        assert_eq!(
            (p.catalog.as_str(), p.reference.as_str()),
            ("sales", "main")
        );
        let p = Prefix::parse("sales@dev").unwrap();
        assert_eq!((p.catalog.as_str(), p.reference.as_str()), ("sales", "dev"));
        assert_eq!(p.to_string(), "sales@dev");
        assert!(Prefix::parse("").is_err());
        assert!(Prefix::parse("sales@").is_err());
        assert!(Prefix::parse("a@b@c").is_err());
    }
}
