"""Issue #12 item 3: does the non-answer line hold on more labelled short answers
(tests/scoring/non_answer_set.json), through the real MiniLM model?

Measured: every short on-topic answer stays a short answer (told to say more), but 4 of the 12
non-answers are not caught: chatter that shares a word with the question ("My dad was a manager
at a bank" to "What kind of manager helps you do your best work?", "I had a really long day
today" to "What does a great working day look like?") reads topicality 64-90, where short
on-topic answers that touch no talking point also sit (57.7-100). Two other signals were
measured on the same 17 untouched answers with topicality 20 or more and separate them no
better: the answer's best cosine with a talking point (under 0.25: 14 of 17 right, against 13
for the line at 50, but its 3 misses include on-topic fragments: "A Safari bug broke checkout." would
be told it did not answer) and the topicality with the question's own words masked (8 of 17). The line
stays at 50; these floors keep what holds and show a change that loses it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interview import default_question_bank
from scoring import AnswerInput, score_answer
from tests.scoring.conftest import embedder  # noqa: F401 (the real MiniLM model, a fixture)

pytestmark = [pytest.mark.model]

SET = json.loads(Path(__file__).with_name("non_answer_set.json").read_text())
#: Non-answers of the set marked `non_answer` (measured: 8 of 12).
MIN_NON_ANSWERS_CAUGHT = 8


def _score(answer: dict, embedder):  # noqa: F811
    q = default_question_bank().get(answer["bank_id"])
    assert q is not None, answer["bank_id"]
    return score_answer(
        AnswerInput(q.text, q.category, q.difficulty, q.expected_topics, answer["text"]),
        embedder=embedder,
        grammar=None,
    )


def test_a_short_on_topic_answer_is_never_called_a_non_answer(embedder) -> None:  # noqa: F811
    for answer in SET["short_on_topic"]:
        score = _score(answer, embedder)
        assert not score.details.non_answer, (answer["text"], score.details.relevance.topicality)
        assert score.overall <= 35  # still short: capped, told to say more


def test_most_non_answers_are_caught_and_none_scores_above_the_cap(embedder) -> None:  # noqa: F811
    scores = [_score(answer, embedder) for answer in SET["non_answer"]]
    assert all(s.overall <= 25 for s in scores), [s.overall for s in scores]
    caught = sum(s.details.non_answer for s in scores)
    assert caught >= MIN_NON_ANSWERS_CAUGHT, caught
