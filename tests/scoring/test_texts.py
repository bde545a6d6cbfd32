"""What the score card and the report say, from hand-made findings (pure, no model): numbers
rounded as the UI rounds them (QA J18/J21), a rate tip only when the rate is clearly off and
measured (J6), no jargon and no "main area to improve" on a green card (J7), and no structure
verdict on an answer to another question (R1)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scoring import QuestionResult, ScoringOptions, build_session_feedback
from scoring.feedback import rating
from scoring.fluency import FluencyResult
from scoring.numbers import half_up
from scoring.relevance import RelevanceResult
from scoring.star import StructureResult
from scoring.suggestions import Findings, band, build_suggestions, build_summary, rate_worth_a_tip

OPTIONS = ScoringOptions()


@pytest.mark.parametrize(
    ("value", "shown"),
    [(62.5, 63), (76.5, 77), (0.5, 1), (1.5, 2), (2.5, 3), (84.5, 85), (69.5, 70), (62.4, 62), (-2.5, -2)],
)
def test_half_up_rounds_as_math_round(value: float, shown: int) -> None:
    """Python's round(62.5) is 62 and f"{76.5:.0f}" is "76"; the UI's Math.round shows 63, 77."""
    assert half_up(value) == shown


def test_bands_and_ratings_follow_the_number_shown() -> None:
    assert band(84.5) == "excellent" and rating(84.5) == "Excellent"
    assert band(69.5) == "good" and band(69.4) == "fair" and rating(49.5) == "Fair"


def fluency(wpm: float | None, words: int) -> FluencyResult:
    rate = None if wpm is None else max(0.0, 100 - 2 * max(130 - wpm, wpm - 160, 0))
    return FluencyResult(90.0, words, 30.0, wpm, (), 0.0, (), 0.0, (), 0.0, {"rate": rate})


def relevance(score: float, topicality: float | None = None) -> RelevanceResult:
    return RelevanceResult(
        score, 0.38, 0.38, 0.38, 1.0, 1.0, (), (), topicality=score if topicality is None else topicality
    )


def findings(rel: RelevanceResult, flu: FluencyResult, overall: float, **kw) -> Findings:
    sentences = ("I would start with the failed payment retry flow.", "Then I would measure the recovered payments.")
    return Findings(rel, None, flu, None, kw.pop("structure", None), sentences, " ".join(sentences), overall, **kw)


@pytest.mark.parametrize(
    ("wpm", "words", "tip"),
    [
        (129.0, 120, False),  # QA J6: 1 wpm under the band
        (116.0, 120, False),
        (114.0, 120, True),
        (176.0, 120, True),
        (174.5, 120, False),
        (100.0, 27, False),  # 27 words: the rate says little
        (100.0, 50, True),
        (None, 120, False),
    ],
)
def test_a_rate_tip_only_when_clearly_outside_the_band_on_a_long_enough_answer(wpm, words, tip) -> None:
    assert rate_worth_a_tip(fluency(wpm, words), OPTIONS) is tip
    messages = [s.message for s in build_suggestions(findings(relevance(90), fluency(wpm, words), 88), OPTIONS)]
    assert any("words per minute" in m for m in messages) is tip, messages


def test_a_green_dimension_is_not_the_main_area_to_improve_and_no_jargon() -> None:
    """QA J7: "The main area to improve is relevance (83): semantic similarity to the question
    was 0.38" on a card whose every bar is green."""
    scores = {"relevance": 83.0, "grammar": 100.0, "fluency": 92.0, "keywords": None}
    text = build_summary(findings(relevance(83), fluency(145, 80), 88), scores, OPTIONS)
    assert "main area to improve" not in text and "similarity" not in text and "0.38" not in text, text
    assert "relevance (83) has the most room" in text and "tie each point back" in text, text


def test_an_amber_dimension_is_the_main_area_to_improve_in_plain_words() -> None:
    scores = {"relevance": 62.5, "grammar": 100.0, "fluency": 92.0, "keywords": None}
    text = build_summary(findings(relevance(62.5), fluency(145, 80), 76.5), scores, OPTIONS)
    assert text.startswith("Overall 77/100, a good answer"), text  # 76.5: the ring shows 77
    assert "The main area to improve is relevance (63)" in text and "similarity" not in text, text


def test_an_off_topic_answer_is_not_told_its_star_parts_are_missing() -> None:
    """QA R1: an answer about hobbies to an ethical-dilemma question was told its situation,
    task, action and result were missing; its structure is not judged, and it says so."""
    star = StructureResult("star", {})
    off = findings(relevance(5, 4), fluency(145, 80), 25, structure=star, cap="off_topic", non_answer=True)
    scores = {"relevance": 5.0, "grammar": 100.0, "fluency": 92.0, "keywords": None}
    text = build_summary(off, scores, OPTIONS)
    assert "missing" not in text and "was not judged" in text, text
    assert not any(s.category == "Structure" for s in build_suggestions(off, OPTIONS))
    # Not capped (its weighted score was under the cap) but still not an answer to the question.
    uncapped = findings(relevance(5, 4), fluency(145, 80), 21, structure=star, non_answer=True)
    assert "STAR structure is missing" not in build_summary(uncapped, scores, OPTIONS)
    on_topic = findings(relevance(80), fluency(145, 80), 80, structure=star)
    assert "STAR structure is missing" in build_summary(on_topic, {**scores, "relevance": 80.0}, OPTIONS)


def result(n: int, overall: float, **kw) -> QuestionResult:
    dims = {d: kw.pop(d, overall) for d in ("relevance", "grammar", "fluency", "keywords")}
    return QuestionResult(n, f"Question {n}?", overall=overall, speech_rate_wpm=145.0, **dims, **kw)


def test_the_session_report_rounds_every_number_half_up() -> None:
    """QA J18: a keyword score of 62.5 was "talking points (62)" beside a bar showing 63."""
    feedback = build_session_feedback([result(1, 76.5, keywords=62.5, relevance=90.5)])
    assert "averaged" not in feedback.summary
    assert "average score of 77/100" in feedback.summary, feedback.summary
    assert "talking points (63)" in feedback.summary and "relevance (91)" in feedback.summary, feedback.summary
    assert "Talking points average 63" in " ".join(w.message for w in feedback.weaknesses)


def test_the_report_does_not_judge_the_star_parts_of_an_off_topic_answer() -> None:
    """QA R1: "Your behavioural answer missed STAR parts: situation (1x), task (1x) ..." and "In
    your behavioural answer the STAR situation was missing" for an answer about hobbies."""
    off = result(
        2,
        25,
        relevance=0.0,
        category="behavioral",
        star_missing=("situation", "task", "action", "result"),
        off_topic=True,
    )
    feedback = build_session_feedback([result(1, 80), off])
    texts = " ".join([feedback.summary, feedback.ai_insights, *(w.message for w in feedback.weaknesses)])
    texts += " ".join([*feedback.next_steps, *(s["message"] for s in feedback.suggestions)])
    assert "missed STAR parts" not in texts and "STAR situation was missing" not in texts, texts
    assert "STAR outlines" not in texts and "Use the STAR method" not in texts, texts
    structure = [w.message for w in feedback.weaknesses if w.category == "Structure"]
    assert structure == [
        (
            "Your answer to question 2 does not address the question, so its STAR structure was not judged: "
            "answer the question asked first"
        )
    ]
    assert feedback.to_row()["question_feedback"][1]["off_topic"] is True
    # The same answer on topic still has its STAR gaps named.
    on_topic = build_session_feedback([result(1, 80), replace(off, off_topic=False, overall=60.0, relevance=60.0)])
    assert any("missed STAR parts" in w.message for w in on_topic.weaknesses)


def test_talking_points_made_in_a_follow_up_count_as_made_in_the_report() -> None:
    """QA R3: "Review these topics and prepare one example for each: ... the gap you noticed,
    getting buy-in, the difference it made" when the follow-up's answer told all three."""
    planned = result(
        2,
        62,
        category="behavioral",
        covered_topics=("the step you took",),
        missing_topics=("the gap you noticed", "getting buy-in", "the difference it made", "what you learned"),
        talking_points=(
            {"topic": "the step you took", "verdict": "covered", "evidence": "I just fixed it myself"},
            {"topic": "the gap you noticed", "verdict": "missing", "evidence": None},
            {"topic": "getting buy-in", "verdict": "missing", "evidence": None},
            {"topic": "the difference it made", "verdict": "missing", "evidence": None},
            {"topic": "what you learned", "verdict": "missing", "evidence": None},
        ),
    )
    follow_up = result(
        3,
        85,
        follow_up_of=2,
        planned_talking_points=(
            {"topic": "the gap you noticed", "verdict": "covered", "evidence": "release notes were always late"},
            {"topic": "getting buy-in", "verdict": "covered", "evidence": "the team agreed to try it"},
            {"topic": "the difference it made", "verdict": "touched", "evidence": "tickets dropped"},
        ),
    )
    feedback = build_session_feedback([result(1, 80), planned, follow_up])
    review = next(s for s in feedback.next_steps if s.startswith("Review these topics"))
    assert review.endswith("prepare one example for each: what you learned"), review
    entry = feedback.to_row()["question_feedback"][1]
    assert entry["missing_topics"] == ["what you learned"]
    assert "the gap you noticed" in entry["covered_topics"] and "the difference it made" in entry["touched_topics"]
    gap = next(p for p in entry["talking_points"] if p["topic"] == "the gap you noticed")
    assert gap == {
        "topic": "the gap you noticed",
        "verdict": "covered",
        "evidence": "release notes were always late",
        "in_follow_up": True,
    }
    # Scores are untouched: only what is named as never said changes.
    assert (
        feedback.averages
        == build_session_feedback([result(1, 80), planned, replace(follow_up, planned_talking_points=())]).averages
    )


def test_next_steps_name_the_weak_follow_up_not_its_strong_question() -> None:
    """QA R3: "Answer question 3 again aloud" when question 3 scored 98 and its follow-up 25."""
    strong = result(3, 98)
    weak = replace(result(4, 25, follow_up_of=3), question_text="If “talk to customers” does not help, what then?")
    steps = " ".join(build_session_feedback([result(1, 80), result(2, 75), strong, weak]).next_steps)
    assert (
        "Answer question 3's follow-up (\u201cIf \u201ctalk to customers\u201d does not help, what then?\u201d) again"
        in steps
    )
    assert "question 3 again" not in steps, steps
    # A weak question and its weak follow-up: the question is named once.
    steps = " ".join(build_session_feedback([result(1, 80), replace(strong, overall=40.0), weak]).next_steps)
    assert "Answer question 3 again aloud" in steps, steps


def test_relevance_is_not_explained_by_the_answer_s_length() -> None:
    """QA J23: "The main area to improve is relevance (62): at 38 words the answer stayed too
    brief" beside the Completeness tip that says so: brevity is that tip's, not relevance's."""
    short = RelevanceResult(62.0, 0.45, 0.45, 0.45, 1.0, 38 / 60, (), (), topicality=98.0)
    f = findings(short, fluency(145, 38), 78)
    scores = {"relevance": 62.0, "grammar": 100.0, "fluency": 92.0, "keywords": 100.0}
    text = build_summary(f, scores, OPTIONS)
    assert "The main area to improve is relevance (62): what you said was on the question" in text, text
    assert "brief" not in text and "38 words" not in text, text
    tips = [s for s in build_suggestions(f, OPTIONS) if "38 words" in s.message]
    assert [s.category for s in tips] == ["Completeness"], tips
    # Short and only loosely on the question: the loose part is named, not the length.
    loose = RelevanceResult(30.0, 0.3, 0.3, 0.3, 1.0, 38 / 60, (), (), topicality=47.0)
    text = build_summary(findings(loose, fluency(145, 38), 60), {**scores, "relevance": 30.0}, OPTIONS)
    assert "relevance (30): the answer stayed only loosely on what was asked" in text and "brief" not in text, text


def test_a_follow_up_s_length_tip_names_the_follow_up_range() -> None:
    """QA J28: a follow-up asks for one piece, not a 100-200 word answer."""
    short = RelevanceResult(40.0, 0.45, 0.45, 0.45, 1.0, 12 / 25, (), (), topicality=98.0)
    tips = [s.message for s in build_suggestions(findings(short, fluency(145, 12), 60, follow_up=True), OPTIONS)]
    assert any("12 words is brief even for a follow-up; aim for about 25-120 words" in m for m in tips), tips
    assert not any("100-200" in m for m in tips), tips
