"""`interview-client`, the installed console script, as a user runs it: against a real server
(uvicorn on a loopback port, the real model and scorer), with real WAV, FLAC and stdin PCM."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import jsonschema_rs
import numpy as np
import pytest

from server.app import create_app
from server.live.protocol_schema import protocol_schema
from tests.server.test_live import ANSWER_ONE, ANSWER_TWO
from tests.support.live_server import serve
from tests.support.speech import synthesize, to_pcm16, write_wav
from tests.support.text import normalise_words

CLIENT = Path(sys.executable).parent / "interview-client"
pytestmark = [pytest.mark.model, pytest.mark.parametrize("migrated_database", ["sqlite"], indirect=True)]


@pytest.fixture
async def server(settings, transcriber, embedder):
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        yield base


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
