"""Follow-ups an interviewer would ask, on the follow-up set (follow_up_set.json, 80 answers of
the evaluation set): the first follow-up the rules propose (or none) is of an acceptable kind for
that answer, and every proposed follow-up passes interview.followup_rules. The answers are scored
through the real MiniLM model first (the talking points and structure decide what was covered)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interview import FollowUpContext, RuleBasedFollowUps, follow_up_problems
from scoring import score_answer
from tests.scoring.conftest import embedder  # noqa: F401 (the real MiniLM model, a fixture)
from tests.scoring.evalset import cases
from tests.scoring.validation import write_report

pytestmark = [pytest.mark.model]

SET_PATH = Path(__file__).with_name("follow_up_set.json")
#: Share of answers whose first follow-up is of an acceptable kind, and share of all proposed
#: follow-ups that pass the rules (the issue's target for both: 0.95).
MIN_ACCEPTABLE_SHARE = MIN_PASSING_SHARE = 0.95


def context(case, result) -> FollowUpContext:
    structure = result.structure
    return FollowUpContext(
        case.question["question_text"],
        case.question["category"],
        case.text,
        tuple(case.question["expected_topics"]),
        tuple([*result.missing_topics, *result.touched_topics]),
        None if result.star is None else frozenset(result.star.present),
        0,
        covered_topics=tuple(result.covered_topics),
        plan_missing=None if structure is None or structure.kind != "plan" else tuple(structure.missing),
    )


@pytest.fixture(scope="module")
def generated(embedder):  # noqa: F811 (pytest injects the imported fixture by name)
    wanted = {(a["question"], a["answer"]): a for a in json.loads(SET_PATH.read_text())["answers"]}
    rules = RuleBasedFollowUps()
    out = []
    for case in cases():
        item = wanted.get((case.question_id, case.kind))
        if item is None:
            continue
        result = score_answer(case.answer_input(), embedder=embedder, grammar=None)
        ctx = context(case, result)
        out.append((case, item, ctx, rules.suggest(ctx)))
    return out


def test_the_set_has_at_least_sixty_answers_of_every_category(generated) -> None:
    assert len(generated) >= 60
    assert {case.question["category"] for case, *_ in generated} == {
        "behavioral",
        "technical",
        "situational",
        "general",
    }


def test_first_follow_ups_are_what_an_interviewer_would_ask(generated) -> None:
    verdicts = []
    for case, item, _ctx, suggestions in generated:
        kind = suggestions[0].kind if suggestions else "none"
        verdicts.append(
            {
                "question": case.question_id,
                "answer": case.kind,
                "kind": kind,
                "text": suggestions[0].text if suggestions else None,
                "acceptable": kind in item["acceptable"] and kind not in item["unacceptable"],
            }
        )
    proposed = [(ctx, s) for _, _, ctx, suggestions in generated for s in suggestions]
    passing = [
        not follow_up_problems(
            s.text, transcript=ctx.transcript, covered_topics=ctx.covered_topics, expected_topics=ctx.expected_topics
        )
        for ctx, s in proposed
    ]
    share = sum(v["acceptable"] for v in verdicts) / len(verdicts)
    passing_share = sum(passing) / len(passing)
    write_report(
        "follow_ups",
        {
            "answers": len(verdicts),
            "acceptable_share": round(share, 3),
            "proposed": len(proposed),
            "passing_share": round(passing_share, 3),
            "unacceptable": [v for v in verdicts if not v["acceptable"]],
        },
    )
    assert share >= MIN_ACCEPTABLE_SHARE, [v for v in verdicts if not v["acceptable"]]
    assert passing_share >= MIN_PASSING_SHARE
