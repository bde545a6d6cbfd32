"""Cross-site WebSocket hijacking (the Origin allow-list on both sockets), rate limits on every
credential route, and uploads judged by content and served so a browser cannot run them."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace

import httpx
import numpy as np
import pytest
import websockets
from litestar.testing import AsyncTestClient

from server.app import create_app
from tests.security.conftest import new_owner
from tests.support.live_server import InterviewClient, serve, ws_url
from tests.support.speech import write_wav

pytestmark = pytest.mark.model
TRUSTED = "https://practice.example"


async def _first_event_or_close(url: str, origin: str | None) -> tuple[dict | None, int | None]:
    extra = {"origin": origin} if origin else {}
    client = InterviewClient(await websockets.connect(url, **extra))
    try:
        event = await client.next_event(timeout=15)
        if event["type"] == "error":
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await client.next_event(timeout=15)
            return event, closed.value.rcvd.code
        return event, None
    finally:
        await client.connection.close()


async def test_sockets_accept_only_their_own_and_allowed_origins(settings, transcriber, embedder) -> None:
    app = create_app(replace(settings, allowed_origins=(TRUSTED,)), transcriber=transcriber, embedder=embedder)
    async with serve(app) as base:
        owner = await asyncio.to_thread(new_owner, base)
        async with httpx.AsyncClient(base_url=base) as http:
            share = (await http.post(f"/api/sessions/{owner.session_id}/share", headers=owner.headers)).json()["token"]
        sockets = {
            "interview": ws_url(base, f"/ws/sessions/{owner.session_id}?token={owner.access}"),
            "watch": ws_url(base, f"/ws/sessions/{owner.session_id}/watch?token={share}"),
        }
        hostile = [
            "https://evil.example",
            "null",
            f"{base}.evil.example",
            "http://127.0.0.1",
            base.replace("127.0.0.1", "localhost"),
        ]
        for name, url in sockets.items():
            for origin in hostile:
                event, code = await _first_event_or_close(url, origin)
                assert code == 1008 and event and event["code"] == "origin_not_allowed", (name, origin, event)
            for origin in (base, TRUSTED, f"{TRUSTED}/", None):  # same site, allow-listed, not a browser
                event, code = await _first_event_or_close(url, origin)
                assert code is None and event and event["type"] in ("ready", "event"), (name, origin, event)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/auth/login", {"email": "x@example.com", "password": "whatever1"}),
        ("/api/auth/register", {"email": "not-an-address", "password": "whatever1", "full_name": "X"}),
        ("/api/auth/refresh", {"refresh_token": "not-a-token"}),
    ],
)
async def test_every_credential_route_is_rate_limited(settings, transcriber, embedder, path, body) -> None:
    limited = replace(settings, auth=replace(settings.auth, login_rate_limit_per_minute=3))
    async with AsyncTestClient(create_app(limited, transcriber=transcriber, embedder=embedder)) as client:
        statuses = [(await client.post(path, json=body)).status_code for _ in range(5)]
        assert 429 not in statuses[:3] and statuses[3:] == [429, 429], statuses
        # Other routes are not throttled by it.
        assert (await client.get("/health")).status_code == 200


async def test_an_upload_is_judged_by_its_content_and_served_inertly(server) -> None:
    owner = await asyncio.to_thread(new_owner, server)
    url = f"/api/sessions/{owner.session_id}/questions/{owner.question_ids[0]}/audio"
    async with httpx.AsyncClient(base_url=server, headers=owner.headers, timeout=120) as http:
        html = b"<html><script>alert(document.cookie)</script></html>" * 20
        refused = await http.post(url, content=html, headers={"Content-Type": "audio/wav"})
        assert refused.status_code == 415  # the declared type is not believed
        fake_header = b"RIFF\x24\x00\x00\x00WAVEfmt " + html
        assert (await http.post(url, content=fake_header)).status_code == 415  # the magic bytes alone are not enough

        # A real recording with a script appended: accepted as audio, and served back as audio
        # that the browser must not sniff into anything else.
        buffer = io.BytesIO()
        write_wav(buffer, np.zeros(16000, np.float32))
        polyglot = buffer.getvalue() + html
        accepted = await http.post(url, content=polyglot, headers={"Content-Type": "text/html"})
        assert accepted.status_code == 200, accepted.text
        playback = await http.get(url)
        assert playback.status_code == 200 and playback.headers["content-type"] == "audio/wav"
        assert playback.headers["x-content-type-options"] == "nosniff"
        assert (
            playback.headers["content-disposition"].startswith("inline")
            and ".wav" in playback.headers["content-disposition"]
        )
        assert "script-src 'self'" in playback.headers["content-security-policy"]
