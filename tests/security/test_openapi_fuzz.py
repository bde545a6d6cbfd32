"""schemathesis against the served OpenAPI document, every operation, authenticated: its explicit
examples, its coverage phase (boundaries, wrong types, NUL bytes, huge numbers) and a bounded,
derandomised fuzzing phase of valid and invalid inputs, with random ids and the caller's own.
Every check schemathesis knows must pass: no 5xx, status codes, content types, headers and bodies
as documented, valid data accepted, invalid data refused, authentication enforced."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

from server.app import create_app
from server.settings import AuthOptions, Settings
from tests.security.conftest import Owner, answer_by_upload, new_owner, suite_settings
from tests.security.servers import serve_in_thread

pytestmark = [pytest.mark.model, pytest.mark.slow]

#: Generated cases per operation in the fuzzing phase (the coverage phase adds its own, bounded
#: by the schema). Derandomised: CI replays exactly the same requests every run.
EXAMPLES = 15


def _document() -> dict:
    """The document as the app generates it. The test checks that the server serves this very
    document, so the fuzzed schema is the served one."""
    with tempfile.TemporaryDirectory() as data_dir:
        settings = replace(Settings(data_dir=Path(data_dir)), auth=AuthOptions(jwt_secret="d" * 40))
        return create_app(settings).openapi_schema.to_schema()


DOCUMENT = _document()
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261126,
        "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True}},
    }
)
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)


def integral_floats_as_ints(value):
    """JSON Schema cannot tell 5 from 5.0 (both are an `integer`), so schemathesis sends 5.0 as
    valid data; the server is stricter on purpose and refuses it (tests/security/
    test_malformed_bodies.py). No request field here is a float, so in a valid case an integral
    float can only stand for an integer."""
    if isinstance(value, dict):
        return {key: integral_floats_as_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [integral_floats_as_ints(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass
class Target:
    base: str
    owner: Owner

    def own_ids(self) -> dict[str, str]:
        """The owner's session and its answered question: real rows behind the ids."""
        return {"session_id": self.owner.session_id, "question_id": self.owner.question_ids[1]}


@pytest.fixture(scope="module")
def target(migrated_database, tmp_path_factory, transcriber, embedder) -> Iterator[Target]:
    """One server per database for all operations (each operation is its own pytest item)."""
    settings = suite_settings(migrated_database.url, tmp_path_factory.mktemp("fuzz"))
    with serve_in_thread(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        served = httpx.get(f"{base}/schema/openapi.json")
        assert served.json() == DOCUMENT, "the fuzzed document must be the one the server serves"
        owner = new_owner(base)
        answer_by_upload(base, owner, question=1)
        yield Target(base, owner)


@schema.parametrize()
@schema.given(use_own_ids=st.booleans())
@hypothesis_settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # one server for all cases, on purpose
def test_every_operation_behaves_as_documented(case, use_own_ids: bool, target: Target) -> None:
    owner = target.owner
    if case.method == "DELETE":
        # Deleting the account or the session would leave every later case a 401 or a 404:
        # destructive cases act on a throwaway owner of their own.
        owner = new_owner(target.base)
    ids = (
        {"session_id": owner.session_id, "question_id": target.own_ids()["question_id"]}
        if case.method == "DELETE"
        else target.own_ids()
    )
    if use_own_ids and case.path_parameters and not (case.meta and case.meta.is_negative_at(ParameterLocation.PATH)):
        case.path_parameters.update({name: ids[name] for name in case.path_parameters if name in ids})
    if not (case.meta and case.meta.is_negative_at(ParameterLocation.BODY)) and isinstance(case.body, (dict, list)):
        case.body = integral_floats_as_ints(case.body)
    case.call_and_validate(base_url=target.base, headers=owner.headers)
