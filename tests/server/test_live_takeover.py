"""A dead but open connection never locks its candidate out (issue 11, finding 5): a reconnect of
the session's owner takes the session over at once; the old connection is closed with 4409
`session_taken_over` after what it heard was finalised and stored, and the new one continues the
same answer. Real uvicorn server and model, PostgreSQL. (Across nodes:
tests/server/test_multinode.py; the lease rules: test_cluster_options.py and test_multinode.py.)"""

from __future__ import annotations

import asyncio

import pytest
import websockets

from server.app import create_app
from tests.support.interviews import ANSWER_ONE, ANSWER_TWO, account_and_session, spoken_pcm
from tests.support.live_server import InterviewClient, serve, ws_url
from tests.support.speech import script_text
from tests.support.spoken_interview import answer
from tests.support.text import normalise_words, word_error_rate

pytestmark = [pytest.mark.model, pytest.mark.postgres_only]


@pytest.fixture
async def app(settings, transcriber, embedder):
    return create_app(settings, transcriber=transcriber, embedder=embedder)


@pytest.fixture
async def server(app):
    async with serve(app) as base:
        yield base


async def test_a_half_dead_connection_is_taken_over_by_a_reconnect(app, server) -> None:
    tokens, session = await account_and_session(server)
    url = ws_url(server, f"/ws/sessions/{session['id']}?token={tokens['access_token']}")
    dead = InterviewClient(await websockets.connect(url, ping_interval=None, max_size=1 << 22))
    await dead.send(type="start")
    await dead.wait_for("question")
    await dead.stream(spoken_pcm(ANSWER_ONE), realtime_factor=2.0)
    await dead.wait_for("final")
    # The network dies without a FIN: this end neither reads nor writes (nor answers pings) and
    # its TCP connection stays open. Before, every reconnect got 4409 until the ping timeout.
    dead.connection.transport.pause_reading()

    fresh = InterviewClient(await websockets.connect(url, max_size=1 << 22))
    assert (await fresh.wait_for("ready"))["type"] == "ready"
    await fresh.send(type="start")
    assert (await fresh.wait_for("question"))["number"] == 1  # the same answer continues
    resumed = await fresh.wait_for("resumed")
    assert {"kubernetes", "python"} & set(normalise_words(resumed["transcript"]))
    complete = await answer(fresh, spoken_pcm(ANSWER_TWO), realtime_factor=4.0)
    assert word_error_rate(script_text(ANSWER_ONE + ANSWER_TWO), complete["transcript"]) < 0.3, complete["transcript"]

    dead.connection.transport.resume_reading()  # what the server sent it meanwhile: why it closed
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await dead.next_event(timeout=30)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4409
    assert dead.of_type("error")[-1]["code"] == "session_taken_over"
    assert len(app.state.live_sessions) == 1  # the old connection gave its live slot back
    await fresh.connection.close()
    for _ in range(100):  # and so does the new one once it is closed (waits for it, bounded)
        if not app.state.live_sessions:
            break
        await asyncio.sleep(0.1)
    assert not app.state.live_sessions


async def test_a_take_over_lets_the_answer_being_closed_finish(server) -> None:
    """A reconnect right after `answer_done` (the answer is being scored): the older connection
    finishes storing and scoring it before it gives way, and the newer one goes on from the
    question after it."""
    tokens, session = await account_and_session(server)
    url = ws_url(server, f"/ws/sessions/{session['id']}?token={tokens['access_token']}")
    older = InterviewClient(await websockets.connect(url, max_size=1 << 22))
    await older.send(type="start")
    await older.wait_for("question")
    await answer(older, spoken_pcm(ANSWER_ONE), realtime_factor=4.0)  # answer_complete: scoring starts
    newer = InterviewClient(await websockets.connect(url, max_size=1 << 22))
    assert (await newer.wait_for("ready"))["type"] == "ready"
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await older.next_event(timeout=30)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4409
    assert [event for event in older.events if event["type"] == "event" and event["name"] == "score"]
    await newer.send(type="start")
    # The next question: question 2, or a follow-up to question 1 if scoring asked for one.
    following = await newer.wait_for("question")
    assert (following["number"], following["follow_up"]) in {(2, False), (1, True)}, following
    await newer.connection.close()
