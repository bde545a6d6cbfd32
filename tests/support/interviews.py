"""The live tests' shared interview: two custom questions, two spoken answers, and a signed-up
candidate with a session of those questions on a running server."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import numpy as np

from tests.support.speech import ScriptPiece, synthesize, to_pcm16

ANSWER_ONE: tuple[ScriptPiece, ...] = (
    "I have five years of experience building backend services in Python.",
    0.7,
    "Last year I led the migration of our payment system to Kubernetes.",
)
ANSWER_TWO: tuple[ScriptPiece, ...] = (
    "We measured latency before and after the change.",
    0.6,
    "It dropped by forty percent.",
)
QUESTIONS: list[dict[str, Any]] = [
    {
        "text": "Tell me about your backend experience.",
        "category": "technical",
        "expected_topics": ["Python", "Kubernetes"],
        "time_limit": 120,
    },
    {
        "text": "How did you measure the result?",
        "category": "behavioral",
        "expected_topics": ["latency"],
        "time_limit": 120,
    },
]
PASSWORD = "long password"


def spoken_pcm(script, *, trailing_silence_s: float = 1.0) -> bytes:
    """`script` spoken, as the socket's 16 kHz s16le PCM: half a second of silence before it and
    `trailing_silence_s` after (0: the last utterance is still open when the audio ends)."""
    silence_after = np.zeros(int(trailing_silence_s * 16000), np.float32)
    return to_pcm16(np.concatenate([np.zeros(8000, np.float32), synthesize(script), silence_after]))


async def account_and_session(base: str, questions=QUESTIONS) -> tuple[dict, dict]:
    """(the sign-up's token pair, the created session) of a new candidate on the server at `base`."""
    async with httpx.AsyncClient(base_url=base) as http:
        email = f"{uuid.uuid4().hex[:8]}@example.com"
        tokens = (
            await http.post("/api/auth/register", json={"email": email, "password": PASSWORD, "full_name": "C"})
        ).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        session = await http.post(
            "/api/sessions",
            json={"title": "Live", "num_questions": len(questions), "custom_questions": questions},
            headers=headers,
        )
        assert session.status_code == 201, session.text
        return tokens, session.json()


async def sign_up(client: httpx.AsyncClient, *, full_name: str = "Candidate") -> None:
    """Registers a new candidate (a fresh e-mail) and signs `client` in as them."""
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    response = await client.post(
        "/api/auth/register", json={"email": email, "password": PASSWORD, "full_name": full_name}
    )
    response.raise_for_status()
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
