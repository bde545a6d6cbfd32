"""The wire protocol as a JSON Schema document, generated from the message types themselves.

Every concrete subclass of `ClientMessage` and `ServerEvent` in `server.live.protocol` is in the
document, so a message added there is published without anyone listing it. The checked-in copy
is docs/protocol.schema.json (`interview-server protocol-schema > docs/protocol.schema.json`);
a test keeps it equal to this output and validates docs/protocol.md's examples against it.
"""

from __future__ import annotations

import json
from typing import Any, Union

import msgspec

from server.live import protocol as wire

SCHEMA_ID = "https://interview-server.invalid/protocol/v1.schema.json"


def concrete_types(base: type) -> list[type]:
    """Every tagged subclass of `base`, depth first, in definition order."""
    found: list[type] = []
    for sub in base.__subclasses__():
        if sub.__struct_config__.tag is not None:
            found.append(sub)
        found.extend(t for t in concrete_types(sub) if t not in found)
    return found


def protocol_schema() -> dict[str, Any]:
    """A draft 2020-12 document: `$defs.ClientMessage` (text frames a client sends),
    `$defs.ServerEvent` (events a server sends), one definition per message type."""
    client = Union[tuple(concrete_types(wire.ClientMessage))]  # noqa: UP007 (a runtime union of a list)
    server = Union[tuple(concrete_types(wire.ServerEvent))]  # noqa: UP007 (as above)
    (client_schema, server_schema), definitions = msgspec.json.schema_components(
        [client, server], ref_template="#/$defs/{name}"
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"Live interview WebSocket protocol, version {wire.PROTOCOL_VERSION}",
        "description": (
            "JSON text frames of /ws/sessions/{id} and /ws/sessions/{id}/watch (docs/protocol.md). "
            "Binary frames (16 kHz mono s16le PCM) are not described here. Clients should ignore "
            "fields they do not know in server events."
        ),
        "oneOf": [{"$ref": "#/$defs/ClientMessage"}, {"$ref": "#/$defs/ServerEvent"}],
        "$defs": {
            "ClientMessage": {"description": "A text frame from the client.", **client_schema},
            "ServerEvent": {"description": "An event from the server.", **server_schema},
            **dict(sorted(definitions.items())),
        },
    }


def protocol_schema_json() -> str:
    return json.dumps(protocol_schema(), indent=2, sort_keys=False) + "\n"
