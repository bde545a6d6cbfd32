"""Open sockets follow their token (server/socket_tokens.py): a log-out or a password change
closes the user's interview and watch sockets with 1008 `token_revoked`, the interview socket
only after the answer's last utterance was finalised, stored and sent; on one node (the file
revocation store) and across two nodes (Redis), pushed or found by the periodic re-check.
Real uvicorn servers, the real model, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import replace
from types import SimpleNamespace

import httpx
import pytest
import websockets

from server.app import create_app
from server.auth import ACCESS, TokenService
from server.errors import TokenRevoked
from server.revocation import MemoryRevocationStore
from server.settings import AuthOptions
from server.socket_tokens import Revoked, SocketTokens
from tests.server.test_multinode import REDIS_URL, two_nodes  # noqa: F401 (the fixture)
from tests.support.interviews import ANSWER_ONE, PASSWORD, account_and_session, spoken_pcm
from tests.support.live_server import InterviewClient, serve, ws_url
from tests.support.text import normalise_words


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _open(base: str, path: str, token: str) -> InterviewClient:
    return InterviewClient(await websockets.connect(ws_url(base, f"{path}?token={token}"), max_size=1 << 22))


async def _closed(client: InterviewClient) -> tuple[int, dict]:
    """The close code and the last error event of a socket the server is closing."""
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await client.wait_for("never", timeout=180)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, client.of_type("error")[-1]


async def _interviewing(base: str, session_id: str, token: str) -> InterviewClient:
    candidate = await _open(base, f"/ws/sessions/{session_id}", token)
    await candidate.wait_for("ready")
    await candidate.start()
    return candidate


@pytest.mark.model
async def test_a_password_change_closes_the_sockets_after_their_last_finals(settings, transcriber, embedder) -> None:
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        tokens, session = await account_and_session(base)
        candidate = await _interviewing(base, session["id"], tokens["access_token"])
        watcher = await _open(base, f"/ws/sessions/{session['id']}/watch", tokens["access_token"])
        assert (await watcher.wait_for("event"))["name"] == "snapshot"
        # No silence after the last sentence: its utterance is still open when the password changes.
        await candidate.stream(spoken_pcm(ANSWER_ONE, trailing_silence_s=0))
        await candidate.send(type="ping", id=1)
        await candidate.wait_for("pong")  # the server has read every audio frame
        async with httpx.AsyncClient(base_url=base) as http:
            changed = await http.post(
                "/api/users/me/password",
                json={"current_password": PASSWORD, "new_password": "a new password"},
                headers=_bearer(tokens["access_token"]),
            )
        assert changed.status_code == 200, changed.text

        code, error = await _closed(candidate)
        assert (code, error["code"], error["fatal"]) == (1008, "token_revoked", True)
        finals = normalise_words(" ".join(event["text"] for event in candidate.of_type("final")))
        assert {"migration", "payment", "kubernetes"} & set(finals), finals  # the open utterance's final
        code, error = await _closed(watcher)
        assert (code, error["code"]) == (1008, "token_revoked")

        refused = await _open(base, f"/ws/sessions/{session['id']}", tokens["access_token"])
        code, error = await _closed(refused)
        assert (code, error["code"]) == (1008, "token_revoked")
        # Nothing was lost: the new token resumes the answer with every final the client saw.
        resumed = await _open(base, f"/ws/sessions/{session['id']}", changed.json()["access_token"])
        await resumed.wait_for("ready")
        await resumed.send(type="start")
        assert normalise_words((await resumed.wait_for("resumed"))["transcript"]) == finals
        await resumed.connection.close()


@pytest.mark.parametrize("migrated_database", ["sqlite"], indirect=True)
async def test_a_revocation_whose_message_was_lost_is_found_by_the_periodic_check(
    settings, transcriber, embedder
) -> None:
    """The store says "revoked" but no message came (as when Redis pub/sub dropped it)."""
    checking = replace(settings, auth=replace(settings.auth, socket_token_recheck_s=0.2))
    app = create_app(checking, transcriber=transcriber, embedder=embedder)
    async with serve(app) as base:
        tokens, session = await account_and_session(base)
        candidate = await _interviewing(base, session["id"], tokens["access_token"])

        app.state.tokens.on_revoked = None  # nothing is published from now on
        async with httpx.AsyncClient(base_url=base) as http:
            logout = await http.post("/api/auth/logout", headers=_bearer(tokens["access_token"]))
        assert logout.status_code == 204
        code, error = await _closed(candidate)
        assert (code, error["code"]) == (1008, "token_revoked")


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")
async def test_a_log_out_on_node_a_closes_the_sockets_on_node_b(two_nodes) -> None:  # noqa: F811
    node_a, node_b = two_nodes.nodes["a"], two_nodes.nodes["b"]
    tokens, session = await account_and_session(node_b)
    candidate = await _interviewing(node_b, session["id"], tokens["access_token"])
    watcher = await _open(node_b, f"/ws/sessions/{session['id']}/watch", tokens["access_token"])
    assert (await watcher.wait_for("event"))["name"] == "snapshot"
    async with httpx.AsyncClient(base_url=node_b) as http:  # a share link is not the owner's sign-in
        share = await http.post(f"/api/sessions/{session['id']}/share", headers=_bearer(tokens["access_token"]))
    guest = InterviewClient(await websockets.connect(ws_url(node_b, share.json()["watch_path"])))
    assert (await guest.wait_for("event"))["name"] == "snapshot"
    async with httpx.AsyncClient(base_url=node_a) as http:
        assert (await http.post("/api/auth/logout", headers=_bearer(tokens["access_token"]))).status_code == 204
    for client in (candidate, watcher):
        code, error = await _closed(client)
        assert (code, error["code"]) == (1008, "token_revoked")
    assert guest.connection.close_code is None
    await guest.connection.close()


async def test_the_registry_revokes_by_scope_and_boundary_and_remembers_for_late_sockets() -> None:
    """SocketTokens without a server: which open sockets a revocation covers."""
    tokens = TokenService("s" * 40, AuthOptions(), MemoryRevocationStore())
    registry = SocketTokens(tokens, recheck_s=30)
    tokens.on_revoked = lambda key, value: registry.apply(Revoked(key, value))
    alice, bob = SimpleNamespace(id=uuid.uuid4()), SimpleNamespace(id=uuid.uuid4())
    pair = tokens.issue(alice)
    alices = tokens.decode(pair["access_token"], ACCESS)
    bobs = tokens.decode(tokens.issue(bob)["access_token"], ACCESS)
    with registry.watching(alices) as alice_open, registry.watching(bobs) as bob_open:
        await tokens.revoke_user(alice.id)
        assert alice_open.is_set() and not bob_open.is_set()
    late = tokens.decode(tokens.issue(alice)["access_token"], ACCESS)
    with registry.watching(alices) as reopened, registry.watching(late) as fresh:
        assert reopened.is_set() and not fresh.is_set()  # the old token, registered after: at once
    with registry.watching(late) as fresh:
        await tokens.revoke_user(alice.id, announce=False)  # the store knows, nobody was told
        assert not fresh.is_set()
        assert await registry.recheck() == 1 and fresh.is_set()
    # A reused refresh token revokes its family: the sockets of that sign-in only.
    sign_in = tokens.issue(bob)
    family_socket = tokens.decode(sign_in["access_token"], ACCESS)
    other_sign_in = tokens.decode(tokens.issue(bob)["access_token"], ACCESS)
    with registry.watching(family_socket) as same, registry.watching(other_sign_in) as other:
        await tokens.rotate(sign_in["refresh_token"])
        with pytest.raises(TokenRevoked):
            await tokens.rotate(sign_in["refresh_token"])
        assert same.is_set() and not other.is_set()
