"""Follow-ups an interviewer would ask, on the follow-up set (follow_up_set.json: 120 answers of
the evaluation set, fragments and off-topic ones among them, 18 technical answers of its own
and 5 non-answers from issue #12's QA walk): the first follow-up the rules propose (or none)
is of an acceptable kind for that answer, a technical answer's probes what the candidate
proposed in their own words, every proposed follow-up passes interview.followup_rules, an
off-topic answer or a non-answer is only brought back to the question, quotations are whole
phrases, and a grammar-poor twin of an answer gets the follow-up its clean twin gets. The
answers are scored through the real MiniLM model first (the talking points and structure
decide what was covered)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from interview import FollowUpContext, RuleBasedFollowUps, follow_up_problems
from scoring import score_answer, standard_reading
from tests.scoring.conftest import embedder  # noqa: F401 (the real MiniLM model, a fixture)
from tests.scoring.evalset import cases
from tests.scoring.validation import write_report

pytestmark = [pytest.mark.model]

SET_PATH = Path(__file__).with_name("follow_up_set.json")
#: Share of answers whose first follow-up is of an acceptable kind, and share of all proposed
#: follow-ups that pass the rules (the issue's target for both: 0.95).
MIN_ACCEPTABLE_SHARE = MIN_PASSING_SHARE = 0.95
#: Share of the technical answers marked `specific` whose first follow-up quotes the candidate
#: (measured: 1.0 on 31).
MIN_SPECIFIC_SHARE = 0.95


@dataclass(frozen=True)
class Written:
    """An answer of the set's own `extra` list, shaped like an evaluation-set case."""

    question_id: str
    kind: str
    question: dict
    text: str


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
        reading=standard_reading(case.text),
        off_topic=result.details.non_answer,
    )


def _written(item: dict, number: int) -> Written:
    from interview import default_question_bank

    entry = default_question_bank().get(item["question"])
    question = {
        "question_text": entry.render(),
        "category": entry.category,
        "difficulty": entry.difficulty,
        "expected_topics": list(entry.expected_topics),
    }
    return Written(item["question"], f"extra-{number}", question, item["text"])


def _score(case, embedder):  # noqa: F811 (the model, passed in)
    from scoring import AnswerInput

    if isinstance(case, Written):
        q = case.question
        answer = AnswerInput(q["question_text"], q["category"], q["difficulty"], tuple(q["expected_topics"]), case.text)
        return score_answer(answer, embedder=embedder, grammar=None)
    return score_answer(case.answer_input(), embedder=embedder, grammar=None)


@pytest.fixture(scope="module")
def generated(embedder):  # noqa: F811 (pytest injects the imported fixture by name)
    data = json.loads(SET_PATH.read_text())
    wanted = {(a["question"], a["answer"]): a for a in data["answers"]}
    rules = RuleBasedFollowUps()
    out = []
    every = [c for c in cases() if (c.question_id, c.kind) in wanted]
    every += [_written(item, i) for i, item in enumerate(data.get("extra", []))]
    for case in every:
        item = wanted.get((case.question_id, case.kind)) or data["extra"][int(case.kind.split("-")[1])]
        ctx = context(case, _score(case, embedder))
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
    passing = [not ctx.problems(s.text) for ctx, s in proposed]
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


def _quotes_the_candidate(follow_up, transcript: str) -> bool:
    """A follow-up grounded in the candidate's words: it quotes them (the rules check the quote)."""
    return (
        bool(follow_up.topic)
        and "\u201c" in follow_up.text
        and not follow_up_problems(follow_up.text, transcript=transcript)
    )


def test_technical_answers_are_probed_on_what_the_candidate_proposed(generated) -> None:
    specific = [(case, ctx, suggestions) for case, item, ctx, suggestions in generated if item.get("specific")]
    grounded = [bool(s) and _quotes_the_candidate(s[0], ctx.transcript) for _, ctx, s in specific]
    share = sum(grounded) / len(grounded)
    write_report(
        "technical_follow_ups",
        {
            "answers": len(grounded),
            "quoting_share": round(share, 3),
            "generic": [
                {"question": case.question_id, "answer": case.kind, "text": s[0].text if s else None}
                for (case, _, s), ok in zip(specific, grounded, strict=True)
                if not ok
            ],
        },
    )
    assert len(grounded) >= 30
    assert share >= MIN_SPECIFIC_SHARE


def test_a_grammar_poor_twin_gets_the_follow_up_of_its_clean_twin(generated) -> None:
    """Follow-up choice depends on what the answer says, not on its grammar: the evaluation
    set's grammar-poor copy of each strong answer (same content, learner errors) gets a
    follow-up of the same kind, about the same thing, or none when the clean one gets none."""
    first = {
        (case.question_id, case.kind): (s[0].kind, s[0].text) if s else ("none", "")
        for case, _, _, s in generated
        if not isinstance(case, Written)
    }
    twins = [(qid, first[(qid, "strong")], first[(qid, "grammar_poor")]) for qid, kind in first if kind == "strong"]
    assert len(twins) == 20
    differ = [(qid, clean, poor) for qid, clean, poor in twins if clean[0] != poor[0]]
    assert not differ, differ
    # A probe quoting the candidate quotes the same part of the answer (its words may differ:
    # "the markup uses" / "the markup use").
    assert all(clean[1].split("\u201d")[-1] == poor[1].split("\u201d")[-1] for _, clean, poor in twins)


def test_an_off_topic_answer_is_brought_back_to_the_question_never_probed(generated) -> None:
    """Issue #12 item 3: after an answer about a holiday in Japan, the technical follow-up asked
    for "the hardest edge case for the approach you described" (and "You mentioned “Japan”: how
    exactly does that part work"). An off-topic answer gets one follow-up that restates the
    question, or none."""
    off = [(case, s) for case, _, ctx, s in generated if ctx.off_topic]
    assert len([c for c, _ in off if c.kind == "off_topic"]) >= 20
    for case, suggestions in off:
        assert len(suggestions) <= 1 and all(s.kind == "refocus" for s in suggestions), (case.question_id, suggestions)
        for s in suggestions:
            assert "approach you described" not in s.text and "\u201c" not in s.text, s.text


def test_a_non_answer_is_asked_the_question_again_not_for_an_example_of_nothing(generated) -> None:
    """Issue #12 (QA walk): "I like football… pizza. I don't know." to "What does a great working
    day look like for you?" was asked "Can you give me one concrete example that shows that?",
    and to "Tell me about a time you helped a colleague who was struggling" "What was the
    outcome, and how did you know it had worked?". Its relevance was under the off-topic line,
    but its topicality was not (MiniLM: "weekend" ~ "working day") or the off-topic cap never had
    to lower it, so it was probed. Every such answer gets exactly the refocus, which asks the
    question again in its own words."""
    non_answers = [(case, ctx, s) for case, item, ctx, s in generated if item.get("non_answer")]
    assert len(non_answers) >= 5
    for case, ctx, suggestions in non_answers:
        assert ctx.off_topic, case.text
        assert [s.kind for s in suggestions] == ["refocus"], (case.text, suggestions)
        assert suggestions[0].text.startswith("Let's come back to the question")


def test_quotations_are_whole_phrases(generated) -> None:
    """Issue #12 item 3: "Suppose your first step, “protect everyone else by putting a per-client
    limit on requests at the…”, does not work" cut the candidate mid-phrase. A quotation is a
    whole phrase: no ellipsis, never ending on an article, preposition, conjunction or auxiliary."""
    from interview.quotes import _NO_END

    quoted = [s.text for *_, suggestions in generated for s in suggestions if "\u201c" in s.text]
    assert len(quoted) >= 40
    for text in quoted:
        quote = text.split("\u201c", 1)[1].split("\u201d", 1)[0]
        assert "\u2026" not in quote and quote.split()[-1].lower().strip(",") not in _NO_END, text
