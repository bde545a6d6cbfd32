"""Patterns across a session's answers, written as the `ai_insights` text.

Deterministic comparisons, each reported only when the difference is large enough to be more
than noise on five-ish answers and each side rests on at least MIN_GROUP answers (one answer per
group is an anecdote, not a pattern): fillers and scores on the session's easier vs harder
questions, scores by question category, the trend from the first to the second half,
speaking-rate drift, and recurring missing topics or STAR parts. The candidate never sees a
question's own difficulty (they chose the session's, "Warm-up" .. "Challenging"), so the text
says "easier"/"harder" questions, never the bank's "easy"/"medium"; categories are named as the
UI names them ("behavioural"). The optional comparison percentile (computed in SQL by
persistence) is quoted as given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from statistics import mean

from scoring.keywords import label
from scoring.numbers import half_up
from scoring.results import QuestionResult

_DIFFICULTY_ORDER = {"easy": 0, "medium": 1, "hard": 2}
#: Minimum gaps worth reporting: 10 score points, 3 fillers per minute, 20 wpm.
SCORE_GAP, FILLER_GAP, RATE_GAP = 10.0, 3.0, 20.0
#: Answers each side of a comparison needs before the report calls it a pattern.
MIN_GROUP = 2
#: Question categories as the UI writes them inside a sentence.
CATEGORY_WORDS = {"behavioral": "behavioural", "behavioural": "behavioural"}


def _avg(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return mean(present) if present else None


def _overall(results: Sequence[QuestionResult]) -> list[float]:
    """The overall scores of `results` (every answered result has one)."""
    return [r.overall for r in results if r.overall is not None]


def _category(category: str) -> str:
    """A category as the UI spells it, lower case inside a sentence."""
    return CATEGORY_WORDS.get(category, category)


def _counts(easier: int, harder: int) -> str:
    """How many answers a comparison rests on: 2 answers each, or 3 and 2 answers."""
    return f"{easier} answers each" if easier == harder else f"{easier} and {harder} answers"


def build_insights(results: Sequence[QuestionResult], percentile: int | None) -> str:
    answered = [r for r in results if r.answered and r.overall is not None]
    if not answered:
        return "No question was answered, so there are no patterns to report yet."
    lines: list[str] = []
    by_difficulty: dict[str, list[QuestionResult]] = {}
    for r in answered:
        by_difficulty.setdefault(r.difficulty.lower(), []).append(r)
    levels = sorted(
        (d for d in by_difficulty if d in _DIFFICULTY_ORDER and len(by_difficulty[d]) >= MIN_GROUP),
        key=_DIFFICULTY_ORDER.__getitem__,
    )
    if len(levels) >= 2:
        easier, harder = by_difficulty[levels[0]], by_difficulty[levels[-1]]
        counts = _counts(len(easier), len(harder))
        f_low = _avg([r.fillers_per_minute for r in easier])
        f_high = _avg([r.fillers_per_minute for r in harder])
        if f_low is not None and f_high is not None and abs(f_high - f_low) >= FILLER_GAP:
            trend = "rose" if f_high > f_low else "fell"
            lines.append(
                f"Fillers {trend} on the harder questions: {f_low:.1f} per minute on the easier ones "
                f"vs {f_high:.1f} on the harder ones ({counts})."
            )
        s_low, s_high = mean(_overall(easier)), mean(_overall(harder))
        if s_low - s_high >= SCORE_GAP:
            lines.append(
                f"Scores dropped on the harder questions ({half_up(s_low)} on the easier ones, "
                f"{half_up(s_high)} on the harder ones; {counts})."
            )
    by_category: dict[str, list[QuestionResult]] = {}
    for r in answered:
        by_category.setdefault(r.category.lower(), []).append(r)
    groups = {k: v for k, v in by_category.items() if len(v) >= MIN_GROUP}
    if len(groups) >= 2:
        ranked = sorted(((mean(_overall(v)), k) for k, v in groups.items()), reverse=True)
        (best, best_cat), (worst, worst_cat) = ranked[0], ranked[-1]
        if best - worst >= SCORE_GAP:
            lines.append(
                f"You were stronger on {_category(best_cat)} questions ({half_up(best)}) "
                f"than on {_category(worst_cat)} ones ({half_up(worst)})."
            )
    if len(answered) >= 4:
        half = len(answered) // 2
        first, second = mean(_overall(answered[:half])), mean(_overall(answered[half:]))
        if abs(second - first) >= SCORE_GAP:
            verb = "improved" if second > first else "faded"
            lines.append(
                f"Your answers {verb} as the session went on "
                f"({half_up(first)} in the first half, {half_up(second)} in the second)."
            )
    rates = [r.speech_rate_wpm for r in answered if r.speech_rate_wpm is not None]
    if len(rates) >= 2 and max(rates) - min(rates) >= RATE_GAP:
        lines.append(f"Your speaking rate varied from {half_up(min(rates))} to {half_up(max(rates))} words per minute.")
    missing = Counter(label(t) for r in answered for t in r.missing_topics)
    repeated = [t for t, n in missing.most_common(3) if n >= 2]
    if repeated:
        lines.append(f"Topics missed more than once: {', '.join(repeated)}.")
    # An answer to another question has no STAR verdict (QA R1).
    judged = [r for r in answered if r.star_missing is not None and not r.off_topic]
    star = Counter(p for r in judged if r.star_missing for p in r.star_missing)
    if star:
        part, n = star.most_common(1)[0]
        behavioural = len(judged)
        where = "In your behavioural answer" if behavioural == 1 else f"In {n} of {behavioural} behavioural answers"
        lines.append(f"{where} the STAR {part} was missing.")
    if percentile is not None:
        lines.append(f"This session scored higher than {percentile}% of completed sessions.")
    if not lines:
        lines.append("Your performance was consistent across questions; no strong pattern stood out.")
    return " ".join(lines)
