"""Issue #12: a concrete story answering an abstract question is on topic; a story about
something else is not (tests/scoring/story_answers.json), through the real MiniLM model and the
real LanguageTool server.

"How would your closest colleagues describe you?" answered with two afternoons of pairing with a
new developer read relevance 13 and was capped at 25 as not addressing the question: MiniLM puts
such stories among the hobbies told instead of an answer. A story of the candidate's own work
(scoring/stories.py) that covers a talking point, or answers a question that asks for an
example, is judged on topic at topicality 55 at least (`Calibration.story_topicality`); so is
a behavioural question's work story that covers half of its talking points ("Describe a time
you took the initiative" answered with a story that never says "initiative" read 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interview import default_question_bank
from scoring import AnswerInput, score_answer
from scoring.options import Calibration
from scoring.stories import is_work_story
from scoring.text import split_sentences

pytestmark = [pytest.mark.model, pytest.mark.languagetool]

SET = json.loads(Path(__file__).with_name("story_answers.json").read_text())


def _input(answer: dict) -> AnswerInput:
    q = default_question_bank().get(answer["bank_id"])
    assert q is not None, answer["bank_id"]
    return AnswerInput(q.text, q.category, q.difficulty, q.expected_topics, answer["text"])


@pytest.fixture(scope="module")
def scored(embedder, grammar_checker):
    return {
        kind: [(a, score_answer(_input(a), embedder=embedder, grammar=grammar_checker)) for a in SET[kind]]
        for kind in ("on_topic", "off_topic")
    }


def test_a_story_of_ones_own_work_answering_an_abstract_question_is_on_topic(scored) -> None:
    calibration = Calibration()
    for answer, score in scored["on_topic"]:
        where = (answer["bank_id"], score.relevance, score.details.cap)
        assert score.relevance >= calibration.off_topic_relevance and score.details.cap != "off_topic", where
        assert not score.details.non_answer, where
        assert "does not address" not in score.evaluation_summary.lower(), where
        assert score.overall > calibration.off_topic_cap, where


def test_a_story_about_something_else_stays_off_topic(scored) -> None:
    calibration = Calibration()
    for answer, score in scored["off_topic"]:
        where = (answer["bank_id"], score.relevance, score.overall)
        assert score.overall <= calibration.off_topic_cap and score.details.non_answer, where
        assert not score.details.relevance.work_story, where


def test_hobbies_and_events_at_work_are_not_work_stories() -> None:
    for text in (
        "On my way to work last week I saw a fox. I stopped the car and watched it. I told everyone at lunch.",
        "Last year our company changed its coffee supplier. Everyone in the office complained. We got it back.",
        "I usually read on the train to work. I have read all twenty books in the series.",
    ):
        assert not is_work_story(split_sentences(text)), text
    assert is_work_story(
        split_sentences(
            "When a new developer joined, she was stuck on our deploy scripts. I spent two afternoons pairing "
            "with her, and she shipped her first change that week."
        )
    )
