"""The published JSON Schema of the WebSocket protocol (docs/protocol.schema.json) is generated
from the message types, is up to date, and accepts every example of docs/protocol.md, read
strictly (no field the types do not declare); every message type is documented there."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import jsonschema_rs
import pytest

from server.live import protocol as wire
from server.live.protocol_schema import concrete_types, protocol_schema, protocol_schema_json

DOCS = Path(__file__).resolve().parents[2] / "docs"
PROTOCOL_MD = (DOCS / "protocol.md").read_text()


def _strict(schema: dict) -> dict:
    """The schema with `additionalProperties: false` on every message (the published one lets
    clients ignore unknown fields; a documented example must not have any)."""
    strict = copy.deepcopy(schema)
    for definition in strict["$defs"].values():
        if definition.get("type") == "object":
            definition["additionalProperties"] = False
    return strict


def _examples() -> list[tuple[str, dict]]:
    """(direction, message) for every complete JSON example in protocol.md: the lines of the
    example session (→ client, ← server) and the inline `{...}` samples (direction "any")."""
    found = []
    for arrow, text in re.findall(r"^(→|←) (\{.*\})$", PROTOCOL_MD, flags=re.M):
        if "…" not in text:
            found.append(("client" if arrow == "→" else "server", json.loads(text)))
    for text in re.findall(r"`(\{\"type\".*?\})`", PROTOCOL_MD):
        found.append(("any", json.loads(text)))
    return found


def test_the_checked_in_schema_is_generated_from_the_message_types() -> None:
    published = (DOCS / "protocol.schema.json").read_text()
    assert published == protocol_schema_json(), (
        "regenerate it: interview-server protocol-schema > docs/protocol.schema.json"
    )


def test_every_message_type_is_in_the_schema_and_in_protocol_md() -> None:
    schema = protocol_schema()
    for base, union in ((wire.ClientMessage, "ClientMessage"), (wire.ServerEvent, "ServerEvent")):
        tags = {t.__struct_config__.tag for t in concrete_types(base)}
        assert set(schema["$defs"][union]["discriminator"]["mapping"]) == tags
        undocumented = {tag for tag in tags if f"`{tag}`" not in PROTOCOL_MD}
        assert not undocumented, f"docs/protocol.md does not describe {sorted(undocumented)}"


@pytest.mark.parametrize(("direction", "message"), _examples(), ids=lambda v: v if isinstance(v, str) else v["type"])
def test_protocol_md_examples_are_valid_messages(direction: str, message: dict) -> None:
    strict = _strict(protocol_schema())
    target = {"client": "#/$defs/ClientMessage", "server": "#/$defs/ServerEvent", "any": "#"}[direction]
    validator = jsonschema_rs.validator_for({**strict, "$ref": target} if target != "#" else strict)
    errors = [error.message for error in validator.iter_errors(message)]
    assert not errors, (message, errors)


def test_a_message_the_protocol_does_not_have_is_refused() -> None:
    validator = jsonschema_rs.validator_for(_strict(protocol_schema()))
    assert not validator.is_valid({"type": "final", "utterance": 0})  # fields missing
    assert not validator.is_valid({"type": "start", "extra": 1})  # clients may not add fields
    assert not validator.is_valid({"type": "dance"})
    assert len(_examples()) >= 10, "the examples of protocol.md were not found"
