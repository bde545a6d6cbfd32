"""The interviewer's voice through real Piper: the owner gets the question as WAV with an ETag
and a day of private caching, it is synthesised once and then served from the cache, another
user's ids are 404, a server without a voice answers 503 `voice_unavailable`. And the voice
preference of the profile, kept in the sessions' metadata, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import wave
from dataclasses import replace

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.voice import VoiceOptions
from tests.server.api import create_session, register

pytestmark = pytest.mark.slow


def _seconds(wav_bytes: bytes) -> float:
    with wave.open(io.BytesIO(wav_bytes)) as audio:
        assert audio.getnchannels() == 1 and audio.getsampwidth() == 2
        return audio.getnframes() / audio.getframerate()


async def test_the_owner_hears_the_question_and_it_is_synthesised_once(client: AsyncTestClient) -> None:
    owner = await register(client)
    session = await create_session(
        client, owner, custom_questions=[{"text": "Tell me about a time you disagreed with your manager."}]
    )
    question = session["questions"][0]
    path = f"/api/sessions/{session['id']}/questions/{question['id']}/voice"

    first = await client.get(path, headers=owner.headers)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "audio/wav"
    assert first.headers["cache-control"] == "private, max-age=86400"
    etag = first.headers["etag"]
    assert etag.startswith('"') and _seconds(first.content) > 1.5

    voice = client.app.state.voice
    spoken = voice.spoken_seconds
    again = await client.get(path, headers=owner.headers)
    assert again.content == first.content and again.headers["etag"] == etag
    assert voice.spoken_seconds == spoken  # from the cache, not spoken again
    assert len(list(voice.cache_dir.glob("*.wav"))) >= 1

    not_modified = await client.get(path, headers={**owner.headers, "If-None-Match": etag})
    assert not_modified.status_code == 304 and not not_modified.content

    stranger = await register(client)
    assert (await client.get(path, headers=stranger.headers)).status_code == 404
    assert (await client.get(path)).status_code == 401
    other = f"/api/sessions/{session['id']}/questions/{session['id']}/voice"
    assert (await client.get(other, headers=owner.headers)).status_code == 404


async def test_prepared_questions_come_from_the_cache(client: AsyncTestClient) -> None:
    owner = await register(client)
    session = await create_session(client, owner, num_questions=1)
    voice = client.app.state.voice
    text = session["questions"][0]["question_text"]
    voice.prepare(text)
    with voice._lock:
        pending = list(voice._in_flight.values())
    for future in pending:
        future.result(timeout=120)
    assert voice._path(voice.key(text)).is_file()
    spoken = voice.spoken_seconds
    response = await client.get(
        f"/api/sessions/{session['id']}/questions/{session['questions'][0]['id']}/voice", headers=owner.headers
    )
    assert response.status_code == 200 and voice.spoken_seconds == spoken


async def test_a_server_without_a_voice_answers_503(settings, transcriber, embedder) -> None:
    quiet = replace(settings, voice=VoiceOptions(enabled=False))
    async with AsyncTestClient(create_app(quiet, transcriber=transcriber, embedder=embedder)) as client:
        owner = await register(client)
        session = await create_session(client, owner, num_questions=1)
        response = await client.get(
            f"/api/sessions/{session['id']}/questions/{session['questions'][0]['id']}/voice", headers=owner.headers
        )
        assert response.status_code == 503
        assert response.json()["code"] == "voice_unavailable"


async def test_a_voice_that_cannot_load_answers_503(client: AsyncTestClient) -> None:
    # Before the session exists: creating it speaks the first question ahead, and a question
    # already spoken is served from the cache whatever the voice's state.
    client.app.state.voice._failed = "the voice could not be loaded (test)"
    owner = await register(client)
    session = await create_session(client, owner, num_questions=1)
    response = await client.get(
        f"/api/sessions/{session['id']}/questions/{session['questions'][0]['id']}/voice", headers=owner.headers
    )
    assert response.status_code == 503 and response.json()["code"] == "voice_unavailable"


async def test_the_voice_preference_is_kept_with_the_interviews(client: AsyncTestClient, database) -> None:
    account = await register(client)
    assert account.tokens["user"]["voice_enabled"] is True
    me = await client.get("/api/users/me", headers=account.headers)
    assert me.json()["voice_enabled"] is True
    assert me.json()["preferences_saved"] is False  # no interview yet: nowhere to keep one
    # Before any interview there is nowhere to keep a change: it is answered as asked, said to
    # be not saved (the client keeps it and sends it with its first session), never a 409.
    kept = await client.patch(
        "/api/users/me", json={"voice_enabled": True, "target_role": "Designer"}, headers=account.headers
    )
    assert kept.status_code == 200 and kept.json()["target_role"] == "Designer"
    waiting = await client.patch("/api/users/me", json={"voice_enabled": False}, headers=account.headers)
    assert waiting.status_code == 200, waiting.text
    assert waiting.json()["voice_enabled"] is False and waiting.json()["preferences_saved"] is False
    assert (await client.get("/api/users/me", headers=account.headers)).json()["voice_enabled"] is True

    first = await create_session(client, account, num_questions=1)
    assert (await client.get("/api/users/me", headers=account.headers)).json()["preferences_saved"] is True
    changed = await client.patch("/api/users/me", json={"voice_enabled": False}, headers=account.headers)
    assert changed.status_code == 200 and changed.json()["voice_enabled"] is False
    assert changed.json()["target_role"] == "Designer"
    detail = (await client.get(f"/api/sessions/{first['id']}", headers=account.headers)).json()
    assert detail["metadata"]["preferences"] == {"voice_enabled": False}

    # A newer session has no preferences of its own: the newest one that has them counts.
    await create_session(client, account, num_questions=1)
    assert (await client.get("/api/users/me", headers=account.headers)).json()["voice_enabled"] is False
    login = await client.post("/api/auth/login", json={"email": account.email, "password": account.password})
    assert login.json()["user"]["voice_enabled"] is False
    back = await client.patch("/api/users/me", json={"voice_enabled": True}, headers=account.headers)
    assert back.json()["voice_enabled"] is True
    assert (await client.get("/api/users/me", headers=account.headers)).json()["voice_enabled"] is True

    other = await register(client)
    assert (await client.get("/api/users/me", headers=other.headers)).json()["voice_enabled"] is True
    bad = await client.patch("/api/users/me", json={"voice_enabled": "no"}, headers=account.headers)
    assert bad.status_code == 400


async def test_a_voice_turned_off_before_the_first_interview_is_kept_with_it(client: AsyncTestClient) -> None:
    """The first visit: the candidate turns the voice off, then creates the interview sending
    the choice (as the web UI does); the session keeps it, the profile says it, and the first
    question is not spoken ahead for nobody."""
    account = await register(client)
    assert (await client.patch("/api/users/me", json={"voice_enabled": False}, headers=account.headers)).json()[
        "preferences_saved"
    ] is False
    voice = client.app.state.voice
    session = await create_session(client, account, num_questions=1, voice_enabled=False)
    assert session["metadata"]["preferences"] == {"voice_enabled": False}
    me = (await client.get("/api/users/me", headers=account.headers)).json()
    assert me["voice_enabled"] is False and me["preferences_saved"] is True
    text = session["questions"][0]["question_text"]
    assert voice.key(text) not in voice._in_flight and not voice._path(voice.key(text)).is_file()
    login = await client.post("/api/auth/login", json={"email": account.email, "password": account.password})
    assert login.json()["user"]["voice_enabled"] is False and login.json()["user"]["preferences_saved"] is True

    # Sending it again with a later session changes it there; leaving it out keeps the newest.
    second = await create_session(client, account, num_questions=1, voice_enabled=True)
    assert second["metadata"]["preferences"] == {"voice_enabled": True}
    third = await create_session(client, account, num_questions=1)
    assert "preferences" not in (third["metadata"] or {})
    assert (await client.get("/api/users/me", headers=account.headers)).json()["voice_enabled"] is True
    refused = await client.post(
        "/api/sessions", json={"title": "t", "num_questions": 1, "voice_enabled": "off"}, headers=account.headers
    )
    assert refused.status_code == 400 and "voice_enabled" in refused.text
