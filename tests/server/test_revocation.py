"""Tokens that can be revoked, on every node: refresh-token rotation with reuse detection, log-out,
password change, account deletion, and withdrawn share links closing their watch sockets. Two
real uvicorn nodes share PostgreSQL and the real Redis; each request picks its node directly."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import websockets
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.live.pubsub import create_redis
from server.revocation import FileRevocationStore, MemoryRevocationStore, RedisRevocationStore
from tests.server.test_multinode import REDIS_URL, two_nodes  # noqa: F401 (the fixture)
from tests.support.live_server import InterviewClient, serve, ws_url

PASSWORD = "long password"


def _bearer(pair: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


async def _register(http: httpx.AsyncClient) -> tuple[str, dict]:
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    response = await http.post("/api/auth/register", json={"email": email, "password": PASSWORD, "full_name": "T"})
    assert response.status_code == 201, response.text
    return email, response.json()


@contextlib.asynccontextmanager
async def _node_clients(nodes) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """An HTTP client for each of the two nodes, a and b."""
    async with (
        httpx.AsyncClient(base_url=nodes.nodes["a"]) as a,
        httpx.AsyncClient(base_url=nodes.nodes["b"]) as b,
    ):
        yield a, b


@pytest.mark.redis
async def test_a_refresh_token_works_once_and_its_reuse_revokes_the_family_on_every_node(two_nodes) -> None:  # noqa: F811
    async with _node_clients(two_nodes) as (a, b):
        email, first = await _register(a)
        rotated = await a.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert rotated.status_code == 200
        second = rotated.json()
        assert (await b.get("/api/users/me", headers=_bearer(second))).status_code == 200

        reused = await b.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert reused.status_code == 401 and reused.json()["code"] == "token_revoked"
        # Someone had a copy: the whole sign-in is revoked, on both nodes.
        assert (await a.post("/api/auth/refresh", json={"refresh_token": second["refresh_token"]})).status_code == 401
        assert (await b.get("/api/users/me", headers=_bearer(second))).status_code == 401
        assert (await a.get("/api/users/me", headers=_bearer(first))).status_code == 401
        # Another sign-in is a new family, untouched.
        again = (await b.post("/api/auth/login", json={"email": email, "password": PASSWORD})).json()
        assert (await a.get("/api/users/me", headers=_bearer(again))).status_code == 200
        assert (await a.post("/api/auth/refresh", json={"refresh_token": again["refresh_token"]})).status_code == 200


@pytest.mark.redis
async def test_password_change_logout_and_account_deletion_revoke_on_every_node(two_nodes) -> None:  # noqa: F811
    async with _node_clients(two_nodes) as (a, b):
        email, laptop = await _register(a)
        phone = (await b.post("/api/auth/login", json={"email": email, "password": PASSWORD})).json()

        wrong = await a.post(
            "/api/users/me/password",
            json={"current_password": "not it at all", "new_password": "a new password"},
            headers=_bearer(laptop),
        )
        assert wrong.status_code == 401
        changed = await a.post(
            "/api/users/me/password",
            json={"current_password": PASSWORD, "new_password": "a new password"},
            headers=_bearer(laptop),
        )
        assert changed.status_code == 200, changed.text
        fresh = changed.json()
        for old in (phone, laptop):  # every token from before, on the other node too
            assert (await b.post("/api/auth/refresh", json={"refresh_token": old["refresh_token"]})).status_code == 401
            assert (await b.get("/api/users/me", headers=_bearer(old))).status_code == 401
        assert (await b.get("/api/users/me", headers=_bearer(fresh))).status_code == 200
        assert (await b.post("/api/auth/login", json={"email": email, "password": PASSWORD})).status_code == 401
        relogged = (await b.post("/api/auth/login", json={"email": email, "password": "a new password"})).json()

        assert (await b.post("/api/auth/logout")).status_code == 401  # no token
        assert (await b.post("/api/auth/logout", headers=_bearer(fresh))).status_code == 204
        for gone in (fresh, relogged):
            assert (await a.post("/api/auth/refresh", json={"refresh_token": gone["refresh_token"]})).status_code == 401
            assert (await a.get("/api/users/me", headers=_bearer(gone))).status_code == 401

        last = (await a.post("/api/auth/login", json={"email": email, "password": "a new password"})).json()
        assert (await a.delete("/api/users/me", headers=_bearer(last))).status_code == 204
        assert (await b.post("/api/auth/refresh", json={"refresh_token": last["refresh_token"]})).status_code == 401


@pytest.mark.redis
async def test_withdrawn_share_links_close_their_watch_sockets_on_every_node(two_nodes) -> None:  # noqa: F811
    node_a, node_b = two_nodes.nodes["a"], two_nodes.nodes["b"]
    async with httpx.AsyncClient(base_url=node_a) as a:
        _, owner = await _register(a)
        session = (
            await a.post("/api/sessions", json={"title": "Shared", "num_questions": 1}, headers=_bearer(owner))
        ).json()
        share = (await a.post(f"/api/sessions/{session['id']}/share", headers=_bearer(owner))).json()
    guest = InterviewClient(await websockets.connect(ws_url(node_b, share["watch_path"])))
    own = InterviewClient(
        await websockets.connect(ws_url(node_b, f"/ws/sessions/{session['id']}/watch?token={owner['access_token']}"))
    )
    for watcher in (guest, own):
        assert (await watcher.wait_for("event"))["name"] == "snapshot"

    async with httpx.AsyncClient(base_url=node_a) as a:
        assert (
            await a.delete(f"/api/sessions/{session['id']}/share", headers=_bearer({"access_token": share["token"]}))
        ).status_code == 401
        assert (await a.delete(f"/api/sessions/{session['id']}/share", headers=_bearer(owner))).status_code == 204
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await guest.wait_for("never", timeout=30)
    assert closed.value.rcvd.code == 1008 and guest.of_type("error")[-1]["code"] == "share_withdrawn"
    for _ in range(100):  # the guest's handler has returned; the owner's watcher is still open
        if two_nodes.apps["b"].state.live_watchers == 1:
            break
        await asyncio.sleep(0.05)
    assert two_nodes.apps["b"].state.live_watchers == 1
    assert own.connection.close_code is None

    refused = InterviewClient(await websockets.connect(ws_url(node_a, share["watch_path"])))
    with pytest.raises(websockets.ConnectionClosed):
        await refused.wait_for("never", timeout=30)
    assert refused.of_type("error")[-1]["code"] == "token_revoked"
    async with httpx.AsyncClient(base_url=node_b) as b:  # a new link works
        renewed = (await b.post(f"/api/sessions/{session['id']}/share", headers=_bearer(owner))).json()
    newcomer = InterviewClient(await websockets.connect(ws_url(node_a, renewed["watch_path"])))
    assert (await newcomer.wait_for("event"))["name"] == "snapshot"
    for socket in (newcomer, own):
        await socket.connection.close()


@pytest.mark.parametrize("migrated_database", ["sqlite"], indirect=True)
async def test_without_redis_the_in_process_twin_rotates_and_revokes(settings, transcriber, embedder) -> None:
    async with AsyncTestClient(create_app(settings, transcriber=transcriber, embedder=embedder)) as http:
        _, first = await _register(http)
        second = (await http.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
        assert (await http.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})).status_code == 401
        assert (await http.get("/api/users/me", headers=_bearer(second))).status_code == 401


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "file", pytest.param("redis", marks=pytest.mark.redis)])
async def store(request, tmp_path):
    if request.param == "memory":
        yield MemoryRevocationStore()
        return
    if request.param == "file":
        yield FileRevocationStore(tmp_path / "revocations.jsonl")
        return
    if not REDIS_URL:
        pytest.skip("TEST_REDIS_URL is not set")
    redis = create_redis(REDIS_URL)
    try:
        yield RedisRevocationStore(redis, prefix=f"test:{uuid.uuid4().hex}:")
    finally:
        await redis.aclose()


async def test_the_stores_keep_the_same_contract(store) -> None:
    assert await store.first_use("used:x", 60) is True
    assert await store.first_use("used:x", 60) is False
    await store.raise_to("user:u", 200, 60)
    await store.raise_to("user:u", 100, 60)  # a cut-off never moves back
    assert await store.read(["user:u", "family:f", "used:x"]) == [200, None, 1]


async def test_the_memory_twin_forgets_what_expired() -> None:
    clock = _Clock()
    store = MemoryRevocationStore(clock=clock)
    await store.raise_to("family:f", 1, 10)
    assert await store.first_use("used:y", 5)
    clock.now = 6
    assert await store.read(["family:f", "used:y"]) == [1, None]
    assert await store.first_use("used:y", 5)


async def test_the_file_store_replays_its_log_and_drops_what_expired(tmp_path) -> None:
    clock = _Clock()
    clock.now = 1000.0
    path = tmp_path / "revocations.jsonl"
    store = FileRevocationStore(path, clock=clock)
    assert await store.first_use("used:x", 60)
    await store.raise_to("user:u", 200, 60)
    await store.raise_to("user:u", 100, 60)  # a cut-off never moves back, in the log either
    await store.raise_to("family:f", 1, 5)
    with path.open("a") as log_file:
        log_file.write('["used:torn", 1, 20')  # a write cut short by a crash
    clock.now = 1010.0  # the family entry has expired
    restarted = FileRevocationStore(path, clock=clock)
    assert await restarted.first_use("used:x", 60) is False
    assert await restarted.read(["user:u", "family:f", "used:torn"]) == [200, None, None]
    assert len(path.read_text().splitlines()) == 2  # compacted at start: only the live entries


@pytest.mark.parametrize("migrated_database", ["sqlite"], indirect=True)
async def test_without_redis_revocations_survive_a_server_restart(settings, transcriber, embedder) -> None:
    """The embedded default (one node, SQLite, no Redis): a spent refresh token, the family its
    reuse revokes, and a log-out each still hold after the server is started anew."""
    assert settings.redis_url is None

    def server():  # a new app on the same DATA_DIR and database: what a restart starts from
        return serve(create_app(settings, transcriber=transcriber, embedder=embedder))

    async with server() as base, httpx.AsyncClient(base_url=base) as http:
        email, first = await _register(http)
        second = (await http.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
        assert (await http.get("/api/users/me", headers=_bearer(second))).status_code == 200
    async with server() as base, httpx.AsyncClient(base_url=base) as http:
        reuse = await http.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert reuse.status_code == 401  # still spent; and presenting it revokes its family
        assert (await http.get("/api/users/me", headers=_bearer(second))).status_code == 401
    async with server() as base, httpx.AsyncClient(base_url=base) as http:
        assert (await http.get("/api/users/me", headers=_bearer(second))).status_code == 401  # family still revoked
        third = (await http.post("/api/auth/login", json={"email": email, "password": PASSWORD})).json()
        assert (await http.get("/api/users/me", headers=_bearer(third))).status_code == 200
        assert (await http.post("/api/auth/logout", headers=_bearer(third))).status_code == 204
    async with server() as base, httpx.AsyncClient(base_url=base) as http:
        assert (await http.get("/api/users/me", headers=_bearer(third))).status_code == 401  # still logged out
        refused = await http.post("/api/auth/refresh", json={"refresh_token": third["refresh_token"]})
        assert refused.status_code == 401
        fourth = (await http.post("/api/auth/login", json={"email": email, "password": PASSWORD})).json()
        assert (await http.get("/api/users/me", headers=_bearer(fourth))).status_code == 200


FROZEN_MS = 1_800_000_000_000


@pytest.mark.parametrize("migrated_database", ["sqlite"], indirect=True)
async def test_in_one_millisecond_a_cut_off_revokes_what_came_before_and_spares_what_came_after(
    settings, transcriber, embedder, monkeypatch
) -> None:
    """The wall clock stands still: every sign-in, log-out and password change below happens in
    the same millisecond. The node still orders them (server/auth.py, the cut-off boundary)."""
    monkeypatch.setattr("server.auth.now_ms", lambda: FROZEN_MS)
    async with AsyncTestClient(create_app(settings, transcriber=transcriber, embedder=embedder)) as http:
        email, laptop = await _register(http)
        phone = (await http.post("/api/auth/login", json={"email": email, "password": PASSWORD})).json()
        changed = await http.post(
            "/api/users/me/password",
            json={"current_password": PASSWORD, "new_password": "a new password"},
            headers=_bearer(laptop),
        )
        assert changed.status_code == 200, changed.text
        for before in (laptop, phone):  # issued before the change, in its millisecond: revoked
            response = await http.get("/api/users/me", headers=_bearer(before))
            assert response.status_code == 401 and response.json()["code"] == "token_revoked"
        after = changed.json()  # the change's own new pair, same millisecond: valid
        assert (await http.get("/api/users/me", headers=_bearer(after))).status_code == 200
        assert (await http.post("/api/auth/logout", headers=_bearer(after))).status_code == 204
        assert (await http.get("/api/users/me", headers=_bearer(after))).status_code == 401
        relogged = (await http.post("/api/auth/login", json={"email": email, "password": "a new password"})).json()
        assert (await http.get("/api/users/me", headers=_bearer(relogged))).status_code == 200
        rotated = await http.post("/api/auth/refresh", json={"refresh_token": relogged["refresh_token"]})
        assert rotated.status_code == 200


async def test_a_token_another_node_issued_in_the_millisecond_of_a_cut_off_is_revoked(monkeypatch) -> None:
    """Two nodes share the store; their clocks cannot order one millisecond: a tie is revoked."""
    monkeypatch.setattr("server.auth.now_ms", lambda: FROZEN_MS)
    from types import SimpleNamespace

    from server.auth import ACCESS, TokenService
    from server.errors import TokenRevoked
    from server.settings import AuthOptions

    store = MemoryRevocationStore()
    node_a, node_b = (TokenService("s" * 40, AuthOptions(), store) for _ in range(2))
    user = SimpleNamespace(id=uuid.uuid4())
    from_b = node_b.issue(user)["access_token"]  # stamp FROZEN_MS on node b
    await node_a.revoke_user(user.id)  # node a's first stamp: the same millisecond
    with pytest.raises(TokenRevoked):
        await node_a.verify(from_b, ACCESS)
    later = node_a.issue(user)["access_token"]  # after the cut-off on node a: a later stamp
    assert (await node_b.verify(later, ACCESS)).subject == user.id
