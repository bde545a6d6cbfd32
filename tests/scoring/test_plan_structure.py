"""Issue #12: the plan check of situational and hypothetical answers (approach, reasoning, risks)
agrees with what a person reading the answer says it lacks (tests/scoring/plan_structure_set.json:
strong and weak answers to twelve bank questions, eight more held out of the tuning).

Strong answers used to be told "The plan is missing the reasoning, risks parts" when they gave
their reasons as "so that nobody quotes it as exact" or "rather than wait", and their risks as a
branch ("If the drop holds, I'd compare ...") or a safeguard ("Before deleting anything I'd
check with the owner"): per-part agreement was 0.778 (56/72). Measured through the real MiniLM
model and the real LanguageTool server, the summary and suggestions a candidate reads follow it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interview import default_question_bank
from scoring import AnswerInput, score_answer
from scoring.star import PLAN_PARTS, detect_structure
from scoring.text import split_sentences

SET_PATH = Path(__file__).with_name("plan_structure_set.json")
#: Share of (answer, part) judgements on which the detector agrees with the labels.
MIN_AGREEMENT = 0.95


def _answers() -> list[dict]:
    return list(json.loads(SET_PATH.read_text())["answers"])


def _input(answer: dict) -> AnswerInput:
    question = default_question_bank().get(answer["bank_id"])
    assert question is not None, answer["bank_id"]
    return AnswerInput(question.text, question.category, question.difficulty, question.expected_topics, answer["text"])


def _missing(answer: dict) -> list[str]:
    given = _input(answer)
    result = detect_structure(given.category, given.question_text, split_sentences(given.transcript))
    assert result is not None and result.kind == "plan", answer["bank_id"]
    return result.missing


def test_the_set_covers_strong_and_weak_answers_of_many_questions() -> None:
    answers = _answers()
    assert sum(a["kind"] == "strong" for a in answers) >= 10 and sum(a["kind"] == "weak" for a in answers) >= 10
    assert len({a["bank_id"] for a in answers}) >= 10
    assert all(set(a["lacks"]) <= set(PLAN_PARTS) for a in answers)


@pytest.mark.parametrize("held_out", [False, True], ids=["tuned", "held_out"])
def test_plan_parts_agree_with_what_a_person_says_is_missing(held_out: bool) -> None:
    answers = [a for a in _answers() if a.get("held_out", False) == held_out]
    judgements = [(p in a["lacks"], p in _missing(a)) for a in answers for p in PLAN_PARTS]
    agreement = sum(label == detected for label, detected in judgements) / len(judgements)
    assert agreement >= MIN_AGREEMENT, agreement


@pytest.mark.model
@pytest.mark.languagetool
def test_strong_plans_are_not_told_they_lack_parts_and_weak_ones_are(embedder, grammar_checker) -> None:
    for answer in _answers():
        score = score_answer(_input(answer), embedder=embedder, grammar=grammar_checker)
        told = " ".join([score.evaluation_summary, *(s.message for s in score.suggestions)]).lower()
        structure = score.structure
        assert structure is not None and structure.kind == "plan"
        if answer["kind"] == "strong":
            assert structure.complete, (answer["bank_id"], structure.missing)
            assert "plan is missing" not in told and "structure your plan" not in told, told
        elif answer["lacks"]:
            assert "plan is missing" in told or "structure your plan" in told, (answer["bank_id"], told)
