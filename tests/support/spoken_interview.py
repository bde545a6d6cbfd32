"""A candidate's interview over the real socket, for the server tests that speak to it: sign up,
connect, start, speak an answer, read the events; and the whole-interview test's two questions
with their spoken answers (a STAR answer without a result, a complete one, and a follow-up's)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import numpy as np
import websockets

from tests.support.live_server import InterviewClient, ws_url
from tests.support.speech import ScriptPiece, synthesize, to_pcm16

CONFLICT = "Tell me about a time you had a conflict with a teammate."
PERFORMANCE = "Describe a project where you improved the performance of a system."
QUESTIONS: list[dict[str, Any]] = [
    {"text": CONFLICT, "category": "behavioral", "expected_topics": ["conflict", "meeting"], "time_limit": 180},
    {"text": PERFORMANCE, "category": "behavioral", "expected_topics": ["latency", "caching"], "time_limit": 180},
]
ANSWERS: dict[str, tuple[ScriptPiece, ...]] = {
    # Situation, task and action, but no result: a human interviewer would ask how it ended.
    CONFLICT: (
        "Um, last year a teammate and I disagreed about how to design our deployment pipeline.",
        0.6,
        "I was responsible for the release process, so I had to find a solution.",
        0.5,
        "I set up a meeting, we listed the risks of each approach, and we agreed to try blue green deployments.",
    ),
    "follow_up": (
        "The outcome was very good.",
        0.4,
        "We cut failed releases by eighty percent over the next quarter, and we tracked it in our incident reports.",
    ),
    # A complete, concrete STAR answer with numbers: no follow-up is needed.
    PERFORMANCE: (
        "In my last job our checkout page was slow during big sales.",
        0.5,
        "My task was to make it faster before the holiday season.",
        0.5,
        "I profiled the service, added caching for the product catalogue, and removed two slow database queries.",
        0.6,
        (
            "As a result, latency dropped from two seconds to three hundred milliseconds, "
            "and conversion went up by twelve percent."
        ),
    ),
}


async def register(http: httpx.AsyncClient, **profile: Any) -> dict[str, Any]:
    """Signs up a new candidate (a fresh e-mail; `profile` overrides fields); the token pair."""
    body = {
        "email": f"{uuid.uuid4().hex[:8]}@example.com",
        "password": "long password",
        "full_name": "Candidate",
        **profile,
    }
    response = await http.post("/api/auth/register", json=body)
    assert response.status_code == 201
    return dict(response.json())


def padded_pcm(script: tuple[ScriptPiece, ...] | str) -> bytes:
    """`script` spoken as the socket's PCM, half a second of silence before and 0.75 s after."""
    return to_pcm16(np.concatenate([np.zeros(8000, np.float32), synthesize(script), np.zeros(12000, np.float32)]))


async def connect(base: str, session_id: str, token: str) -> InterviewClient:
    """The interview socket of `session_id`, once the server said `ready`."""
    client = InterviewClient(
        await websockets.connect(ws_url(base, f"/ws/sessions/{session_id}?token={token}"), max_size=1 << 22)
    )
    await client.wait_for("ready")
    return client


async def until(
    client: InterviewClient, seen: list[dict[str, Any]], kind: str, name: str | None = None, timeout: float = 180
) -> dict[str, Any]:
    """The next event of `kind` (and `name` for generic events); every event is kept in `seen`."""
    while True:
        event = await client.next_event(timeout=timeout)
        seen.append(event)
        if event["type"] == kind and (name is None or event.get("name") == name):
            return event


async def started_interview(
    base: str, http: httpx.AsyncClient, questions: list[dict[str, Any]]
) -> tuple[dict[str, Any], InterviewClient, list[dict[str, Any]], dict[str, Any]]:
    """A new candidate's interview of `questions`, started (`http` signed in as them): its
    session, its socket, the events seen so far (kept by `until`) and the first question."""
    tokens = await register(http)
    http.headers["Authorization"] = f"Bearer {tokens['access_token']}"
    session = (
        await http.post(
            "/api/sessions",
            json={"title": "t", "num_questions": len(questions), "custom_questions": questions},
        )
    ).json()
    client = await connect(base, session["id"], tokens["access_token"])
    seen: list[dict[str, Any]] = []
    await client.send(type="start")
    return session, client, seen, await until(client, seen, "question")


async def answer(client: InterviewClient, pcm: bytes, *, realtime_factor: float | None = None) -> dict[str, Any]:
    """Streams `pcm` in odd-sized frames (on purpose), says "done"; the `answer_complete` event."""
    await client.stream(pcm, chunk=3201, realtime_factor=realtime_factor)
    await client.send(type="answer_done")
    return await client.wait_for("answer_complete")


async def answer_scored(
    client: InterviewClient, seen: list[dict[str, Any]], script: tuple[ScriptPiece, ...] | str
) -> dict[str, Any]:
    """Speaks `script` at 4x real time, says "done", waits for its `answer_complete` and returns
    the data of its `score` event (events read so far are collected in `seen`)."""
    await client.stream(padded_pcm(script), realtime_factor=4.0)
    await client.send(type="answer_done")
    await until(client, seen, "answer_complete")
    return (await until(client, seen, "event", "score"))["data"]
