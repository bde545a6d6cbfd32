"""One answer at a time per question, whatever it comes from: concurrent uploads, an upload and a
live socket, uploads on two nodes; and the upload caps, made deterministic by uploads whose body
the test holds back (an admitted upload keeps its slot and the session's lease while its body
arrives). Real uvicorn servers, real model, SQLite and PostgreSQL (Redis across nodes)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import numpy as np
import pytest
import websockets

from server.app import create_app
from server.upload_options import UploadOptions
from tests.support.interviews import QUESTIONS
from tests.support.live_server import METRICS_HEADERS, InterviewClient, parse_metrics, serve, ws_url
from tests.support.speech import synthesize, to_pcm16, write_wav

pytestmark = pytest.mark.model

SPOKEN = ("I wrote Python services for five years.", 0.5, "We measured the latency of every release.")
REDIS_URL = os.environ.get("TEST_REDIS_URL")


def _wav(seconds_of_silence: float = 0.0, script=SPOKEN) -> bytes:
    parts = [np.zeros(8000, np.float32), synthesize(script) if script else np.zeros(0, np.float32)]
    parts.append(np.zeros(8000 + int(seconds_of_silence * 16000), np.float32))
    buffer = io.BytesIO()
    write_wav(buffer, np.concatenate(parts))
    return buffer.getvalue()


class Candidate:
    """A registered user with an HTTP client; `session()` creates a two-question session."""

    def __init__(self, http: httpx.AsyncClient, tokens: dict) -> None:
        self.http = http
        self.tokens = tokens

    @classmethod
    async def register(cls, base: str, stack: contextlib.AsyncExitStack) -> Candidate:
        http = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=180))
        email = f"{uuid.uuid4().hex[:10]}@example.com"
        tokens = (
            await http.post("/api/auth/register", json={"email": email, "password": "long password", "full_name": "C"})
        ).json()
        http.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        return cls(http, tokens)

    async def session(self) -> dict:
        created = await self.http.post(
            "/api/sessions", json={"title": "races", "num_questions": 2, "custom_questions": QUESTIONS}
        )
        assert created.status_code == 201, created.text
        return created.json()

    async def upload(self, session: dict, number: int, body) -> httpx.Response:
        question = session["questions"][number - 1]["id"]
        return await self.http.post(f"/api/sessions/{session['id']}/questions/{question}/audio", content=body)

    async def detail(self, session: dict) -> dict:
        return (await self.http.get(f"/api/sessions/{session['id']}")).json()


class HeldBody:
    """An upload body sent in two parts: the first at once, the rest when `release()` is called."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._go = asyncio.Event()

    def release(self) -> None:
        self._go.set()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._body[:4096]
        await self._go.wait()
        yield self._body[4096:]


async def _uploads_in_progress(http: httpx.AsyncClient, count: int) -> None:
    """Wait (bounded) until the server has admitted `count` uploads."""
    for _ in range(600):
        if (
            parse_metrics((await http.get("/metrics", headers=METRICS_HEADERS)).text)["interview_uploads_in_progress"]
            == count
        ):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the server never had {count} uploads in progress")


@pytest.fixture
async def base(settings, transcriber, embedder) -> AsyncIterator[str]:
    capped = replace(settings, uploads=UploadOptions(max_concurrent=2, max_per_user=1, retry_after_s=7))
    async with serve(create_app(capped, transcriber=transcriber, embedder=embedder)) as url:
        yield url


async def test_four_concurrent_uploads_to_one_question_store_one_answer(base) -> None:
    async with contextlib.AsyncExitStack() as stack:
        candidates = [await Candidate.register(base, stack)]
        owner = candidates[0]
        session = await owner.session()
        body = _wav()
        responses = await asyncio.gather(*(owner.upload(session, 1, body) for _ in range(4)))
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [200, 409, 409, 409], [(r.status_code, r.text[:200]) for r in responses]
        for refused in (r for r in responses if r.status_code == 409):
            assert refused.json()["code"] == "conflict" and "answer" in refused.json()["detail"]
        detail = await owner.detail(session)
        # One answer, at most one follow-up for it, the two planned questions still there once each.
        assert detail["questions_answered"] == 1
        texts = [question["question_text"] for question in detail["questions"]]
        assert [t for t in texts if t in {q["text"] for q in QUESTIONS}] == [q["text"] for q in QUESTIONS]
        assert len(texts) <= len(QUESTIONS) + 1 and len(set(texts)) == len(texts)
        again = await owner.upload(session, 1, body)
        assert again.status_code == 409 and "already answered" in again.json()["detail"]


async def test_uploads_beyond_the_caps_are_told_when_to_retry(base) -> None:
    async with contextlib.AsyncExitStack() as stack:
        alice, bob, carol = [await Candidate.register(base, stack) for _ in range(3)]
        alice_first, alice_second, bob_session, carol_session = [await c.session() for c in (alice, alice, bob, carol)]
        held_alice, held_bob = HeldBody(_wav()), HeldBody(_wav())
        alice_upload = asyncio.create_task(alice.upload(alice_first, 1, held_alice))
        await _uploads_in_progress(alice.http, 1)

        per_user = await alice.upload(alice_second, 1, _wav())
        assert per_user.status_code == 429, per_user.text
        assert per_user.json()["code"] == "too_many_uploads" and per_user.headers["retry-after"] == "7"

        bob_upload = asyncio.create_task(bob.upload(bob_session, 1, held_bob))
        await _uploads_in_progress(alice.http, 2)
        full = await carol.upload(carol_session, 1, _wav())
        assert full.status_code == 503, full.text
        assert full.json()["code"] == "server_busy" and full.headers["retry-after"] == "7"

        held_alice.release()
        held_bob.release()
        assert (await alice_upload).status_code == 200 and (await bob_upload).status_code == 200
        await _uploads_in_progress(alice.http, 0)
        # Slots are given back: the refused uploads go through now, and nothing was stored for them before.
        assert (await carol.detail(carol_session))["questions"][0]["transcript"] is None
        assert (await carol.upload(carol_session, 1, _wav())).status_code == 200
        assert (await alice.upload(alice_second, 1, _wav())).status_code == 200


async def test_an_upload_and_a_live_socket_on_one_question_never_mix(base, settings) -> None:
    async with contextlib.AsyncExitStack() as stack:
        owner = await Candidate.register(base, stack)
        session = await owner.session()
        token = owner.tokens["access_token"]
        url = ws_url(base, f"/ws/sessions/{session['id']}?token={token}")

        # 1. An upload in progress holds the session: a socket is refused with 4409 until it is done.
        held = HeldBody(_wav(seconds_of_silence=20))
        upload = asyncio.create_task(owner.upload(session, 1, held))
        await _uploads_in_progress(owner.http, 1)
        refused = InterviewClient(await websockets.connect(url, max_size=1 << 22))
        error = await refused.wait_for("error", timeout=30)
        assert error["code"] == "session_busy"
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await refused.wait_for("never", timeout=30)
        assert closed.value.rcvd.code == 4409
        held.release()
        uploaded = await upload
        assert uploaded.status_code == 200, uploaded.text
        stored = uploaded.json()
        upload_file = Path(stored["audio_file_path"])
        assert upload_file.name.endswith(".upload.wav") and upload_file.stat().st_size == stored["audio_size_bytes"]

        # 2. The socket after it goes on to the next unanswered question: the uploaded recording
        #    is not taken as earlier audio of anything, and an upload while it streams is a 409.
        client = InterviewClient(await websockets.connect(url, max_size=1 << 22))
        stack.push_async_callback(client.connection.close)
        await client.wait_for("ready")
        await client.send(type="start")
        question = await client.wait_for("question")
        # (question 2, or a follow-up to the uploaded answer if scoring asked for one)
        assert (question["number"] >= 2 or question["follow_up"]) and question["text"] != QUESTIONS[0]["text"]
        during = await asyncio.gather(owner.upload(session, 1, _wav()), owner.upload(session, 2, _wav()))
        assert [response.status_code for response in during] == [409, 409], [r.text for r in during]
        await client.stream(
            to_pcm16(np.concatenate([synthesize(SPOKEN), np.zeros(16000, np.float32)])), realtime_factor=4.0
        )
        await client.send(type="answer_done")
        complete = await client.wait_for("answer_complete", timeout=180)
        assert complete["word_count"] > 3
        assert not client.of_type("resumed")  # no earlier audio was found for the live question
        assert all(event.get("code") != "time_limit_reached" for event in client.of_type("error"))

        # 3. Each recording is its own file, of the size stored for it; the live writer never
        #    appended to the upload.
        detail = await owner.detail(session)
        first = next(q for q in detail["questions"] if q["id"] == stored["id"])
        assert first["audio_size_bytes"] == upload_file.stat().st_size == stored["audio_size_bytes"]
        assert first["transcript"] == stored["transcript"]
        live_rows = [q for q in detail["questions"] if q["answered_at"] and q["id"] != stored["id"]]
        assert live_rows and all(
            Path(q["audio_file_path"]).suffix == ".wav" and Path(q["audio_file_path"]) != upload_file for q in live_rows
        )
        assert all(Path(q["audio_file_path"]).stat().st_size == q["audio_size_bytes"] for q in live_rows)


async def test_an_upload_refuses_a_question_answered_live_in_part(base) -> None:
    """A live answer that was started and dropped (the socket may resume it) is not replaced."""
    async with contextlib.AsyncExitStack() as stack:
        owner = await Candidate.register(base, stack)
        session = await owner.session()
        url = ws_url(base, f"/ws/sessions/{session['id']}?token={owner.tokens['access_token']}")
        client = InterviewClient(await websockets.connect(url, max_size=1 << 22))
        await client.wait_for("ready")
        await client.send(type="start")
        assert (await client.wait_for("question"))["number"] == 1
        await client.stream(
            to_pcm16(np.concatenate([synthesize(SPOKEN), np.zeros(16000, np.float32)])), realtime_factor=4.0
        )
        await client.wait_for("final", timeout=120)
        await client.connection.close()
        refused = None
        for _ in range(600):  # the socket gives the session back once its finals are stored
            refused = await owner.upload(session, 1, _wav())
            if "answered right now" not in refused.text:
                break
            await asyncio.sleep(0.05)
        assert (
            refused is not None and refused.status_code == 409 and "live answer in progress" in refused.json()["detail"]
        )
        assert (await owner.detail(session))["questions"][0]["answered_at"] is None


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL and os.environ.get("CI", "").lower() != "true", reason="TEST_REDIS_URL is not set")
async def test_uploads_on_two_nodes_store_one_answer(settings, database, transcriber, embedder) -> None:
    if database.backend == "sqlite":
        pytest.skip("several nodes share one PostgreSQL; SQLite is the one-process default")
    shared = replace(settings, redis_url=REDIS_URL)
    async with contextlib.AsyncExitStack() as stack:
        nodes = [
            await stack.enter_async_context(
                serve(
                    create_app(
                        replace(shared, cluster=replace(shared.cluster, node_id=name)),
                        transcriber=transcriber,
                        embedder=embedder,
                    )
                )
            )
            for name in ("a", "b")
        ]
        owner = await Candidate.register(nodes[0], stack)
        other = Candidate(
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=nodes[1], timeout=180, headers=owner.http.headers)
            ),
            owner.tokens,
        )
        session = await owner.session()
        body = _wav()
        responses = await asyncio.gather(*(client.upload(session, 1, body) for client in (owner, other, owner, other)))
        assert sorted(r.status_code for r in responses) == [200, 409, 409, 409], [
            (r.status_code, r.text[:200]) for r in responses
        ]
        detail = await owner.detail(session)
        assert detail["questions_answered"] == 1 and len(detail["questions"]) <= len(QUESTIONS) + 1


@pytest.mark.parametrize("action", ["cancel", "delete"])
async def test_an_upload_to_a_session_cancelled_or_deleted_meanwhile_keeps_nothing(base, settings, action) -> None:
    async with contextlib.AsyncExitStack() as stack:
        owner = await Candidate.register(base, stack)
        session = await owner.session()
        held = HeldBody(_wav())
        upload = asyncio.create_task(owner.upload(session, 1, held))
        await _uploads_in_progress(owner.http, 1)
        if action == "cancel":
            assert (await owner.http.post(f"/api/sessions/{session['id']}/cancel")).status_code == 200
        else:
            assert (await owner.http.delete(f"/api/sessions/{session['id']}")).status_code == 204
        held.release()
        response = await upload
        assert response.status_code == (409 if action == "cancel" else 404), response.text
        if action == "cancel":
            detail = await owner.detail(session)
            assert detail["status"] == "cancelled" and all(q["answered_at"] is None for q in detail["questions"])
        assert not list(settings.audio_dir.rglob("*.upload.*"))


async def test_an_upload_answers_the_attempt_that_try_again_opened(base) -> None:
    """ "Try this answer again", then an upload: it answers attempt 2 (it was refused 409, the
    first attempt's files taken for a live answer in progress) in files of its own; attempt 1,
    uploaded too, keeps its recording, transcript and scores beside it."""
    async with contextlib.AsyncExitStack() as stack:
        owner = await Candidate.register(base, stack)
        session = await owner.session()
        first_body = _wav()
        first = await owner.upload(session, 1, first_body)
        assert first.status_code == 200, first.text
        assert first.json()["attempt"] == 1 and first.json()["overall_score"] is not None

        url = ws_url(base, f"/ws/sessions/{session['id']}?token={owner.tokens['access_token']}")
        client = InterviewClient(await websockets.connect(url, max_size=1 << 22))
        stack.push_async_callback(client.connection.close)
        await client.wait_for("ready")
        await client.send(type="start")
        opened = await client.wait_for("question")  # question 2, or a follow-up to the upload
        assert opened["question_id"] != first.json()["id"]
        await client.send(type="retry")
        again = await client.wait_for("question", timeout=60)
        while again["question_id"] == opened["question_id"]:  # the first `question` may be sent twice
            again = await client.wait_for("question", timeout=60)
        assert again["question_id"] == first.json()["id"] and again["attempt"] == 2, again
        await client.connection.close()

        second_body = _wav(script=("I moved our Python services to Kubernetes and measured the latency.",))
        second = None
        for _ in range(600):  # the socket gives the session back once it has closed
            second = await owner.upload(session, 1, second_body)
            if "answered right now" not in second.text:
                break
            await asyncio.sleep(0.05)
        assert second is not None and second.status_code == 200, second.text
        row = second.json()
        assert row["attempt"] == 2 and row["state"] == "answered" and row["is_evaluated"], row
        assert "kubernetes" in row["transcript"].lower() and row["overall_score"] is not None
        assert Path(row["audio_file_path"]).name.endswith("-attempt2.upload.wav")
        earlier, current = row["attempts"]
        assert (earlier["attempt"], earlier["current"], current["attempt"], current["current"]) == (1, False, 2, True)
        assert earlier["transcript"] == first.json()["transcript"] and earlier["overall_score"] is not None
        assert earlier["audio_url"].endswith("?attempt=1")
        # each attempt plays its own recording: the second upload did not overwrite the first
        played_first = await owner.http.get(earlier["audio_url"])
        played_second = await owner.http.get(current["audio_url"])
        assert played_first.status_code == played_second.status_code == 200
        assert played_first.content == first_body and played_second.content == second_body
        detail = await owner.detail(session)
        assert detail["questions_answered"] == 1  # attempts of one question count once
