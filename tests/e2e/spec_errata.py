"""Known defects of the official Iceberg REST spec (tests/spec/iceberg-rest-catalog-open-api.yaml),
corrected in a copy before schemathesis fuzzes against it. Each erratum says why the server, not
the spec, is right; each must still change something, so a fixed spec retires its erratum."""

import copy

ERROR_MODEL = "#/components/schemas/ErrorModel"
ERROR_RESPONSE = "#/components/schemas/IcebergErrorResponse"


def _error_schemas(spec):
    """(operation id, status, schema) of every JSON error response declared inline."""
    for item in spec["paths"].values():
        for op in item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for status, response in op["responses"].items():
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if str(status)[0] in "45" and schema is not None:
                    yield op.get("operationId"), status, schema


def wrapped_view_errors(spec) -> int:
    """The view routes' 404/409 responses reference the bare `ErrorModel`, while every other
    route (and these routes' own examples, e.g. NoSuchViewError) use the `{"error": ErrorModel}`
    envelope that every client parses (apache/iceberg#8914 fixed the table routes,
    apache/iceberg#10571 tracks the rest). The server sends the envelope everywhere."""
    fixed = 0
    for _, _, schema in _error_schemas(spec):
        if schema.get("$ref") == ERROR_MODEL:
            schema["$ref"] = ERROR_RESPONSE
            fixed += 1
    return fixed


def create_namespace_under_missing_parent(spec) -> int:
    """createNamespace documents no 404, yet a nested namespace needs its parent: the server
    answers 404 NoSuchNamespaceException (as Java's RESTSessionCatalog expects through its
    namespace error handler, and as Polaris does). Documented here as the other routes do."""
    responses = spec["paths"]["/v1/{prefix}/namespaces"]["post"]["responses"]
    if 404 in responses or "404" in responses:
        return 0
    responses[404] = {
        "description": "Not Found - the parent of the namespace to create does not exist",
        "content": {"application/json": {"schema": {"$ref": ERROR_RESPONSE}}},
    }
    return 1


ERRATA = [wrapped_view_errors, create_namespace_under_missing_parent]


def corrected(spec: dict) -> dict:
    spec = copy.deepcopy(spec)
    for erratum in ERRATA:
        assert erratum(spec) > 0, f"{erratum.__name__} no longer applies: drop it from spec_errata.py"
    return spec
