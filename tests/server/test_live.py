"""The live interview socket end to end: a real uvicorn server, the real tiny.en model, real
synthesised speech streamed over a real WebSocket, rows checked in SQLite and PostgreSQL (the
other tests, whose rows the first one checks, on PostgreSQL only: `postgres_only`)."""

from __future__ import annotations

import asyncio
import json
import wave
from dataclasses import replace
from pathlib import Path

import httpx
import numpy as np
import pytest
import websockets

from server.app import create_app
from tests.support.interviews import ANSWER_ONE, ANSWER_TWO, QUESTIONS, account_and_session, spoken_pcm
from tests.support.live_server import METRICS_HEADERS, InterviewClient, parse_metrics, serve, ws_url
from tests.support.speech import script_text, synthesize, to_pcm16
from tests.support.spoken_interview import answer
from tests.support.text import normalise_words, repeated_ngrams, word_error_rate

pytestmark = pytest.mark.model


@pytest.fixture
async def server(settings, transcriber, embedder):
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        yield base


@pytest.fixture
async def connect(server):
    opened: list[websockets.ClientConnection] = []

    async def _connect(session_id: str, token: str | None, *, query: bool = True, **kwargs) -> InterviewClient:
        path = f"/ws/sessions/{session_id}" + (f"?token={token}" if token and query else "")
        connection = await websockets.connect(ws_url(server, path), max_size=1 << 22, **kwargs)
        opened.append(connection)
        client = InterviewClient(connection)
        if token and not query:
            await client.send(type="auth", token=token)
        return client

    yield _connect
    for connection in opened:
        await connection.close()


async def test_a_streamed_answer_is_transcribed_live_and_stored(server, connect, database, settings) -> None:
    tokens, session = await account_and_session(server)
    client = await connect(session["id"], tokens["access_token"], query=False)
    ready = await client.wait_for("ready")
    assert (ready["sample_rate"], ready["encoding"], ready["channels"]) == (16000, "pcm_s16le", 1)
    question = await client.start()
    assert (question["number"], question["of"]) == (1, 2)

    complete = await answer(client, spoken_pcm(ANSWER_ONE), realtime_factor=2.0)
    reference = script_text(ANSWER_ONE)
    assert word_error_rate(reference, complete["transcript"]) < 0.25, complete["transcript"]
    assert not repeated_ngrams(complete["transcript"])
    assert {"kubernetes", "migration"} <= set(normalise_words(complete["transcript"]))
    assert client.of_type("speech_started") and client.of_type("partial") and client.of_type("final")
    finals = " ".join(event["text"] for event in client.of_type("final"))
    assert normalise_words(finals) == normalise_words(complete["transcript"])
    seqs = [event["seq"] for event in client.events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert all(event["question"] == 1 for event in client.events if event["type"] in {"partial", "final"})
    # Next comes question 2, or first a follow-up to question 1 if scoring asks for one.
    following = await client.wait_for("question")
    assert (following["number"], following["follow_up"]) in {(2, False), (1, True)}, following

    async with httpx.AsyncClient(base_url=server) as http:
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        detail = (await http.get(f"/api/sessions/{session['id']}", headers=headers)).json()
        row = detail["questions"][0]
        assert detail["status"] == "in_progress" and detail["started_at"]
        assert row["transcript"] == complete["transcript"] and row["answered_at"]
        assert row["word_count"] == complete["word_count"] >= 15
        assert 0 < row["transcript_confidence"] <= 1 and row["transcript_language"] == "en"
        assert row["audio_format"] == "wav" and row["audio_duration"] == round(complete["audio_duration"])
        path = Path(row["audio_file_path"])
        assert path.is_relative_to(settings.audio_dir) and row["audio_size_bytes"] == path.stat().st_size
        with wave.open(str(path)) as recording:
            assert (recording.getframerate(), recording.getnchannels(), recording.getsampwidth()) == (16000, 1, 2)
            assert abs(recording.getnframes() / 16000 - complete["audio_duration"]) < 0.01
        playback = await http.get(f"/api/sessions/{session['id']}/questions/{row['id']}/audio", headers=headers)
        assert playback.status_code == 200 and playback.headers["content-type"] == "audio/wav"
        assert playback.content == path.read_bytes()

        metrics = parse_metrics((await http.get("/metrics", headers=METRICS_HEADERS)).text)
        assert metrics["interview_live_streams"] == 1
        assert (
            metrics['interview_decodes_total{kind="final"}'] >= 1
            and metrics['interview_decodes_total{kind="partial"}'] >= 1
        )
        assert metrics["interview_decode_seconds_count"] >= metrics['interview_decodes_total{kind="final"}']
        # Every final was decoded once, during its closing silence or after it.
        assert metrics["interview_finals_reused_total"] <= metrics['interview_decodes_total{kind="final"}']
        assert 0 < metrics["interview_decode_real_time_factor"] < 1


@pytest.mark.postgres_only
async def test_a_question_is_prepared_for_scoring_while_it_is_answered(server, connect, embedder) -> None:
    """When a question is asked, its prompts and topics are embedded in the background, so
    scoring the answer later embeds only the answer (see bench/scoring_latency.py)."""
    import uuid

    from scoring import reference_texts

    # A text no other test (or database parameter) asked, so the shared embedder has not seen it.
    unseen = f"Which message queue did you choose for billing service {uuid.uuid4().hex[:6]}, and why?"
    questions = [{**QUESTIONS[0], "text": unseen}]
    tokens, session = await account_and_session(server, questions)
    texts = reference_texts(questions[0]["text"], questions[0]["expected_topics"])
    assert not any(embedder.remembers(text) for text in texts[:2])  # the prompts carry the question
    client = await connect(session["id"], tokens["access_token"])
    await client.wait_for("ready")
    await client.start()
    for _ in range(100):  # the preparation runs in a worker thread: wait for it, not for a time
        if all(embedder.remembers(text) for text in texts):
            break
        await asyncio.sleep(0.1)
    assert all(embedder.remembers(text) for text in texts)


@pytest.mark.postgres_only
async def test_handshake_refusals_close_with_policy_codes(server, connect) -> None:
    tokens, session = await account_and_session(server)
    other_tokens, other_session = await account_and_session(server)
    cases = [
        (session["id"], None, {}),  # no token at all (the auth message never comes)
        (session["id"], "not-a-token", {}),
        (other_session["id"], tokens["access_token"], {}),  # someone else's session
        (session["id"], tokens["refresh_token"], {}),  # a refresh token is not an access token
        (session["id"], tokens["access_token"], {"origin": "https://evil.example"}),
    ]
    for session_id, token, extra in cases:
        client = await connect(session_id, token, **extra)
        if token is None:
            await client.send(type="start")  # not an auth message
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await client.next_event(timeout=15)
        assert closed.value.rcvd.code == 1008, (session_id, token, extra)
        errors = client.of_type("error")
        assert errors and errors[-1]["fatal"]


@pytest.mark.postgres_only
async def test_protocol_errors_are_reported_and_the_socket_survives(server, connect) -> None:
    tokens, session = await account_and_session(server)
    client = await connect(session["id"], tokens["access_token"])
    await client.wait_for("ready")
    await client.connection.send(b"\x00\x01" * 100)  # audio before start
    assert (await client.wait_for("error"))["code"] == "audio_not_expected"
    for bad in ["{", '{"type": "fly"}', "[]", '{"type": "start", "extra": 1}', "x" * 5000]:
        await client.connection.send(bad)
        error = await client.wait_for("error")
        assert error["code"] in {"bad_message", "message_too_big"} and not error["fatal"]
    await client.send(type="answer_done")
    assert (await client.wait_for("error"))["code"] == "no_open_answer"
    await client.send(type="ping", id=42)
    assert (await client.wait_for("pong"))["id"] == 42
    assert (await client.start())["number"] == 1
    await client.connection.send(b"\x00" * 100_001)  # oversized frame
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await client.wait_for("never", timeout=15)
    assert closed.value.rcvd.code == 1009


@pytest.mark.postgres_only
async def test_one_stream_per_session_the_newest_wins_and_admission_control(settings, transcriber, embedder) -> None:
    limited = replace(settings, live=replace(settings.live, max_live_streams=1))
    async with serve(create_app(limited, transcriber=transcriber, embedder=embedder)) as base:
        tokens, session = await account_and_session(base)
        second_tokens, second_session = await account_and_session(base)
        first = InterviewClient(
            await websockets.connect(ws_url(base, f"/ws/sessions/{session['id']}?token={tokens['access_token']}"))
        )
        await first.wait_for("ready")
        full = InterviewClient(
            await websockets.connect(
                ws_url(base, f"/ws/sessions/{second_session['id']}?token={second_tokens['access_token']}")
            )
        )
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await full.wait_for("never", timeout=15)
        assert closed.value.rcvd.code == 1013 and full.of_type("error")[0]["code"] == "server_full"
        await first.connection.close()

    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        tokens, session = await account_and_session(base)
        url = ws_url(base, f"/ws/sessions/{session['id']}?token={tokens['access_token']}")
        first = InterviewClient(await websockets.connect(url))
        await first.wait_for("ready")
        twin = InterviewClient(await websockets.connect(url))
        assert (await twin.wait_for("ready"))["type"] == "ready"  # the newer connection takes over...
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await first.wait_for("never", timeout=15)
        assert closed.value.rcvd.code == 4409  # ...and the older one is closed: never two writers
        assert first.of_type("error")[-1]["code"] == "session_taken_over"
        await twin.connection.close()


@pytest.mark.postgres_only
async def test_a_dropped_connection_resumes_the_same_answer(server, connect) -> None:
    tokens, session = await account_and_session(server)
    first = await connect(session["id"], tokens["access_token"])
    await first.start()
    part_one = spoken_pcm(ANSWER_ONE)
    await first.stream(part_one, realtime_factor=4.0)
    await first.wait_for("final")
    await first.connection.close()  # the network drops mid-answer

    await asyncio.sleep(0.5)
    second = await connect(session["id"], tokens["access_token"])
    question = await second.start()
    assert question["number"] == 1  # the same answer continues
    resumed = await second.wait_for("resumed")
    assert {"kubernetes", "python"} & set(normalise_words(resumed["transcript"]))
    assert resumed["audio_duration"] == pytest.approx(len(part_one) / 32000, abs=0.01)
    complete = await answer(second, spoken_pcm(ANSWER_TWO), realtime_factor=4.0)
    reference = script_text(ANSWER_ONE + ANSWER_TWO)
    assert word_error_rate(reference, complete["transcript"]) < 0.3, complete["transcript"]
    assert not repeated_ngrams(complete["transcript"])
    assert complete["audio_duration"] == pytest.approx((len(part_one) + len(spoken_pcm(ANSWER_TWO))) / 32000, abs=0.05)


@pytest.mark.postgres_only
async def test_watchers_see_the_live_transcript_and_sessions_never_mix(server, connect) -> None:
    alice_tokens, alice_session = await account_and_session(server)
    bob_tokens, bob_session = await account_and_session(server)
    async with httpx.AsyncClient(base_url=server) as http:
        share = await http.post(
            f"/api/sessions/{alice_session['id']}/share",
            headers={"Authorization": f"Bearer {alice_tokens['access_token']}"},
        )
        assert share.status_code == 200
        foreign = await http.post(
            f"/api/sessions/{alice_session['id']}/share",
            headers={"Authorization": f"Bearer {bob_tokens['access_token']}"},
        )
        assert foreign.status_code == 404
    watcher = InterviewClient(await websockets.connect(ws_url(server, share.json()["watch_path"])))
    snapshot = await watcher.wait_for("event")
    assert snapshot["name"] == "snapshot" and snapshot["data"]["session_id"] == alice_session["id"]
    bob_watch = InterviewClient(
        await websockets.connect(
            ws_url(server, f"/ws/sessions/{alice_session['id']}/watch?token={bob_tokens['access_token']}")
        )
    )
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await bob_watch.wait_for("never", timeout=15)
    assert closed.value.rcvd.code == 1008

    alice = await connect(alice_session["id"], alice_tokens["access_token"])
    bob = await connect(bob_session["id"], bob_tokens["access_token"])
    for client in (alice, bob):
        await client.start()
    alice_done, bob_done = await asyncio.gather(
        answer(alice, spoken_pcm(ANSWER_ONE), realtime_factor=2.0),
        answer(bob, spoken_pcm(ANSWER_TWO), realtime_factor=2.0),
    )
    assert "kubernetes" in normalise_words(alice_done["transcript"])
    assert "kubernetes" not in normalise_words(bob_done["transcript"])
    assert "latency" not in " ".join(e.get("text", "") + e.get("committed", "") for e in alice.events)
    watched = await watcher.wait_for("answer_complete")
    assert watched["transcript"] == alice_done["transcript"]
    assert all("latency" not in json.dumps(e) for e in watcher.events)
    await watcher.connection.close()


@pytest.mark.postgres_only
async def test_silence_and_noise_produce_no_text(server, connect) -> None:
    tokens, session = await account_and_session(server)
    client = await connect(session["id"], tokens["access_token"])
    await client.start()
    rng = np.random.default_rng(7)
    silence = np.zeros(16000 * 3, np.float32)
    hiss = (rng.standard_normal(16000 * 4) * 0.02).astype(np.float32)
    hum = (0.05 * np.sin(2 * np.pi * 50 * np.arange(16000 * 3) / 16000)).astype(np.float32)
    complete = await answer(client, to_pcm16(np.concatenate([silence, hiss, hum])))
    assert complete["transcript"] == "" and complete["word_count"] == 0
    assert not client.of_type("final")


@pytest.mark.postgres_only
async def test_time_limit_closes_and_keeps_the_answer(server, connect) -> None:
    short = [
        {
            "text": "Describe yourself in one sentence.",
            "category": "general",
            "expected_topics": ["Kubernetes"],
            "time_limit": 30,
        }
    ]
    tokens, session = await account_and_session(server, questions=short)
    client = await connect(session["id"], tokens["access_token"])
    await client.start()
    speech = synthesize(ANSWER_ONE)
    pcm = to_pcm16(np.concatenate([speech, np.zeros(16000 * 35, np.float32)]))
    await client.stream(pcm)
    warning = await client.wait_for("time_warning")
    assert 0 < warning["remaining"] <= 15
    complete = await client.wait_for("answer_complete")
    assert "kubernetes" in normalise_words(complete["transcript"])
    assert 30 <= complete["audio_duration"] <= 32.5
    assert any(e["type"] == "error" and e["code"] == "time_limit_reached" for e in client.events)
    await client.send(type="end")  # the answer may have earned a follow-up (scoring decides): stop here
    assert (await client.wait_for("session_complete"))["questions_answered"] == 1
