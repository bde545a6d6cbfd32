"""A whole interview over the real WebSocket with synthesised spoken answers, the real model,
real scoring (MiniLM, LanguageTool when scripts/test.sh started one) and both databases: every
row of the four tables is checked at the end. Also: follow-ups asked only when an answer lacks
its result, resuming between questions, cancelling."""

from __future__ import annotations

import uuid

import httpx
import numpy as np
import pytest
import websockets
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.models import InterviewFeedback, InterviewQuestion, InterviewSession, User
from server.app import create_app
from tests.support.live_server import InterviewClient, serve, ws_url
from tests.support.speech import synthesize, to_pcm16
from tests.support.text import normalise_words

pytestmark = pytest.mark.model

CONFLICT = "Tell me about a time you had a conflict with a teammate."
PERFORMANCE = "Describe a project where you improved the performance of a system."
QUESTIONS = [
    {"text": CONFLICT, "category": "behavioral", "expected_topics": ["conflict", "meeting"], "time_limit": 180},
    {"text": PERFORMANCE, "category": "behavioral", "expected_topics": ["latency", "caching"], "time_limit": 180},
]
ANSWERS = {
    # Situation, task and action, but no result: a human interviewer would ask how it ended.
    CONFLICT: (
        "Um, last year a teammate and I disagreed about how to design our deployment pipeline.", 0.6,
        "I was responsible for the release process, so I had to find a solution.", 0.5,
        "I set up a meeting, we listed the risks of each approach, and we agreed to try blue green deployments.",
    ),
    "follow_up": (
        "The outcome was very good.", 0.4,
        "We cut failed releases by eighty percent over the next quarter, and we tracked it in our incident reports.",
    ),
    # A complete, concrete STAR answer with numbers: no follow-up is needed.
    PERFORMANCE: (
        "In my last job our checkout page was slow during big sales.", 0.5,
        "My task was to make it faster before the holiday season.", 0.5,
        "I profiled the service, added caching for the product catalogue, and removed two slow database queries.", 0.6,
        "As a result, latency dropped from two seconds to three hundred milliseconds, and conversion went up by twelve percent.",
    ),
}


@pytest.fixture
async def server(settings, transcriber, embedder):
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        yield base


async def _register(http: httpx.AsyncClient, **profile) -> dict:
    body = {"email": f"{uuid.uuid4().hex[:8]}@example.com", "password": "long password", "full_name": "Candidate", **profile}
    response = await http.post("/api/auth/register", json=body)
    assert response.status_code == 201
    return response.json()


def _pcm(script) -> bytes:
    return to_pcm16(np.concatenate([np.zeros(8000, np.float32), synthesize(script), np.zeros(12000, np.float32)]))


async def _connect(base: str, session_id: str, token: str) -> InterviewClient:
    client = InterviewClient(await websockets.connect(ws_url(base, f"/ws/sessions/{session_id}?token={token}"), max_size=1 << 22))
    await client.wait_for("ready")
    return client


async def _answer_current(client: InterviewClient, question: dict) -> dict:
    script = ANSWERS["follow_up"] if question["follow_up"] else ANSWERS[question["text"]]
    await client.stream(_pcm(script), realtime_factor=4.0)
    await client.send(type="answer_done")
    return await client.wait_for("answer_complete")


async def test_a_whole_interview_fills_all_four_tables(server, database) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=60) as http:
        tokens = await _register(http, target_role="Backend engineer", target_company="Acme")
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        created = await http.post(
            "/api/sessions",
            json={"title": "Behavioural practice", "num_questions": 2, "interview_type": "behavioral", "custom_questions": QUESTIONS},
            headers=headers,
        )
        session = created.json()
    client = await _connect(server, session["id"], tokens["access_token"])
    await client.send(type="start")
    asked: list[dict] = []
    scores: dict[int, dict] = {}
    follow_ups: dict[int, dict] = {}  # number of the answered question -> follow-up event after it
    while True:
        event = await client.next_event(timeout=180)
        if event["type"] == "question":
            asked.append(event)
            await _answer_current(client, event)
        elif event["type"] == "event" and event["name"] == "score":
            scores[event["question"]] = event["data"]
        elif event["type"] == "event" and event["name"] == "follow_up":
            follow_ups[event["question"]] = event["data"]
        elif event["type"] == "session_complete":
            break
    feedback_event = await client.wait_for("event")
    assert feedback_event["name"] == "feedback"
    await client.connection.close()

    # The conversation: Q1 (no result) -> a follow-up about the outcome -> Q2 (complete) -> done.
    assert [q["text"] for q in asked][0] == CONFLICT
    assert asked[1]["follow_up"] and "outcome" in asked[1]["text"].lower()
    assert follow_ups[1]["reason"] == "missing_result"
    performance_number = next(q["number"] for q in asked if q["text"] == PERFORMANCE)
    assert performance_number not in follow_ups
    assert [q["of"] for q in asked][-1] == len(asked) == 3

    # Every answer was scored and the score pushed live.
    assert set(scores) == {1, 2, 3}
    for data in scores.values():
        for dimension in ("relevance", "fluency", "overall"):
            assert 0 <= data[dimension] <= 100
    assert "result" in scores[1]["details"]["star"]["missing"]
    assert "result" not in scores[performance_number]["details"]["star"]["missing"]
    assert scores[performance_number]["overall"] > scores[1]["overall"] - 5

    engine = create_async_engine(database.url)
    async with engine.connect() as connection:
        user = (await connection.execute(select(User).where(User.id == uuid.UUID(tokens["user"]["id"])))).one()
        row = (await connection.execute(select(InterviewSession).where(InterviewSession.id == uuid.UUID(session["id"])))).one()
        questions = (
            await connection.execute(
                select(InterviewQuestion).where(InterviewQuestion.session_id == row.id).order_by(InterviewQuestion.question_number)
            )
        ).all()
        feedback = (await connection.execute(select(InterviewFeedback).where(InterviewFeedback.session_id == row.id))).one()
    await engine.dispose()

    assert row.status.value == "completed"
    assert row.started_at <= row.completed_at and row.total_duration >= 0
    assert row.questions_answered == 3
    assert row.overall_score == pytest.approx(np.mean([s["overall"] for s in scores.values()]), abs=0.11)
    for column in ("relevance_avg", "fluency_avg", "keyword_avg"):
        assert 0 <= getattr(row, column) <= 100
    assert row.metadata["progress"]["follow_ups"] == {"2": 1}

    assert [q.question_number for q in questions] == [1, 2, 3]
    assert [q.question_text for q in questions][::2] == [CONFLICT, PERFORMANCE]
    for question in questions:
        assert question.answered_at is not None and question.is_evaluated
        assert question.word_count > 10 and question.transcript
        assert question.audio_format == "wav" and question.audio_size_bytes > 44 and question.audio_duration > 3
        assert 0 <= question.overall_score <= 100 and question.evaluation_summary
        assert isinstance(question.suggestions, list) and len(question.suggestions) <= 5
    assert "blue" in normalise_words(questions[0].transcript)
    assert questions[0].follow_up_questions[0]["reason"] == "missing_result"
    assert {"eighty", "80"} & set(normalise_words(questions[1].transcript)) or "%" in questions[1].transcript

    assert feedback.overall_rating in {"Excellent", "Good", "Fair", "Poor"}
    assert feedback.summary and feedback.readiness_level in {"Ready", "Almost Ready", "Needs Practice"}
    assert 0 <= feedback.readiness_score <= 100
    assert len(feedback.question_feedback) == 3
    for item in feedback.strengths + feedback.weaknesses:
        assert set(item) >= {"category", "type", "message", "priority"}
    assert feedback.comparison_percentile is None  # no peers yet: no misleading number
    assert user.total_interviews == 1
    assert user.average_score == pytest.approx(row.overall_score, abs=0.01)
    assert user.best_score == pytest.approx(row.overall_score, abs=0.01)


async def test_resume_between_questions_and_cancel(server) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=60) as http:
        tokens = await _register(http)
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        questions = [QUESTIONS[1], {"text": "What are you proud of?", "category": "general", "time_limit": 60}]
        session = (
            await http.post("/api/sessions", json={"title": "t", "num_questions": 2, "custom_questions": questions}, headers=headers)
        ).json()
        client = await _connect(server, session["id"], tokens["access_token"])
        await client.send(type="start")
        first = await client.wait_for("question")
        await _answer_current(client, first)
        second = await client.wait_for("question")
        assert second["number"] == 2
        await client.connection.close()

        again = await _connect(server, session["id"], tokens["access_token"])
        await again.send(type="start")
        resumed = await again.wait_for("question")
        assert resumed["number"] == 2 and resumed["text"] == "What are you proud of?"
        await again.connection.close()

        detail = (await http.get(f"/api/sessions/{session['id']}", headers=headers)).json()
        assert detail["status"] == "in_progress" and detail["questions"][0]["transcript"]
        cancelled = await http.post(f"/api/sessions/{session['id']}/cancel", headers=headers)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"

    closed = await _connect(server, session["id"], tokens["access_token"])
    await closed.send(type="start")
    error = await closed.wait_for("error")
    assert error["code"] == "session_closed" and error["fatal"]
    with pytest.raises(websockets.ConnectionClosed) as ended:
        await closed.next_event(timeout=15)
    assert ended.value.rcvd.code == 1008


async def test_skip_repeat_and_end_early(server, database) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=60) as http:
        tokens = await _register(http)
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        questions = [
            {"text": "What motivates you at work?", "category": "general", "time_limit": 60},
            QUESTIONS[1],
            {"text": "Where do you see yourself in five years?", "category": "general", "time_limit": 60},
        ]
        session = (
            await http.post("/api/sessions", json={"title": "t", "num_questions": 3, "custom_questions": questions}, headers=headers)
        ).json()
    client = await _connect(server, session["id"], tokens["access_token"])
    await client.send(type="start")
    first = await client.wait_for("question")
    await client.send(type="repeat")
    repeated = await client.wait_for("question")
    assert (repeated["number"], repeated["text"]) == (first["number"], first["text"])
    await client.send(type="skip")
    skipped = await client.wait_for("answer_complete")
    assert skipped["skipped"] and skipped["word_count"] == 0
    second = await client.wait_for("question")
    assert second["number"] == 2
    await client.stream(_pcm(ANSWERS[PERFORMANCE]), realtime_factor=4.0)
    await client.send(type="end")  # mid-answer: the answer is kept, the interview ends
    kept = await client.wait_for("answer_complete")
    assert "caching" in normalise_words(kept["transcript"]) or "latency" in normalise_words(kept["transcript"])
    done = await client.wait_for("session_complete")
    assert done["questions_answered"] == 1
    await client.connection.close()

    engine = create_async_engine(database.url)
    async with engine.connect() as connection:
        row = (await connection.execute(select(InterviewSession).where(InterviewSession.id == uuid.UUID(session["id"])))).one()
        rows = (
            await connection.execute(
                select(InterviewQuestion).where(InterviewQuestion.session_id == row.id).order_by(InterviewQuestion.question_number)
            )
        ).all()
    await engine.dispose()
    assert row.status.value == "completed" and row.questions_answered == 1
    assert row.metadata["progress"]["skipped"] == [1]
    assert rows[0].word_count == 0 and rows[1].word_count > 10 and rows[2].answered_at is None
