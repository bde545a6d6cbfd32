"""Inputs the fuzzer found breaking the server, pinned as plain tests on both databases."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator

import pytest
import websockets
from litestar.testing import AsyncTestClient

from server.app import create_app
from tests.server.api import create_session, register
from tests.support.interviews import account_and_session
from tests.support.live_server import ws_url


@pytest.fixture
async def client(settings, transcriber, embedder) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(create_app(settings, transcriber=transcriber, embedder=embedder)) as test_client:
        yield test_client


async def test_nul_characters_are_a_400_naming_the_field(client) -> None:
    # PostgreSQL text cannot hold NUL; without the check this was a 500 there and a 201 on SQLite.
    account = await register(client)
    cases = [
        (
            "/api/auth/register",
            {"email": "nul@example.com", "password": "long enough", "full_name": "a\x00b"},
            "full_name",
        ),
        ("/api/auth/login", {"email": "a\x00@example.com", "password": "long enough"}, "email"),
        ("/api/sessions", {"title": "t\x00"}, "title"),
        ("/api/sessions", {"title": "t", "custom_questions": [{"text": "Why\x00 this job?"}]}, "text"),
    ]
    for path, body, field in cases:
        response = await client.post(path, json=body, headers=account.headers)
        assert response.status_code == 400, (path, response.text)
        assert field in response.json()["extra"][0]["key"]
    patched = await client.patch("/api/users/me", json={"skills": ["ok", "b\x00d"]}, headers=account.headers)
    assert patched.status_code == 400 and "skills" in patched.text


async def test_page_offsets_beyond_any_integer_column_are_a_400(client) -> None:
    account = await register(client)
    huge = await client.get("/api/sessions", params={"offset": str(10**20)}, headers=account.headers)
    assert huge.status_code == 400 and huge.json()["extra"][0]["key"] == "offset"
    far = await client.get("/api/sessions", params={"offset": str(2**31 - 1)}, headers=account.headers)
    assert far.status_code == 200 and far.json()["items"] == []


async def test_unknown_query_parameters_are_refused(client) -> None:
    account = await register(client)
    response = await client.get("/api/sessions", params={"stauts": "completed"}, headers=account.headers)
    assert response.status_code == 400 and response.json()["extra"][0]["key"] == "stauts"


async def test_a_repeated_query_parameter_is_a_400_not_one_of_its_values(client) -> None:
    # Litestar kept one value and validated only that one: ?limit=5&limit=500 listed five.
    account = await register(client)
    session = await create_session(client, account)
    question = session["questions"][0]["id"]
    for path in (
        "/api/sessions?limit=5&limit=500",
        "/api/sessions?limit=5&limit=5",
        "/api/sessions?status=created&offset=0&%73tatus=completed",  # the same name, percent-encoded
        f"/api/sessions/{session['id']}/questions/{question}/audio?attempt=1&attempt=2",
        "/api/users/me?limit=1&limit=2",
    ):
        response = await client.get(path, headers=account.headers)
        assert response.status_code == 400, (path, response.text)
        body = response.json()
        assert body["code"] == "bad_request" and "given 2 times" in body["detail"], body
        assert body["extra"][0]["key"] in {"limit", "status", "attempt"}
    alone = await client.get("/api/sessions?limit=5&offset=0&status=created", headers=account.headers)
    assert alone.status_code == 200 and alone.json()["limit"] == 5


async def test_errors_raised_by_the_framework_carry_a_code_too(client) -> None:
    account = await register(client)
    cases = [
        ("GET", "/api/nope", {}, 404, "not_found"),
        ("PUT", "/api/sessions", {}, 405, "method_not_allowed"),
        ("GET", "/api/sessions?limit=0", {}, 400, "bad_request"),
        ("POST", "/api/sessions", {"content": b'{"title": "' + b"x" * 2_000_000 + b'"}'}, 413, "too_large"),
    ]
    for method, path, extra, status, code in cases:
        response = await client.request(
            method, path, headers={**account.headers, "Content-Type": "application/json"}, **extra
        )
        assert (response.status_code, response.json()["code"]) == (status, code), (path, response.text)
        assert response.json()["detail"]


async def test_a_password_of_72_multibyte_characters_works(client) -> None:
    # 72 characters of 2-4 bytes each are more than bcrypt's 72 bytes: this was a 500.
    password = "é" * 36 + "🔑" * 36
    account = await register(client, password=password)
    login = await client.post("/api/auth/login", json={"email": account.email, "password": password})
    assert login.status_code == 200
    almost = await client.post("/api/auth/login", json={"email": account.email, "password": password[:-1] + "x"})
    assert almost.status_code == 401


async def test_timestamps_carry_their_utc_offset(client) -> None:
    account = await register(client)
    session = await create_session(client, account)
    user = (await client.get("/api/users/me", headers=account.headers)).json()
    for value in (user["created_at"], user["last_login"], session["created_at"], session["questions"][0]["created_at"]):
        assert value.endswith("Z") or value.endswith("+00:00"), value


async def test_a_socket_closed_for_a_too_big_first_frame_logs_no_traceback(server, caplog) -> None:
    # The frame arrived before `ready` was sent: the sender then wrote after the close (a logged
    # RuntimeError traceback for an ordinary refusal).
    tokens, session = await account_and_session(server)
    url = ws_url(server, f"/ws/sessions/{session['id']}?token={tokens['access_token']}")
    for _ in range(3):
        async with websockets.connect(url, max_size=1 << 22) as socket:
            await socket.send(b"\x00" * 70_000)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(socket.recv(), 30)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    failures = [record for record in caplog.records if record.levelno >= logging.ERROR or record.exc_info]
    assert not failures, [record.getMessage() for record in failures]


async def test_a_socket_url_with_two_tokens_is_refused(server) -> None:
    tokens, session = await account_and_session(server)
    token = tokens["access_token"]
    url = ws_url(server, f"/ws/sessions/{session['id']}?token={token}&token=other")
    async with websockets.connect(url) as socket:
        error = json.loads(await asyncio.wait_for(socket.recv(), 30))
        assert (error["code"], error["fatal"]) == ("token_invalid", True) and "given 2 times" in error["message"]
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 30)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
