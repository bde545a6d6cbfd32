"""The session list counts as the report counts (issue 13): planned questions answered and
skipped, "of N" planned questions, a follow-up never counted but said to be waiting when it is
what a resume asks next; a cancelled session keeps what was answered for the candidate to read.
Real server, real model and scoring (answers uploaded), PostgreSQL."""

from __future__ import annotations

import io

import httpx
import numpy as np
import pytest

from server.app import create_app
from tests.support.interviews import sign_up
from tests.support.live_server import serve
from tests.support.speech import synthesize, write_wav

pytestmark = [pytest.mark.model, pytest.mark.postgres_only]

#: A backend story that names Python, Kubernetes and latency but never mentoring or code review:
#: the interviewer follows up on it (as in the browser journey).
LED = {
    "text": "Tell me about a backend project you led and how you mentored the team.",
    "category": "technical",
    "expected_topics": ["Python", "mentoring", "code review"],
    "time_limit": 120,
}
OTHER = {"text": "How do you decide what to test first in a new codebase?", "category": "technical"}
SPOKEN = (
    "I have five years of experience building backend services in Python.",
    0.7,
    "Last year I led the migration of our payment system to Kubernetes.",
    0.7,
    "We measured latency before and after the change, and it dropped by forty percent.",
)


def _wav(audio: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    write_wav(buffer, np.concatenate([np.zeros(8000, np.float32), audio, np.zeros(8000, np.float32)]))
    return buffer.getvalue()


@pytest.fixture
async def http(settings, transcriber, embedder):
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=180) as client:
            await sign_up(client, full_name="H")
            yield client


async def _session(http: httpx.AsyncClient, questions: list[dict]) -> dict:
    created = await http.post(
        "/api/sessions", json={"title": "history", "num_questions": len(questions), "custom_questions": questions}
    )
    assert created.status_code == 201, created.text
    return created.json()


async def _upload(http: httpx.AsyncClient, session: dict, number: int, body: bytes) -> dict:
    question = session["questions"][number - 1]["id"]
    response = await http.post(f"/api/sessions/{session['id']}/questions/{question}/audio", content=body)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_list_counts_as_the_report_and_says_a_follow_up_is_waiting(http) -> None:
    spoken = _wav(synthesize(SPOKEN))
    # 1. One planned question, answered; the interviewer follows up: "1 of 1 answered", and the
    #    follow-up is what a resume asks (it was shown as finished: "1/1 answered" + Resume).
    waiting = await _session(http, [LED])
    await _upload(http, waiting, 1, spoken)
    detail = (await http.get(f"/api/sessions/{waiting['id']}")).json()
    follow_ups = [q for q in detail["questions"] if q["follow_up_of"]]
    assert len(follow_ups) == 1 and follow_ups[0]["state"] == "not_asked", "the interviewer did not follow up"
    # 2. Two planned questions, the first skipped (an upload with no words is skipped).
    skipped = await _session(http, [LED, OTHER])
    await _upload(http, skipped, 1, _wav(np.zeros(32000, np.float32)))
    # 3. Answered, then cancelled.
    cancelled = await _session(http, [OTHER, LED])
    answered = await _upload(http, cancelled, 1, spoken)
    assert (await http.post(f"/api/sessions/{cancelled['id']}/cancel")).status_code == 200

    items = {s["id"]: s for s in (await http.get("/api/sessions")).json()["items"]}
    counts = {
        name: (
            items[s["id"]]["status"],
            items[s["id"]]["questions_answered"],
            items[s["id"]]["num_questions"],
            items[s["id"]]["questions_skipped"],
            items[s["id"]]["follow_up_waiting"],
        )
        for name, s in (("waiting", waiting), ("skipped", skipped), ("cancelled", cancelled))
    }
    assert counts == {
        "waiting": ("in_progress", 1, 1, 0, True),
        "skipped": ("in_progress", 0, 2, 1, False),
        "cancelled": ("cancelled", 1, 2, 0, False),
    }
    # The session's detail (what the report reads) says the same.
    for s in (waiting, skipped, cancelled):
        detail = (await http.get(f"/api/sessions/{s['id']}")).json()
        item = items[s["id"]]
        assert (detail["questions_answered"], detail["questions_skipped"], detail["follow_up_waiting"]) == (
            item["questions_answered"],
            item["questions_skipped"],
            item["follow_up_waiting"],
        )
        planned = [q for q in detail["questions"] if not q["follow_up_of"]]
        assert len(planned) == detail["num_questions"]
        assert sum(q["state"] == "answered" for q in planned) == item["questions_answered"]
        assert sum(q["state"] == "skipped" for q in planned) == item["questions_skipped"]
    # The cancelled session keeps its answer to read and play back.
    kept = next(
        q for q in (await http.get(f"/api/sessions/{cancelled['id']}")).json()["questions"] if q["id"] == answered["id"]
    )
    assert kept["transcript"] == answered["transcript"] and kept["overall_score"] is not None
    played = await http.get(f"/api/sessions/{cancelled['id']}/questions/{answered['id']}/audio")
    assert played.status_code == 200 and played.content == spoken
