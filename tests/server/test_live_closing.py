"""Deleting or cancelling a session, or deleting the account, in the middle of a live answer
(issue 11, finding 6): the interview and watch sockets close with 1008 `session_closed`, nothing
more is stored (no answer, score, follow-up or report), the recordings and sidecars go from the
audio storage, and the server logs no traceback. Real uvicorn servers, the real model, SQLite and
PostgreSQL; across two nodes (Redis) for a DELETE that lands on the other node."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import websockets
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.models import InterviewFeedback, InterviewQuestion, InterviewSession, InterviewStatus, User
from server.app import create_app
from tests.support.interviews import ANSWER_ONE, account_and_session, spoken_pcm
from tests.support.live_server import InterviewClient, serve, ws_url

pytestmark = pytest.mark.model

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
async def server(settings, transcriber, embedder):
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        yield base


async def _rows(database, model, **where) -> int:
    engine = create_async_engine(database.url)
    try:
        async with engine.connect() as connection:
            query = select(func.count()).select_from(model)
            for column, value in where.items():
                query = query.where(getattr(model, column) == value)
            return int(await connection.scalar(query))
    finally:
        await engine.dispose()


async def _mid_answer(
    base: str, tokens: dict, session: dict, *, watch_base: str | None = None
) -> tuple[InterviewClient, InterviewClient]:
    """An interview socket that has streamed one sentence (its final is stored) and keeps the
    answer open, and a watcher of the same session (on `watch_base`, default the same node)."""
    token = tokens["access_token"]
    watcher = InterviewClient(
        await websockets.connect(ws_url(watch_base or base, f"/ws/sessions/{session['id']}/watch?token={token}"))
    )
    assert (await watcher.wait_for("event"))["name"] == "snapshot"
    live = InterviewClient(
        await websockets.connect(ws_url(base, f"/ws/sessions/{session['id']}?token={token}"), max_size=1 << 22)
    )
    await live.send(type="start")
    await live.wait_for("question")
    await live.stream(spoken_pcm(ANSWER_ONE), realtime_factor=4.0)
    await live.wait_for("final")
    return live, watcher


async def _closed_for_session(client: InterviewClient) -> None:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await client.next_event(timeout=30)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    errors = client.of_type("error")
    assert errors and errors[-1]["code"] == "session_closed" and errors[-1]["fatal"], errors


async def _gone(path: Path) -> bool:
    """True once `path` no longer exists (the holder deletes after its writer closed): waits for
    it, not for a time, with a bound."""
    for _ in range(100):
        if not path.exists():
            return True
        await asyncio.sleep(0.1)
    return False


def _no_tracebacks(caplog) -> None:
    failures = [record for record in caplog.records if record.levelno >= logging.ERROR or record.exc_info]
    assert not failures, [record.getMessage() for record in failures]


async def test_deleting_a_session_mid_answer_closes_its_sockets_and_deletes_its_files(
    server, database, settings, caplog
) -> None:
    tokens, session = await account_and_session(server)
    live, watcher = await _mid_answer(server, tokens, session)
    session_dir = settings.audio_dir / uuid.UUID(tokens["user"]["id"]).hex / uuid.UUID(session["id"]).hex
    assert any(session_dir.glob("*.wav")) and any(session_dir.glob("*.segments.jsonl"))

    async with httpx.AsyncClient(base_url=server) as http:
        deleted = await http.delete(
            f"/api/sessions/{session['id']}", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
    assert deleted.status_code == 204
    with contextlib.suppress(websockets.ConnectionClosed):  # it may be closed already
        await live.send(type="answer_done")  # too late: nothing is stored any more
    await asyncio.gather(_closed_for_session(live), _closed_for_session(watcher))
    assert not live.of_type("answer_complete") and not live.of_type("session_complete")
    assert await _gone(session_dir)
    assert await _rows(database, InterviewSession, id=uuid.UUID(session["id"])) == 0
    assert await _rows(database, InterviewQuestion, session_id=uuid.UUID(session["id"])) == 0
    _no_tracebacks(caplog)


async def test_cancelling_mid_answer_stores_nothing_more(server, database, settings, caplog) -> None:
    tokens, session = await account_and_session(server)
    live, watcher = await _mid_answer(server, tokens, session)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    session_dir = settings.audio_dir / uuid.UUID(tokens["user"]["id"]).hex / uuid.UUID(session["id"]).hex
    open_answer = next(session_dir.glob("*.wav"))

    async with httpx.AsyncClient(base_url=server) as http:
        cancelled = await http.post(f"/api/sessions/{session['id']}/cancel", headers=headers)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        with contextlib.suppress(websockets.ConnectionClosed):  # it may be closed already
            await live.send(type="answer_done")
            await live.send(type="end")
        await asyncio.gather(_closed_for_session(live), _closed_for_session(watcher))
        assert not live.of_type("answer_complete") and not live.of_type("session_complete")
        assert not [e for e in live.events if e["type"] == "event" and e["name"] in {"score", "follow_up", "feedback"}]
        assert await _gone(open_answer) and not any(session_dir.glob("*.segments.jsonl"))

        detail = (await http.get(f"/api/sessions/{session['id']}", headers=headers)).json()
        assert detail["status"] == "cancelled" and detail["feedback"] is None
        assert len(detail["questions"]) == 2  # no follow-up was inserted
        assert all(q["answered_at"] is None and q["overall_score"] is None for q in detail["questions"])
        assert all(q["transcript"] is None and q["audio_file_path"] is None for q in detail["questions"])  # thrown away
        assert await _rows(database, InterviewFeedback, session_id=uuid.UUID(session["id"])) == 0

        again = InterviewClient(
            await websockets.connect(ws_url(server, f"/ws/sessions/{session['id']}?token={tokens['access_token']}"))
        )
        await again.send(type="start")
        await _closed_for_session(again)
    _no_tracebacks(caplog)


async def test_deleting_the_account_mid_answer_closes_everything_and_deletes_its_files(
    server, database, settings, caplog
) -> None:
    tokens, session = await account_and_session(server)
    live, watcher = await _mid_answer(server, tokens, session)
    user_id = uuid.UUID(tokens["user"]["id"])
    user_dir = settings.audio_dir / user_id.hex
    assert any(user_dir.rglob("*.wav"))

    async with httpx.AsyncClient(base_url=server) as http:
        deleted = await http.delete("/api/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert deleted.status_code == 204
    await asyncio.gather(_closed_for_session(live), _closed_for_session(watcher))
    assert await _gone(user_dir)
    assert await _rows(database, User, id=user_id) == 0
    assert await _rows(database, InterviewSession, user_id=user_id) == 0
    _no_tracebacks(caplog)


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL and os.environ.get("CI", "").lower() != "true", reason="TEST_REDIS_URL is not set")
async def test_a_delete_on_the_other_node_closes_the_sockets_and_deletes_the_files(
    settings, database, transcriber, embedder, caplog
) -> None:
    if database.backend == "sqlite":
        pytest.skip("several nodes share one PostgreSQL; SQLite is the one-process default")
    shared = replace(settings, redis_url=REDIS_URL)
    async with contextlib.AsyncExitStack() as stack:
        node_a = await stack.enter_async_context(
            serve(
                create_app(
                    replace(shared, cluster=replace(shared.cluster, node_id="a")),
                    transcriber=transcriber,
                    embedder=embedder,
                )
            )
        )
        node_b = await stack.enter_async_context(
            serve(
                create_app(
                    replace(shared, cluster=replace(shared.cluster, node_id="b")),
                    transcriber=transcriber,
                    embedder=embedder,
                )
            )
        )
        tokens, session = await account_and_session(node_a)
        live, watcher = await _mid_answer(node_a, tokens, session, watch_base=node_b)
        session_dir = settings.audio_dir / uuid.UUID(tokens["user"]["id"]).hex / uuid.UUID(session["id"]).hex
        async with httpx.AsyncClient(base_url=node_b) as http:
            deleted = await http.delete(
                f"/api/sessions/{session['id']}", headers={"Authorization": f"Bearer {tokens['access_token']}"}
            )
        assert deleted.status_code == 204
        await asyncio.gather(_closed_for_session(live), _closed_for_session(watcher))
        assert await _gone(session_dir)
        assert await _rows(database, InterviewQuestion, session_id=uuid.UUID(session["id"])) == 0
    _no_tracebacks(caplog)


@pytest.mark.parametrize("change", ["cancelled", "deleted"])
async def test_a_session_changed_behind_the_sockets_back_stores_nothing(
    server, database, settings, caplog, change
) -> None:
    """The close message never came (lost in a Redis outage, say): the interview still refuses
    to store the answer, and closes with session_closed instead of crashing its control task."""
    tokens, session = await account_and_session(server)
    live, watcher = await _mid_answer(server, tokens, session)
    await watcher.connection.close()
    session_id = uuid.UUID(session["id"])
    engine = create_async_engine(database.url)
    try:
        async with engine.begin() as connection:
            if change == "cancelled":
                await connection.execute(
                    update(InterviewSession)
                    .where(InterviewSession.id == session_id)
                    .values(status=InterviewStatus.CANCELLED)
                )
            else:
                await connection.execute(delete(InterviewQuestion).where(InterviewQuestion.session_id == session_id))
                await connection.execute(delete(InterviewSession).where(InterviewSession.id == session_id))
    finally:
        await engine.dispose()
    await live.send(type="answer_done")
    await _closed_for_session(live)
    assert not live.of_type("answer_complete")
    if change == "cancelled":
        assert await _rows(database, InterviewQuestion, session_id=session_id, answered_at=None) == 2  # nothing closed
    else:
        assert await _gone(settings.audio_dir / uuid.UUID(tokens["user"]["id"]).hex / session_id.hex)
    _no_tracebacks(caplog)
