//! Folding `ViewUpdate`s into a `ViewMetadataBuilder`: the dispatch the `iceberg` crate has for
//! tables (`TableUpdate::apply`) but not for views.

use iceberg::ViewUpdate;
use iceberg::spec::ViewMetadataBuilder;
use pangolin_core::{Error, Result};
use uuid::Uuid;

use crate::tables::files::built;

/// Applies `updates` in order to the builder of the view whose uuid is `current_uuid`.
pub(crate) fn apply_updates(
    mut builder: ViewMetadataBuilder,
    current_uuid: Uuid,
    updates: &[ViewUpdate],
) -> Result<ViewMetadataBuilder> {
    for update in updates {
        builder = apply(builder, current_uuid, update.clone())?;
    }
    Ok(builder)
}

fn apply(
    builder: ViewMetadataBuilder,
    current_uuid: Uuid,
    update: ViewUpdate,
) -> Result<ViewMetadataBuilder> {
    match update {
        // The spec: re-assigning the uuid of an existing view is not safe (it is the identity
        // that `assert-view-uuid` checks). The crate's builder would allow it; Java refuses.
        ViewUpdate::AssignUuid { uuid } if uuid != current_uuid => Err(Error::invalid(format!(
            "cannot reassign the uuid of view {current_uuid} to {uuid}"
        ))),
        ViewUpdate::AssignUuid { uuid } => Ok(builder.assign_uuid(uuid)),
        ViewUpdate::UpgradeFormatVersion { format_version } => {
            built(builder.upgrade_format_version(format_version))
        }
        // `last-column-id` is deprecated in the spec; the builder derives it from the schema.
        ViewUpdate::AddSchema { schema, .. } => Ok(builder.add_schema(schema)),
        ViewUpdate::SetLocation { location } => Ok(builder.set_location(location)),
        ViewUpdate::SetProperties { updates } => built(builder.set_properties(updates)),
        ViewUpdate::RemoveProperties { removals } => Ok(builder.remove_properties(&removals)),
        ViewUpdate::AddViewVersion { view_version } => built(builder.add_version(view_version)),
        ViewUpdate::SetCurrentViewVersion { view_version_id } => {
            built(builder.set_current_version_id(view_version_id))
        }
    }
}

#[cfg(test)]
mod tests {
    use iceberg::spec::ViewMetadata;

    use super::*;
    use crate::views::files::tests::sample_view;

    fn updates(json: serde_json::Value) -> Vec<ViewUpdate> {
        serde_json::from_value(json).unwrap()
    }

    fn apply_json(view: &ViewMetadata, json: serde_json::Value) -> Result<ViewMetadata> {
        let builder = apply_updates(view.clone().into_builder(), view.uuid(), &updates(json))?;
        Ok(built(builder.build())?.metadata)
    }

    #[test]
    fn a_new_version_with_a_new_schema_becomes_current() {
        let view = sample_view();
        let now = chrono::Utc::now().timestamp_millis();
        let next = apply_json(
            &view,
            serde_json::json!([
                {"action": "add-schema", "schema": {"type": "struct", "schema-id": 7,
                  "fields": [{"id": 1, "name": "n", "required": false, "type": "long"}]}},
                {"action": "add-view-version", "view-version": {"version-id": 9,
                  "schema-id": -1, "timestamp-ms": now, "summary": {},
                  "representations": [{"type": "sql", "sql": "select 2 as n", "dialect": "spark"}],
                  "default-namespace": ["db"]}},
                {"action": "set-current-view-version", "view-version-id": -1},
                {"action": "set-properties", "updates": {"comment": "two"}},
                {"action": "remove-properties", "removals": ["owner"]}
            ]),
        )
        .unwrap();
        assert_eq!(
            next.current_version_id(),
            2,
            "ids are reassigned sequentially"
        );
        assert_eq!(next.versions().len(), 2);
        assert_eq!(next.current_schema().schema_id(), 1);
        assert_eq!(
            next.properties().get("comment").map(String::as_str),
            Some("two")
        );
        assert!(!next.properties().contains_key("owner"));
    }

    #[test]
    fn the_uuid_of_an_existing_view_cannot_change() {
        let view = sample_view();
        let same = serde_json::json!([{"action": "assign-uuid", "uuid": view.uuid()}]);
        assert_eq!(apply_json(&view, same).unwrap().uuid(), view.uuid());
        let other = serde_json::json!([{"action": "assign-uuid", "uuid": Uuid::new_v4()}]);
        assert!(matches!(
            apply_json(&view, other),
            Err(Error::InvalidInput(_))
        ));
    }

    #[test]
    fn unknown_versions_and_schemas_are_bad_requests() {
        let view = sample_view();
        let unknown =
            serde_json::json!([{"action": "set-current-view-version", "view-version-id": 42}]);
        assert!(matches!(
            apply_json(&view, unknown),
            Err(Error::InvalidInput(_))
        ));
        let now = chrono::Utc::now().timestamp_millis();
        let bad_schema = serde_json::json!([{"action": "add-view-version", "view-version": {
            "version-id": 2, "schema-id": 99, "timestamp-ms": now, "summary": {},
            "representations": [{"type": "sql", "sql": "select 3", "dialect": "trino"}],
            "default-namespace": []}}]);
        assert!(matches!(
            apply_json(&view, bad_schema),
            Err(Error::InvalidInput(_))
        ));
    }
}
