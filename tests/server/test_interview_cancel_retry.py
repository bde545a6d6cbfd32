"""Cancelling an interview while an answer is being tried again throws away only the new,
open attempt: the earlier attempt (its transcript, scores and recording) stays in the session's
detail and plays back. Real server, real model, real scoring; PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace

import httpx
import pytest
import websockets

from server.app import create_app
from server.live.audio_store import attempt_path, segments_path
from tests.support.live_server import serve
from tests.support.spoken_interview import ANSWERS, PERFORMANCE, QUESTIONS, connect, padded_pcm, register, until

pytestmark = [pytest.mark.model, pytest.mark.postgres_only]


@pytest.fixture
async def no_follow_up_server(settings, transcriber, embedder):
    # No follow-ups: after the first answer the second planned question opens, deterministically.
    quiet = replace(settings, review=replace(settings.review, follow_ups_per_session=0))
    async with serve(create_app(quiet, transcriber=transcriber, embedder=embedder)) as base:
        yield base


async def test_cancelling_during_a_retry_keeps_the_earlier_attempt(no_follow_up_server, settings) -> None:
    base = no_follow_up_server
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        tokens = await register(http)
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        planned = [QUESTIONS[1], {"text": "What are you proud of?", "category": "general", "time_limit": 60}]
        session = (
            await http.post(
                "/api/sessions", json={"title": "t", "num_questions": 2, "custom_questions": planned}, headers=headers
            )
        ).json()
        client = await connect(base, session["id"], tokens["access_token"])
        seen: list[dict] = []
        await client.send(type="start")
        first = await until(client, seen, "question")
        assert first["text"] == PERFORMANCE
        await client.stream(padded_pcm(ANSWERS[PERFORMANCE]), realtime_factor=4.0)
        await client.send(type="answer_done")
        await until(client, seen, "answer_complete")
        await until(client, seen, "event", "score")
        assert (await until(client, seen, "question"))["number"] == 2

        await client.send(type="retry")  # "Try this answer again"
        again = await until(client, seen, "question")
        assert again["question_id"] == first["question_id"] and again["attempt"] == 2
        await client.stream(padded_pcm(("I would like to start this answer again.",)), realtime_factor=4.0)
        await until(client, seen, "final")  # the new attempt has a recording and a sidecar

        question_id = uuid.UUID(first["question_id"])
        user_id = uuid.UUID(tokens["user"]["id"])
        session_id = uuid.UUID(session["id"])
        earlier = attempt_path(settings.audio_dir, user_id, session_id, question_id, 1)
        current = attempt_path(settings.audio_dir, user_id, session_id, question_id, 2)
        assert earlier.is_file() and current.is_file() and segments_path(current).is_file()

        cancelled = await http.post(f"/api/sessions/{session['id']}/cancel", headers=headers)
        assert cancelled.status_code == 200, cancelled.text
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await client.next_event(timeout=30)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008

        # The open attempt is thrown away (it was never closed) ...
        for _ in range(100):  # the socket's side deletes its open recording as it closes
            if not current.exists():
                break
            await asyncio.sleep(0.1)
        assert not current.exists() and not segments_path(current).exists()
        # ... the earlier one stays: its files, its transcript and scores, its playback.
        assert earlier.is_file() and segments_path(earlier).is_file()
        detail = (await http.get(f"/api/sessions/{session['id']}", headers=headers)).json()
        assert detail["status"] == "cancelled"
        row = next(q for q in detail["questions"] if q["id"] == first["question_id"])
        assert row["attempt"] == 2 and row["transcript"] is None
        attempt_1 = row["attempts"][0]
        assert attempt_1["attempt"] == 1 and not attempt_1["current"]
        assert "checkout" in attempt_1["transcript"].lower()
        assert attempt_1["overall_score"] is not None and attempt_1["scores"]["relevance"] is not None
        assert attempt_1["audio_url"] == f"/api/sessions/{session['id']}/questions/{question_id}/audio?attempt=1"
        played = await http.get(attempt_1["audio_url"], headers=headers)
        assert played.status_code == 200 and played.headers["content-type"].startswith("audio/wav")
        assert len(played.content) > 5 * 32000  # seconds of 16 kHz 16-bit speech
