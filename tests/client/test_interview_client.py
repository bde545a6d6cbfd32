"""`interview-client`, the installed console script, as a user runs it: against a real server
(uvicorn on a loopback port, the real model and scorer), with real WAV, FLAC and stdin PCM."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import httpx
import jsonschema_rs
import numpy as np
import pytest

from server.app import create_app
from server.live.protocol_schema import protocol_schema
from tests.support.interviews import ANSWER_ONE, ANSWER_TWO
from tests.support.live_server import serve
from tests.support.speech import synthesize, to_pcm16, write_wav
from tests.support.text import normalise_words

CLIENT = Path(sys.executable).parent / "interview-client"
pytestmark = [pytest.mark.model, pytest.mark.parametrize("migrated_database", ["sqlite"], indirect=True)]


@pytest.fixture
async def server(settings, transcriber, embedder):
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        yield base


#: A 3-second access token: every reconnect in the test below comes after it expired.
SHORT_ACCESS_MINUTES = 0.05


@pytest.fixture
async def short_token_server(settings, transcriber, embedder):
    short = replace(settings, auth=replace(settings.auth, access_token_minutes=SHORT_ACCESS_MINUTES))
    async with serve(create_app(short, transcriber=transcriber, embedder=embedder)) as base:
        yield base


class DroppingRelay:
    """A loopback TCP relay in front of the server. Plain HTTP passes through; each of the first
    `drops` interview sockets, once the client has sent `after_bytes` on it, is held (nothing more
    is forwarded) for `hold_s` and then reset, with no close frame: the client sees the network
    drop (1006) after its access token has expired, and must reconnect with a refreshed one."""

    def __init__(self, target: str, *, drops: int, after_bytes: int, hold_s: float) -> None:
        self.target_port = int(target.rsplit(":", 1)[1])
        self.drops_left = drops
        self.after_bytes = after_bytes
        self.hold_s = hold_s
        self.dropped = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> str:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _relay(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        first = await client_r.read(65536)
        drop = first.startswith(b"GET /ws/sessions/") and self.drops_left > 0
        if drop:
            self.drops_left -= 1
        server_w.write(first)

        async def upstream() -> None:
            sent = 0
            while chunk := await client_r.read(65536):
                server_w.write(chunk)
                await server_w.drain()
                sent += len(chunk)
                if drop and sent >= self.after_bytes:
                    await asyncio.sleep(self.hold_s)  # the client's data waits here, unsent
                    self.dropped += 1
                    for writer in (client_w, server_w):
                        writer.transport.abort()
                    return

        async def downstream() -> None:
            while chunk := await server_r.read(65536):
                client_w.write(chunk)
                await client_w.drain()

        tasks = [asyncio.create_task(upstream()), asyncio.create_task(downstream())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for writer in (client_w, server_w):
                writer.close()


def _speech(script) -> np.ndarray:
    return np.concatenate([np.zeros(8000, np.float32), synthesize(script), np.zeros(12000, np.float32)])


async def _client(*args: str, password: str = "long password", stdin: bytes | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        str(CLIENT),
        *args,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "INTERVIEW_PASSWORD": password},
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), 300)
    return process.returncode, out.decode(), err.decode()


async def test_json_output_for_a_wav_and_a_flac_answer_with_scores(server, tmp_path: Path) -> None:
    wav, flac = tmp_path / "one.wav", tmp_path / "two.flac"
    write_wav(wav, _speech(ANSWER_ONE))
    write_wav(tmp_path / "two.wav", _speech(ANSWER_TWO))
    subprocess.run(["sox", str(tmp_path / "two.wav"), str(flac)], check=True)
    email = f"{uuid.uuid4().hex[:8]}@example.com"

    code, out, err = await _client(
        "--server", server, "--email", email, "--register", "--speed", "0", "--json", str(wav), str(flac)
    )
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    summary = lines[-1]
    assert summary["type"] == "summary" and summary["questions_answered"] == 2
    assert len(summary["answer_scores"]) == 2 and all(0 <= s <= 100 for s in summary["answer_scores"])
    assert summary["overall_score"] is not None
    words = set(normalise_words(" ".join(summary["finals"])))
    assert {"kubernetes", "measured"} <= words, summary["finals"]
    # Every event the server sent is one the published schema describes.
    validator = jsonschema_rs.validator_for({**protocol_schema(), "$ref": "#/$defs/ServerEvent"})
    events = lines[:-1]
    assert {"ready", "question", "final", "answer_complete", "session_complete"} <= {e["type"] for e in events}
    for event in events:
        validator.validate(event)


async def test_stdin_pcm_resuming_a_session_with_human_output(server) -> None:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    async with httpx.AsyncClient(base_url=server) as http:
        tokens = (
            await http.post("/api/auth/register", json={"email": email, "password": "long password", "full_name": "C"})
        ).json()
        session = (
            await http.post(
                "/api/sessions",
                json={"title": "Resume me", "num_questions": 2},
                headers={"Authorization": f"Bearer {tokens['access_token']}"},
            )
        ).json()

    code, _, err = await _client("--server", server, "--email", email, "-", password="wrong password", stdin=b"")
    assert code == 1 and "sign-in refused (401)" in err

    pcm = to_pcm16(_speech(ANSWER_ONE))
    code, out, err = await _client(
        "--server", server, "--email", email, "--session", session["id"], "--speed", "4", "-", stdin=pcm
    )
    assert code == 0, err
    assert "Question 1/2" in out and "Overall score" in out, out
    assert "kubernetes" in normalise_words(out)
    assert f"Session {session['id']}: 1 answered" in out


async def test_reconnects_after_the_access_token_expired_refresh_it_with_the_rotated_refresh_token(
    short_token_server, tmp_path: Path
) -> None:
    """A long interview outlives its access token: each reconnect refreshes it, the second time
    with the refresh token the first refresh returned (reusing a spent one would revoke the
    sign-in and end the run with 401)."""
    wav_one, wav_two = tmp_path / "one.wav", tmp_path / "two.wav"
    write_wav(wav_one, _speech(ANSWER_ONE))
    write_wav(wav_two, _speech(ANSWER_TWO))
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    hold_s = SHORT_ACCESS_MINUTES * 60 + 1.5  # each drop comes after the token in hand expired
    async with DroppingRelay(short_token_server, drops=2, after_bytes=64000, hold_s=hold_s) as base:
        code, out, err = await _client(
            "--server", base, "--email", email, "--register", "--speed", "1", "--json", str(wav_one), str(wav_two)
        )
    assert code == 0, err
    *events, summary = [json.loads(line) for line in out.splitlines()]
    assert summary["type"] == "summary" and summary["questions_answered"] == 2, summary
    assert summary["reconnects"] >= 2 and summary["token_refreshes"] >= 2, summary
    # What the server stored for each answer (finals made while a connection was down reach the
    # client only in this transcript); the follow-ups the client skipped have none.
    stored = [event["transcript"] for event in events if event["type"] == "answer_complete" and event["transcript"]]
    assert len(stored) == 2, stored
    assert "kubernetes" in normalise_words(stored[0]) and "measured" in normalise_words(stored[1]), stored
