"""`QuestionResult`: what the session report needs from one question, JSON round-trippable.

Built from a fresh `AnswerScore` (`from_score`) or, after a restart, from stored JSON
(`from_json(to_json())`), so the server can build the report from the database alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from scoring.answer import DIMENSIONS, AnswerScore


@dataclass(frozen=True)
class QuestionResult:
    """One question of a session; `answered` False means skipped (scores None)."""

    question_number: int
    question_text: str
    category: str = "general"
    difficulty: str = "medium"
    answered: bool = True
    relevance: float | None = None
    grammar: float | None = None
    fluency: float | None = None
    keywords: float | None = None
    overall: float | None = None
    evaluation_summary: str = ""
    filler_count: int = 0
    fillers_per_minute: float | None = None
    filler_breakdown: dict[str, int] = field(default_factory=dict)
    speech_rate_wpm: float | None = None
    long_pauses: int = 0
    repetitions: int = 0
    grammar_errors: int | None = None
    grammar_example: str | None = None
    covered_topics: tuple[str, ...] = ()
    missing_topics: tuple[str, ...] = ()
    star_missing: tuple[str, ...] | None = None  # None: not a behavioural question
    word_count: int = 0
    #: The number ("Question 2") of the planned question this follow-up belongs to; None when planned.
    follow_up_of: int | None = None
    #: Skipped by the candidate (what they said is kept but not scored).
    skipped: bool = False
    #: Which attempt these scores are of ("try again" makes 2, 3, ...).
    attempt: int = 1
    #: The number the candidate saw ("Question 2 of 3"); None: the stored question_number, which
    #: counts every row, follow-ups included, and so can differ.
    shown_number: int | None = None
    touched_topics: tuple[str, ...] = ()
    #: Talking points with their verdict and the candidate's words ({topic, verdict, evidence}).
    talking_points: tuple[dict[str, Any], ...] = ()
    #: The structure check that applied ("star" | "plan" | None) and its missing parts.
    structure_kind: str | None = None
    structure_missing: tuple[str, ...] = ()
    #: The answer does not address the question (a non-answer or capped off topic): its
    #: structure is not judged (issue #12, QA R1).
    off_topic: bool = False
    #: A follow-up's answer judged against its planned question's talking points: those it
    #: covered or touched on ({topic, verdict, evidence}); the report counts them as said.
    planned_talking_points: tuple[dict[str, Any], ...] = ()
    #: The whole per-answer score as the live score card received it (AnswerScore.to_json()),
    #: so that the report and the REST API show the same after a reload.
    score: dict[str, Any] | None = None

    @classmethod
    def from_score(
        cls,
        question_number: int,
        question_text: str,
        category: str,
        difficulty: str,
        score: AnswerScore,
        transcript: str = "",
    ) -> QuestionResult:
        flu = score.details.fluency
        grammar = score.details.grammar
        example = None
        if grammar is not None and grammar.matches and transcript:
            m = grammar.matches[0]
            fix = f" -> {m.replacements[0]}" if m.replacements else ""
            example = f"{m.excerpt(transcript)}{fix}"
        return cls(
            question_number=question_number,
            question_text=question_text,
            category=category,
            difficulty=difficulty,
            answered=score.word_count > 0,
            **{d: getattr(score, d) for d in DIMENSIONS},
            overall=score.overall,
            evaluation_summary=score.evaluation_summary,
            filler_count=flu.filler_count,
            fillers_per_minute=flu.fillers_per_minute,
            filler_breakdown=flu.filler_breakdown(),
            speech_rate_wpm=flu.speech_rate_wpm,
            long_pauses=len(flu.long_pauses),
            repetitions=len(flu.repetitions),
            grammar_errors=None if grammar is None else grammar.errors,
            grammar_example=example,
            covered_topics=tuple(score.covered_topics),
            missing_topics=tuple(score.missing_topics),
            star_missing=None if score.star is None else tuple(score.star.missing),
            word_count=score.word_count,
            touched_topics=tuple(score.touched_topics),
            talking_points=tuple(
                {"topic": t.topic, "verdict": t.verdict, "evidence": t.evidence}
                for t in (score.details.keywords.topics if score.details.keywords is not None else ())
            ),
            structure_kind=None if score.structure is None else score.structure.kind,
            structure_missing=() if score.structure is None else tuple(score.structure.missing),
            off_topic=score.details.non_answer or score.details.cap == "off_topic",
            score=score.to_json(),
        )

    @classmethod
    def unanswered(
        cls, question_number: int, question_text: str, category: str = "general", difficulty: str = "medium"
    ) -> QuestionResult:
        return cls(question_number, question_text, category, difficulty, answered=False)

    @property
    def label(self) -> str:
        """How the report names this question after the word "question": "2", or "2's
        follow-up" (a bracketed "(follow-up)" ran into the score's brackets: "1 (follow-up) (0)")."""
        if self.follow_up_of is not None:
            return f"{self.follow_up_of}'s follow-up"
        return str(self.shown_number if self.shown_number is not None else self.question_number)

    @property
    def planned_number(self) -> int:
        """The number of the planned question this result belongs to, as the candidate saw it."""
        if self.follow_up_of is not None:
            return self.follow_up_of
        return self.shown_number if self.shown_number is not None else self.question_number

    def scores(self) -> dict[str, float | None]:
        return {d: getattr(self, d) for d in DIMENSIONS}

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in _LISTS:
            data[key] = list(data[key])
        if data["star_missing"] is not None:
            data["star_missing"] = list(data["star_missing"])
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuestionResult:
        values = {k: v for k, v in data.items() if k in _FIELDS}  # older rows may lack or add keys
        for key in _LISTS:
            values[key] = tuple(values.get(key) or ())
        if values.get("star_missing") is not None:
            values["star_missing"] = tuple(values["star_missing"])
        return cls(**values)


_LISTS = (
    "covered_topics",
    "missing_topics",
    "touched_topics",
    "talking_points",
    "structure_missing",
    "planned_talking_points",
)
_FIELDS = frozenset(f.name for f in fields(QuestionResult))


#: How far a planned question's score moves toward its follow-ups' mean when they did better
#: (README, "The session report"): a third of the way.
FOLLOW_UP_WEIGHT = 1 / 3


def _lifted(own: float | None, follow_ups: list[float]) -> float | None:
    if own is None or not follow_ups:
        return own
    blend = (1 - FOLLOW_UP_WEIGHT) * own + FOLLOW_UP_WEIGHT * sum(follow_ups) / len(follow_ups)
    return round(max(own, blend), 1)


def question_scores(results: Sequence[QuestionResult]) -> list[QuestionResult]:
    """The planned questions, each with the scores it counts with in the session report.

    A follow-up is the interviewer probing the same question, not a new one: every planned
    question counts once. Its scores (each dimension and overall) are its own answer's, unless
    its answered follow-ups did better on them: then `FOLLOW_UP_WEIGHT` of the way toward their
    mean. A follow-up answer never lowers its question: it is short by design (one detail
    asked for), and the per-answer scale expects a full answer's length ("We shipped two days
    early; tickets fell forty percent" to "What was the outcome?" scores 67), and what it could
    not fill was already missing from the question's own answer. Planned results keep every
    other field (talking points, structure, fillers) of their own answer.
    """
    by_parent: dict[int, list[QuestionResult]] = {}
    for r in results:
        if r.follow_up_of is not None and r.answered and r.overall is not None:
            by_parent.setdefault(r.follow_up_of, []).append(r)
    out: list[QuestionResult] = []
    for r in results:
        if r.follow_up_of is not None:
            continue
        follow_ups = by_parent.get(r.planned_number, []) if r.answered and r.overall is not None else []
        if not follow_ups:
            out.append(r)
            continue

        def lift(key: str, own: float | None, follow_ups: list[QuestionResult] = follow_ups) -> float | None:
            return _lifted(own, [v for f in follow_ups if (v := getattr(f, key)) is not None])

        out.append(
            replace(
                r,
                relevance=lift("relevance", r.relevance),
                grammar=lift("grammar", r.grammar),
                fluency=lift("fluency", r.fluency),
                keywords=lift("keywords", r.keywords),
                overall=lift("overall", r.overall),
            )
        )
    return out
