"""Issue #12, what the interviewer says after a follow-up and after a non-answer, through the
real MiniLM model.

A follow-up's answer is judged against what was asked: the follow-up read with its planned
question (`AnswerInput.context_questions`). A concrete example (a migration script, latency
800 -> 200 ms) given to "Can you give me one concrete example that shows that?" scored relevance
0 against the follow-up alone and was capped at 25 with "does not address the question".

A non-answer ("I like football... pizza. I don't know.") is marked `non_answer` (the follow-up
rules then only bring the candidate back to the question), also when the off-topic cap did not
have to lower it and when MiniLM puts a few of its words near the question; a short on-topic
answer is not."""

from __future__ import annotations

import pytest

from scoring import AnswerInput, score_answer
from tests.scoring.conftest import embedder  # noqa: F401 (the real MiniLM model, a fixture)

pytestmark = [pytest.mark.model]

FOLLOW_UP = "Can you give me one concrete example that shows that?"
ENERGY = "What kind of work gives you the most energy?"
COLLEAGUES = "How would your closest colleagues describe you?"
EXAMPLES = {
    ENERGY: (
        "Last month our report page was very slow. I wrote a migration script that added an index and "
        "archived old rows, and the latency went from 800 ms to 200 ms. Solving that kind of puzzle is "
        "what gives me energy."
    ),
    COLLEAGUES: (
        "When a new developer joined, she was stuck on our deploy scripts. I spent two afternoons pairing "
        "with her, and she shipped her first change that week. She told our lead I was the most helpful "
        "person on the team."
    ),
}
NOT_AN_ANSWER = "I like football and pizza. My weekend was fun, we went to the beach and had ice cream with friends."


def _follow_up_answer(parent: str, text: str, *, in_context: bool = True) -> AnswerInput:
    return AnswerInput(FOLLOW_UP, "general", "medium", (), text, context_questions=(parent,) if in_context else ())


@pytest.mark.parametrize("parent", list(EXAMPLES))
def test_a_concrete_example_given_to_a_follow_up_addresses_its_question(embedder, parent) -> None:  # noqa: F811
    alone = score_answer(_follow_up_answer(parent, EXAMPLES[parent], in_context=False), embedder=embedder, grammar=None)
    judged = score_answer(_follow_up_answer(parent, EXAMPLES[parent]), embedder=embedder, grammar=None)
    assert alone.relevance < 20 and alone.details.cap == "off_topic"  # the defect, measured: 0.0-0.4
    assert judged.relevance >= 30 and judged.details.cap != "off_topic" and not judged.details.non_answer
    assert judged.overall > 25
    assert "does not address" not in judged.evaluation_summary.lower()


@pytest.mark.parametrize("parent", list(EXAMPLES))
def test_a_non_answer_to_a_follow_up_stays_a_non_answer_in_context(embedder, parent) -> None:  # noqa: F811
    judged = score_answer(_follow_up_answer(parent, NOT_AN_ANSWER), embedder=embedder, grammar=None)
    assert judged.relevance < 20 and judged.overall <= 25 and judged.details.non_answer


GREAT_DAY = (
    "What does a great working day look like for you?",
    [
        "deep focus time or focus time or uninterrupted",
        "collaboration preferences or pairing or team discussions",
        "sense of progress or shipped something or finished something",
        "work style or structure or routine",
    ],
)
NON_ANSWERS = [
    # A few words MiniLM puts near "working day" ("weekend", "Sundays"): topicality 29-45, not 20.
    "I like football, I watch it every weekend. And pizza, I really like pizza. I don't know.",
    (
        "Well, I like football. I play on Sundays with my friends. Also pizza, pizza is my favourite food. "
        "I don't know what else to say."
    ),
    # Weighted 21 before the caps: the off-topic cap never had to apply, so it was probed.
    "Um, I like football and I like pizza. I don't know, I don't really have anything to say about that, sorry.",
]


@pytest.mark.parametrize("text", NON_ANSWERS)
def test_a_non_answer_is_marked_so_whatever_its_caps(embedder, text) -> None:  # noqa: F811
    question, topics = GREAT_DAY
    score = score_answer(AnswerInput(question, "general", "easy", topics, text), embedder=embedder, grammar=None)
    assert score.details.non_answer and score.overall <= 25


def test_a_short_on_topic_answer_is_not_a_non_answer(embedder) -> None:  # noqa: F811
    question, topics = GREAT_DAY
    text = "When I finish what I planned and I learn something new from my colleagues, I go home happy."
    score = score_answer(AnswerInput(question, "general", "easy", topics, text), embedder=embedder, grammar=None)
    assert not score.details.non_answer
