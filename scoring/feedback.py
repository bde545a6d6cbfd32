"""The session report: one `interview_feedback` row, exactly the JSON shapes of schema.md.

Thresholds (documented, shared with the per-answer wording in suggestions.band):
- The session's numbers are over its planned questions, each counted once
  (`scoring.results.question_scores`): a question's score is its answer's, lifted a third of the
  way toward its follow-ups' mean when they did better, never lowered by them. overall_score and
  the dimension averages are means over the answered planned questions of those scores.
- overall_rating from the session's overall score: Excellent >= 85, Good >= 70,
  Fair >= 50, Poor below.
- readiness_score = completion x (0.75 x mean overall + 0.25 x weakest dimension average):
  interviewers remember the weakest side of a candidate, and a skipped question counts as 0.
  readiness_level: Ready >= 80, Almost Ready >= 60, Needs Practice below.
- A dimension averaging >= 75 is a strength, < 65 a weakness (priority 1 below 45, 2 below 55,
  3 otherwise).
Every threshold is applied to the number as shown, and every whole number in a text is rounded
half up as the web UI rounds (scoring.numbers.half_up: 62.5 is "63" everywhere).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from statistics import mean
from typing import Any

from scoring.answer import DIMENSIONS
from scoring.insights import build_insights
from scoring.keywords import label
from scoring.numbers import half_up
from scoring.options import ScoringOptions
from scoring.resources import Resource, resources_for
from scoring.results import QuestionResult, question_scores
from scoring.suggestions import DIMENSION_WORDS, NAMES

RATINGS = ((85.0, "Excellent"), (70.0, "Good"), (50.0, "Fair"), (0.0, "Poor"))
READINESS = ((80, "Ready"), (60, "Almost Ready"), (0, "Needs Practice"))
STRENGTH_AT, WEAKNESS_BELOW = 75.0, 65.0
#: How the report says that an answer to another question had no STAR verdict (QA R1).
NOT_JUDGED = "STAR structure was not judged"
_STRENGTH_TEXT = {
    "relevance": "Answers addressed the questions directly (relevance average {v})",
    "grammar": "Grammar was accurate (grammar average {v})",
    "fluency": "Delivery was fluent (fluency average {v})",
    "keywords": "Covered the expected talking points (talking points average {v})",
}
_ADVICE = {
    "relevance": "Answer the question asked in your first sentence, then support it with one concrete example",
    "grammar": "Slow down slightly and check verb agreement (he does, we were) when you practise aloud",
    "fluency": "Record yourself and replace fillers with silent pauses; aim for 130-160 words per minute",
    "keywords": "Before answering, name two or three key concepts the question is about and explain each",
}


@dataclass(frozen=True)
class Item:
    """A strength or weakness entry: {category, type, message, priority}."""

    category: str
    type: str
    message: str
    priority: int

    def to_json(self) -> dict[str, Any]:
        return {"category": self.category, "type": self.type, "message": self.message, "priority": self.priority}


@dataclass(frozen=True)
class SessionFeedback:
    overall_rating: str
    summary: str
    strengths: tuple[Item, ...]
    weaknesses: tuple[Item, ...]
    suggestions: tuple[dict[str, Any], ...]
    resources: tuple[Resource, ...]
    readiness_score: int
    readiness_level: str
    next_steps: tuple[str, ...]
    question_feedback: tuple[dict[str, Any], ...]
    ai_insights: str
    comparison_percentile: int | None
    overall_score: float | None
    averages: dict[str, float | None]
    questions_answered: int

    def to_row(self) -> dict[str, Any]:
        """Column values of interview_feedback (without id, session_id and timestamps)."""
        return {
            "overall_rating": self.overall_rating,
            "summary": self.summary,
            "strengths": [s.to_json() for s in self.strengths],
            "weaknesses": [w.to_json() for w in self.weaknesses],
            "suggestions": list(self.suggestions),
            "resources": [r.to_json() for r in self.resources],
            "readiness_score": self.readiness_score,
            "readiness_level": self.readiness_level,
            "next_steps": list(self.next_steps),
            "question_feedback": list(self.question_feedback),
            "ai_insights": self.ai_insights,
            "comparison_percentile": self.comparison_percentile,
        }

    def session_scores(self) -> dict[str, Any]:
        """Column values for interview_sessions (overall_score and the *_avg columns)."""
        return {
            "overall_score": self.overall_score,
            "relevance_avg": self.averages["relevance"],
            "grammar_avg": self.averages["grammar"],
            "fluency_avg": self.averages["fluency"],
            "keyword_avg": self.averages["keywords"],
            "questions_answered": self.questions_answered,
        }


def rating(score: float) -> str:
    """The rating of a score as shown (whole, rounded half up: 84.5 is shown 85, Excellent)."""
    return next(name for low, name in RATINGS if half_up(score) >= low)


def readiness_level(score: int) -> str:
    return next(name for low, name in READINESS if score >= low)


def _avg(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(mean(present), 1) if present else None


def build_session_feedback(
    questions: Sequence[QuestionResult], *, percentile: int | None = None, options: ScoringOptions | None = None
) -> SessionFeedback:
    """The report for a finished session; `percentile` comes from persistence (SQL), as is."""
    options = options or ScoringOptions()
    questions = _credit_follow_ups(sorted(questions, key=lambda q: q.question_number))
    answered = [q for q in questions if q.answered and q.overall is not None]
    # The numbers are the planned questions' (each once, follow-ups folded in); the evidence
    # quoted (fillers counted, the lowest answer, questions to practise again) is every answer's.
    scored = [q for q in question_scores(questions) if q.answered and q.overall is not None]
    averages = {d: _avg(getattr(q, d) for q in scored) for d in DIMENSIONS}
    overall = _avg(q.overall for q in scored)
    counted = {q.planned_number: q.overall for q in scored}
    # Completion counts planned questions only: a follow-up never lowers it (issue 13).
    planned = [q for q in questions if q.follow_up_of is None]
    completion = sum(1 for q in planned if q.answered and q.overall is not None) / len(planned) if planned else 0.0
    present = [v for v in averages.values() if v is not None]
    readiness = 0 if overall is None else half_up(completion * (0.75 * overall + 0.25 * min(present, default=overall)))
    strengths, weaknesses = _strengths_and_weaknesses(questions, answered, averages)
    suggestions = _suggestions(weaknesses, answered, options)
    aspects = [w.category for w in sorted(weaknesses, key=lambda w: w.priority)]
    if any(q.category.lower() == "technical" and (q.overall or 0) < 70 for q in answered):
        aspects.append("Technical")
    return SessionFeedback(
        overall_rating=rating(overall or 0.0),
        summary=_summary(questions, answered, scored, overall, averages),
        strengths=tuple(strengths),
        weaknesses=tuple(weaknesses),
        suggestions=tuple(suggestions),
        resources=tuple(resources_for(aspects)),
        readiness_score=readiness,
        readiness_level=readiness_level(readiness),
        next_steps=tuple(_next_steps(questions, answered, weaknesses)),
        question_feedback=tuple(
            _question_entry(q, None if q.follow_up_of is not None else counted.get(q.planned_number)) for q in questions
        ),
        ai_insights=build_insights(scored, percentile),
        comparison_percentile=percentile,
        overall_score=overall,
        averages=averages,
        questions_answered=sum(1 for q in answered if q.follow_up_of is None),
    )


def _credit_follow_ups(questions: Sequence[QuestionResult]) -> list[QuestionResult]:
    """The questions with each planned question's missing talking points that its follow-ups'
    answers made (`planned_talking_points`) counted as made: moved to its covered (or touched)
    topics, their verdict and evidence taken from the follow-up. Scores do not change; what
    the report names as never said does (issue #12, QA R3: "prepare one example for each: ...
    the difference it made" after a follow-up answer that told the difference it made)."""
    said: dict[int, dict[str, dict[str, Any]]] = {}
    for q in questions:
        if q.follow_up_of is not None and q.answered:
            for point in q.planned_talking_points:
                best = said.setdefault(q.follow_up_of, {}).get(point["topic"])
                if best is None or (best["verdict"] != "covered" and point["verdict"] == "covered"):
                    said[q.follow_up_of][point["topic"]] = point
    out = []
    for q in questions:
        made = said.get(q.planned_number, {}) if q.follow_up_of is None else {}
        credited = [t for t in (*q.missing_topics, *q.touched_topics) if t in made]
        if credited:
            covered = [t for t in credited if made[t]["verdict"] == "covered"]
            touched = [t for t in credited if t not in covered and t in q.missing_topics]
            q = replace(
                q,
                missing_topics=tuple(t for t in q.missing_topics if t not in credited),
                covered_topics=(*q.covered_topics, *covered),
                touched_topics=(*(t for t in q.touched_topics if t not in covered), *touched),
                talking_points=tuple(
                    {
                        **p,
                        "verdict": made[p["topic"]]["verdict"],
                        "evidence": made[p["topic"]]["evidence"],
                        "in_follow_up": True,
                    }
                    if p.get("topic") in credited
                    else p
                    for p in q.talking_points
                ),
            )
        out.append(q)
    return out


def _priority(value: float) -> int:
    shown = half_up(value)
    return 1 if shown < 45 else 2 if shown < 55 else 3


def _strengths_and_weaknesses(
    questions: Sequence[QuestionResult], answered: Sequence[QuestionResult], averages: Mapping[str, float | None]
) -> tuple[list[Item], list[Item]]:
    strengths: list[Item] = []
    weaknesses: list[Item] = []
    for dim, value in sorted(((d, v) for d, v in averages.items() if v is not None), key=lambda x: -x[1]):
        if half_up(value) >= STRENGTH_AT:
            strengths.append(
                Item(NAMES[dim], "strength", _STRENGTH_TEXT[dim].format(v=half_up(value)), len(strengths) + 1)
            )
    for dim, value in sorted(((d, v) for d, v in averages.items() if v is not None), key=lambda x: x[1]):
        if half_up(value) < WEAKNESS_BELOW:
            weaknesses.append(Item(NAMES[dim], "weakness", _weakness_text(dim, value, answered), _priority(value)))
    # An answer to another question has no STAR verdict: it says so instead (QA R1).
    behavioural = [q for q in answered if q.star_missing is not None and not q.off_topic]
    not_judged = [q for q in answered if q.star_missing is not None and q.off_topic]
    if not_judged:
        labels = _and_list([q.label for q in not_judged])
        verb = "does" if len(not_judged) == 1 else "do"
        weaknesses.append(
            Item(
                "Structure",
                "weakness",
                f"Your answer{'s' if len(not_judged) > 1 else ''} to question{'s' if len(not_judged) > 1 else ''} "
                f"{labels} {verb} not address the question, so {'its' if len(not_judged) == 1 else 'their'} "
                f"{NOT_JUDGED}: answer the question asked first",
                2,
            )
        )
    if behavioural:
        incomplete = [q for q in behavioural if q.star_missing]
        if not incomplete:
            strengths.append(
                Item(
                    "Structure",
                    "strength",
                    "Your behavioural answer followed the STAR structure"
                    if len(behavioural) == 1
                    else f"All {len(behavioural)} behavioural answers followed the STAR structure",
                    len(strengths) + 1,
                )
            )
        else:
            parts = Counter(p for q in incomplete for p in q.star_missing or ())
            text = ", ".join(f"{p} ({n}x)" for p, n in parts.most_common())
            weaknesses.append(
                Item(
                    "Structure",
                    "weakness",
                    f"Your behavioural answer missed STAR parts: {text}"
                    if len(behavioural) == 1
                    else f"{len(incomplete)} of {len(behavioural)} behavioural answers missed STAR parts: {text}",
                    2,
                )
            )
    planned = [q for q in questions if q.follow_up_of is None]
    skipped = len(planned) - sum(1 for q in answered if q.follow_up_of is None)
    if skipped:
        verb = "was" if skipped == 1 else "were"
        weaknesses.append(
            Item("Completion", "weakness", f"{skipped} of {len(planned)} questions {verb} not answered", 1)
        )
    weaknesses.sort(key=lambda w: w.priority)
    return strengths, weaknesses


def _weakness_text(dim: str, value: float, answered: Sequence[QuestionResult]) -> str:
    if dim == "fluency":
        fillers = sum(q.filler_count for q in answered)
        pauses = sum(q.long_pauses for q in answered)
        rates = [q.speech_rate_wpm for q in answered if q.speech_rate_wpm is not None]
        rate = f", average rate {half_up(mean(rates))} wpm" if rates else ""
        counts = f"{fillers} fillers and {pauses} long pauses in {len(answered)} answers"
        return f"Fluency average {half_up(value)}: {counts}{rate}"
    if dim == "grammar":
        example = next((q.grammar_example for q in answered if q.grammar_example), None)
        errors = sum(q.grammar_errors or 0 for q in answered)
        return f"Grammar average {half_up(value)}: {errors} errors" + (
            f", e.g. \u201c{example}\u201d" if example else ""
        )
    if dim == "keywords":
        missing = Counter(label(t) for q in answered for t in q.missing_topics)
        examples = ", ".join(t for t, _ in missing.most_common(4))
        return f"Talking points average {half_up(value)}: missed points such as {examples}"
    low = min(answered, key=lambda q: q.relevance if q.relevance is not None else 100)
    return (
        f"Relevance average {half_up(value)}: answers drifted or stayed brief, "
        f"lowest on question {low.label} ({half_up(low.relevance or 0.0)})"
    )


def _suggestions(
    weaknesses: Sequence[Item], answered: Sequence[QuestionResult], options: ScoringOptions
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for w in weaknesses:
        key = w.category.lower()
        if key in _ADVICE:
            out.append({"category": w.category, "message": _ADVICE[key], "priority": w.priority})
        elif w.category == "Structure" and NOT_JUDGED in w.message:
            out.append({"category": "Relevance", "message": _ADVICE["relevance"], "priority": w.priority})
        elif w.category == "Structure":
            out.append(
                {
                    "category": "Practice",
                    "message": "Use the STAR method for behavioural questions: Situation, Task, Action, Result",
                    "priority": w.priority,
                }
            )
        elif w.category == "Completion":
            out.append(
                {
                    "category": "Practice",
                    "message": "Answer every question, even briefly: a short answer scores better than none",
                    "priority": w.priority,
                }
            )
    # One of each advice (two weaknesses may call for the same), at its first place.
    out = [s for i, s in enumerate(out) if all(s["message"] != t["message"] for t in out[:i])]
    if not out:
        out.append(
            {
                "category": "Practice",
                "message": "Keep practising with harder questions to stretch your strongest areas",
                "priority": 3,
            }
        )
    return out[: options.max_suggestions]


def _next_steps(
    questions: Sequence[QuestionResult], answered: Sequence[QuestionResult], weaknesses: Sequence[Item]
) -> list[str]:
    steps: list[str] = []
    missing = Counter(label(t) for q in answered for t in q.missing_topics)
    if missing:
        steps.append(
            f"Review these topics and prepare one example for each: {', '.join(t for t, _ in missing.most_common(5))}"
        )
    categories = {w.category for w in weaknesses}
    if "Fluency" in categories:
        steps.append("Record two practice answers and count your fillers; repeat until fewer than 2 per minute")
    if "Structure" in categories and _star_gaps(answered):
        steps.append("Write STAR outlines for three stories from your experience (a conflict, a failure, a success)")
    if "Grammar" in categories:
        steps.append("Read your transcripts back and correct each flagged sentence aloud")
    if "Relevance" in categories:
        steps.append("Practise answering in one sentence first, then add detail for 60-90 seconds")
    # What was weak, named as the candidate saw it: a planned question ("question 3"), or only
    # its follow-up ("question 3's follow-up (...)") when the question itself went well (QA R3:
    # "Answer question 3 again" pointed at a 98 whose follow-up scored 25). A new session cannot
    # be asked for given questions (the planner prefers ones not seen yet), so the step is one
    # the candidate can take on their own, with this report.
    weak = sorted(
        (q for q in answered if q.overall is not None and half_up(q.overall) < 60),
        key=lambda q: (q.planned_number, q.follow_up_of is not None, q.question_number),
    )
    weak = [
        q
        for q in weak
        if q.follow_up_of is None
        or not any(p.follow_up_of is None and p.planned_number == q.planned_number for p in weak)
    ]
    if weak:
        if all(q.follow_up_of is None for q in weak):
            what = f"question{'s' if len(weak) > 1 else ''} {_and_list([q.label for q in weak])}"
        else:
            what = _and_list(
                [
                    f"question {q.label}" + ("" if q.follow_up_of is None else f" ({_quote(q.question_text)})")
                    for q in weak
                ]
            )
        steps.append(
            f"Answer {what} again aloud on your own, using the notes in this report: "
            "a new session picks questions you have not seen yet"
        )
    steps.append("Schedule another mock interview within a week to track your progress")
    return steps[:5]


def _star_gaps(answered: Sequence[QuestionResult]) -> bool:
    """Whether a behavioural answer that addressed its question missed STAR parts."""
    return any(q.star_missing and not q.off_topic for q in answered)


def _quote(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return f"\u201c{text if len(text) <= limit else text[: limit - 1].rstrip() + chr(0x2026)}\u201d"


def _and_list(items: Sequence[str]) -> str:
    """Numbers as a sentence says them: 1; 1 and 2; 1, 2 and 4."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _summary(
    questions: Sequence[QuestionResult],
    answered: Sequence[QuestionResult],
    scored: Sequence[QuestionResult],
    overall: float | None,
    averages: Mapping[str, float | None],
) -> str:
    planned = [q for q in questions if q.follow_up_of is None]
    if not answered or overall is None:  # overall is None exactly when nothing was answered
        return f"None of the {len(planned)} questions was answered, so the session could not be scored."
    dims = {d: v for d, v in averages.items() if v is not None}
    best = max(dims, key=dims.__getitem__)
    worst = min(dims, key=dims.__getitem__)
    follow_ups = len(answered) - len(scored)
    # The average is over the answered planned questions, each once; with follow-ups the
    # sentence says how they counted and names each question they lifted, so that the cards
    # of the report add up to the number (issue #12).
    if follow_ups:
        own = {q.planned_number: q.overall for q in answered if q.follow_up_of is None}
        lifts = [
            f"question {q.planned_number} rose from {half_up(own[q.planned_number] or 0.0)} to {half_up(q.overall)}"
            for q in scored
            # As shown: a lift that rounds to the same whole number is not named.
            if q.overall is not None and half_up(own.get(q.planned_number) or 0.0) < half_up(q.overall)
        ]
        text = (
            f"You answered {len(scored)} of {len(planned)} questions and "
            f"{follow_ups} follow-up{'s' if follow_ups != 1 else ''}; the questions averaged "
            f"{half_up(overall)}/100 ({rating(overall)}), each counted once; a follow-up lifts its question "
            "only when it answers better" + (f": {_and_list(lifts)}." if lifts else ", and none did.")
        )
    else:
        text = (
            f"You answered {len(scored)} of {len(planned)} questions "
            f"with an average score of {half_up(overall)}/100 ({rating(overall)})."
        )
    text += f" Your strongest dimension was {DIMENSION_WORDS[best]} ({half_up(dims[best])})"
    text += f" and the one to work on is {DIMENSION_WORDS[worst]} ({half_up(dims[worst])})." if worst != best else "."
    return text


def _question_entry(q: QuestionResult, counted_score: float | None) -> dict[str, Any]:
    """One question_feedback entry; `counted_score` is what a planned question counts with in
    the session's score (its own, or lifted by a follow-up), None for a follow-up or a skip."""
    return {
        "question_number": q.question_number,
        "question": q.question_text,
        "category": q.category,
        "difficulty": q.difficulty,
        "answered": q.answered,
        "overall_score": q.overall,
        "counted_score": counted_score,
        "scores": q.scores(),
        "summary": q.evaluation_summary,
        "covered_topics": list(q.covered_topics),
        "missing_topics": list(q.missing_topics),
        "filler_count": q.filler_count,
        "speech_rate_wpm": None if q.speech_rate_wpm is None else half_up(q.speech_rate_wpm),
        "star_missing": None if q.star_missing is None else list(q.star_missing),
        "touched_topics": list(q.touched_topics),
        "talking_points": list(q.talking_points),
        "structure": None
        if q.structure_kind is None
        else {"kind": q.structure_kind, "missing": list(q.structure_missing)},
        "follow_up_of": q.follow_up_of,
        "off_topic": q.off_topic,
        "skipped": q.skipped,
        "attempt": q.attempt,
    }
