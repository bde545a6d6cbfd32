"""Why a socket is refused, on both endpoints, through a real uvicorn server: every refusal is
an `error` event with a documented `code` (docs/protocol.md, "Connecting"; the codes of the
HTTP 401/404 in server/errors.py) and a close with 1008 and a reason, never a bare HTTP 403.

- a session id that does not exist, another user's, or a path segment that is no id at all:
  `not_found` alike (nothing tells a stranger's session from none);
- a token that is expired, revoked, forged, of the wrong kind, or missing: `token_expired`,
  `token_revoked`, `token_invalid`, `token_missing`, as the REST API answers them."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
import websockets

from server.app import create_app
from server.settings import Settings
from tests.support.interviews import account_and_session
from tests.support.live_server import serve, ws_url

SOCKETS = {"interview": "/ws/sessions/{}", "watch": "/ws/sessions/{}/watch"}


async def _refusal(base: str, path: str, *, first: str | None = None) -> tuple[int, str, dict[str, Any]]:
    """(close code, close reason, the fatal error event) of a socket the server refuses."""
    async with websockets.connect(ws_url(base, path)) as socket:
        if first is not None:
            await socket.send(first)
        events = []
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                events.append(json.loads(await asyncio.wait_for(socket.recv(), 30)))
    assert closed.value.rcvd is not None, events
    assert [event["type"] for event in events] == ["error"] and events[0]["fatal"], events
    return closed.value.rcvd.code, closed.value.rcvd.reason, events[0]


@pytest.fixture
async def server(settings: Settings, transcriber, embedder):
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        yield base


def _expired_access_token(secret: str, user_id: str) -> str:
    """Signed with the server's own secret, expired five minutes ago."""
    expired_at = datetime.now(UTC) - timedelta(minutes=5)
    claims = {"sub": user_id, "exp": expired_at, "iat": expired_at - timedelta(minutes=30), "jti": uuid.uuid4().hex}
    return jwt.encode({**claims, "extras": {"typ": "access"}}, secret, algorithm="HS256")


async def test_unknown_malformed_and_another_users_session_ids_are_not_found(server) -> None:
    base = server
    (owner, session), (stranger, theirs) = await asyncio.gather(account_and_session(base), account_and_session(base))
    ids = {
        "unknown": str(uuid.uuid4()),
        "another user's": theirs["id"],
        "malformed": "not-a-session",
        "almost a uuid": session["id"][:-1],
    }
    for socket, template in SOCKETS.items():
        for name, session_id in ids.items():
            path = template.format(session_id) + f"?token={owner['access_token']}"
            code, reason, error = await _refusal(base, path)
            assert (code, error["code"]) == (1008, "not_found"), (socket, name, code, error)
            assert "session not found" in error["message"] and reason == error["message"][:120], (socket, name)
            assert theirs["title"] not in error["message"]
        # The same token opens the owner's own session on the same endpoint: the ids were the issue.
        async with websockets.connect(
            ws_url(base, template.format(session["id"]) + f"?token={owner['access_token']}")
        ) as ok:
            first = json.loads(await asyncio.wait_for(ok.recv(), 30))
            assert first["type"] in ("ready", "event"), first


async def test_token_refusals_say_why_on_both_sockets(server, settings: Settings) -> None:
    base = server
    tokens, session = await account_and_session(base)
    expired = _expired_access_token(settings.auth.jwt_secret, tokens["user"]["id"])
    forged = jwt.encode({"sub": tokens["user"]["id"], "extras": {"typ": "access"}}, "another-secret-" + "y" * 40)
    cases = {
        "expired": (expired, "token_expired"),
        "forged": (forged, "token_invalid"),
        "refresh as access": (tokens["refresh_token"], "token_invalid"),
        "garbage": ("not-a-token", "token_invalid"),
    }
    for socket, template in SOCKETS.items():
        path = template.format(session["id"])
        for name, (token, code) in cases.items():
            closed, _, error = await _refusal(base, f"{path}?token={token}")
            assert (closed, error["code"]) == (1008, code), (socket, name, error)
            closed, _, error = await _refusal(base, path, first=json.dumps({"type": "auth", "token": token}))
            assert (closed, error["code"]) == (1008, code), (socket, name, "auth message", error)
        closed, _, error = await _refusal(base, path, first=json.dumps({"type": "start"}))
        assert (closed, error["code"]) == (1008, "token_missing"), (socket, error)

    async with httpx.AsyncClient(base_url=base) as http:
        out = await http.post("/api/auth/logout", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert out.status_code == 204
    for socket, template in SOCKETS.items():
        closed, _, error = await _refusal(base, template.format(session["id"]) + f"?token={tokens['access_token']}")
        assert (closed, error["code"]) == (1008, "token_revoked"), (socket, error)


async def test_a_path_that_is_no_socket_is_not_found_in_the_protocols_words(server) -> None:
    """Was a bare HTTP 403 at the handshake (no route): now an error event and 1008, as any other
    refusal. The two real endpoints keep their own answers."""
    base = server
    tokens, session = await account_and_session(base)
    # (Deeper paths under /ws/sessions/ are still a bare 403: the router does not fall back to
    # the catch-all from that branch; docs/protocol.md says so.)
    for path in ("/ws/nothing", "/ws/interview/other/thing", f"/ws/{session['id']}"):
        code, reason, error = await _refusal(base, f"{path}?token={tokens['access_token']}")
        assert (code, error["code"]) == (1008, "not_found") and "no such socket" in reason, (path, error)
