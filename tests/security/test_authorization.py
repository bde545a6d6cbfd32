"""The authorization matrix, generated from the app's route table: every HTTP route and both
WebSocket endpoints, tried with another user's ids and tokens, no token, an expired token, a
refresh or share token where an access token belongs, a forged one, a deleted user's. Every
attempt ends in 401/403/404 (or a policy-violation close) and never shows the victim's data; the
victim's own requests to the same routes succeed, so the ids were real and the routes would have
answered. A route the matrix cannot classify fails the build until someone says how to test it."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
import websockets
from litestar import Litestar
from litestar.routes import HTTPRoute, WebSocketRoute

from server.app import create_app
from server.auth import PUBLIC_PATHS
from tests.security.conftest import Owner, answer_by_upload, new_owner
from tests.support.live_server import InterviewClient, serve, ws_url

pytestmark = pytest.mark.model

#: Routes anyone may call, by design. The app's own exclusion list must give exactly these.
PUBLIC_ROUTES = {
    "/health", "/ready", "/metrics", "/", "/app", "/app/{file_path}",
    "/api/auth/register", "/api/auth/login", "/api/auth/refresh", "/api/auth/logout",
    "/schema", "/schema/{path}", "/schema/openapi.json", "/schema/openapi.yaml", "/schema/openapi.yml",
    "/schema/swagger", "/schema/elements", "/schema/rapidoc", "/schema/redoc", "/schema/oauth2-redirect.html",
}  # fmt: skip
#: Path parameters that name a user's resources, and how to fill them from an owner.
ID_PARAMETERS = {"session_id", "question_id"}
#: WebSocket endpoints (they authenticate inside the handler) and the tokens each accepts.
WEBSOCKETS = {"/ws/sessions/{session_id}": ("access",), "/ws/sessions/{session_id}/watch": ("access", "share")}
#: Any other path under /ws/: refused as `not_found` before anything else (tests/server/test_socket_refusals.py).
UNKNOWN_SOCKETS = "/ws/{path}"
#: What a victim's data looks like in a response: none of it may reach an attacker.
MARKER = "zebracorn"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # path_format: "/api/sessions/{session_id}"

    @property
    def parameters(self) -> set[str]:
        return set(re.findall(r"{(\w+)}", self.path))

    def url(self, **ids: str) -> str:
        return self.path.format(**ids)


def route_table(app: Litestar) -> tuple[list[Endpoint], list[Endpoint], list[str]]:
    """(public HTTP endpoints, protected HTTP endpoints, WebSocket paths) of the running app."""
    public, protected, sockets = [], [], []
    for route in app.routes:
        if isinstance(route, WebSocketRoute):
            sockets.append(route.path_format)
        elif isinstance(route, HTTPRoute):
            for method in sorted(route.methods - {"OPTIONS", "HEAD"}):
                endpoint = Endpoint(method, route.path_format)
                is_public = any(re.search(pattern, route.path) for pattern in PUBLIC_PATHS)
                (public if is_public else protected).append(endpoint)
        else:
            raise AssertionError(f"the matrix cannot classify {route!r}: say how it is authorised")
    return public, protected, sockets


def forged_tokens(secret: str, victim: Owner) -> dict[str, str]:
    """Tokens an attacker may hold: the victim's own of the wrong kind, expired ones signed with
    the real secret, and forgeries."""
    past = datetime.now(UTC) - timedelta(minutes=5)

    def token(subject: str, kind: str, *, key: str = secret, algorithm: str = "HS256", exp: datetime = past) -> str:
        claims = {
            "sub": subject,
            "exp": exp,
            "iat": exp - timedelta(minutes=30),
            "jti": uuid.uuid4().hex,
            "extras": {"typ": kind},
        }
        return jwt.encode(claims, key, algorithm=algorithm)

    future = datetime.now(UTC) + timedelta(minutes=30)
    user_id = victim.tokens["user"]["id"]
    return {
        "garbage": "not-a-token",
        "expired access": token(user_id, "access"),
        "refresh as access": victim.tokens["refresh_token"],
        "other secret": token(user_id, "access", key="another-secret-" + "y" * 40, exp=future),
        "unsigned": jwt.encode({"sub": user_id, "exp": future, "extras": {"typ": "access"}}, None, algorithm="none"),
        "expired share": token(victim.session_id, "watch"),
    }


@dataclass
class World:
    base: str
    app: Litestar
    victim: Owner
    attacker: Owner
    share_token: str  # the victim's, for the victim's session
    forged: dict[str, str]
    deleted_user_token: str


@pytest.fixture
async def world(settings, transcriber, embedder) -> AsyncIterator[World]:
    app = create_app(settings, transcriber=transcriber, embedder=embedder)
    async with serve(app) as base:
        victim, attacker, ghost = await asyncio.gather(*(asyncio.to_thread(new_owner, base) for _ in range(3)))
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            marked = await http.post(
                "/api/sessions",
                json={
                    "title": f"{MARKER} plans",
                    "num_questions": 1,
                    "custom_questions": [{"text": f"Describe the {MARKER} launch."}],
                },
                headers=victim.headers,
            )
            victim.session = marked.json()
            share = await http.post(f"/api/sessions/{victim.session_id}/share", headers=victim.headers)
            assert (await http.delete("/api/users/me", headers=ghost.headers)).status_code == 204
        await asyncio.to_thread(answer_by_upload, base, victim, 0)  # a recording, a transcript, scores
        yield World(
            base,
            app,
            victim,
            attacker,
            share.json()["token"],
            forged_tokens(settings.auth.jwt_secret, victim),
            ghost.access,
        )


def test_every_route_is_classified() -> None:
    """Adding a route forces a decision: public by design, or protected and tested below."""
    import tempfile
    from dataclasses import replace
    from pathlib import Path

    from server.settings import AuthOptions, Settings

    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(replace(Settings(data_dir=Path(data_dir)), auth=AuthOptions(jwt_secret="k" * 40)))
    public, protected, sockets = route_table(app)
    assert {endpoint.path for endpoint in public} == PUBLIC_ROUTES, "public routes changed: review PUBLIC_PATHS"
    assert set(sockets) == {*WEBSOCKETS, UNKNOWN_SOCKETS}, (
        "a WebSocket endpoint the matrix does not know: add it to WEBSOCKETS"
    )
    for endpoint in protected:
        unknown = endpoint.parameters - ID_PARAMETERS
        assert not unknown, f"{endpoint}: path parameters {unknown} are not in the matrix (ID_PARAMETERS)"
    assert len(protected) >= 13


def _leaks(response: httpx.Response, victim: Owner) -> bool:
    text = response.text.lower()
    return MARKER in text or victim.email in text


async def test_protected_routes_refuse_every_wrong_token(world: World) -> None:
    _, protected, _ = route_table(world.app)
    ids = {"session_id": world.victim.session_id, "question_id": world.victim.question_ids[0]}
    tokens = {**world.forged, "share as access": world.share_token, "deleted user": world.deleted_user_token}
    async with httpx.AsyncClient(base_url=world.base, timeout=60) as http:
        for endpoint in protected:
            url = endpoint.url(**ids)
            attempts = {
                "no token": {},
                **{name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()},
            }
            for name, headers in attempts.items():
                response = await http.request(endpoint.method, url, headers=headers, content=b"not audio")
                assert response.status_code == 401, (endpoint, name, response.status_code, response.text)
                assert not _leaks(response, world.victim), (endpoint, name)
        await _victim_is_untouched(http, world)


async def test_another_users_ids_are_404_and_the_owners_are_not(world: World) -> None:
    _, protected, _ = route_table(world.app)
    victim, attacker = world.victim, world.attacker
    mixes = {
        "victim's ids": {"session_id": victim.session_id, "question_id": victim.question_ids[0]},
        "own session, victim's question": {"session_id": attacker.session_id, "question_id": victim.question_ids[0]},
        "victim's session, own question": {"session_id": victim.session_id, "question_id": attacker.question_ids[0]},
    }
    only_victims = {"victim's ids": mixes["victim's ids"]}
    async with httpx.AsyncClient(base_url=world.base, timeout=60) as http:
        with_ids = [endpoint for endpoint in protected if endpoint.parameters]
        assert with_ids
        for endpoint in with_ids:
            for name, ids in (mixes if "question_id" in endpoint.parameters else only_victims).items():
                response = await http.request(
                    endpoint.method, endpoint.url(**ids), headers=attacker.headers, content=b"not audio"
                )
                assert response.status_code in (403, 404), (endpoint, name, response.status_code, response.text)
                assert not _leaks(response, victim), (endpoint, name)
        await _victim_is_untouched(http, world)

        # Positive control: the owner reaches every one of these routes with the same ids (safe
        # methods on the recorded session; changes on a fresh session of theirs).
        for endpoint in with_ids:
            session = victim.session
            if endpoint.method != "GET":
                session = (
                    await http.post(
                        "/api/sessions", json={"title": "scratch", "num_questions": 1}, headers=victim.headers
                    )
                ).json()
            ids = {"session_id": session["id"], "question_id": session["questions"][0]["id"]}
            response = await http.request(
                endpoint.method, endpoint.url(**ids), headers=victim.headers, content=b"not audio"
            )
            assert response.status_code not in (401, 403, 404), (endpoint, response.status_code, response.text)


async def _victim_is_untouched(http: httpx.AsyncClient, world: World) -> None:
    detail = await http.get(f"/api/sessions/{world.victim.session_id}", headers=world.victim.headers)
    assert detail.status_code == 200
    body = detail.json()
    assert body["status"] == "in_progress" and body["questions"][0]["transcript"]
    playback = await http.get(
        f"/api/sessions/{world.victim.session_id}/questions/{world.victim.question_ids[0]}/audio",
        headers=world.victim.headers,
    )
    assert playback.status_code == 200 and playback.content[:4] == b"RIFF"


async def _refused(
    base: str, path: str, token: str | None, code: str, *, first: str | bytes | None = None
) -> InterviewClient:
    """Open a socket, send audio at once (and `first`, if given), and read until the server closes
    with 1008 and a fatal error `code`. Returns the client with every event it got."""
    url = ws_url(base, path + (f"?token={token}" if token else ""))
    client = InterviewClient(await websockets.connect(url))
    for message in ([first] if first is not None else []) + [b"\x01\x02" * 1600]:  # audio before any check passed
        try:
            await client.connection.send(message)
        except websockets.ConnectionClosed:
            break  # refused already: what it said before closing is still to be read
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await client.next_event(timeout=15)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008, (path, closed.value.rcvd)
    assert not client.of_type("ready") and not any(event["type"] == "event" for event in client.events), client.events
    errors = client.of_type("error")
    assert errors and errors[-1]["fatal"] and errors[-1]["code"] == code, (path, code, client.events)
    return client


async def test_websockets_refuse_other_users_and_wrong_tokens_before_any_audio(world: World) -> None:
    """Each refusal says why, with the code an HTTP request would get (docs/protocol.md, "Connecting")."""
    victim, attacker = world.victim, world.attacker
    forged_codes = {name: "token_expired" if name.startswith("expired") else "token_invalid" for name in world.forged}
    wrong = {
        "attacker's access token": (attacker.access, "not_found"),  # as for a session that does not exist
        "deleted user": (world.deleted_user_token, "token_revoked"),
        **{name: (token, forged_codes[name]) for name, token in world.forged.items()},
    }
    interview = f"/ws/sessions/{victim.session_id}"
    watch = f"/ws/sessions/{victim.session_id}/watch"
    for token, code in {**wrong, "share token": (world.share_token, "token_invalid")}.values():
        await _refused(world.base, interview, token, code)
        await _refused(world.base, interview, None, code, first=f'{{"type": "auth", "token": "{token}"}}')
    for token, code in wrong.values():
        await _refused(world.base, watch, token, code)
    await _refused(world.base, interview, None, "token_missing", first='{"type": "start"}')  # no auth message
    await _refused(world.base, interview, None, "token_missing", first=b"\x00\x01")  # audio, not the auth message
    await _refused(world.base, watch, None, "token_missing", first="{}")

    # A share token is for one session only: the victim's does not open the attacker's.
    await _refused(world.base, f"/ws/sessions/{attacker.session_id}/watch", world.share_token, "token_invalid")
    async with httpx.AsyncClient(base_url=world.base) as http:
        attacker_share = (
            await http.post(f"/api/sessions/{attacker.session_id}/share", headers=attacker.headers)
        ).json()["token"]
    await _refused(world.base, watch, attacker_share, "token_invalid")

    # Positive control: the right share token and the owner's access token both open the watch.
    for token in (world.share_token, victim.access):
        client = InterviewClient(await websockets.connect(ws_url(world.base, f"{watch}?token={token}")))
        snapshot = await client.wait_for("event", timeout=15)
        assert snapshot["name"] == "snapshot" and snapshot["data"]["session_id"] == victim.session_id
        await client.connection.close()
    async with httpx.AsyncClient(base_url=world.base) as http:
        await _victim_is_untouched(http, world)
