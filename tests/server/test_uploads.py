"""Recorded answers uploaded over HTTP: recognised by content, transcribed by the real model
through the shared pool, stored and scored like live answers; bad uploads refused clearly."""

from __future__ import annotations

import io
import uuid

import httpx
import numpy as np
import pytest

from server.app import create_app
from tests.support.audio_files import encode_audio
from tests.support.interviews import sign_up
from tests.support.live_server import serve
from tests.support.speech import synthesize, write_wav
from tests.support.text import normalise_words

pytestmark = pytest.mark.model

SCRIPT = (
    "Um, in my last role I built the billing service in Python.",
    0.8,
    "We moved it to Kubernetes and cut costs by a third.",
)


@pytest.fixture
async def api(settings, transcriber, embedder):
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            await sign_up(http, full_name="U")
            yield http


async def _session(http: httpx.AsyncClient, questions: int = 2) -> dict:
    custom = [
        {"text": f"Tell me about a project you are proud of ({n}).", "expected_topics": ["Python", "Kubernetes"]}
        for n in range(questions)
    ]
    response = await http.post(
        "/api/sessions", json={"title": "u", "num_questions": questions, "custom_questions": custom}
    )
    return response.json()


@pytest.mark.parametrize(
    ("container", "codec", "rate", "expected_format"), [("wav", None, 16000, "wav"), ("webm", "libopus", 48000, "webm")]
)
async def test_an_uploaded_recording_is_transcribed_stored_and_scored(
    api, container, codec, rate, expected_format
) -> None:
    speech = np.concatenate([np.zeros(8000, np.float32), synthesize(SCRIPT), np.zeros(8000, np.float32)])
    if container == "wav":
        buffer = io.BytesIO()
        write_wav(buffer, speech)
        body = buffer.getvalue()
    else:
        body = encode_audio(speech, container, codec, rate)
    session = await _session(api)
    question = session["questions"][0]
    # The name and declared type are lies on purpose: only the content counts.
    response = await api.post(
        f"/api/sessions/{session['id']}/questions/{question['id']}/audio",
        content=body,
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 200, response.text
    row = response.json()
    words = set(normalise_words(row["transcript"]))
    assert {"python", "kubernetes"} <= words and row["word_count"] >= 15
    assert row["audio_format"] == expected_format and row["audio_size_bytes"] == len(body)
    assert row["is_evaluated"] and 0 <= row["overall_score"] <= 100 and row["answered_at"]
    # After a reload the API shows what the live score card showed: the score's details.
    stored = (await api.get(f"/api/sessions/{session['id']}/questions/{question['id']}")).json()
    details = stored["score_details"]
    assert (
        details["overall"] == stored["overall_score"]
        and details["details"]["relevance"]["score"] == stored["relevance_score"]
    )
    # The upload's answer is the question as every other route shows it (it said state null,
    # attempts [] and no score details, as if the question had never been asked).
    assert row == stored and row["state"] == "answered" and row["attempts"][0]["current"], row
    detail_of_session = (await api.get(f"/api/sessions/{session['id']}")).json()["questions"]
    assert next(q for q in detail_of_session if q["id"] == question["id"])["score_details"] == details
    playback = await api.get(f"/api/sessions/{session['id']}/questions/{question['id']}/audio")
    assert playback.status_code == 200 and playback.content == body
    again = await api.post(f"/api/sessions/{session['id']}/questions/{question['id']}/audio", content=body)
    assert again.status_code == 409


async def test_bad_uploads_are_refused_with_a_clear_error(api, settings) -> None:
    session = await _session(api)
    url = f"/api/sessions/{session['id']}/questions/{session['questions'][0]['id']}/audio"
    not_audio = await api.post(url, content=b"this is a text file pretending to be a wav" * 10)
    assert not_audio.status_code == 415 and "wav" in not_audio.json()["detail"]
    broken = await api.post(url, content=b"RIFF\x00\x00\x00\x00WAVEfmt " + b"\x00" * 200)
    assert broken.status_code == 415
    too_big = await api.post(url, content=b"RIFF" + b"\x00" * (26 * 1024 * 1024))
    assert too_big.status_code == 413
    other = await api.post(f"/api/sessions/{session['id']}/questions/{uuid.uuid4()}/audio", content=b"RIFF")
    assert other.status_code == 404
    detail = (await api.get(f"/api/sessions/{session['id']}")).json()
    assert all(q["transcript"] is None for q in detail["questions"])
