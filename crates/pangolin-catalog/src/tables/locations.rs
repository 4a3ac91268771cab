//! Where tables live: always inside the catalog's warehouse.

use pangolin_core::model::Namespace;
use pangolin_core::{ContentId, Error, Result, TableIdent};
use pangolin_storage::location;

use crate::Target;
use crate::namespaces::LOCATION_PROPERTY;

/// The location of a new table: the client's, if it lies inside the warehouse, else one derived
/// from the namespace's `location` property or the warehouse root. Derived locations end in the
/// table's content id so no two tables ever share one.
pub(crate) fn table_location(
    target: &Target,
    namespace: &Namespace,
    ident: &TableIdent,
    content_id: ContentId,
    requested: Option<&str>,
) -> Result<String> {
    if let Some(requested) = requested {
        return checked_location(target, requested);
    }
    let leaf = format!(
        "{}-{}",
        path_safe(ident.name.as_str()),
        content_id.as_uuid().simple()
    );
    if let Some(ns_location) = namespace.properties.get(LOCATION_PROPERTY) {
        return checked_location(target, &location::join(ns_location, &leaf));
    }
    let mut base = location::join(
        target.io().base_location(),
        &target.catalog_id().to_string(),
    );
    for level in ident.namespace.levels() {
        base = location::join(&base, &path_safe(level.as_str()));
    }
    Ok(location::join(&base, &leaf))
}

/// Normalizes a client-given location and refuses one outside the warehouse.
pub(crate) fn checked_location(target: &Target, requested: &str) -> Result<String> {
    let normalized = location::normalize(requested)?;
    if !target.io().contains(&normalized)
        || normalized == location::normalize(target.io().base_location())?
    {
        return Err(Error::invalid(format!(
            "location {requested} is outside the warehouse {}",
            target.io().base_location()
        )));
    }
    Ok(normalized)
}

/// The location the store records for a table or view, and keeps free of overlaps with
/// every other table's: its metadata's `location`, in the one normalized spelling the store
/// compares (`s3a://b/t/` and `s3://b/t` are the same place).
pub(crate) fn base_location(metadata_location_field: &str) -> Result<String> {
    location::normalize(metadata_location_field)
}

/// Names may hold any printable character; paths get a conservative spelling of them.
fn path_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_safe_keeps_readable_names_and_replaces_the_rest() {
        assert_eq!(path_safe("orders_2024.v1"), "orders_2024.v1");
        assert_eq!(path_safe("my table/x%2F"), "my_table_x_2F");
        assert_eq!(path_safe("表"), "_");
    }
}
