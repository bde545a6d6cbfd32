"""Security headers on pages, static files, API answers and errors; the CSP fits the SPA (the
browser tests in tests/web run under it); HSTS only when configured."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.security_headers import APP_POLICY, DOCS_POLICY
from tests.server.api import register


@pytest.fixture
async def client(settings, transcriber, embedder) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(create_app(settings, transcriber=transcriber, embedder=embedder)) as test_client:
        yield test_client


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


async def test_every_kind_of_response_carries_the_headers(client) -> None:
    account = await register(client)
    responses = {
        "page": await client.get("/app/"),
        "script": await client.get("/app/js/app.js"),
        "redirect": await client.get("/", follow_redirects=False),
        "api": await client.get("/api/users/me", headers=account.headers),
        "401": await client.get("/api/users/me"),
        "404 unknown path": await client.get("/no/such/path"),
        "400": await client.post("/api/auth/login", json={"email": 1}),
        "health": await client.get("/health"),
    }
    assert responses["page"].status_code == 200 and "text/html" in responses["page"].headers["content-type"]
    for name, response in responses.items():
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff", name
        assert headers["referrer-policy"] == "no-referrer", name
        assert headers["x-frame-options"] == "DENY", name
        assert "microphone=(self)" in headers["permissions-policy"], name
        assert headers["content-security-policy"] == APP_POLICY, name
        assert "strict-transport-security" not in headers, name
    docs = await client.get("/schema/openapi.json")
    assert docs.headers["content-security-policy"] == DOCS_POLICY


def test_the_app_policy_allows_only_this_origin_and_blob_recordings() -> None:
    policy = _directives(APP_POLICY)
    for directive in ("script-src", "style-src", "connect-src", "img-src", "worker-src"):
        assert policy[directive] == ["'self'"], directive
    assert policy["media-src"] == ["'self'", "blob:"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


async def test_hsts_only_when_configured(settings, transcriber, embedder) -> None:
    app = create_app(replace(settings, hsts_seconds=31536000), transcriber=transcriber, embedder=embedder)
    async with AsyncTestClient(app) as client:
        assert (await client.get("/health")).headers["strict-transport-security"] == "max-age=31536000"


def test_hsts_is_a_setting() -> None:
    from server.settings import Settings

    assert Settings.from_env({"HSTS_SECONDS": "600"}).hsts_seconds == 600
    assert Settings.from_env({}).hsts_seconds == 0
