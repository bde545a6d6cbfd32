"""Conversational follow-up questions: what to ask after an answer, and whether to ask at all.

A `FollowUpGenerator` proposes ranked `FollowUp`s for one answer; `should_ask` applies the
session's policy (caps per question and per session) to pick at most one. Two generators:
`RuleBasedFollowUps`, deterministic and the default; `parse_model_follow_ups` reads a chat
model's reply (the OpenAI-compatible adapter itself is I/O and lives in `server/llm_followups.py`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from interview.answer_text import (
    has_concrete_marker,
    has_quantity,
    hedge_count,
    salient_terms,
    word_count,
)


#: Why a follow-up is asked (an enum-like string, stored in follow_up_questions JSON).
REASONS: tuple[str, ...] = ("missing_result", "vague", "missing_topic", "probe")
STAR_PARTS = frozenset({"situation", "task", "action", "result"})
_RESULT_WORDS = frozenset({"result", "results", "outcome", "outcomes", "impact"})


@dataclass(frozen=True, slots=True)
class FollowUp:
    text: str
    #: One of REASONS.
    reason: str
    #: 1 is the most important; suggestions are returned sorted by it.
    priority: int
    #: The missing topic or the candidate's term this follow-up is about, if any.
    topic: str | None = None
    #: "rules" or "llm": which generator produced it.
    source: str = "rules"


@dataclass(frozen=True)
class FollowUpContext:
    question_text: str
    category: str
    transcript: str
    expected_topics: tuple[str, ...] = ()
    #: Expected topics the answer did not cover (as judged by the scorer).
    missing_topics: tuple[str, ...] = ()
    #: STAR parts present in the answer; None when the question is not behavioural.
    star_parts: frozenset[str] | None = None
    #: Follow-ups already asked for this question.
    asked_count: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "expected_topics", tuple(self.expected_topics))
        object.__setattr__(self, "missing_topics", tuple(self.missing_topics))
        if self.star_parts is not None:
            object.__setattr__(self, "star_parts", frozenset(p.lower() for p in self.star_parts))


class FollowUpGenerator(Protocol):
    def suggest(self, ctx: FollowUpContext) -> list[FollowUp]:
        """Ranked follow-ups for one answer (most important first); [] when none is needed."""
        ...


@dataclass(frozen=True)
class FollowUpPolicy:
    max_per_question: int = 2
    max_per_session: int = 3
    #: Suggestions with a larger (less important) priority number are never asked.
    max_priority: int = 4
    reasons: frozenset[str] = field(default_factory=lambda: frozenset(REASONS))


def should_ask(
    suggestions: Sequence[FollowUp],
    asked_for_question: int,
    asked_in_session: int,
    policy: FollowUpPolicy = FollowUpPolicy(),
) -> FollowUp | None:
    """The one follow-up to ask now, or None when the caps are reached or nothing qualifies."""
    if asked_for_question >= policy.max_per_question or asked_in_session >= policy.max_per_session:
        return None
    allowed = [s for s in suggestions if s.reason in policy.reasons and s.priority <= policy.max_priority]
    return min(allowed, key=lambda s: s.priority) if allowed else None


class RuleBasedFollowUps:
    """Deterministic follow-ups from the shape of the answer.

    In priority order: the STAR result is missing (1); the claims are vague: a story with no
    numbers and no concrete example, or a very short technical answer (2); expected topics are
    missing (3, at most `max_topic_followups`); a probe into a specific term the candidate used
    (4, or 3 when it also covers a missing topic). A probe is only proposed alongside another
    reason: a complete, concrete answer gets no follow-up at all.
    """

    def __init__(self, *, max_suggestions: int = 3, max_topic_followups: int = 2, short_answer_words: int = 40) -> None:
        self.max_suggestions = max_suggestions
        self.max_topic_followups = max_topic_followups
        self.short_answer_words = short_answer_words

    def suggest(self, ctx: FollowUpContext) -> list[FollowUp]:
        text = ctx.transcript.strip()
        if word_count(text) < 5:
            return [FollowUp("Could you take me through your answer in a bit more detail?", "vague", 1)]
        out = self._structure(ctx, text)
        out += self._vagueness(ctx, text, out)
        topics = self._topics(ctx, out)
        if out or topics:
            out += self._probe(ctx, text, topics)
        out += topics
        ranked = sorted(out, key=lambda f: f.priority)  # stable: equal priorities keep rule order
        unique: dict[str, FollowUp] = {}
        for item in ranked:
            unique.setdefault(item.text, item)
        return list(unique.values())[: self.max_suggestions]

    def _structure(self, ctx: FollowUpContext, text: str) -> list[FollowUp]:
        if ctx.star_parts is None:
            return []
        out = []
        if "result" not in ctx.star_parts:
            out.append(FollowUp("What was the outcome, and how did you measure it?", "missing_result", 1, "result"))
        if "action" not in ctx.star_parts:
            out.append(FollowUp("What did you personally do, step by step?", "vague", 2, "action"))
        return out

    def _vagueness(self, ctx: FollowUpContext, text: str, so_far: list[FollowUp]) -> list[FollowUp]:
        quantity, concrete = has_quantity(text), has_concrete_marker(text)
        story = ctx.star_parts is not None or ctx.category in ("behavioral", "situational")
        if story:
            if not quantity and (not concrete or hedge_count(text) >= 2):
                return [FollowUp(
                    "Can you make that concrete? Pick one real example and give me the numbers: "
                    "how much, how many, or how long?", "vague", 2, "numbers",
                )]
            asked_result = any(f.reason == "missing_result" for f in so_far)
            if not quantity and ctx.star_parts is not None and not asked_result:
                return [FollowUp("Can you put a number on the result? How big was the change?", "vague", 3, "numbers")]
            return []
        if word_count(text) < self.short_answer_words and not concrete and not quantity and not salient_terms(text):
            return [FollowUp("Can you walk me through a concrete example of how you have applied this?", "vague", 2, "example")]
        return []

    def _topics(self, ctx: FollowUpContext, so_far: list[FollowUp]) -> list[FollowUp]:
        asked_result = any(f.reason == "missing_result" for f in so_far)
        out = []
        for topic in ctx.missing_topics:
            if len(out) >= self.max_topic_followups:
                break
            if asked_result and _words(topic) & _RESULT_WORDS:
                continue
            out.append(FollowUp(_topic_question(topic, ctx.category), "missing_topic", 3, topic))
        return out

    def _probe(self, ctx: FollowUpContext, text: str, topics: list[FollowUp]) -> list[FollowUp]:
        terms = salient_terms(text, exclude=ctx.question_text)
        if not terms:
            return []
        term = terms[0]
        question = f"You mentioned {term.text}: {term.probe}"
        # A probe that also asks about a missing topic replaces that topic's generic question.
        probe_words = _words(question)
        for item in list(topics):
            if {w for w in _words(item.topic or "") if len(w) >= 4} & probe_words:
                topics.remove(item)
                return [FollowUp(question, "probe", 3, term.text)]
        return [FollowUp(question, "probe", 4, term.text)]


def _words(text: str) -> set[str]:
    return {w.rstrip("s") if len(w) > 4 else w for w in re.findall(r"[a-z0-9]+", text.lower())}


def _topic_question(topic: str, category: str) -> str:
    if category == "technical":
        return f"How would you handle {topic} here?"
    if category == "situational":
        return f"How would {topic} fit into your approach?"
    if category == "behavioral":
        return f"Where did {topic} come into that situation?"
    return f"Could you say a bit about {topic}?"


def parse_model_follow_ups(content: Any, *, limit: int = 2) -> list[FollowUp] | None:
    """Follow-ups from a model's reply, tolerating code fences, surrounding prose, a bare list,
    plain strings instead of objects and unknown reasons (read as "probe"). None when nothing in
    the reply is the requested JSON or an item is unusable; [] for an explicit empty list."""
    if not isinstance(content, str):
        return None
    data = _first_json(content)
    if isinstance(data, dict):
        data = next((data[k] for k in ("follow_ups", "followups", "follow_up_questions", "questions") if k in data), None)
    if not isinstance(data, list):
        return None
    out: list[FollowUp] = []
    for item in data[:limit]:
        text, reason = (item, "probe") if isinstance(item, str) else _item_fields(item)
        if not isinstance(text, str):
            return None
        text = " ".join(text.split())
        if not 8 <= len(text) <= 300 or not re.search(r"[A-Za-z]{3}", text):
            return None
        out.append(FollowUp(text, reason if reason in REASONS else "probe", len(out) + 1, source="llm"))
    return out


def _item_fields(item: Any) -> tuple[Any, Any]:
    if not isinstance(item, dict):
        return None, None
    return item.get("question", item.get("text")), item.get("reason")


def _first_json(content: str) -> Any:
    fenced = re.search(r"```(?:json)?\s*(.*?)```", content, re.DOTALL)
    text = (fenced.group(1) if fenced else content).strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    # Prose around the JSON: take the outermost object or list, whichever starts first.
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    if not starts:
        return None
    start = min(starts)
    end = text.rfind("}" if text[start] == "{" else "]")
    try:
        return json.loads(text[start : end + 1]) if end > start else None
    except ValueError:
        return None


__all__ = [
    "REASONS", "FollowUp", "FollowUpContext", "FollowUpGenerator", "FollowUpPolicy", "should_ask",
    "RuleBasedFollowUps", "parse_model_follow_ups",
]
