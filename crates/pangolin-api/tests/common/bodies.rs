//! Realistic Iceberg REST request bodies, shaped like PyIceberg's and DuckDB's.

use serde_json::{Value, json};

/// A schema with a few typed fields (ids 1..=5, the nested list element is 6).
pub fn schema() -> Value {
    json!({
        "type": "struct",
        "schema-id": 0,
        "identifier-field-ids": [1],
        "fields": [
            { "id": 1, "name": "id", "required": true, "type": "long" },
            { "id": 2, "name": "category", "required": false, "type": "string" },
            { "id": 3, "name": "ts", "required": false, "type": "timestamptz" },
            { "id": 4, "name": "amount", "required": false, "type": "decimal(10, 2)" },
            {
                "id": 5, "name": "tags", "required": false,
                "type": { "type": "list", "element-id": 6, "element": "string", "element-required": false }
            }
        ]
    })
}

/// Identity on `category`, bucket[16] on `id`, day on `ts`.
pub fn partition_spec() -> Value {
    json!({
        "spec-id": 0,
        "fields": [
            { "source-id": 2, "field-id": 1000, "name": "category", "transform": "identity" },
            { "source-id": 1, "field-id": 1001, "name": "id_bucket", "transform": "bucket[16]" },
            { "source-id": 3, "field-id": 1002, "name": "ts_day", "transform": "day" }
        ]
    })
}

/// `ts` descending, nulls last.
pub fn sort_order() -> Value {
    json!({
        "order-id": 1,
        "fields": [
            { "source-id": 3, "transform": "identity", "direction": "desc", "null-order": "nulls-last" }
        ]
    })
}

/// A `CreateTableRequest` with schema, partition spec, write order and a property.
pub fn create_table(name: &str) -> Value {
    json!({
        "name": name,
        "schema": schema(),
        "partition-spec": partition_spec(),
        "write-order": sort_order(),
        "properties": { "owner": "router-tests" },
        "stage-create": false
    })
}

/// [`create_table`] with `stage-create: true`, as DuckDB sends it.
pub fn stage_create_table(name: &str) -> Value {
    let mut body = create_table(name);
    body["stage-create"] = json!(true);
    body
}

/// A `CommitTableRequest` that sets properties, asserting only the table's uuid.
pub fn set_properties(uuid: &str, props: &[(&str, &str)]) -> Value {
    let updates: serde_json::Map<String, Value> = props
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
        .collect();
    json!({
        "requirements": [{ "type": "assert-table-uuid", "uuid": uuid }],
        "updates": [{ "action": "set-properties", "updates": updates }]
    })
}

/// The current snapshot id of `metadata`, `None` for a table without snapshots.
pub fn current_snapshot(metadata: &Value) -> Option<i64> {
    metadata["current-snapshot-id"]
        .as_i64()
        .filter(|id| *id >= 0)
}

/// A snapshot following the current one of `metadata`, as an `append` writes it.
pub fn snapshot(metadata: &Value, snapshot_id: i64) -> Value {
    let location = metadata["location"].as_str().expect("metadata.location");
    let sequence = metadata["last-sequence-number"].as_i64().unwrap_or(0) + 1;
    let mut snapshot = json!({
        "snapshot-id": snapshot_id,
        "sequence-number": sequence,
        "timestamp-ms": now_ms(),
        "manifest-list": format!("{location}/metadata/snap-{snapshot_id}-1-manifest-list.avro"),
        "summary": {
            "operation": "append",
            "added-data-files": "1",
            "added-records": "10",
            "total-records": "10"
        },
        "schema-id": metadata["current-schema-id"].as_i64().unwrap_or(0)
    });
    if let Some(parent) = current_snapshot(metadata) {
        snapshot["parent-snapshot-id"] = json!(parent);
    }
    snapshot
}

/// An append as PyIceberg commits it: the table's uuid and `main`'s current snapshot are
/// required; a snapshot is added and `main` moved to it.
pub fn append(metadata: &Value, snapshot_id: i64) -> Value {
    json!({
        "requirements": [
            { "type": "assert-table-uuid", "uuid": metadata["table-uuid"] },
            { "type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": current_snapshot(metadata) }
        ],
        "updates": [
            { "action": "add-snapshot", "snapshot": snapshot(metadata, snapshot_id) },
            {
                "action": "set-snapshot-ref", "ref-name": "main", "type": "branch",
                "snapshot-id": snapshot_id
            }
        ]
    })
}

/// The commit that creates a staged table: `assert-create` plus every update that rebuilds the
/// staged metadata (what PyIceberg and DuckDB send after `stage-create`), then `extra` updates.
pub fn create_staged(staged: &Value, extra: &[Value]) -> Value {
    let mut updates = vec![
        json!({ "action": "assign-uuid", "uuid": staged["table-uuid"] }),
        json!({ "action": "upgrade-format-version", "format-version": staged["format-version"] }),
        json!({ "action": "add-schema", "schema": by_id(staged, "schemas", "schema-id", "current-schema-id") }),
        json!({ "action": "set-current-schema", "schema-id": -1 }),
        json!({ "action": "add-spec", "spec": by_id(staged, "partition-specs", "spec-id", "default-spec-id") }),
        json!({ "action": "set-default-spec", "spec-id": -1 }),
        json!({ "action": "add-sort-order", "sort-order": by_id(staged, "sort-orders", "order-id", "default-sort-order-id") }),
        json!({ "action": "set-default-sort-order", "sort-order-id": -1 }),
        json!({ "action": "set-location", "location": staged["location"] }),
        json!({ "action": "set-properties", "updates": staged["properties"] }),
    ];
    updates.extend(extra.iter().cloned());
    json!({ "requirements": [{ "type": "assert-create" }], "updates": updates })
}

/// The element of `metadata[list]` whose `id_field` equals `metadata[current]`.
fn by_id(metadata: &Value, list: &str, id_field: &str, current: &str) -> Value {
    metadata[list]
        .as_array()
        .and_then(|items| items.iter().find(|i| i[id_field] == metadata[current]))
        .cloned()
        .unwrap_or_else(|| panic!("no current entry of {list} in {metadata}"))
}

/// A `CommitTableRequest` with an `identifier`, as a transaction's `table-changes` entry.
pub fn with_identifier(namespace: &[&str], name: &str, mut change: Value) -> Value {
    change["identifier"] = json!({ "namespace": namespace, "name": name });
    change
}

/// A minimal valid scan report.
pub fn scan_report(table: &str) -> Value {
    json!({
        "report-type": "scan-report",
        "table-name": table,
        "snapshot-id": 1,
        "filter": true,
        "schema-id": 0,
        "projected-field-ids": [1, 2],
        "projected-field-names": ["id", "category"],
        "metrics": {
            "total-planning-duration": { "count": 1, "time-unit": "nanoseconds", "total-duration": 2_644_235_116_i64 },
            "result-data-files": { "unit": "count", "value": 1 }
        }
    })
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}
