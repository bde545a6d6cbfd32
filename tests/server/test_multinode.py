"""Two server nodes side by side (two real uvicorn servers sharing PostgreSQL, the real Redis and
the audio storage) behind nginx (deploy/nginx.conf, round robin, no sticky sessions): watchers,
exclusivity and resume across nodes, and the session leases' rules. Clients only talk to nginx;
which node served a socket is read from the apps' own state.

Both nodes run in the test's process and share one loaded model (a node each as a subprocess is
what tests/faults does, where processes must be killed)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
import websockets

from server.app import create_app
from server.live.locks import RedisSessionLocks
from server.live.pubsub import create_redis
from tests.faults.services import Nginx
from tests.support.interviews import ANSWER_ONE, ANSWER_TWO, account_and_session, spoken_pcm
from tests.support.live_server import InterviewClient, serve, ws_url
from tests.support.speech import script_text
from tests.support.text import normalise_words, repeated_ngrams, word_error_rate

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not REDIS_URL and os.environ.get("CI", "").lower() != "true", reason="TEST_REDIS_URL is not set"
    ),
]


@dataclass
class TwoNodes:
    base: str  # nginx: the only address clients use
    apps: dict[str, Any]
    nodes: dict[str, str]  # each node's own address, for tests that must pick the node

    def serving(self) -> str:
        """The node with a live interview socket open."""
        (name,) = [name for name, app in self.apps.items() if app.state.live_sessions]
        return name

    def watched_on(self) -> set[str]:
        return {name for name, app in self.apps.items() if app.state.live_watchers}


@pytest.fixture
async def two_nodes(settings, database, transcriber, embedder, tmp_path):
    if database.backend == "sqlite":
        pytest.skip("several nodes share one PostgreSQL; SQLite is the one-process default")
    shared = replace(settings, redis_url=REDIS_URL)
    apps = {
        name: create_app(
            replace(shared, cluster=replace(shared.cluster, node_id=name)), transcriber=transcriber, embedder=embedder
        )
        for name in "ab"
    }
    async with contextlib.AsyncExitStack() as stack:
        bases = [await stack.enter_async_context(serve(app)) for app in apps.values()]
        balancer = Nginx(tmp_path, [int(base.rsplit(":", 1)[1]) for base in bases])
        balancer.start()
        stack.callback(balancer.stop)
        yield TwoNodes(balancer.base, apps, dict(zip(apps, bases, strict=True)))


async def _open(base: str, session_id: str, token: str) -> InterviewClient:
    return InterviewClient(
        await websockets.connect(ws_url(base, f"/ws/sessions/{session_id}?token={token}"), max_size=1 << 22)
    )


async def _closed_with(client: InterviewClient) -> int:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await client.wait_for("never", timeout=30)
    return closed.value.rcvd.code


@pytest.mark.model
async def test_a_watcher_on_node_b_sees_the_transcript_streaming_into_node_a(two_nodes) -> None:
    base = two_nodes.base
    tokens, session = await account_and_session(base)
    async with httpx.AsyncClient(base_url=base) as http:
        share = await http.post(
            f"/api/sessions/{session['id']}/share", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
    candidate = await _open(base, session["id"], tokens["access_token"])
    await candidate.send(type="start")
    await candidate.wait_for("question")
    serving = two_nodes.serving()
    extra = []
    for _ in range(3):  # round robin: the next connection goes to the other node
        watcher = InterviewClient(await websockets.connect(ws_url(base, share.json()["watch_path"])))
        assert (await watcher.wait_for("event"))["name"] == "snapshot"
        if two_nodes.watched_on() - {serving}:
            break
        extra.append(watcher)
    assert two_nodes.watched_on() - {serving}, "no watcher landed on the other node"
    await candidate.stream(spoken_pcm(ANSWER_ONE), realtime_factor=3.0)
    await candidate.send(type="answer_done")
    complete = await candidate.wait_for("answer_complete")

    watched = await watcher.wait_for("answer_complete")
    assert watched["transcript"] == complete["transcript"] and "kubernetes" in normalise_words(watched["transcript"])
    assert [e["text"] for e in watcher.of_type("final")] == [e["text"] for e in candidate.of_type("final")]
    assert watcher.of_type("partial"), "partials travel through Redis too"
    for socket in (watcher, candidate, *extra):
        await socket.connection.close()


async def test_a_second_socket_for_a_session_takes_it_over_across_nodes(two_nodes) -> None:
    base = two_nodes.base
    tokens, session = await account_and_session(base)
    holder = await _open(base, session["id"], tokens["access_token"])
    await holder.wait_for("ready")
    for _ in range(2):  # round robin: each newer connection lands on the other node, and wins
        newer = await _open(base, session["id"], tokens["access_token"])
        assert (await newer.wait_for("ready"))["type"] == "ready"
        assert await _closed_with(holder) == 4409
        assert holder.of_type("error")[-1]["code"] == "session_taken_over"
        holder = newer
    assert all(app.state.live_counters.get("session_taken_over") == 1 for app in two_nodes.apps.values())
    await holder.connection.close()
    # Released on close (after its finals are stored): any node may take it now.
    again = await _open(base, session["id"], tokens["access_token"])
    assert (await again.wait_for("ready"))["type"] == "ready"
    await again.connection.close()


async def test_a_lease_is_taken_over_by_a_newer_connection_never_an_uploads() -> None:
    """Without the control channel's hint: the holder's heartbeat sees the newer one's claim."""
    redis = create_redis(REDIS_URL)
    try:
        locks = RedisSessionLocks(redis, ttl_s=1.5, reconnect_wait_s=5)
        other_node = RedisSessionLocks(redis, ttl_s=1.5, reconnect_wait_s=5)
        session = uuid.uuid4()
        lease = await locks.acquire(session, take_over=True)
        assert lease is not None
        taking = asyncio.create_task(other_node.acquire(session, take_over=True))
        await asyncio.wait_for(lease.taken_over.wait(), 10)
        assert not taking.done()  # it waits for the holder to store what it heard
        await lease.mark_draining()
        await lease.release()
        successor = await taking
        assert successor is not None
        await asyncio.sleep(1.2)  # two heartbeats of the successor: the claim it made is gone
        assert not successor.taken_over.is_set() and not successor.lost.is_set()
        await successor.release()

        upload = await locks.acquire(session)  # a holder that does not yield (an upload)
        assert upload is not None
        assert await other_node.acquire(session, take_over=True) is None
        assert not upload.taken_over.is_set()
        await upload.release()
    finally:
        await redis.aclose()


@pytest.mark.model
async def test_an_answer_dropped_on_node_a_continues_on_node_b(two_nodes) -> None:
    base = two_nodes.base
    tokens, session = await account_and_session(base)
    first = await _open(base, session["id"], tokens["access_token"])
    await first.send(type="start")
    await first.wait_for("question")
    first_node = two_nodes.serving()
    part_one = spoken_pcm(ANSWER_ONE)
    await first.stream(part_one, realtime_factor=4.0)
    await first.wait_for("final")
    await first.connection.close()  # the network drops; the candidate lands on the other node

    second = await _open(base, session["id"], tokens["access_token"])
    await second.send(type="start")
    assert (await second.wait_for("question"))["number"] == 1
    assert two_nodes.serving() != first_node  # round robin: the reconnect went to the other node
    resumed = await second.wait_for("resumed")
    assert {"kubernetes", "python"} & set(normalise_words(resumed["transcript"]))
    assert resumed["audio_duration"] == pytest.approx(len(part_one) / 32000, abs=0.01)
    await second.stream(spoken_pcm(ANSWER_TWO), realtime_factor=4.0)
    await second.send(type="answer_done")
    complete = await second.wait_for("answer_complete")
    words = normalise_words(complete["transcript"])
    assert not repeated_ngrams(complete["transcript"])
    reference = script_text(ANSWER_ONE + ANSWER_TWO)
    assert word_error_rate(reference, complete["transcript"]) < 0.3, complete["transcript"]
    assert "kubernetes" in words and "measured" in words, complete["transcript"]
    assert words[: len(normalise_words(resumed["transcript"]))] == normalise_words(resumed["transcript"])
    await second.connection.close()


async def test_session_leases_refuse_a_live_holder_and_outlive_a_dead_one() -> None:
    redis = create_redis(REDIS_URL)
    try:
        locks = RedisSessionLocks(redis, ttl_s=1.5, reconnect_wait_s=5)
        other_node = RedisSessionLocks(redis, ttl_s=1.5, reconnect_wait_s=5)
        session = uuid.uuid4()
        lease = await locks.acquire(session)
        assert lease is not None
        assert await other_node.acquire(session) is None  # a heartbeating holder: refused

        await lease.mark_draining()  # its socket dropped; it is storing finals
        waiting = asyncio.create_task(other_node.acquire(session))
        await asyncio.sleep(0.8)
        assert not waiting.done()  # a reconnect waits for a draining holder...
        await lease.release()
        taken = await waiting  # ...and gets the session once it is released
        assert taken is not None

        taken._heartbeat.cancel()  # the holder's node dies without releasing
        successor = await locks.acquire(session)
        assert successor is not None  # the lease expired: taken over
        await taken.release()  # too late: it no longer owns the key, which stays the successor's
        assert await other_node.acquire(session) is None
        await successor.release()
    finally:
        await redis.aclose()
