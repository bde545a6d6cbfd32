"""What the OpenAPI document must say that Litestar's generator leaves out.

The request bodies are msgspec Structs with `forbid_unknown_fields=True`: the server answers an
unknown field with 400. Litestar documents the fields but not the refusal, so a client (or a
fuzzer) reading the document would believe extra fields are fine. This plugin adds
`additionalProperties: false` to exactly those structs' schemas.
"""

from __future__ import annotations

from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin  # the built-in one, pinned version
from litestar._openapi.schema_generation.schema import SchemaCreator
from litestar.openapi.spec import Schema
from litestar.typing import FieldDefinition


class StrictStructSchemaPlugin(StructSchemaPlugin):
    """Litestar's Struct schema, plus `additionalProperties: false` when the struct forbids
    unknown fields. Registered before the built-in plugin, so it handles every Struct."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        if field_definition.type_.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
        return schema
