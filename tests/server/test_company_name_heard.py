"""Issue #12's QA walk J4: in an interview for "Acme Payments", an answer naming the company to a
question that does not name it was transcribed "acne". The session's role and company now open
the decoder's prompt and lead its hotwords (streaming.vocabulary.decoder_intro). Over the real
socket with spoken answers (Piper) and the real tiny.en, on PostgreSQL: the live transcript
names the company."""

from __future__ import annotations

import httpx
import pytest

from server.app import create_app
from tests.support.live_server import serve
from tests.support.spoken_interview import connect, padded_pcm, register, until

pytestmark = [pytest.mark.model, pytest.mark.postgres_only]

QUESTION = {"text": "Where do you see yourself in three to five years?", "category": "general", "time_limit": 120}
#: Measured without the intro (bench/company_names.py): "... engineer at Acne who owns ..." and
#: "I would like to grow with acne payments ...".
ANSWER = (
    "In three to five years I want to be a senior backend engineer at Acme who owns a payment service end to end.",
    0.6,
    "I would like to grow with Acme Payments and lead a small team.",
)


@pytest.fixture
async def server(settings, transcriber, embedder):
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        yield base


async def test_an_answer_naming_the_company_is_heard_with_its_name(server, database) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=60) as http:
        tokens = await register(http)
        http.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        created = await http.post(
            "/api/sessions",
            json={
                "title": "t",
                "num_questions": 1,
                "custom_questions": [QUESTION],
                "target_role": "Backend Engineer",
                "target_company": "Acme Payments",
            },
        )
        assert created.status_code == 201, created.text
        client = await connect(server, created.json()["id"], tokens["access_token"])
        seen: list[dict] = []
        await client.send(type="start")
        await until(client, seen, "question")
        await client.stream(padded_pcm(ANSWER), realtime_factor=4.0)
        await client.send(type="answer_done")
        complete = await until(client, seen, "answer_complete")
        await client.connection.close()
    words = complete["transcript"].lower().replace(",", " ").replace(".", " ").split()
    assert words.count("acme") >= 2 and "acne" not in words, complete["transcript"]
    assert "payments" in words, complete["transcript"]
