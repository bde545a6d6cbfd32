"""Issue #12 (QA walk, R1 and R3): what the session report says, over the real socket with
spoken answers, the real recogniser, MiniLM and scoring, read back from the report route
(GET /api/sessions/{id}), on PostgreSQL (the repository code is the two-backend suites' own).

- R3: a vague story gets a follow-up, whose answer tells the gap, the buy-in and the result:
  the talking points it made are not listed in "Next steps: review these topics" and the
  question's entry counts them as made, marked as said in the follow-up.
- R1: an answer about hobbies to a behavioural question is not told its STAR parts are
  missing; the report says its structure was not judged."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from server.app import create_app
from tests.support.live_server import serve
from tests.support.spoken_interview import answer_scored, started_interview, until

pytestmark = [pytest.mark.model, pytest.mark.postgres_only]

INITIATIVE = {
    "text": "Describe a time you took the initiative without being asked.",
    "category": "behavioral",
    "expected_topics": [
        "the gap you noticed or were always late",
        "getting buy-in or the team agreed",
        "the difference it made or the result was",
    ],
    "time_limit": 120,
}
DILEMMA = {
    "text": "Describe an ethical dilemma you faced at work and how you handled it.",
    "category": "behavioral",
    "expected_topics": ["what was at stake", "what you did"],
    "time_limit": 120,
}
#: QA walk (b), Q2: a vague story (the walk's follow-up: "What was the outcome, and how could you tell?").
VAGUE = (
    "Yes, I often take the initiative. Like, once there was a problem with our process and I just fixed it myself.",
    0.4,
    "Without anyone asking. It was good and people were happy.",
)
#: QA walk (b), J15: the follow-up's answer, which makes the planned question's points.
FOLLOW_UP_ANSWER = (
    "I noticed our release notes were always late.",
    0.4,
    "So I wrote a template and a small script that collected the merged tickets.",
    0.4,
    "I showed it to my manager, and the team agreed to try it for one sprint.",
    0.4,
    "The result was that release notes were ready on release day, and support tickets dropped by a third.",
)
#: QA walk (a), Q4: hobbies, not the question.
OFF_TOPIC = (
    "I really like programming in Python, and on weekends I go hiking in the mountains with my dog.",
    0.4,
    "I am also thinking about buying a new laptop with a bigger screen and a better keyboard.",
)


@pytest.fixture
async def server(settings, transcriber, embedder):
    # One follow-up in the session: the off-topic answer gets no refocus, so the talk is fixed.
    capped = replace(settings, review=replace(settings.review, follow_ups_per_session=1))
    async with serve(create_app(capped, transcriber=transcriber, embedder=embedder)) as base:
        yield base


async def test_the_report_credits_a_follow_up_and_does_not_judge_an_off_topic_story(server, database) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=60) as http:
        session, client, seen, _ = await started_interview(server, http, [INITIATIVE, DILEMMA])
        await answer_scored(client, seen, VAGUE)
        follow_up = await until(client, seen, "question")
        assert follow_up["follow_up"], follow_up
        await answer_scored(client, seen, FOLLOW_UP_ANSWER)
        dilemma = await until(client, seen, "question")
        assert not dilemma["follow_up"] and dilemma["text"] == DILEMMA["text"], dilemma
        off = await answer_scored(client, seen, OFF_TOPIC)
        await until(client, seen, "session_complete")
        await until(client, seen, "event", "feedback")
        await client.connection.close()
        detail = (await http.get(f"/api/sessions/{session['id']}")).json()

    feedback = detail["feedback"]
    entries = {(e["follow_up_of"], e["question"]): e for e in feedback["question_feedback"]}
    initiative = entries[(None, INITIATIVE["text"])]
    credited = [p for p in initiative["talking_points"] if p.get("in_follow_up")]
    # "the team agreed" is said word for word in the follow-up's answer.
    assert "getting buy-in or the team agreed" in [p["topic"] for p in credited], initiative["talking_points"]
    review = " ".join(s for s in feedback["next_steps"] if s.startswith("Review these topics"))
    for point in credited:
        assert point["topic"] not in initiative["missing_topics"]
        assert point["topic"].split(" or ")[0] not in review, (point, review)

    # R1: the hobbies answer is off topic, and no text grades its STAR parts.
    assert off["details"]["non_answer"] or off["details"]["cap"] == "off_topic", off["details"]["relevance"]
    assert "not judged" in off["evaluation_summary"] and "STAR structure is missing" not in off["evaluation_summary"]
    assert entries[(None, DILEMMA["text"])]["off_topic"] is True
    texts = " ".join(
        [
            feedback["summary"],
            feedback["ai_insights"],
            *(w["message"] for w in feedback["weaknesses"]),
            *feedback["next_steps"],
        ]
    )
    assert "question 2 does not address the question, so its STAR structure was not judged" in texts, texts
    assert "of 2 behavioural answers" not in texts, texts
