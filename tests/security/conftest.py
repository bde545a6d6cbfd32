"""Hostile-input suite: real uvicorn servers (real model, real databases) and users who own real
sessions, attacked over HTTP and WebSockets as an outsider would."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from server.app import create_app
from server.settings import AuthOptions, ReviewSettings, Settings
from tests.conftest import LANGUAGETOOL_URL
from tests.support.live_server import serve
from tests.support.speech import synthesize, write_wav

#: Questions of every session the suite creates: two, so a session has a second question id.
QUESTIONS = [
    {
        "text": "Tell me about your backend experience.",
        "category": "technical",
        "expected_topics": ["Python"],
        "time_limit": 60,
    },
    {
        "text": "How did you measure the result?",
        "category": "behavioral",
        "expected_topics": ["latency"],
        "time_limit": 60,
    },
]
PASSWORD = "correct horse battery"


@dataclass
class Owner:
    """A registered user with one session; `tokens` is the register response (both tokens)."""

    email: str
    password: str
    tokens: dict[str, Any]
    session: dict[str, Any]

    @property
    def access(self) -> str:
        return self.tokens["access_token"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}

    @property
    def session_id(self) -> str:
        return self.session["id"]

    @property
    def question_ids(self) -> list[str]:
        return [question["id"] for question in self.session["questions"]]


def new_owner(base: str, *, password: str = PASSWORD) -> Owner:
    """Register a user over HTTP and create a session of two questions for them (blocking: call
    it through `asyncio.to_thread` from a test whose event loop runs the server)."""
    with httpx.Client(base_url=base, timeout=60) as http:
        email = f"{uuid.uuid4().hex[:10]}@example.com"
        registered = http.post("/api/auth/register", json={"email": email, "password": password, "full_name": "Owner"})
        assert registered.status_code == 201, registered.text
        tokens = registered.json()
        created = http.post(
            "/api/sessions",
            json={"title": "Owned", "num_questions": len(QUESTIONS), "custom_questions": QUESTIONS},
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
        assert created.status_code == 201, created.text
        return Owner(email, password, tokens, created.json())


def answer_by_upload(base: str, owner: Owner, question: int) -> dict[str, Any]:
    """Upload a spoken answer (real model, real scoring) so the question has a transcript,
    scores and a recording; returns the stored question."""
    buffer = io.BytesIO()
    speech = synthesize("I wrote Python services for five years and measured their latency every week.")
    write_wav(buffer, np.concatenate([np.zeros(8000, np.float32), speech, np.zeros(8000, np.float32)]))
    with httpx.Client(base_url=base, timeout=120, headers=owner.headers) as http:
        uploaded = http.post(
            f"/api/sessions/{owner.session_id}/questions/{owner.question_ids[question]}/audio",
            content=buffer.getvalue(),
        )
        assert uploaded.status_code == 200, uploaded.text
        return uploaded.json()


def suite_settings(database_url: str, data_dir: Path) -> Settings:
    """What the `settings` fixture gives, for fixtures that outlive one test (module scope)."""
    return replace(
        Settings(data_dir=data_dir).with_database(database_url),
        auth=AuthOptions(jwt_secret="test-secret-" + "x" * 40, bcrypt_rounds=4, login_rate_limit_per_minute=1000),
        review=ReviewSettings(languagetool_url=LANGUAGETOOL_URL),
    )


@pytest.fixture
async def server(settings, transcriber, embedder) -> AsyncIterator[str]:
    """The app under uvicorn on a loopback port in the test's loop (base URL); SQLite and PostgreSQL."""
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        yield base
