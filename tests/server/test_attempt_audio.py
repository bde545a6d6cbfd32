"""Playing back an earlier attempt serves it in its own format: an answer uploaded as FLAC, then
tried again live (WAV), plays `?attempt=1` as audio/flac (it was labelled with the current
attempt's format). Real uvicorn server, the real model, PostgreSQL."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
import websockets

from server.app import create_app
from tests.support.audio_files import encode_audio
from tests.support.interviews import ANSWER_ONE, ANSWER_TWO, account_and_session, spoken_pcm
from tests.support.live_server import InterviewClient, serve, ws_url
from tests.support.speech import synthesize

pytestmark = [pytest.mark.model, pytest.mark.postgres_only]


async def test_an_earlier_uploaded_attempt_plays_in_its_own_format(settings, transcriber, embedder) -> None:
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        tokens, session = await account_and_session(base)
        first = session["questions"][0]["id"]
        audio_url = f"/api/sessions/{session['id']}/questions/{first}/audio"
        speech = np.concatenate([np.zeros(8000, np.float32), synthesize(ANSWER_ONE), np.zeros(8000, np.float32)])
        async with httpx.AsyncClient(
            base_url=base, timeout=180, headers={"Authorization": f"Bearer {tokens['access_token']}"}
        ) as http:
            uploaded = await http.post(audio_url, content=encode_audio(speech, "flac", "flac", 16000))
            assert uploaded.status_code == 200 and uploaded.json()["audio_format"] == "flac", uploaded.text

            url = ws_url(base, f"/ws/sessions/{session['id']}?token={tokens['access_token']}")
            client = InterviewClient(await websockets.connect(url, max_size=1 << 22))
            await client.wait_for("ready")
            await client.start()  # the question after the uploaded answer
            await client.send(type="retry")
            again = await client.wait_for("question")
            assert (again["question_id"], again["attempt"]) == (first, 2), again
            await client.stream(spoken_pcm(ANSWER_TWO), realtime_factor=4.0)
            await client.send(type="answer_done")
            await client.wait_for("answer_complete", timeout=180)
            await client.connection.close()

            earlier = await http.get(audio_url, params={"attempt": 1})
            assert earlier.status_code == 200 and earlier.headers["content-type"] == "audio/flac"
            assert earlier.content[:4] == b"fLaC"
            current = await http.get(audio_url)
            assert current.headers["content-type"] == "audio/wav" and current.content[:4] == b"RIFF"
