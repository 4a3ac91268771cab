//! The first metadata of a table created through a commit (a staged create's `assert-create`
//! transaction). The `iceberg` crate has no empty builder, so one is seeded from the updates
//! themselves: the first added schema, spec and sort order, the requested location and format
//! version; then every update is applied in order on top (re-adding the same schema, spec or
//! order is a no-op for the builder).

use iceberg::TableUpdate;
use iceberg::spec::{FormatVersion, SortOrder, TableMetadataBuilder};
use pangolin_core::model::Namespace;
use pangolin_core::{ContentId, Error, Result, TableIdent};

use super::files::built;
use super::locations::{checked_location, table_location};
use crate::Target;

pub(crate) fn seed_builder(
    target: &Target,
    namespace: &Namespace,
    ident: &TableIdent,
    content_id: ContentId,
    updates: &[TableUpdate],
) -> Result<TableMetadataBuilder> {
    let schema = updates
        .iter()
        .find_map(|u| match u {
            TableUpdate::AddSchema { schema } => Some(schema.clone()),
            _ => None,
        })
        .ok_or_else(|| Error::invalid(format!("creating {ident} requires an add-schema update")))?;
    let requested_location = updates.iter().rev().find_map(|u| match u {
        TableUpdate::SetLocation { location } => Some(location.as_str()),
        _ => None,
    });
    let location = match requested_location {
        Some(l) => checked_location(target, l)?,
        None => table_location(target, namespace, ident, content_id, None)?,
    };
    let format_version = updates
        .iter()
        .find_map(|u| match u {
            TableUpdate::UpgradeFormatVersion { format_version } => Some(*format_version),
            _ => None,
        })
        .unwrap_or(FormatVersion::V2);
    // Seeding with the first requested spec and order (not unpartitioned/unsorted) keeps their
    // ids those of the staged metadata the client already wrote data files against.
    let spec = updates
        .iter()
        .find_map(|u| match u {
            TableUpdate::AddSpec { spec } => Some(spec.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let sort_order = updates
        .iter()
        .find_map(|u| match u {
            TableUpdate::AddSortOrder { sort_order } => Some(sort_order.clone()),
            _ => None,
        })
        .unwrap_or_else(SortOrder::unsorted_order);
    built(TableMetadataBuilder::new(
        schema,
        spec,
        sort_order,
        location,
        format_version,
        Default::default(),
    ))
}
