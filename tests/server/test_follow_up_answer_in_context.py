"""Issue #12 (QA walk): a follow-up's answer is judged against what was asked, the follow-up
read with its planned question. A concrete example (a migration script, a page from eight
hundred milliseconds to two hundred) given to "Can you give me one concrete example that shows
that?" scored relevance 0 against the follow-up's words alone, and so was capped at 25 with
"does not address the question". Here over the real socket with spoken answers, the real
model and scoring, on PostgreSQL: the example's score is on topic and not capped."""

from __future__ import annotations

import httpx
import pytest

from server.app import create_app
from tests.support.live_server import serve
from tests.support.spoken_interview import answer_scored, started_interview, until

pytestmark = [pytest.mark.model, pytest.mark.postgres_only]

QUESTION = {"text": "What kind of work gives you the most energy?", "category": "general", "time_limit": 120}
#: A claim with nothing behind it: the rules ask for one concrete example.
VAGUE = (
    "I like work that is interesting and not the same every day.",
    0.5,
    "Boring tasks make me tired, so I try to avoid them. I think variety is what keeps me going.",
)
EXAMPLE = (
    "Last month our report page was very slow.",
    0.5,
    "I wrote a migration script that added an index and archived old rows,",
    0.3,
    "and the page went from eight hundred milliseconds to two hundred.",
    0.5,
    "Solving that kind of puzzle is what gives me energy.",
)


@pytest.fixture
async def server(settings, transcriber, embedder):
    async with serve(create_app(settings, transcriber=transcriber, embedder=embedder)) as base:
        yield base


async def test_a_concrete_example_given_to_a_follow_up_is_judged_with_its_question(server, database) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=60) as http:
        _, client, seen, _ = await started_interview(server, http, [QUESTION])
        first = await answer_scored(client, seen, VAGUE)
        follow_up = await until(client, seen, "question")
        assert follow_up["follow_up"], follow_up
        assert "example" in follow_up["text"].lower(), follow_up["text"]
        score = await answer_scored(client, seen, EXAMPLE)
        await client.connection.close()

    assert score["question_id"] == follow_up["question_id"] and score["question_id"] != first["question_id"]
    # Against the follow-up's words alone this answer scored relevance 0.6, overall 25 (capped).
    assert score["relevance"] >= 30, score["details"]["relevance"]
    assert score["details"]["cap"] != "off_topic" and not score["details"]["non_answer"]
    assert score["overall"] > 25
    assert "does not address" not in score["evaluation_summary"].lower()
    # QA J28: a follow-up asks for one piece; its ~40 words are not "too brief, aim for 100-200".
    assert score["details"]["relevance"]["substance_factor"] == 1, score["details"]["relevance"]
    assert not any("100-200" in s["message"] for s in score["suggestions"]), score["suggestions"]


#: Issue #12's QA walk J8, over the socket: the company question answered vaguely, follow-up 1
#: asks for an example, the example is given (a checkout for small shops, the retry flow to fix,
#: what to measure); follow-up 2 was "Can you give me one concrete example that shows that?".
COMPANY_QUESTION = {
    "text": "What do you know about Acme Payments' products and customers, and what would you improve first?",
    "category": "general",
    "time_limit": 120,
}
COMPANY_VAGUE = (
    "I know a bit about it. You do payments, I think, for different kinds of customers.",
    0.5,
    "I would probably improve some things, and make it better overall.",
)
COMPANY_EXAMPLE = (
    "Sure. On your website I saw that small online shops use your checkout.",
    0.5,
    "The first thing I would fix is the failed payment retry flow.",
    0.4,
    "I would add a clear message and a one tap retry, then measure the recovered payments.",
    0.4,
    "I may be wrong, since I only see it from the outside.",
)


async def test_an_example_given_to_a_follow_up_is_not_asked_for_again(server, database) -> None:
    from interview.followup_rules import asks_for

    async with httpx.AsyncClient(base_url=server, timeout=60) as http:
        _, client, seen, _ = await started_interview(server, http, [COMPANY_QUESTION])
        await answer_scored(client, seen, COMPANY_VAGUE)
        first = await until(client, seen, "question")
        assert first["follow_up"] and "example" in asks_for(first["text"]), first["text"]
        await answer_scored(client, seen, COMPANY_EXAMPLE)
        second = await until(client, seen, "question")
        await client.connection.close()

    # The example was given: the idea is probed (the retry flow it would fix first), not an
    # example asked for again.
    assert second["follow_up"] and second["question_id"] != first["question_id"], second
    assert not asks_for(second["text"]) & {"example", "more_detail"}, second["text"]
    assert "retry" in second["text"].lower(), second["text"]
