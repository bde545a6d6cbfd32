"""The interviewer never asks the same follow-up twice about one question. The browser journey
once heard one follow-up twice: the candidate gave the follow-up the same (looped) recorded
answer, and the rules' fixed wordings fit that answer as well as the first one. Here the same
spoken answer goes to a technical question and to each of its follow-ups (up to the cap of
two), over the real socket with the real model and scoring, on PostgreSQL. (Without
the check in `should_ask`, the second follow-up repeated the first, word for word.)"""

from __future__ import annotations

import httpx
import pytest

from interview.followups import same_question_key
from server.app import create_app
from tests.support.live_server import serve
from tests.support.spoken_interview import padded_pcm, started_interview, until

pytestmark = [pytest.mark.model, pytest.mark.postgres_only]

QUESTION = {
    "text": "How would you design a service that stores uploaded files for many users?",
    "category": "technical",
    "expected_topics": ["replication", "quotas"],
    "time_limit": 120,
}
#: A plan in "I would" (no experience to probe) that names neither talking point: the rules
#: propose their fixed wordings (the hardest edge case, then the trade-off), which fit the same
#: answer to the follow-up just as well.
ANSWER = (
    "I would put the files in object storage and keep the metadata in PostgreSQL.",
    0.6,
    "Each upload would get a unique key, and a small API would hand out signed links.",
    0.6,
    "I would also add a cache in front for the popular files.",
)


@pytest.fixture
async def server(settings, transcriber, embedder):
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        yield base


async def test_the_same_answer_to_a_follow_up_never_brings_the_same_follow_up_again(server, database) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=60) as http:
        session, client, seen, question = await started_interview(server, http, [QUESTION])
        asked = [question["text"]]
        while True:
            await client.stream(padded_pcm(ANSWER), realtime_factor=4.0)
            await client.send(type="answer_done")
            await until(client, seen, "answer_complete")
            event = await client.next_event(timeout=180)
            seen.append(event)
            while event["type"] not in ("question", "session_complete"):
                event = await client.next_event(timeout=180)
                seen.append(event)
            if event["type"] == "session_complete":
                break
            assert event["follow_up"] and event["number"] == 1, event
            asked.append(event["text"])
        await client.connection.close()
        detail = (await http.get(f"/api/sessions/{session['id']}")).json()

    follow_ups = [e["data"]["text"] for e in seen if e["type"] == "event" and e.get("name") == "follow_up"]
    assert follow_ups, "the interviewer never followed up on an answer missing two talking points"
    assert len(follow_ups) <= 2  # FOLLOW_UPS_PER_QUESTION
    keys = [same_question_key(text) for text in asked]
    assert len(keys) == len(set(keys)), f"a question was asked twice: {asked}"
    texts = [q["question_text"] for q in detail["questions"]]
    assert len(texts) == len(set(texts)) == 1 + len(follow_ups), texts
