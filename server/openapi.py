"""The OpenAPI document describes request and response bodies exactly as the server checks them.

Bodies are msgspec Structs and msgspec validates them; Litestar derives their OpenAPI schemas on
its own and loses some of the constraints on the way (a `ge=0` bound disappears, list items lose
their length limits, `forbid_unknown_fields` is not said at all). A client or a fuzzer reading
such a document sends "valid" data the server then refuses. This plugin builds each Struct's
properties from msgspec's own JSON Schema (the validator's description of itself) instead.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin  # Litestar's own, pinned version
from litestar._openapi.schema_generation.schema import SchemaCreator
from litestar.openapi.spec import OpenAPIType, Reference, Schema
from litestar.typing import FieldDefinition

#: JSON Schema keywords whose Litestar field name is not the plain snake_case of the keyword.
_RENAMED = {"not": "schema_not", "if": "schema_if", "else": "schema_else"}
_SUBSCHEMA_LISTS = {"anyOf", "oneOf", "allOf", "prefixItems"}
_SUBSCHEMAS = {"items", "not", "contains", "additionalProperties"}


def _snake(keyword: str) -> str:
    return _RENAMED.get(keyword) or re.sub(r"(?<!^)([A-Z])", r"_\1", keyword).lower()


def schema_from_json(document: dict[str, Any]) -> Schema | Reference:
    """A Litestar spec object for one JSON Schema (as msgspec writes them); refs are kept as given."""
    if "$ref" in document:
        return Reference(ref=document["$ref"])
    fields: dict[str, Any] = {}
    for keyword, value in document.items():
        if keyword in _SUBSCHEMA_LISTS:
            value = [schema_from_json(item) for item in value]
        elif keyword in _SUBSCHEMAS and isinstance(value, dict):
            value = schema_from_json(value)
        elif keyword == "properties":
            value = {name: schema_from_json(item) for name, item in value.items()}
        elif keyword == "type":
            value = [OpenAPIType(item) for item in value] if isinstance(value, list) else OpenAPIType(value)
        fields[_snake(keyword)] = value
    return Schema(**fields)


def _has_ref(document: Any) -> bool:
    if isinstance(document, dict):
        return "$ref" in document or any(_has_ref(value) for value in document.values())
    if isinstance(document, list):
        return any(_has_ref(item) for item in document)
    return False


class StrictStructSchemaPlugin(StructSchemaPlugin):
    """Litestar's Struct component, with properties, `required` and `additionalProperties` taken
    from msgspec. Properties that refer to other Structs keep Litestar's schema (whose `$ref`
    names match the components Litestar registers; their own constraints survive). Registered
    before the built-in plugin, so it handles every Struct."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)  # registers nested Structs too
        struct = field_definition.type_
        (root,), components = msgspec.json.schema_components([struct], ref_template="#/components/schemas/{name}")
        exact = components[root["$ref"].rsplit("/", 1)[-1]]
        properties = dict(schema.properties or {})
        for name, document in exact.get("properties", {}).items():
            if not _has_ref(document):
                properties[name] = schema_from_json(document)
        schema.properties = properties
        schema.required = sorted(exact.get("required", []))
        if exact.get("additionalProperties") is False:
            schema.additional_properties = False
        return schema
