"""Faults survived, with real processes: server nodes as `interview-server run` subprocesses
behind nginx (deploy/nginx.conf, round robin, no sticky sessions: candidates only ever talk to
nginx), a PostgreSQL cluster and a Redis server of the test's own (stopped, killed and restarted
here), the real faster-whisper model and real synthesised speech over real WebSockets.

What a candidate has seen as `final` must be in the database exactly once, whatever dies."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import uuid

import httpx
import numpy as np
import pytest
import websockets
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.models import InterviewQuestion
from server.live.pubsub import create_redis
from tests.faults.conftest import Cluster
from tests.faults.services import REPO, Nginx, Node
from tests.support.live_server import InterviewClient
from tests.support.speech import synthesize, to_pcm16, write_wav
from tests.support.text import normalise_words, repeated_ngrams

pytestmark = [pytest.mark.model, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

PART_ONE = (
    "I have five years of experience building backend services in Python.",
    1.0,
    "Last year I led the migration of our payment system to Kubernetes.",
    1.0,
    (
        "We wrote a runbook for every service, tested each one on a staging cluster, "
        "and moved the services one team at a time over three months."
    ),
    1.0,
    "The hardest part was the database, which we moved last.",
)
PART_TWO = ("After the move, our deployments took minutes instead of hours.", 0.8, "The team was proud of it.")
QUESTIONS = [
    {
        "text": "Tell me about a migration you led.",
        "category": "technical",
        "expected_topics": ["Kubernetes"],
        "time_limit": 180,
    },
    {"text": "What did you learn?", "category": "behavioral", "expected_topics": ["runbook"], "time_limit": 120},
]


def _pcm(script) -> bytes:
    return to_pcm16(np.concatenate([np.zeros(8000, np.float32), synthesize(script), np.zeros(16000, np.float32)]))


async def _candidate(node: Node | Nginx) -> tuple[str, str]:
    """(access token, session id) of a new account with a two-question session, made on `node`."""
    async with httpx.AsyncClient(base_url=node.base, timeout=30) as http:
        email = f"{uuid.uuid4().hex[:10]}@example.com"
        tokens = (
            await http.post("/api/auth/register", json={"email": email, "password": "long password", "full_name": "C"})
        ).json()
        session = await http.post(
            "/api/sessions",
            json={"title": "Faults", "num_questions": 2, "custom_questions": QUESTIONS},
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
        assert session.status_code == 201, session.text
        return tokens["access_token"], session.json()["id"]


async def _connect(node: Node | Nginx, session_id: str, token: str) -> InterviewClient:
    return InterviewClient(
        await websockets.connect(f"{node.ws}/ws/sessions/{session_id}?token={token}", max_size=1 << 22)
    )


async def _until_closed(client: InterviewClient, timeout: float = 60) -> int:
    """Read events until the server closes the socket; the close code."""
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await client.next_event(timeout=timeout)
    assert closed.value.rcvd is not None, "the connection dropped without a close frame"
    return closed.value.rcvd.code


async def _stored_question(cluster: Cluster, session_id: str, number: int = 1) -> InterviewQuestion:
    engine = create_async_engine(cluster.database_url)
    try:
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    select(InterviewQuestion).where(
                        InterviewQuestion.session_id == uuid.UUID(session_id),
                        InterviewQuestion.question_number == number,
                    )
                )
            ).one()
            return row
    finally:
        await engine.dispose()


async def _lease_reclaimed(cluster: Cluster, session_id: str) -> None:
    """Wait until the lease heartbeat of the serving node has written its key into the new Redis."""
    redis = create_redis(cluster.redis.url)
    try:
        for _ in range(100):
            if await redis.exists(f"interview:lease:{session_id}"):
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the serving node never claimed its lease again after the Redis restart")
    finally:
        await redis.aclose()


def _summed(cluster: Cluster, name: str) -> float:
    """A metric added up over the running nodes."""
    return sum(
        node.metrics().get(name, 0.0) for node in cluster.nodes.values() if node.process and node.process.poll() is None
    )


def _occurrences(words: list[str], phrase: list[str]) -> int:
    return sum(1 for i in range(len(words) - len(phrase) + 1) if words[i : i + len(phrase)] == phrase)


def _assert_each_final_once(finals: list[str], transcript: str) -> None:
    words = normalise_words(transcript)
    for text in finals:
        assert _occurrences(words, normalise_words(text)) == 1, (text, transcript)


async def test_kill_9_of_the_serving_node_resumes_on_the_other_node(cluster: Cluster) -> None:
    cluster.node("a"), cluster.node("b")
    balancer = cluster.balancer
    token, session_id = await _candidate(balancer)
    first = await _connect(balancer, session_id, token)
    await first.send(type="start")
    await first.wait_for("question")
    serving = await cluster.serving()
    other = cluster.other(serving)
    streaming = asyncio.create_task(first.stream(_pcm(PART_ONE), realtime_factor=1.0))
    await first.wait_for("final")
    last_final = await first.wait_for("final")  # two utterances committed, more speech arriving
    while True:  # words of the next utterance heard, not finalised yet
        partial = await first.wait_for("partial")
        if partial["utterance"] > last_final["utterance"] and len(normalise_words(partial["committed"])) >= 2:
            break
    await asyncio.sleep(1.2)  # the recording on disk is flushed about once a second
    serving.kill()  # kill -9 mid-answer, mid-utterance
    with pytest.raises(websockets.ConnectionClosed):
        while True:
            await first.next_event(timeout=30)
    streaming.cancel()
    await asyncio.gather(streaming, return_exceptions=True)
    seen = [event["text"] for event in first.of_type("final")]
    assert all(event["utterance"] < partial["utterance"] for event in first.of_type("final")), (
        "killed after that utterance ended"
    )

    stored = await _stored_question(cluster, session_id)
    _assert_each_final_once(seen, stored.transcript)  # every final sent before the kill is stored

    # The candidate reconnects through nginx, which skips the dead node; its lease expires.
    second = await _connect(balancer, session_id, token)
    await second.send(type="start")
    assert (await second.wait_for("question"))["number"] == 1
    assert other.metrics()["interview_live_streams"] == 1
    resumed = await second.wait_for("resumed")
    _assert_each_final_once(seen, resumed["transcript"])
    assert resumed["audio_duration"] > 0
    await second.stream(_pcm(PART_TWO), realtime_factor=2.0)
    await second.send(type="answer_done")
    complete = await second.wait_for("answer_complete")
    _assert_each_final_once(seen + [event["text"] for event in second.of_type("final")], complete["transcript"])
    assert not repeated_ngrams(complete["transcript"])
    # What node A had heard but not finalised was in the recording: node B transcribed it.
    in_flight = normalise_words(partial["committed"])
    after_seen = normalise_words(complete["transcript"])[len(normalise_words(" ".join(seen))) :]
    assert len(set(in_flight) & set(after_seen)) >= len(set(in_flight)) / 2, (partial, complete["transcript"])
    assert {"kubernetes", "deployments"} <= set(normalise_words(complete["transcript"]))
    stored = await _stored_question(cluster, session_id)
    assert stored.transcript == complete["transcript"] and stored.answered_at is not None
    await second.connection.close()


async def test_a_redis_restart_mid_interview_is_survived(cluster: Cluster) -> None:
    cluster.node("a"), cluster.node("b")
    balancer = cluster.balancer
    token, session_id = await _candidate(balancer)
    async with httpx.AsyncClient(base_url=balancer.base) as http:
        share = (
            await http.post(f"/api/sessions/{session_id}/share", headers={"Authorization": f"Bearer {token}"})
        ).json()
    watcher = InterviewClient(await websockets.connect(balancer.ws + share["watch_path"]))
    assert (await watcher.wait_for("event"))["name"] == "snapshot"
    candidate = await _connect(balancer, session_id, token)
    await candidate.send(type="start")
    await candidate.wait_for("question")
    serving = await cluster.serving()
    watching = next(node for node in cluster.nodes.values() if node.metrics()["interview_live_watchers"] >= 1)
    await candidate.stream(_pcm(PART_TWO), realtime_factor=2.0)
    await watcher.wait_for("final")

    cluster.redis.stop()  # every key and subscription is gone
    await asyncio.sleep(1.5)  # longer than a lease heartbeat (TTL 3 s / 3)
    cluster.redis.start()

    # The watcher's node resubscribes by itself and sends a fresh snapshot (events were missed).
    resync = await watcher.wait_for("event")
    assert resync["name"] == "snapshot"
    # The interview went on on its node; its lease was claimed again: a newer connection on the
    # other node takes it over (never two writers): the candidate is closed with 4409 after
    # storing what it heard, and the twin continues the same answer.
    await _lease_reclaimed(cluster, session_id)
    twin = await _connect(balancer, session_id, token)
    assert await _until_closed(candidate) == 4409
    assert candidate.of_type("error")[-1]["code"] == "session_taken_over"
    await twin.send(type="start")
    assert {"kubernetes", "deployments"} & set(normalise_words((await twin.wait_for("resumed"))["transcript"]))
    await twin.stream(_pcm(PART_ONE[:3]), realtime_factor=2.0)
    await twin.send(type="answer_done")
    complete = await twin.wait_for("answer_complete")
    assert {"kubernetes", "deployments"} <= set(normalise_words(complete["transcript"]))
    watched = await watcher.wait_for("answer_complete")  # live events flow again
    assert watched["transcript"] == complete["transcript"]
    metrics = watching.metrics()
    assert metrics["interview_pubsub_reconnects_total"] >= 1 and metrics["interview_pubsub_connected"] == 1
    assert serving.metrics()['interview_refused_connections_total{reason="session_taken_over"}'] >= 1
    assert serving.metrics()["interview_lease_heartbeat_failures_total"] >= 1
    await twin.connection.close()
    await watcher.connection.close()


async def test_postgres_unavailable_for_a_while(cluster: Cluster) -> None:
    cluster.node("a"), cluster.node("b")
    balancer = cluster.balancer
    token, session_id = await _candidate(balancer)
    other_token, other_session = await _candidate(balancer)
    candidate = await _connect(balancer, session_id, token)
    await candidate.send(type="start")
    await candidate.wait_for("question")
    serving = await cluster.serving()

    cluster.postgres.stop()
    try:
        await candidate.stream(_pcm(PART_ONE), realtime_factor=2.0)
        await candidate.wait_for("final")
        notice = [e for e in candidate.of_type("error") if e["code"] == "database_unavailable"]
        assert notice and not notice[0]["fatal"]  # told once, the interview goes on
        async with httpx.AsyncClient(base_url=balancer.base) as http:
            refused = await http.post(
                "/api/sessions",
                json={"title": "New", "num_questions": 2, "custom_questions": QUESTIONS},
                headers={"Authorization": f"Bearer {other_token}"},
            )
            login = await http.post(
                "/api/auth/login", json={"email": "someone@example.com", "password": "long password"}
            )
        assert refused.status_code == 503 and refused.json()["code"] == "database_unavailable"
        assert "try again" in refused.json()["detail"] and refused.headers["retry-after"]
        assert login.status_code == 503 and login.json()["code"] == "database_unavailable"
        newcomer = await _connect(balancer, other_session, other_token)
        assert await _until_closed(newcomer) == 1013
        assert newcomer.of_type("error")[-1]["code"] == "database_unavailable"
        await candidate.send(type="answer_done")  # closing the answer waits for the database
        await asyncio.sleep(2.0)
        assert not candidate.of_type("answer_complete")
    finally:
        cluster.postgres.start()
    complete = await candidate.wait_for("answer_complete")
    finals = [e["text"] for e in candidate.of_type("final")]
    _assert_each_final_once(finals, complete["transcript"])
    stored = await _stored_question(cluster, session_id)
    assert stored.transcript == complete["transcript"] and stored.answered_at is not None
    following = await candidate.wait_for("question")  # question 2, or a follow-up to question 1
    assert (following["number"], following["follow_up"]) in {(2, False), (1, True)}, following
    await candidate.connection.close()
    metrics = serving.metrics()
    assert metrics["interview_spooled_writes_total"] >= 1 and metrics["interview_spooled_writes"] == 0
    assert _summed(cluster, 'interview_refused_connections_total{reason="database_unavailable"}') >= 1


async def test_sigterm_drains_live_answers_then_exits(cluster: Cluster) -> None:
    cluster.node("a"), cluster.node("b")
    balancer = cluster.balancer
    token, session_id = await _candidate(balancer)
    candidate = await _connect(balancer, session_id, token)
    await candidate.send(type="start")
    await candidate.wait_for("question")
    serving = await cluster.serving()
    streaming = asyncio.create_task(candidate.stream(_pcm(PART_ONE), realtime_factor=1.0))
    first_final = await candidate.wait_for("final")
    while (started := await candidate.wait_for("speech_started"))["at"] < first_final["end"]:
        pass
    await asyncio.sleep(1.2)  # mid-utterance: about a second of speech heard, not finalised yet
    serving.signal(signal.SIGTERM)
    code = await _until_closed(candidate)
    streaming.cancel()
    await asyncio.gather(streaming, return_exceptions=True)
    assert code == 1012
    assert candidate.of_type("error")[-1]["code"] == "server_restarting"
    finals = [e["text"] for e in candidate.of_type("final")]
    assert candidate.of_type("final")[-1]["end"] > started["at"], (
        "the utterance in flight was finalised and sent before the close"
    )
    # A bound, not a measurement: the drain is capped by SHUTDOWN_GRACE_S. uvicorn re-raises the
    # signal once it has shut down cleanly, so "terminated by SIGTERM" is the clean exit status.
    assert serving.process.wait(timeout=60) in (0, -signal.SIGTERM), serving.logs()[-3000:]
    assert "did not finish" not in serving.logs()
    stored = await _stored_question(cluster, session_id)
    _assert_each_final_once(finals, stored.transcript)
    with pytest.raises(OSError):  # it stopped accepting
        await websockets.connect(f"{serving.ws}/ws/sessions/{session_id}?token={token}", open_timeout=5)
    # The candidate reconnects through nginx, lands on the other node and resumes the answer.
    again = await _connect(balancer, session_id, token)
    await again.send(type="start")
    assert (await again.wait_for("question"))["number"] == 1
    resumed = await again.wait_for("resumed")
    _assert_each_final_once(finals, resumed["transcript"])
    assert cluster.other(serving).metrics()["interview_live_streams"] == 1
    await again.connection.close()


async def test_credential_limits_hold_across_nodes_and_key_on_the_real_client(cluster: Cluster) -> None:
    """Two nodes with a low limit behind their own nginx, counting in Redis. A client that is not
    a trusted proxy (127.0.0.2) cannot reset its count by forging X-Forwarded-For, neither
    through nginx nor straight to a node; another client (127.0.0.3) is counted apart."""
    limit = 4
    nodes = [cluster.node(name, LOGIN_RATE_LIMIT_PER_MINUTE=str(limit)) for name in ("c", "d")]
    balancer = Nginx(cluster.folder / "limits", [node.port for node in nodes])
    balancer.start()
    login = {"email": "nobody@example.com", "password": "wrong password"}

    def client(address: str, base: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=base, transport=httpx.AsyncHTTPTransport(local_address=address), timeout=30)

    try:
        async with client("127.0.0.2", balancer.base) as http:
            statuses = [
                (
                    await http.post("/api/auth/login", json=login, headers={"X-Forwarded-For": f"203.0.113.{i}"})
                ).status_code
                for i in range(limit + 2)
            ]
        assert statuses == [401] * limit + [429, 429]
        served = [
            node.metrics().get('interview_http_requests_total{method="POST",route="/api/auth/login",status="401"}', 0)
            for node in nodes
        ]
        assert all(count >= 1 for count in served), served  # both nodes counted the same client
        async with client("127.0.0.2", nodes[0].base) as http:  # around nginx, forging: still the same key
            bypass = await http.post("/api/auth/login", json=login, headers={"X-Forwarded-For": "198.51.100.7"})
        assert bypass.status_code == 429
        async with client("127.0.0.3", balancer.base) as http:  # someone else behind the same nginx
            assert (await http.post("/api/auth/login", json=login)).status_code == 401
        redis = create_redis(cluster.redis.url)
        try:
            assert await redis.keys("interview:ratelimit*"), "the counts are not in Redis"
        finally:
            await redis.aclose()
    finally:
        balancer.stop()
        for node in nodes:
            node.kill()


async def test_interview_client_resumes_through_nginx_when_its_node_restarts(cluster: Cluster, tmp_path) -> None:
    """`interview-client` against nginx: SIGTERM to the node serving it mid-answer; it reconnects
    through nginx to the other node, re-sends what was not stored, and finishes the interview."""
    cluster.node("a"), cluster.node("b")
    audio = tmp_path / "answer.wav"
    write_wav(audio, np.concatenate([np.zeros(8000, np.float32), synthesize(PART_ONE), np.zeros(16000, np.float32)]))
    client = REPO / ".venv" / "bin" / "interview-client"
    process = await asyncio.create_subprocess_exec(
        str(client),
        "--server",
        cluster.balancer.base,
        "--email",
        f"{uuid.uuid4().hex[:10]}@example.com",
        "--register",
        "--questions",
        "1",
        "--speed",
        "1",
        "--json",
        str(audio),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "INTERVIEW_PASSWORD": "long password"},
    )
    lines: list[dict] = []
    try:
        while not any(line["type"] == "final" for line in lines):  # streaming, one utterance done
            lines.append(json.loads(await asyncio.wait_for(process.stdout.readline(), 120)))
        serving = await cluster.serving()
        serving.signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), 300)
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0, err.decode()[-2000:]
    lines += [json.loads(line) for line in out.decode().splitlines()]
    summary = lines[-1]
    assert summary["type"] == "summary" and summary["reconnects"] >= 1 and summary["questions_answered"] == 1
    assert any(line["type"] == "error" and line["code"] == "server_restarting" for line in lines)
    assert any(line["type"] == "resumed" for line in lines)
    stored = await _stored_question(cluster, summary["session_id"])
    _assert_each_final_once(summary["finals"], stored.transcript)
    assert {"kubernetes", "database"} <= set(normalise_words(stored.transcript)), stored.transcript
    assert not repeated_ngrams(stored.transcript)
