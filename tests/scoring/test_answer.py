"""score_answer with fakes: dimensions combine as documented, absent grammar renormalises
instead of inventing a number, feedback text cites the answer, everything is JSON-ready."""

from __future__ import annotations

import json

import pytest

from scoring import AnswerInput, InvalidAnswer, InvalidOptions, ScoringOptions, Weights, score_answer, weighted_overall
from scoring.options import RelevanceCalibration
from tests.scoring.conftest import DownGrammar, FakeGrammar
from tests.scoring.evalset import synthetic_words
from tests.support.speech import script_text

QUESTION = "Tell me about a time you had a conflict with a teammate and how you resolved it."
TOPICS = ("communication", "compromise", "outcome")
STRONG = (
    "In my last job a teammate and I had a conflict about the database design. "
    "My task was to get a decision within a week. "
    "I set up a meeting, we talked it through, and we reached a compromise on the schema. "
    "As a result the outcome was good: we shipped on time and our communication improved."
)


def answer(text: str = STRONG, script=None, **kw) -> AnswerInput:
    words = synthetic_words(script if script is not None else [text])
    return AnswerInput(
        question_text=kw.pop("question_text", QUESTION),
        category=kw.pop("category", "behavioral"),
        difficulty="medium",
        expected_topics=kw.pop("expected_topics", TOPICS),
        transcript=text,
        words=tuple(words),
        audio_duration=(words[-1].end + 0.5) if words else 0.0,
        **kw,
    )


def test_all_four_dimensions_and_a_weighted_overall(fake_embedder) -> None:
    result = score_answer(answer(), embedder=fake_embedder, grammar=FakeGrammar())
    scores = result.scores()
    assert all(0 <= v <= 100 for v in scores.values())
    assert result.overall == weighted_overall(scores, Weights().as_dict())
    assert result.grammar_available and result.grammar == 100
    assert result.missing_topics == [] and result.covered_topics == list(TOPICS)
    assert result.star is not None and result.star.complete


def test_unreachable_grammar_is_absent_flagged_and_renormalised(fake_embedder) -> None:
    up = score_answer(answer(), embedder=fake_embedder, grammar=FakeGrammar())
    for checker in (DownGrammar(), None):
        down = score_answer(answer(), embedder=fake_embedder, grammar=checker)
        assert down.grammar is None and not down.grammar_available and "grammar_unavailable" in down.flags
        expected = (35 * down.relevance + 25 * down.fluency + 20 * down.keywords) / 80
        assert down.overall == pytest.approx(expected, abs=0.05)
        assert down.relevance == up.relevance and down.fluency == up.fluency
        assert "grammar" not in down.evaluation_summary.lower() or "unavailable" in down.evaluation_summary.lower()


def test_no_expected_topics_means_no_keyword_score(fake_embedder) -> None:
    result = score_answer(answer(expected_topics=()), embedder=fake_embedder, grammar=FakeGrammar())
    assert result.keywords is None and "no_expected_topics" in result.flags
    assert result.overall == weighted_overall(result.scores(), Weights().as_dict())


def test_grammar_errors_lower_grammar_and_are_quoted(fake_embedder) -> None:
    bad = STRONG.replace("we talked", "we was talking")
    result = score_answer(answer(bad), embedder=fake_embedder, grammar=FakeGrammar("we was"))
    assert result.grammar < 100
    grammar_tips = [s.message for s in result.suggestions if s.category == "Grammar"]
    assert grammar_tips and "\u201cwe was\u201d" in grammar_tips[0] and "fixed" in grammar_tips[0]


def test_suggestions_cite_fillers_rate_and_missing_topics(fake_embedder) -> None:
    script = [
        "Um, so, uh, I had a conflict, um, with a teammate.",
        2.0,
        "Uh, we, um, we talked, you know.",
        2.0,
        "Um, it was fine, uh.",
    ]
    text = script_text(script)
    result = score_answer(answer(text, script), embedder=fake_embedder, grammar=FakeGrammar())
    messages = " ".join(s.message for s in result.suggestions)
    assert 1 <= len(result.suggestions) <= 5
    assert [s.priority for s in result.suggestions] == list(range(1, len(result.suggestions) + 1))
    fluency = result.details.fluency
    assert f"{fluency.filler_count} fillers" in messages and "\u201cum\u201d \u00d7" in messages
    assert "compromise" in messages
    assert "STAR" in messages
    assert 2 <= result.evaluation_summary.count(". ") + 1 <= 3


def test_weights_are_configurable(fake_embedder) -> None:
    options = ScoringOptions(weights=Weights(relevance=0, grammar=0, fluency=1, keywords=0))
    result = score_answer(answer(), embedder=fake_embedder, grammar=FakeGrammar(), options=options)
    assert result.overall == result.fluency
    with pytest.raises(InvalidOptions):
        Weights(relevance=-1)
    with pytest.raises(InvalidOptions):
        ScoringOptions(target_wpm=(160, 130))


def test_empty_answer_scores_zero_without_inventing_grammar(fake_embedder) -> None:
    grammar = FakeGrammar()
    result = score_answer(answer("", script=[]), embedder=fake_embedder, grammar=grammar)
    assert result.overall == 0 and result.relevance == 0 and result.fluency == 0 and result.keywords == 0
    assert result.grammar is None and grammar.calls == 0 and "empty_answer" in result.flags
    assert result.suggestions == () and "No answer" in result.evaluation_summary


def test_invalid_input_is_rejected() -> None:
    with pytest.raises(InvalidAnswer):
        AnswerInput(QUESTION, "behavioral", "medium", TOPICS, STRONG, audio_duration=-1)
    with pytest.raises(InvalidAnswer):
        AnswerInput(QUESTION, "behavioral", "medium", TOPICS, STRONG, pauses=[(2.0, 1.0)])


def test_result_is_deterministic_and_json_serialisable(fake_embedder) -> None:
    first = score_answer(answer(), embedder=fake_embedder, grammar=FakeGrammar())
    second = score_answer(answer(), embedder=fake_embedder, grammar=FakeGrammar())
    assert first.to_json() == second.to_json()
    data = json.loads(json.dumps(first.to_json()))
    assert set(data["details"]) == {
        "relevance",
        "grammar",
        "fluency",
        "keywords",
        "structure",
        "star",
        "flags",
        "uncertain",
        "weighted_overall",
        "cap",
        "non_answer",
    }
    assert data["suggestions"] == first.suggestions_json()


def test_the_relevance_map_is_continuous_with_no_cliff() -> None:
    """Issue #12 item 5: the map used to jump from 20 at similarity 0.24 to 60 at 0.25; now it
    is piecewise linear, increasing, 20 at the documented off-topic line (0.24), and no 0.01 of
    similarity moves it by more than 12 points."""
    from scoring.options import RelevanceCalibration
    from scoring.relevance import calibrate

    knots = RelevanceCalibration().knots
    assert calibrate(0.24, knots) == pytest.approx(20.0)
    values = [calibrate(x / 1000, knots) for x in range(0, 701)]
    assert all(b >= a for a, b in zip(values, values[1:], strict=False))
    assert max(b - a for a, b in zip(values, values[10:], strict=False)) <= 12.0
    assert 20 < calibrate(0.245, knots) < 35 and calibrate(0.25, knots) < 45


def _relevance(score: float, topicality: float, structure: float = 1.0):
    from scoring.relevance import RelevanceResult

    return RelevanceResult(score, 0.3, 0.3, 0.3, structure, 0.5, (), (), topicality=topicality)


@pytest.mark.parametrize(
    ("score", "topicality", "structure", "words", "expected"),
    [
        (5.0, 4.0, 1.0, 40, ("off_topic", 25.0)),  # not about the question
        (5.0, 80.0, 1.0, 6, ("too_short", 25.0)),  # "A Safari bug broke checkout.": on topic, short
        (15.0, 30.0, 1.0, 35, ("too_short", 25.0)),
        (0.0, 90.0, 0.0, 11, ("keyword_list", 25.0)),  # a bare list: its relevance is 0
        (40.0, 90.0, 0.3, 40, ("keyword_list", 30.0)),
        (45.0, 90.0, 1.0, 20, ("fragment", 35.0)),
        (70.0, 90.0, 1.0, 80, (None, 60.0)),
    ],
)
def test_caps_name_why_the_relevance_is_low(score, topicality, structure, words, expected) -> None:
    """A relevance under 20 caps the overall score at 25 whatever the reason, and the rule's
    name says the reason, so that only an answer that is not about the question is told so."""
    from scoring.answer import apply_caps
    from scoring.options import Calibration

    overall, cap = apply_caps(60.0, _relevance(score, topicality, structure), words, Calibration())
    assert (cap, overall) == expected


def test_a_length_tip_is_filed_under_completeness_not_relevance(fake_embedder) -> None:
    """Issue #12 item 5 (QA): "Develop your answer: 58 words is too brief" stood under RELEVANCE
    beside a relevance of 84; the length has its own category, so no relevance tip contradicts
    a good relevance number."""
    short = " ".join(STRONG.split()[:45]) + "."
    result = score_answer(answer(short), embedder=fake_embedder, grammar=FakeGrammar())
    assert result.relevance is not None and result.relevance >= 70
    length_tips = [s for s in result.suggestions if "too brief" in s.message]
    assert [s.category for s in length_tips] == ["Completeness"]
    assert not any(s.category == "Relevance" for s in result.suggestions)


#: QA J28: the answer to the follow-up "how would you choose how long to wait for a batch to fill?".
CRISP_FOLLOW_UP = (
    "There is no waiting for a batch to fill here. The backfill reads existing records a thousand at a "
    "time, ordered by ID, and it pauses when the database load goes up. Records that changed during the "
    "backfill are covered by the dual writes, and the comparison job catches anything that was missed."
)


def test_a_crisp_follow_up_answer_gets_full_length_credit_and_no_length_tip(fake_embedder) -> None:
    """QA J28: a crisp 52-word follow-up answer was told "Develop your answer: 52 words is too
    brief ...; aim for about 100-200 words": a follow-up asks for one piece."""
    kw = {"question_text": "How would you choose how long to wait for a batch to fill?", "category": "technical"}
    kw["expected_topics"] = ()
    planned = score_answer(answer(CRISP_FOLLOW_UP, **kw), embedder=fake_embedder, grammar=FakeGrammar())
    # On a planned answer's scale (60 words for full credit) it is short, and told so.
    assert planned.word_count == 53 and planned.details.relevance.substance_factor < 1
    assert any("100-200" in s.message for s in planned.suggestions if s.category == "Completeness")
    follow_up = score_answer(
        answer(CRISP_FOLLOW_UP, is_follow_up=True, **kw), embedder=fake_embedder, grammar=FakeGrammar()
    )
    assert follow_up.details.relevance.substance_factor == 1
    assert not any(s.category == "Completeness" for s in follow_up.suggestions), follow_up.suggestions
    assert not any("100-200" in s.message or "brief" in s.message for s in follow_up.suggestions)
    assert "brief" not in follow_up.evaluation_summary


def test_a_very_short_follow_up_answer_is_told_the_follow_up_range(fake_embedder) -> None:
    text = "We shipped two days early and the tickets fell by forty percent."
    result = score_answer(
        answer(text, is_follow_up=True, expected_topics=()), embedder=fake_embedder, grammar=FakeGrammar()
    )
    tips = [s.message for s in result.suggestions if s.category == "Completeness"]
    assert tips and "12 words" in tips[0] and "25-120 words" in tips[0] and "100-200" not in tips[0], tips
    with pytest.raises(InvalidOptions):
        ScoringOptions(relevance=RelevanceCalibration(follow_up_words=(0, 120)))
