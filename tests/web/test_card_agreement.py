"""The score card in a real browser agrees with the server's texts (issue #12, QA J18/J21, R1):
a band (the colour) is that of the number shown, rounded half up as the server rounds it, and
an answer that does not address the question shows no STAR verdict."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

pytestmark = [pytest.mark.model, pytest.mark.slow]

OFF_TOPIC_SCORE = {
    "overall": 25.0,
    "relevance": 0.0,
    "grammar": 100.0,
    "fluency": 69.5,
    "keywords": 84.5,
    "grammar_available": True,
    "word_count": 34,
    "evaluation_summary": (
        "Overall 25/100, a poor answer: it does not address the question, so it cannot score more than 25. "
        "Answer the question asked first; grammar (100) alone cannot carry an answer. "
        "Its STAR structure was not judged, since it does not answer this question."
    ),
    "suggestions": [],
    "covered_topics": [],
    "touched_topics": [],
    "missing_topics": [],
    "details": {
        "fluency": {"speech_rate_wpm": 142.0, "filler_count": 0, "long_pause_count": 0, "fillers": []},
        "grammar": {"errors": 0, "matches": []},
        "structure": {
            "kind": "star",
            "parts": ["situation", "task", "action", "result"],
            "present": [],
            "missing": ["situation", "task", "action", "result"],
        },
        "cap": "off_topic",
        "non_answer": True,
        "uncertain": [],
    },
}


async def test_the_card_colours_the_shown_number_and_judges_no_structure_off_topic(server, page) -> None:
    await page.goto(server + "/app/#/login")
    await page.evaluate(
        """async (score) => {
          const { scoreCard } = await import('/app/js/views/scorecard.js');
          document.getElementById('main').replaceChildren(scoreCard(score, { transcript: '' }));
        }""",
        OFF_TOPIC_SCORE,
    )
    card = page.get_by_test_id("score-card")
    fluency = card.locator(".dimension", has_text="Fluency")
    await expect(fluency).to_contain_text("70")
    # 69.5 is shown "70": green (good), not amber; 84.5 is shown "85": excellent.
    await expect(fluency.locator(".bar__fill")).to_have_class("bar__fill bar__fill--good")
    talking = card.locator(".dimension", has_text="Talking points")
    await expect(talking.locator(".bar__fill")).to_have_class("bar__fill bar__fill--excellent")
    await expect(card.get_by_text("Not judged: the answer does not address this question.")).to_be_visible()
    await expect(card.locator(".chip--missing", has_text="Situation")).to_have_count(0)
    assert page.script_errors == []
