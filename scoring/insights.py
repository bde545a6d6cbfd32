"""Patterns across a session's answers, written as the `ai_insights` text.

Deterministic comparisons, each reported only when the difference is large enough to be more
than noise on five-ish answers: fillers by difficulty, scores by question category, the trend
from the first to the second half, speaking-rate drift, and recurring missing topics or STAR
parts. The optional comparison percentile (computed in SQL by persistence) is quoted as given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from statistics import mean

from scoring.keywords import label
from scoring.results import QuestionResult

_DIFFICULTY_ORDER = {"easy": 0, "medium": 1, "hard": 2}
#: Minimum gaps worth reporting: 10 score points, 3 fillers per minute, 20 wpm.
SCORE_GAP, FILLER_GAP, RATE_GAP = 10.0, 3.0, 20.0


def _avg(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return mean(present) if present else None


def _overall(results: Sequence[QuestionResult]) -> list[float]:
    """The overall scores of `results` (every answered result has one)."""
    return [r.overall for r in results if r.overall is not None]


def build_insights(results: Sequence[QuestionResult], percentile: int | None) -> str:
    answered = [r for r in results if r.answered and r.overall is not None]
    if not answered:
        return "No question was answered, so there are no patterns to report yet."
    lines: list[str] = []
    by_difficulty: dict[str, list[QuestionResult]] = {}
    for r in answered:
        by_difficulty.setdefault(r.difficulty.lower(), []).append(r)
    levels = sorted((d for d in by_difficulty if d in _DIFFICULTY_ORDER), key=_DIFFICULTY_ORDER.__getitem__)
    if len(levels) >= 2:
        low, high = levels[0], levels[-1]
        f_low = _avg([r.fillers_per_minute for r in by_difficulty[low]])
        f_high = _avg([r.fillers_per_minute for r in by_difficulty[high]])
        if f_low is not None and f_high is not None and abs(f_high - f_low) >= FILLER_GAP:
            trend = "rose" if f_high > f_low else "fell"
            lines.append(
                f"Fillers {trend} under pressure: {f_low:.1f} per minute on {low} questions "
                f"vs {f_high:.1f} on {high} ones."
            )
        s_low = mean(_overall(by_difficulty[low]))
        s_high = mean(_overall(by_difficulty[high]))
        if s_low - s_high >= SCORE_GAP:
            lines.append(f"Scores dropped on harder questions ({s_low:.0f} on {low}, {s_high:.0f} on {high}).")
    by_category: dict[str, list[QuestionResult]] = {}
    for r in answered:
        by_category.setdefault(r.category.lower(), []).append(r)
    if len(by_category) >= 2:
        ranked = sorted(((mean(_overall(v)), k) for k, v in by_category.items()), reverse=True)
        (best, best_cat), (worst, worst_cat) = ranked[0], ranked[-1]
        if best - worst >= SCORE_GAP:
            lines.append(
                f"You were stronger on {best_cat} questions ({best:.0f}) than on {worst_cat} ones ({worst:.0f})."
            )
    if len(answered) >= 4:
        half = len(answered) // 2
        first, second = mean(_overall(answered[:half])), mean(_overall(answered[half:]))
        if abs(second - first) >= SCORE_GAP:
            verb = "improved" if second > first else "faded"
            lines.append(
                f"Your answers {verb} as the session went on "
                f"({first:.0f} in the first half, {second:.0f} in the second)."
            )
    rates = [r.speech_rate_wpm for r in answered if r.speech_rate_wpm is not None]
    if len(rates) >= 2 and max(rates) - min(rates) >= RATE_GAP:
        lines.append(f"Your speaking rate varied from {min(rates):.0f} to {max(rates):.0f} words per minute.")
    missing = Counter(label(t) for r in answered for t in r.missing_topics)
    repeated = [t for t, n in missing.most_common(3) if n >= 2]
    if repeated:
        lines.append(f"Topics missed more than once: {', '.join(repeated)}.")
    star = Counter(p for r in answered if r.star_missing for p in r.star_missing)
    if star:
        part, n = star.most_common(1)[0]
        behavioural = sum(1 for r in answered if r.star_missing is not None)
        lines.append(f"In {n} of {behavioural} behavioural answers the STAR {part} was missing.")
    if percentile is not None:
        lines.append(f"This session scored higher than {percentile}% of completed sessions.")
    if not lines:
        lines.append("Your performance was consistent across questions; no strong pattern stood out.")
    return " ".join(lines)
