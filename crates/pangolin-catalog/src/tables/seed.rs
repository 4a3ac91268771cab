//! The first metadata of a table created through a commit (a staged create's `assert-create`
//! transaction). The `iceberg` crate has no empty builder, so one is seeded from the updates
//! themselves: the first added schema, the requested location and format version; then every
//! update is applied in order on top (re-adding the same schema is a no-op for the builder).

use iceberg::TableUpdate;
use iceberg::spec::{FormatVersion, SortOrder, TableMetadataBuilder, UnboundPartitionSpec};
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
    built(TableMetadataBuilder::new(
        schema,
        UnboundPartitionSpec::default(),
        SortOrder::unsorted_order(),
        location,
        format_version,
        Default::default(),
    ))
}
