"""The session report: exactly the interview_feedback columns and JSON shapes of schema.md,
documented thresholds, evidence-based insights, and the curated resources."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from scoring import QuestionResult, build_session_feedback
from scoring.feedback import rating, readiness_level
from scoring.resources import catalogue
from tests.scoring.specshapes import FEEDBACK_COLUMNS, check_shapes


def result(n, overall, *, category="technical", difficulty="medium", fpm=1.0, **kw) -> QuestionResult:
    dims = {d: kw.pop(d, overall) for d in ("relevance", "grammar", "fluency", "keywords")}
    return QuestionResult(
        question_number=n,
        question_text=f"Question {n}?",
        category=category,
        difficulty=difficulty,
        overall=overall,
        fillers_per_minute=fpm,
        filler_count=round(fpm),
        speech_rate_wpm=kw.pop("wpm", 145.0),
        evaluation_summary=f"Summary {n}.",
        **dims,
        **kw,
    )


SESSION = [
    result(1, 88, difficulty="easy", fpm=1.0, star_missing=(), category="behavioral"),
    result(2, 80, difficulty="easy", fpm=1.5),
    result(3, 62, difficulty="hard", fpm=7.0, fluency=40.0, relevance=80.0, missing_topics=("consistency",), wpm=185.0),
    result(
        4,
        55,
        difficulty="hard",
        fpm=9.0,
        fluency=35.0,
        relevance=80.0,
        missing_topics=("consistency", "Redis"),
        star_missing=("result",),
        category="behavioral",
    ),
]


def test_row_has_exactly_the_feedback_columns_and_shapes() -> None:
    row = build_session_feedback(SESSION, percentile=72).to_row()
    assert set(row) == FEEDBACK_COLUMNS
    check_shapes(row)
    json.dumps(row)
    assert row["comparison_percentile"] == 72
    assert len(row["question_feedback"]) == 4


def test_thresholds() -> None:
    # Of the number as shown (rounded half up): 84.5 is shown "85", so it is Excellent.
    assert [rating(s) for s in (95, 84.5, 84.4, 70, 50, 49.4)] == [
        "Excellent",
        "Excellent",
        "Good",
        "Good",
        "Fair",
        "Poor",
    ]
    assert [readiness_level(s) for s in (80, 79, 60, 59)] == ["Ready", "Almost Ready", "Almost Ready", "Needs Practice"]


def test_averages_readiness_strengths_and_weaknesses() -> None:
    feedback = build_session_feedback(SESSION, percentile=None)
    assert feedback.overall_score == pytest.approx(71.2, abs=0.05)
    assert feedback.session_scores()["fluency_avg"] == pytest.approx((88 + 80 + 40 + 35) / 4, abs=0.05)
    expected = round(0.75 * 71.25 + 0.25 * 60.75)
    assert feedback.readiness_score == expected and feedback.readiness_level == "Almost Ready"
    assert {w.category for w in feedback.weaknesses} >= {"Fluency", "Structure"}
    assert any(s.category == "Relevance" for s in feedback.strengths)
    assert any("Fluency & Delivery" == r.skill_area for r in feedback.resources)
    assert any("Interview Structure" == r.skill_area for r in feedback.resources)


def test_insights_name_patterns_across_answers() -> None:
    insights = build_session_feedback(SESSION, percentile=72).ai_insights
    assert (
        "Fillers rose on the harder questions: 1.2 per minute on the easier ones vs 8.0 on the harder ones "
        "(2 answers each)." in insights
    )
    assert "consistency" in insights  # missed twice
    assert "72%" in insights


def test_unanswered_questions_count_against_readiness() -> None:
    full = build_session_feedback(SESSION[:2], percentile=None)
    skipped = build_session_feedback(
        [*SESSION[:2], QuestionResult.unanswered(3, "Q3?"), QuestionResult.unanswered(4, "Q4?")], percentile=None
    )
    assert skipped.overall_score == full.overall_score
    assert skipped.readiness_score == round(full.readiness_score / 2)
    assert any(w.category == "Completion" for w in skipped.weaknesses)
    assert skipped.questions_answered == 2


def test_nothing_answered_gives_a_poor_but_valid_row() -> None:
    row = build_session_feedback([QuestionResult.unanswered(1, "Q?")], percentile=None).to_row()
    check_shapes(row)
    assert row["overall_rating"] == "Poor" and row["readiness_score"] == 0


def test_question_results_round_trip_through_json() -> None:
    for item in SESSION:
        assert QuestionResult.from_json(json.loads(json.dumps(item.to_json()))) == item


def test_resource_catalogue_is_well_formed() -> None:
    entries = catalogue()
    assert len(entries) >= 10
    assert all(r.url.startswith("https://") and r.title and r.type and r.skill_area for r in entries)
    assert len({r.url for r in entries}) == len(entries)


def test_the_report_names_questions_as_the_candidate_saw_them() -> None:
    # Stored rows 1-4 of a 3-question interview: row 2 is a follow-up asked after question 1,
    # so rows 3 and 4 are the questions the candidate saw as 2 and 3.
    session = [
        result(1, 85, shown_number=1),
        result(2, 40, relevance=30.0, follow_up_of=1, shown_number=1),
        result(3, 50, shown_number=2),
        result(4, 90, shown_number=3),
    ]
    feedback = build_session_feedback(session)
    steps = " ".join(feedback.next_steps)
    # The weak follow-up is named, not its question 1 (85): QA R3.
    assert "Answer question 1's follow-up (\u201cQuestion 2?\u201d) and question 2 again aloud on your own" in steps
    assert "new session" not in steps.replace("a new session picks questions you have not seen yet", "")
    assert session[1].label == "1's follow-up" and session[2].label == "2"
    text = json.dumps(feedback.to_row())
    assert "questions 1, 2, 3" not in text and "Q4" not in text and "question 4" not in text


def test_one_answer_per_group_is_no_pattern_and_words_are_the_ones_the_candidate_saw() -> None:
    # The trial: a Challenging session whose bank questions were "easy" and "medium", one
    # answered each, plus a skipped one. No trend from one answer a side, no bank difficulty
    # words, one spelling of behavioural, talking points (not keywords), "1 of 3 ... was".
    session = [
        result(1, 25, difficulty="easy", fpm=0.0, category="general", keywords=33.0, missing_topics=("evidence",)),
        result(2, 25, difficulty="medium", fpm=15.3, category="technical", keywords=0.0, relevance=31.0),
        result(3, 80, difficulty="medium", fpm=1.0, category="behavioral", star_missing=("result",)),
        QuestionResult.unanswered(4, "Tell me about a time you had to make an unpopular decision.", "behavioral"),
    ]
    feedback = build_session_feedback(session)
    row = feedback.to_row()
    text = " ".join(
        [
            row["summary"],
            row["ai_insights"],
            *row["next_steps"],
            *(item["message"] for key in ("strengths", "weaknesses", "suggestions") for item in row[key]),
        ]
    )
    for wrong in ("under pressure", "easy questions", "medium", "behavioral q", "Keyword", "keywords (", "were not"):
        assert wrong not in text, wrong
    assert "Fillers" not in feedback.ai_insights and "stronger on" not in feedback.ai_insights
    assert "1 of 4 questions was not answered" in text
    assert "talking points" in feedback.summary
    assert any(w.message.startswith("Talking points average") for w in feedback.weaknesses)


def test_patterns_from_two_answers_a_side_use_ui_category_names() -> None:
    session = [
        result(1, 85, category="behavioral", star_missing=()),
        result(2, 80, category="behavioral", star_missing=("result",)),
        result(3, 50, category="technical"),
        result(4, 45, category="technical"),
    ]
    insights = build_session_feedback(session).ai_insights
    assert "You were stronger on behavioural questions (83) than on technical ones (48)." in insights
    assert "behavioral" not in insights and "In 1 of 2 behavioural answers" in insights


def test_the_summary_says_what_its_average_is_over() -> None:
    """Issue #12 item 5 (QA): "You answered 2 of 3 questions with an average score of 35/100"
    where 35 was the mean of 4 scored answers (25, 25, 25, 64) including two follow-ups. The
    session's number is the planned questions' (each once); the summary says how follow-ups
    counted and names the question one lifted, so that the report's cards add up to it."""
    session = [
        result(1, 25, shown_number=1),
        result(2, 25, follow_up_of=1, shown_number=1),
        result(3, 25, shown_number=2),
        result(4, 64, follow_up_of=2, shown_number=2),
        QuestionResult.unanswered(5, "Question 5?"),
    ]
    feedback = build_session_feedback(session)
    # Question 2: 25 + (64 - 25) / 3 = 38; question 1's follow-up (25) did no better: 25.
    assert feedback.overall_score == 31.5
    assert feedback.summary.startswith(
        "You answered 2 of 3 questions and 2 follow-ups; the questions averaged 32/100 (Poor), each counted "
        "once; a follow-up lifts its question only when it answers better: question 2 rose from 25 to 38."
    ), feedback.summary
    assert "with an average score" not in feedback.summary
    plain = build_session_feedback([result(1, 40), result(2, 60)]).summary
    assert plain.startswith("You answered 2 of 2 questions with an average score of 50/100"), plain


def test_a_follow_up_is_named_without_nested_brackets() -> None:
    """Issue #12 item 5 (QA): "lowest on question 1 (follow-up) (0)" had two pairs of brackets."""
    session = [result(1, 60, relevance=50.0, shown_number=1), result(2, 20, relevance=0.0, follow_up_of=1)]
    weaknesses = " ".join(w.message for w in build_session_feedback(session).weaknesses)
    assert "lowest on question 1's follow-up (0)" in weaknesses, weaknesses
    assert ") (" not in weaknesses


def test_a_follow_up_left_unanswered_lowers_neither_completion_nor_readiness() -> None:
    # Issue 13: a follow-up suggested after the last answer (or after End) is stored unanswered;
    # the report of the 3 planned questions must read exactly as without it.
    planned = [result(1, 80, shown_number=1), result(2, 70, shown_number=2), result(3, 60, shown_number=3)]
    open_follow_up = QuestionResult.unanswered(4, "Question 4?", "technical", "medium")
    with_follow_up = [*planned, replace(open_follow_up, follow_up_of=3, shown_number=3)]
    alone, together = build_session_feedback(planned), build_session_feedback(with_follow_up)
    assert together.readiness_score == alone.readiness_score > 0
    assert together.readiness_level == alone.readiness_level
    assert together.questions_answered == alone.questions_answered
    assert "3 of 3" in together.summary or "3 questions" in together.summary, together.summary


def test_each_planned_question_counts_once_and_a_follow_up_never_lowers_it() -> None:
    """Issue #12: the session's overall, averages and readiness averaged follow-up answers with
    the planned ones, so the more follow-ups a candidate was asked the more short answers (the
    per-answer scale expects a full answer's length) pulled the session down."""
    planned = [result(1, 80, shown_number=1), result(2, 70, shown_number=2), result(3, 60, shown_number=3)]
    alone = build_session_feedback(planned)
    weak = build_session_feedback([*planned, result(4, 20, follow_up_of=1, shown_number=1, relevance=5.0)])
    assert (weak.overall_score, weak.averages, weak.readiness_score, weak.overall_rating) == (
        alone.overall_score,
        alone.averages,
        alone.readiness_score,
        alone.overall_rating,
    )
    assert "and none did" in weak.summary, weak.summary
    strong = build_session_feedback([*planned, result(4, 90, follow_up_of=3, shown_number=3)])
    # Question 3: 60 + (90 - 60) / 3 = 70, so the session is (80 + 70 + 70) / 3.
    assert strong.overall_score == 73.3 and strong.averages["fluency"] == 73.3
    assert strong.readiness_score > alone.readiness_score
    assert "question 3 rose from 60 to 70" in strong.summary, strong.summary
    assert strong.session_scores()["questions_answered"] == 3


def test_insights_compare_planned_questions_not_follow_ups_stored_as_general() -> None:
    """QA R5: "You were stronger on behavioural questions (69) than on general ones (56)" where the
    only general question scored 87 and 56 was its mean with a behavioural question's follow-up
    (stored "general" so it is not judged as a whole STAR story). The comparisons by category,
    difficulty and half read the planned questions as the session score counts them (each once,
    its follow-ups folded in: scoring.results.question_scores)."""
    session = [
        result(1, 60, category="general", shown_number=1),
        result(2, 60, category="behavioral", star_missing=(), shown_number=2),
        result(3, 25, category="general", follow_up_of=2, shown_number=2),
        result(4, 90, category="general", shown_number=3),
        result(5, 90, category="behavioral", star_missing=(), shown_number=4),
    ]
    insights = build_session_feedback(session).ai_insights
    # With the follow-up as a general answer: general (60 + 25 + 90) / 3 = 58 vs behavioural 75,
    # and halves 60 vs 68. Planned: general 75 = behavioural 75, halves 60 vs 90.
    assert "stronger on" not in insights, insights
    assert "(60 in the first half, 90 in the second)" in insights, insights
