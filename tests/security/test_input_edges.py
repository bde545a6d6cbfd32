"""Inputs the fuzzer found breaking the server, pinned as plain tests on both databases."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import struct
from collections.abc import AsyncIterator

import httpx
import numpy as np
import pytest
import websockets
from litestar.testing import AsyncTestClient

from server.app import create_app
from tests.server.api import create_session, register
from tests.support.interviews import account_and_session
from tests.support.live_server import ws_url
from tests.support.speech import synthesize
from tests.support.text import word_error_rate

#: Spoken in the uploads of odd formats (key words checked, never the exact text).
UPLOADED_ANSWER = "I wrote Python services and measured their latency."


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


async def test_text_frames_that_are_not_utf8_or_too_big_close_cleanly_in_every_state(server, caplog) -> None:
    """A text frame that is not UTF-8 is 1007 and one over the server's frame limit (1 MiB) is
    1009 (with a reason), before authentication, before `start` and mid-answer, on both sockets
    (docs/protocol.md, "Client → server"); nothing is logged as an error (uvicorn logged the 1007
    with a traceback, for any client to repeat at will), and the server opens the next socket."""
    tokens, session = await account_and_session(server)
    token = tokens["access_token"]
    opened = {
        "interview, before auth": (f"/ws/sessions/{session['id']}", None),
        "interview, ready": (f"/ws/sessions/{session['id']}?token={token}", "ready"),
        "interview, answering": (f"/ws/sessions/{session['id']}?token={token}", "question"),
        "watch, before auth": (f"/ws/sessions/{session['id']}/watch", None),
        "watch, watching": (f"/ws/sessions/{session['id']}/watch?token={token}", "event"),
    }
    frames = {1007: (b"\xff\xfe{", True), 1009: (b"z" * (1 << 20 | 1), True)}
    for state, (path, wait_for) in opened.items():
        for expected, (payload, as_text) in frames.items():
            async with websockets.connect(ws_url(server, path), max_size=1 << 22) as socket:
                if wait_for == "question":
                    await socket.send(json.dumps({"type": "start"}))
                while wait_for and json.loads(await asyncio.wait_for(socket.recv(), 30))["type"] != wait_for:
                    pass
                await socket.send(payload, text=as_text)
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    while True:
                        await asyncio.wait_for(socket.recv(), 30)
            assert closed.value.rcvd is not None, (state, expected)
            assert closed.value.rcvd.code == expected, (state, closed.value.rcvd)
            assert expected == 1007 or "exceeds limit" in closed.value.rcvd.reason, (state, closed.value.rcvd)
    async with websockets.connect(ws_url(server, f"/ws/sessions/{session['id']}?token={token}")) as socket:
        assert json.loads(await asyncio.wait_for(socket.recv(), 30))["type"] == "ready"
    failures = [record for record in caplog.records if record.levelno >= logging.ERROR or record.exc_info]
    assert not failures, [record.getMessage() for record in failures]


def _wav(fmt: int, channels: int, rate: int, bits: int, data: bytes) -> bytes:
    """A canonical RIFF/WAVE file with the given fmt chunk, whether or not it makes sense."""
    block = channels * bits // 8
    fmt_chunk = struct.pack("<HHIIHH", fmt, channels, rate, rate * block, block, bits)
    return (
        b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<I", 16) + fmt_chunk
        + b"data" + struct.pack("<I", len(data)) + data
    )  # fmt: skip


async def test_uploads_in_odd_formats_are_transcribed_and_damaged_ones_are_415_in_plain_words(server) -> None:
    """Sample rates and sample formats a recorder may produce (8 kHz, 8-bit, 32-bit float) go
    through; headers that lie (0 Hz, 0 channels, 0 bits), bare magic numbers, more than 48 kHz
    or 2 channels are a 415 `unsupported_audio` whose detail names the format in words, without
    FFmpeg's or Python's internals (they are logged)."""
    speech = np.concatenate([np.zeros(8000, np.float32), synthesize(UPLOADED_ANSWER), np.zeros(8000, np.float32)])
    at_8k = np.interp(np.arange(0, len(speech), 2), np.arange(len(speech)), speech)
    transcribed = {  # each degrades the audio once (8-bit and 8 kHz together made tiny.en mishear)
        "8 kHz": _wav(1, 1, 8000, 16, (np.clip(at_8k, -1, 1) * 32767).astype("<i2").tobytes()),
        "8-bit unsigned": _wav(1, 1, 16000, 8, ((np.clip(speech, -1, 1) * 127) + 128).astype("u1").tobytes()),
        "32-bit float": _wav(3, 1, 16000, 32, speech.astype("<f4").tobytes()),
    }
    refused = {
        "0 Hz": _wav(1, 1, 0, 16, b"\x00\x01" * 16000),
        "0 channels": _wav(1, 0, 16000, 16, b"\x00\x01" * 16000),
        "0 bits": _wav(1, 1, 16000, 0, b"\x00\x01" * 16000),
        "96 kHz": _wav(1, 1, 96000, 16, b"\x00\x01" * 96000),
        "3 channels": _wav(1, 3, 16000, 16, b"\x00\x01" * 48000),
        "no samples": _wav(1, 1, 16000, 16, b""),
        "ogg magic only": b"OggS" + b"\x00" * 500,
        "flac magic only": b"fLaC" + b"\x00" * 500,
        "id3 magic only": b"ID3" + b"\x00" * 500,
    }
    tokens, _ = await account_and_session(server)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    async with httpx.AsyncClient(base_url=server, timeout=300, headers=headers) as http:

        async def upload(body: bytes) -> httpx.Response:
            created = await http.post("/api/sessions", json={"title": "Odd audio", "num_questions": 1})
            session = created.json()
            return await http.post(
                f"/api/sessions/{session['id']}/questions/{session['questions'][0]['id']}/audio", content=body
            )

        for name, body in transcribed.items():
            response = await upload(body)
            assert response.status_code == 200, (name, response.text)
            heard = response.json()["transcript"]
            assert word_error_rate(UPLOADED_ANSWER, heard) < 0.35, (name, heard)
        for name, body in refused.items():
            response = await upload(body)
            error = response.json()
            assert (response.status_code, error["code"]) == (415, "unsupported_audio"), (name, response.text)
            assert not re.search(r"Errno|NoneType|attribute|avcodec|<none>|returned -?\d", error["detail"]), name
            assert any(kind in error["detail"] for kind in ("wav", "ogg", "flac", "mp3")), (name, error["detail"])
        assert (await http.get("/health")).status_code == 200


async def test_a_watcher_gets_its_pongs_whatever_else_it_sends(server) -> None:
    """The watch socket is read-only, and was deaf: a client pinging it to tell a live socket from
    a stalled one never heard back. Now each `ping` gets its `pong`; everything else a watcher
    sends (garbage, audio, controls, oversized text) is ignored and the socket stays open."""
    tokens, session = await account_and_session(server)
    url = ws_url(server, f"/ws/sessions/{session['id']}/watch?token={tokens['access_token']}")
    async with websockets.connect(url) as socket:
        assert json.loads(await asyncio.wait_for(socket.recv(), 30))["name"] == "snapshot"
        for number, noise in enumerate(["", "{", "null", '{"type": "start"}', "x" * 5000, b"\x00" * 3200, b""]):
            await socket.send(noise)
            await socket.send(json.dumps({"type": "ping", "id": number}))
            assert json.loads(await asyncio.wait_for(socket.recv(), 30)) == {
                "type": "pong",
                "id": number,
                "seq": 0,
                "question": None,
            }


async def test_query_parameters_an_api_route_does_not_take_are_a_400_naming_them(server) -> None:
    """Only the session list refused unknown query parameters: `?atempt=1` (misspelt) played the
    current attempt, not the earlier one asked for; `?attempt=2` on an upload answered the
    current attempt; both silently. Every API route now names the parameter it does not take,
    before any body is read; the routes' own parameters and the static files' are unaffected."""
    tokens, session = await account_and_session(server)
    question = session["questions"][0]["id"]
    base = f"/api/sessions/{session['id']}/questions/{question}"
    async with httpx.AsyncClient(
        base_url=server, headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ) as http:
        refused = {
            "atempt": await http.get(f"{base}/audio", params={"atempt": 1}),
            "attempt": await http.post(f"{base}/audio", params={"attempt": 2}, content=b"RIFF" + b"\x00" * 100),
            "x": await http.get("/api/users/me/stats", params={"x": 1}),
            "stauts": await http.get("/api/sessions", params={"stauts": "completed"}),
        }
        for name, response in refused.items():
            error = response.json()
            assert (response.status_code, error["code"]) == (400, "bad_request"), (name, response.text)
            assert error["extra"][0]["key"] == name and name in error["detail"], (name, error)
        assert (await http.get(f"{base}/audio", params={"attempt": 1})).status_code == 404  # taken: no recording yet
        assert (await http.get("/api/sessions", params={"status": "created", "limit": 5})).status_code == 200
        assert (await http.get("/", params={"v": "3"})).status_code in (200, 302)
    detail = (
        await asyncio.to_thread(
            httpx.get,
            f"{server}/api/sessions/{session['id']}",
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
    ).json()
    assert detail["questions"][0]["transcript"] is None  # the refused upload stored nothing
